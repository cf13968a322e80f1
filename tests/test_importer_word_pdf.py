"""A PDF exported from a Word file by LibreOffice: curly quotes set in a fallback
font are drawn after the Chinese around them, so a reader that follows the drawing
order (pypdf) loses the titles' words; the importer reads characters where they are
printed.

tests/data/qingshan-2024-report.pdf is ``soffice --headless --convert-to pdf`` of
tests/data/qingshan-2024-report.docx (a report of our own writing: curly quotes,
《》, full-width digits, a table).
"""

from pathlib import Path

import pypdf

from tracker import importing

DATA = Path(__file__).parent / "data"
EXPORTED = DATA / "qingshan-2024-report.pdf"
SOURCE = DATA / "qingshan-2024-report.docx"


def test_the_test_pdf_draws_its_quotes_after_the_chinese():
    # What pypdf, which reads in drawing order, makes of it: the reason it is not
    # the importer's PDF reader any more.
    raw = "\n".join(page.extract_text() for page in pypdf.PdfReader(EXPORTED).pages)

    assert "深化“放管服”改革" not in raw
    assert "深化 放管服 改革" in raw


def test_quotes_brackets_and_full_width_digits_stay_in_reading_order():
    text = importing.read_report(EXPORTED)

    assert "（一）深化“放管服”改革。一是推行“一件事一次办”，整合事项４２项" in text
    assert "发放《中华人民共和国行政复议法》读本８０００册" in text
    assert "1.“关键少数”学法用法的主动性还需增强；" in text
    assert "3.加强“法治带头人”“法律明白人”培养。" in text


def test_a_tables_cells_are_read_apart_on_their_row():
    lines = importing.read_report(EXPORTED).splitlines()

    assert "“双随机”抽查 ３１０次 ３６０次" in lines


def test_a_word_export_parses_like_the_word_file():
    from_pdf = importing.parse_report_file(EXPORTED)
    from_docx = importing.parse_report_file(SOURCE)

    assert (from_pdf.organization, from_pdf.year) == ("青山县", 2024)
    assert from_pdf.counts() == {"work_item": 6, "problem": 2, "task": 3}
    assert [(o.code, o.kind, o.title) for _s, o in from_pdf.obligations()] == [
        (o.code, o.kind, o.title) for _s, o in from_docx.obligations()
    ]

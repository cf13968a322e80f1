"""Property tests: whatever text a county sends, the parser either reads it with exact
source anchors or refuses it with ReportFormatError — it never crashes with anything
else. And whatever name a browser sends, the displayed file name is harmless."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.evidence_files import sanitize_file_name
from tracker.importing import ReportFormatError, parse_report
from tracker.models import Obligation

# Pieces that look like the genre's structure, mixed with ordinary text, so generated
# inputs reach the chapter / group / item code paths rather than stopping at
# "no structure".
FRAGMENTS = st.sampled_from(
    [
        "一、",
        "二、",
        "三、存在的主要问题",
        "四、下一步工作计划",
        "(一)",
        "（二）",
        "(三)",
        "一是",
        "二是",
        "三是",
        "1.",
        "2、",
        "。",
        "；",
        "\n",
        "\r\n",
        "\u3000\u3000",
        "工作",
        "推进",
        "法治",
        "2023年",
        "巫溪县2022年法治政府建设情况报告\n",
        "是",
        " ",
    ]
)
REPORT_TEXT = st.lists(
    st.one_of(FRAGMENTS, st.text(max_size=4)), min_size=1, max_size=60
).map("".join)


@settings(max_examples=300, deadline=None)
@given(REPORT_TEXT)
def test_parser_reads_with_exact_anchors_or_refuses_cleanly(text):
    try:
        report = parse_report(text, organization="测试县", year=2022)
    except ReportFormatError as error:
        assert str(error)
        return
    codes = []
    for _section, obligation in report.obligations():
        passage = report.source_text[obligation.source_start : obligation.source_end]
        assert passage == obligation.body
        assert obligation.kind in Obligation.Kind.values
        codes.append(obligation.code)
    assert codes, "a parsed report has at least one obligation"
    assert len(codes) == len(set(codes))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
def test_displayed_file_name_has_no_path_or_control_characters(name):
    shown = sanitize_file_name(name)
    assert "/" not in shown and "\\" not in shown
    assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in shown)
    assert len(shown) <= 255


@given(st.text(alphabet="法治报告材料abc", min_size=1, max_size=300))
def test_long_names_keep_their_extension(stem):
    shown = sanitize_file_name(f"{stem}.pdf")
    assert shown.endswith(".pdf")
    assert len(shown) <= 255

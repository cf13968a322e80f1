"""PDFs for the import tests, written byte by byte (no PDF library needed).

``text_pdf`` lays out lines as a word processor's export does: one text object per
printed line, in a Type0 font (Identity-H: each character is its UTF-16 code) with a
ToUnicode map, which is what a reader extracts the text through. ``scanned_pdf`` is
what a scanner makes: each page one image and no text at all.
"""

import zlib

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
FONT_SIZE = 16
LINE_HEIGHT = 28
LEFT, TOP = 80, 760


def _to_unicode_cmap():
    ranges = []
    for high in range(256):
        if 0xD8 <= high <= 0xDF:  # surrogates: no characters of their own
            continue
        ranges.append(f"<{high:02X}00> <{high:02X}FF> <{high:02X}00>")
    blocks = []
    for start in range(0, len(ranges), 100):
        chunk = ranges[start : start + 100]
        blocks.append(
            f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange"
        )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def _stream(content: bytes, extra="") -> bytes:
    packed = zlib.compress(content)
    head = f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n"
    return head.encode() + packed + b"\nendstream"


def _document(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog), with its cross-reference
    table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _pdf(page_contents: list[bytes], resources: list[bytes], uses: str) -> bytes:
    """Catalog, pages, then each page and its content stream, then ``resources``
    (numbered from 3 + 2 × pages); ``uses`` is the pages' resource dictionary, with
    ``{first}`` for that first number."""
    count = len(page_contents)
    first_resource = 3 + 2 * count
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for n, content in enumerate(page_contents):
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} "
                f"{PAGE_HEIGHT}] /Contents {4 + 2 * n} 0 R "
                f"/Resources << {uses.format(first=first_resource)} >> >>"
            ).encode()
        )
        objects.append(_stream(content))
    return _document(objects + resources)


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show ``pages``' lines, top to bottom, with a text layer."""
    contents = []
    for lines in pages:
        ops = []
        for index, line in enumerate(lines):
            y = TOP - index * LINE_HEIGHT
            hex_text = line.encode("utf-16-be").hex().upper()
            ops.append(f"BT /F1 {FONT_SIZE} Tf {LEFT} {y} Td <{hex_text}> Tj ET")
        contents.append("\n".join(ops).encode())
    first = 3 + 2 * len(pages)
    font = (
        f"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        f"/DescendantFonts [{first + 1} 0 R] /ToUnicode {first + 2} 0 R >>"
    ).encode()
    descendant = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /SimSun /Flags 4 "
        b"/FontBBox [0 -140 1000 860] /ItalicAngle 0 /Ascent 860 /Descent -140 "
        b"/CapHeight 700 /StemV 80 >> /DW 1000 >>"
    )
    resources = [font, descendant, _stream(_to_unicode_cmap())]
    return _pdf(contents, resources, "/Font << /F1 {first} 0 R >>")


def scanned_pdf(pages=2) -> bytes:
    """A PDF of ``pages`` pages, each a grey image filling the page: no text layer."""
    width = height = 64
    pixels = bytes((x * y) % 256 for y in range(height) for x in range(width))
    image = _stream(
        pixels,
        f"/Type /XObject /Subtype /Image /Width {width} /Height {height} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    draw = f"q {PAGE_WIDTH} 0 0 {PAGE_HEIGHT} 0 0 cm /Im1 Do Q".encode()
    return _pdf([draw] * pages, [image], "/XObject << /Im1 {first} 0 R >>")


PRINTED_LINE = 28  # characters on a printed line, as on an official document's page
LINES_PER_PAGE = 22


def printed_pages(text):
    """``text`` laid out as a word processor prints it: each paragraph wrapped at
    PRINTED_LINE characters, 22 lines a page, a page number at the foot of each page."""
    lines = []
    for paragraph in text.splitlines():
        while len(paragraph) > PRINTED_LINE:
            lines.append(paragraph[:PRINTED_LINE])
            paragraph = paragraph[PRINTED_LINE:]
        lines.append(paragraph)
    pages = []
    for number, start in enumerate(range(0, len(lines), LINES_PER_PAGE), start=1):
        pages.append([*lines[start : start + LINES_PER_PAGE], f"— {number} —"])
    return pages

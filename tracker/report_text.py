"""Cutting a report's stored text (``Report.source_text``) for display.

Obligations point into that text by character offsets (``source_start`` ..
``source_end``, set by the importer); these functions turn the offsets into the
pieces the report page and the obligation page print. Text in, text out: no
queries here.
"""

from dataclasses import dataclass

from .models import Obligation


def passage_context(source_text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, passage, after): an obligation's passage with the rest of the
    paragraph(s) it stands in, so it can be shown highlighted in context."""
    start = max(0, min(start, len(source_text)))
    end = max(start, min(end, len(source_text)))
    paragraph_start = source_text.rfind("\n", 0, start) + 1
    paragraph_end = source_text.find("\n", end)
    if paragraph_end == -1:
        paragraph_end = len(source_text)
    return (
        source_text[paragraph_start:start],
        source_text[start:end],
        source_text[end:paragraph_end],
    )


@dataclass
class ReportSegment:
    """A run of report text inside one paragraph; ``obligation`` is set when the
    run belongs to an obligation's passage, ``first`` on its first run."""

    text: str
    obligation: Obligation | None = None
    first: bool = False


def report_paragraphs(source_text: str, obligations) -> list[list[ReportSegment]]:
    """The report's text as paragraphs of segments, each obligation's passage
    (``source_start``..``source_end``) its own segment(s). Built in Python from
    rows already fetched, so the template only escapes and prints text."""
    spans, cursor = [], 0
    for obligation in sorted(obligations, key=lambda o: (o.source_start, o.source_end)):
        start = obligation.source_start
        end = min(obligation.source_end, len(source_text))
        # Anchors that are empty or overlap an earlier passage are left unlinked
        # rather than shown twice.
        if end <= start or start < cursor:
            continue
        if start > cursor:
            spans.append((cursor, start, None))
        spans.append((start, end, obligation))
        cursor = end
    if cursor < len(source_text):
        spans.append((cursor, len(source_text), None))
    paragraphs = [[]]
    for start, end, obligation in spans:
        for index, piece in enumerate(source_text[start:end].split("\n")):
            if index:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(ReportSegment(piece, obligation, index == 0))
    return [paragraph for paragraph in paragraphs if paragraph]

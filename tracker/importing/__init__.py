"""Reading a county's report: a file in (bytes), a plain tree out (dataclasses), one
error type (``ReportFormatError``), no ORM. ``services.importing`` writes the tree.

Readers per format (``txt``, ``docx``, ``html``, ``pdf``, chosen by ``reading``),
the ``parser``, the editorial ``links`` file, and ``similarity`` (suggested links
and follow-ups) each have their own module; this package's names are the API.
"""

from .links import read_links
from .parser import (
    cn_number,
    format_tree,
    normalise,
    parse_report,
    parse_report_file,
)
from .reading import read_report, read_report_limited
from .tree import (
    PROBLEM,
    TASK,
    WORK_ITEM,
    ParsedObligation,
    ParsedReport,
    ParsedSection,
    ReportFormatError,
)
from .txt import decode_any, decode_text

__all__ = [
    "PROBLEM",
    "TASK",
    "WORK_ITEM",
    "ParsedObligation",
    "ParsedReport",
    "ParsedSection",
    "ReportFormatError",
    "cn_number",
    "decode_any",
    "decode_text",
    "format_tree",
    "normalise",
    "parse_report",
    "parse_report_file",
    "read_links",
    "read_report",
    "read_report_limited",
]

"""Word (.docx) reports: the package bounded before python-docx opens it."""

import zipfile
import zlib

from django.utils.translation import gettext as _

from .. import safezip
from .tree import ReportFormatError

# What a report .docx may declare before python-docx opens it (see _bounded_docx).
# A long report's word/document.xml is 1-2 MB; a zip bomb declares gigabytes.
REPORT_DOCX_LIMITS = safezip.ZipLimits(
    max_members=1000, max_unpacked=64 * 2**20, max_directory=256 * 1024
)
REPORT_DOCUMENT_MAX_BYTES = 16 * 2**20


def _bounded_docx(path):
    """word/document.xml's entry when ``path`` is a zip holding one, else None.

    python-docx loads every part of the package into memory and parses
    word/document.xml whole, so the package is checked first (safezip, which
    unpacks nothing): a zip bomb is refused with ReportFormatError."""
    try:
        with safezip.open_bounded(path, REPORT_DOCX_LIMITS) as archive:
            document_xml = archive.getinfo("word/document.xml")
            if document_xml.file_size <= REPORT_DOCUMENT_MAX_BYTES:
                safezip.verify_members(archive)
    except safezip.UnsafeArchive as error:
        if error.reason == "members":
            raise ReportFormatError(
                _("Refused: the .docx file holds more than %(count)d parts: %(name)s")
                % {"count": REPORT_DOCX_LIMITS.max_members, "name": path}
            ) from None
        raise _too_large(path) from None
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        if path.suffix.lower() != ".docx":
            return None  # not a zip at all: read as text, which refuses binary
        raise ReportFormatError(
            _("Not a readable .docx file: %(name)s (%(error)s)")
            % {"name": path, "error": error.__class__.__name__}
        ) from None
    if document_xml.file_size > REPORT_DOCUMENT_MAX_BYTES:
        raise _too_large(path)
    return document_xml


def _too_large(path):
    return ReportFormatError(
        _(
            "Refused: the .docx file unpacks to more than %(total)d MB (its text to "
            "more than %(text)d MB), far beyond a report: %(name)s"
        )
        % {
            "total": REPORT_DOCX_LIMITS.max_unpacked // 2**20,
            "text": REPORT_DOCUMENT_MAX_BYTES // 2**20,
            "name": path,
        }
    )


def _read_docx(path):
    import docx  # python-docx; imported here so .txt imports do not need it loaded

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several unrelated types
        raise ReportFormatError(
            _("Not a readable .docx file: %(name)s (%(error)s)")
            % {"name": path, "error": error.__class__.__name__}
        ) from None
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    if not text.strip():
        raise ReportFormatError(
            _("The document has no text: %(name)s") % {"name": path}
        )
    return text

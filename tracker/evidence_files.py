"""Checking an uploaded evidence file (佐证材料) before it is stored.

The content decides what a file is, not its name: an executable or an HTML page
renamed .pdf is refused. ``validate_evidence_file`` is the one entry point;
``services.evidence.evidence_upload`` calls it and turns ``EvidenceFileError`` into a
``ServiceError``. Plain-text decoding is the importer's (``importing.decode_any``).
"""

import hashlib
import unicodedata
import zipfile

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import safezip
from .importing import decode_any
from .safezip import ZipLimits


class EvidenceFileError(ValueError):
    """The file is refused; ``message`` is translated and names the problem."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_PREFIX = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_MIMETYPE = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# The allowed extensions and the content type stored (and later served) for each.
EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": _ODF_MIMETYPE["odt"],
    "ods": _ODF_MIMETYPE["ods"],
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "txt": "text/plain",
}
_FILETYPE_EXTENSION = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}


def preview_kind(content_type):
    """What the evidence preview shows: "image" or "pdf", which a browser displays
    without running anything; None for everything else, only ever downloaded."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type.startswith("image/"):
        return "image"
    if content_type == "application/pdf":
        return "pdf"
    return None


_NAME_LIMIT = 255


def sanitize_file_name(name):
    """The user's file name made safe for display: no directories (either slash), no
    NUL, control or invisible formatting characters (a right-to-left override could
    disguise ``exe.pdf``), at most 255 characters with the extension kept."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip()
    if len(name) > _NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _NAME_LIMIT - len(ext) - 1] + "." + ext
        else:
            name = name[:_NAME_LIMIT]
    return name


def _extension(name):
    # The last extension counts: "a.pdf.exe" is an .exe.
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


# What an office document may declare before it is refused unread (safezip). Real
# documents are far below: a 300-slide .pptx has about 1,500 members and a 20 MB
# .xlsx of text unpacks to roughly 100-200 MB; a zip bomb declares gigabytes.
EVIDENCE_ZIP_LIMITS = ZipLimits(
    max_members=5000,
    max_unpacked=256 * 1024 * 1024,
    max_directory=512 * 1024,
)
# The ODF "mimetype" member is one short line (about 50 bytes).
_MIMETYPE_MAX_BYTES = 256


def _is_office_zip(file, ext):
    """Whether the zip is a .docx/.xlsx/.pptx (its parts are named) or an
    .odt/.ods (its ``mimetype`` member says so), read through safezip so that a
    zip bomb is refused before anything is unpacked."""
    try:
        with safezip.open_bounded(file, EVIDENCE_ZIP_LIMITS) as archive:
            names = archive.namelist()
            if ext in _OOXML_PREFIX:
                prefix = _OOXML_PREFIX[ext]
                return "[Content_Types].xml" in names and any(
                    n.startswith(prefix) for n in names
                )
            if "mimetype" not in names:
                return False
            mimetype = safezip.read_member(archive, "mimetype", _MIMETYPE_MAX_BYTES)
            return mimetype.strip() == _ODF_MIMETYPE[ext].encode()
    except safezip.UnsafeArchive as error:
        if error.reason == "members":
            raise EvidenceFileError(
                _(
                    "The .%(ext)s file holds more than %(count)s parts; it was not "
                    "accepted."
                )
                % {"ext": ext, "count": EVIDENCE_ZIP_LIMITS.max_members}
            ) from None
        raise EvidenceFileError(
            _("The .%(ext)s file unpacks to more than %(limit)s; it was not accepted.")
            % {"ext": ext, "limit": filesizeformat(EVIDENCE_ZIP_LIMITS.max_unpacked)}
        ) from None
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return False


def _text_charset(data):
    """'utf-8' or 'gb18030' when ``data`` is plain text that is not HTML/script."""
    if b"\x00" in data:
        return None
    decoded = decode_any(data)
    if decoded is None:
        return None
    text, charset = decoded
    lowered = text.lower()
    if text.lstrip().startswith("<") or "<script" in lowered or "<html" in lowered:
        return None
    return "utf-8" if charset == "utf-8-sig" else charset


def _detect_content_type(file, ext):
    """The content type when the content really is a file of type ``ext``, else
    None. The content decides: an executable or an HTML page renamed .pdf fails."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if ext in _FILETYPE_EXTENSION:
        kind = filetype.guess(head)
        ok = kind is not None and kind.extension == _FILETYPE_EXTENSION[ext]
    elif ext in ("doc", "xls", "ppt"):
        # Legacy Office files are OLE2 containers; filetype only names some of them.
        ok = head.startswith(_OLE2_MAGIC)
    elif ext in _OOXML_PREFIX or ext in _ODF_MIMETYPE:
        ok = head.startswith(b"PK\x03\x04") and _is_office_zip(file, ext)
        file.seek(0)
    elif ext == "txt":
        charset = _text_charset(file.read())
        file.seek(0)
        return f"text/plain; charset={charset}" if charset else None
    else:
        ok = False
    return EVIDENCE_CONTENT_TYPES[ext] if ok else None


def validate_evidence_file(file):
    """Check an uploaded file; return (display name, content type, size, sha256).

    Raises EvidenceFileError with a message naming the problem.
    """
    if file is None:
        raise EvidenceFileError(_("Choose a file to upload."))
    name = sanitize_file_name(getattr(file, "name", ""))
    ext = _extension(name)
    if ext not in EVIDENCE_CONTENT_TYPES:
        raise EvidenceFileError(
            _("Files of this type are not accepted. Allowed: %(types)s.")
            % {"types": ", ".join(EVIDENCE_CONTENT_TYPES)}
        )
    limit = settings.EVIDENCE_MAX_BYTES
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks():
        size += len(chunk)
        if size > limit:
            break
        digest.update(chunk)
    if size == 0:
        raise EvidenceFileError(_("The file is empty."))
    if size > limit:
        raise EvidenceFileError(
            _("The file is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(limit)}
        )
    content_type = _detect_content_type(file, ext)
    if content_type is None:
        raise EvidenceFileError(
            _("The file's content is not a .%(ext)s file; it was not accepted.")
            % {"ext": ext}
        )
    return name, content_type, size, digest.hexdigest()

"""一事一档: a report's archive as one zip, and checking one against its manifest.

``write_archive`` writes, for every obligation, a folder named by its code and title
with its text and source passage (``事项.txt``), its timeline and history as a page
that needs nothing else to open (``记录.html``) and as CSV (``时间线.csv``,
``历史.csv``), and its evidence files under their original names (withdrawn ones in
``佐证材料/已撤回/``); then the report's source text, a summary sheet (XLSX) and
``index.html`` at the top, which links every obligation's record (and each record
links back to it), and ``manifest.json``, which lists every file with its size
and SHA-256, the report, when the archive was made and by whom. (The names are
in the organisation's language, ``settings.LANGUAGE_CODE``, like the timeline.)

Memory does not grow with the evidence: each file is copied into the zip in chunks
while it is hashed, and the obligations are read in batches. What grows with the
report is the manifest's list of files and the summary's rows (a few hundred bytes
per file), not the files themselves.

An evidence file missing from storage does not stop the archive: it is listed in
the manifest's ``problems`` and on the summary's "problems" sheet (with the size and
SHA-256 it was uploaded with, so it can be found in a backup), and the caller is
told (``ArchiveResult.problems``), so the command exits non-zero.

``verify_archive`` re-hashes every member against the manifest. The manifest
carries the SHA-256 of its own content (``digest``) and an HMAC of it with this
installation's SECRET_KEY (``signature``): an edited manifest fails the first, one
rewritten with a recomputed digest fails the second (checked with SECRET_KEY and
its fallbacks). Whoever holds the key can still write an archive that verifies: the
HMAC proves the key, not the time or the truth of the records (README).
"""

from .manifest import CHUNK, MANIFEST_NAME, manifest_digest
from .verification import ArchiveError, Verification, verify_archive
from .writing import (
    FILE_MAX,
    FOLDER_MAX,
    INDEX_NAME,
    ArchiveResult,
    NameBook,
    archive_filename,
    archive_note,
    windows_safe_name,
    write_archive,
)

__all__ = [
    "CHUNK",
    "FILE_MAX",
    "FOLDER_MAX",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "ArchiveError",
    "ArchiveResult",
    "NameBook",
    "Verification",
    "archive_filename",
    "archive_note",
    "manifest_digest",
    "verify_archive",
    "windows_safe_name",
    "write_archive",
]

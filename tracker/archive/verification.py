"""Checking an archive against its manifest (``verify_archive``)."""

import dataclasses
import hashlib
import json
import struct
import zipfile
import zlib

from django.utils.translation import gettext

from ..safezip import UnsafeArchive, ZipLimits, open_bounded, read_member
from .manifest import ARCHIVE_FORMAT, CHUNK, MANIFEST_NAME, manifest_digest, signed_here

# What verify_archive opens: a real archive has a few files per obligation.
_VERIFY_LIMITS = ZipLimits(
    max_members=500_000, max_unpacked=2**50, max_directory=256 * 2**20
)
_MANIFEST_MAX = 256 * 2**20
# What reading a crafted or damaged zip raises besides BadZipFile: an encrypted
# member (RuntimeError), a compression method zipfile lacks such as 9 or 99
# (NotImplementedError), a truncated or lying header (EOFError, ValueError,
# struct.error), a damaged deflate stream (zlib.error), the file itself (OSError).
_UNREADABLE = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    struct.error,
)


class ArchiveError(Exception):
    """The file cannot be checked: not a zip, not an archive of this product, or
    its manifest was changed. ``str(error)`` is the message for the user."""


@dataclasses.dataclass
class Verification:
    """What ``verify_archive`` found; ``ok`` when every file is as archived."""

    manifest: dict
    checked: int = 0
    missing: list = dataclasses.field(default_factory=list)
    extra: list = dataclasses.field(default_factory=list)
    changed: list = dataclasses.field(default_factory=list)

    @property
    def ok(self):
        return not (self.missing or self.extra or self.changed)

    @property
    def recorded_problems(self):
        """Evidence the archive already lacked when it was made."""
        return self.manifest.get("problems", [])


def _not_ours(path):
    return ArchiveError(
        gettext(
            "%(path)s is not an archive made by the rule-of-law checklist: it has no "
            "manifest.json of ours."
        )
        % {"path": path}
    )


def _tampered(path, why):
    return ArchiveError(
        gettext(
            "The manifest of %(path)s was changed after archiving (%(why)s), so the "
            "archive cannot be trusted."
        )
        % {"path": path, "why": why}
    )


def _read_manifest(archive, path):
    try:
        data = read_member(archive, MANIFEST_NAME, _MANIFEST_MAX)
    except KeyError:
        raise _not_ours(path) from None
    except (UnsafeArchive, *_UNREADABLE):
        raise _tampered(path, gettext("it cannot be read")) from None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: a manifest of ten million "[" is not JSON we wrote.
        raise _not_ours(path) from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise _not_ours(path)
    return manifest


def _check_manifest(manifest, path, *, check_signature):
    files = manifest.get("files")
    if not (
        isinstance(files, list)
        and all(
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
            for entry in files
        )
        and isinstance(manifest.get("digest"), str)
    ):
        raise _tampered(path, gettext("its list of files is not well formed"))
    if manifest_digest(manifest) != manifest["digest"]:
        raise _tampered(path, gettext("its digest does not match its content"))
    if check_signature and not signed_here(manifest):
        raise ArchiveError(
            gettext(
                "The manifest of %(path)s is not signed by this installation: it was "
                "changed after archiving, or the archive was made by another "
                "installation (check it there, or with --skip-signature to check the "
                "files against the manifest only)."
            )
            % {"path": path}
        )


def _hash_member(archive, info, limit):
    """(size, sha256) of a member, reading at most ``limit`` + 1 bytes, or None
    when it cannot be read (damaged)."""
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as stream:
            while size <= limit and (chunk := stream.read(CHUNK)):
                digest.update(chunk)
                size += len(chunk)
    except _UNREADABLE:
        return None
    return size, digest.hexdigest()


def _archived_name(info) -> str:
    """The member's name as it was archived. We write names with the UTF-8 flag
    (0x800); a tool that re-packs the zip without it (some Windows tools do) stores
    the same bytes, or the names in the local code page (GBK), and zipfile then
    reads them as cp437: decode them back, and let the hashes decide whether the
    content is the archive's."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def verify_archive(path, *, check_signature=True) -> Verification:
    """Check the zip at ``path`` against its manifest: every file it lists is
    there with its size and SHA-256, and nothing else is. ``ArchiveError`` when
    it cannot be checked at all."""
    try:
        archive = open_bounded(path, _VERIFY_LIMITS)
    except (UnsafeArchive, *_UNREADABLE):
        raise ArchiveError(
            gettext("%(path)s is not a zip file that can be read.") % {"path": path}
        ) from None
    with archive:
        manifest = _read_manifest(archive, path)
        _check_manifest(manifest, path, check_signature=check_signature)
        result = Verification(manifest=manifest)
        members = {}
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = _archived_name(info)
            if name in members or name == MANIFEST_NAME:
                if name != MANIFEST_NAME or MANIFEST_NAME in members:
                    result.extra.append(name)
                members.setdefault(name, info)
                continue
            members[name] = info
        listed = set()
        for entry in manifest["files"]:
            name = entry["path"]
            listed.add(name)
            info = members.get(name)
            if info is None:
                result.missing.append(name)
                continue
            found = _hash_member(archive, info, entry["size"])
            if found != (entry["size"], entry["sha256"]):
                result.changed.append(name)
            result.checked += 1
        result.extra.extend(
            name for name in members if name not in listed and name != MANIFEST_NAME
        )
    return result

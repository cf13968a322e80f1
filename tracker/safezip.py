"""Looking inside an uploaded zip (.docx .xlsx .pptx .odt .ods …) without unpacking it.

A zip states every member's uncompressed size, and a 1 MB file can state (and hold)
1,000 MB of zeros: reading such a member whole took a worker from 123 MB to 2.1 GB.
Everything that opens an uploaded zip goes through ``open_bounded`` first: the
central directory's size and member count are checked before ``zipfile`` builds an
object per member, the total declared size before anything is decompressed, and
``read_member`` reads a member only up to a small cap, whatever its header says.
Pure Python, no Django: the importer uses it too.
"""

import dataclasses
import struct
import zipfile

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


class UnsafeArchive(Exception):
    """The archive was refused before anything was unpacked.

    ``reason`` is "members" (too many), "size" (declares too much unpacked data)
    or "member" (one member is larger than the reader may read)."""

    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class ZipLimits:
    max_members: int
    # Sum of the members' declared uncompressed sizes, in bytes.
    max_unpacked: int
    # Bytes of central directory (about 50 + the name's length per member): bounds
    # the memory zipfile spends on member objects even if the count field lies.
    max_directory: int


def _directory_size(file):
    """(member count, central directory bytes) from the end of central directory
    record, or None when there is none (then it is not a zip)."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, _EOCD.size + _MAX_COMMENT)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or at + _EOCD.size > len(tail):
        return None
    fields = _EOCD.unpack_from(tail, at)
    count, directory = fields[4], fields[5]
    if count == 0xFFFF or directory == 0xFFFFFFFF:  # the real values are in zip64
        locator_at = size - tail_size + at - _ZIP64_LOCATOR.size
        if locator_at < 0:
            return None
        file.seek(locator_at)
        locator = _ZIP64_LOCATOR.unpack(file.read(_ZIP64_LOCATOR.size))
        if locator[0] != _ZIP64_LOCATOR_SIGNATURE:
            return None
        file.seek(locator[2])
        record = file.read(_ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size:
            return None
        record = _ZIP64_EOCD.unpack(record)
        if record[0] != _ZIP64_EOCD_SIGNATURE:
            return None
        count, directory = record[7], record[8]
    return count, directory


def open_bounded(file, limits: ZipLimits) -> zipfile.ZipFile:
    """A ``ZipFile`` over ``file`` (a path or a seekable binary file) whose member
    count and declared unpacked size are within ``limits``.

    Raises ``UnsafeArchive`` when they are not, ``zipfile.BadZipFile`` when this is
    not a zip. Nothing is decompressed here."""
    if isinstance(file, str | bytes) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            _check_directory(handle, limits)
    else:
        _check_directory(file, limits)
        file.seek(0)
    archive = zipfile.ZipFile(file)
    members = archive.infolist()
    if len(members) > limits.max_members:
        archive.close()
        raise UnsafeArchive("members", f"{len(members)} members")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked:
        archive.close()
        raise UnsafeArchive("size", f"{unpacked} bytes declared")
    return archive


def _check_directory(handle, limits):
    found = _directory_size(handle)
    if found is None:
        raise zipfile.BadZipFile("no end of central directory record")
    count, directory = found
    if count > limits.max_members or directory > limits.max_directory:
        raise UnsafeArchive("members", f"{count} members, {directory} bytes")


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The content of member ``name``, which must be at most ``limit`` bytes.

    The declared size is checked first, and the read stops at ``limit`` + 1 bytes
    even if the declaration lies, so no more than that is ever decompressed.
    Raises ``KeyError`` when there is no such member."""
    member = archive.getinfo(name)
    if member.file_size > limit:
        raise UnsafeArchive("member", f"{name}: {member.file_size} bytes declared")
    with archive.open(member) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnsafeArchive("member", f"{name}: more than {limit} bytes")
    return data


def verify_members(archive: zipfile.ZipFile, chunk: int = 2**20) -> None:
    """Decompress every member in ``chunk``-sized reads and discard the data, so a
    member whose header understates its size fails its CRC check here
    (``zipfile.BadZipFile``) with at most ``chunk`` bytes in memory.

    For readers that then read whole members (python-docx calls
    ``ZipFile.read``): zipfile stops a member at its declared size, but a whole read
    decompresses everything first, so a member declaring 1 MB and holding 150 MB
    took 320 MB before its CRC failed. Costs one pass over the declared sizes,
    which ``open_bounded`` has capped."""
    for member in archive.infolist():
        with archive.open(member) as stream:
            while stream.read(chunk):
                pass

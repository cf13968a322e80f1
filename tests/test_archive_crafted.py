"""verify_archive on archives that were re-packed, damaged or crafted: one message
each, never a traceback; a re-packed archive whose names lost the UTF-8 flag still
verifies when its content is the archive's; a rotated SECRET_KEY still verifies."""

import struct
import subprocess
import sys
import zipfile

import pytest

from tests import test_archive_command
from tests.test_archive_command import members, verify, verify_fails

# The archive of test_archive_command's report, made fresh for each test.
report = test_archive_command.report
made = test_archive_command.made


def _central_entries(blob):
    """(offset, name bytes) of each central directory entry."""
    at = 0
    while (at := blob.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", blob, at + 28)[0]
        yield at, bytes(blob[at + 46 : at + 46 + length])
        at += 4


def patch_member(path, name, *, set_flags=0, method=None):
    """Set general-purpose flag bits and/or the compression method of one member,
    in its local and its central header, as a crafted zip would."""
    info = members(path)[name]
    blob = bytearray(path.read_bytes())
    raw = name.encode("utf-8")
    local = info.header_offset
    assert blob[local : local + 4] == b"PK\x03\x04"
    heads = [(local + 6, local + 8)]
    heads += [(at + 8, at + 10) for at, found in _central_entries(blob) if found == raw]
    assert len(heads) == 2
    for flags_at, method_at in heads:
        flags = struct.unpack_from("<H", blob, flags_at)[0]
        struct.pack_into("<H", blob, flags_at, flags | set_flags)
        if method is not None:
            struct.pack_into("<H", blob, method_at, method)
    path.write_bytes(bytes(blob))


def repack_without_utf8_flag(source, target, encoding):
    """Copy the archive as a tool that writes names in ``encoding`` without the
    UTF-8 flag would."""
    with zipfile.ZipFile(source) as old:
        items = [(info.filename, old.read(info)) for info in old.infolist()]
    renames = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for number, (name, data) in enumerate(items):
            raw = name.encode(encoding)
            stand_in = f"{number:x}".rjust(len(raw), "_").encode("ascii")
            assert len(stand_in) == len(raw)
            new.writestr(stand_in.decode("ascii"), data)
            renames[stand_in] = raw
    blob = bytearray(target.read_bytes())
    for info in members(target).values():
        stand_in = info.filename.encode("ascii")
        at = info.header_offset + 30
        assert blob[at : at + len(stand_in)] == stand_in
        blob[at : at + len(stand_in)] = renames[stand_in]
    for at, found in list(_central_entries(blob)):
        if found in renames:
            blob[at + 46 : at + 46 + len(found)] = renames[found]
    target.write_bytes(bytes(blob))


def _an_evidence_file(path):
    return next(name for name in members(path) if name.endswith(".pdf"))


def test_an_encrypted_member_is_reported_changed(made):
    name = _an_evidence_file(made)
    patch_member(made, name, set_flags=0x1)
    message, err = verify_fails(made)
    assert "归档与其清单不符" in message
    assert f"被改动: {name}" in err


@pytest.mark.parametrize("method", [9, 99])
def test_an_unknown_compression_method_is_reported_changed(made, method):
    name = _an_evidence_file(made)
    patch_member(made, name, method=method)
    message, err = verify_fails(made)
    assert "归档与其清单不符" in message
    assert f"被改动: {name}" in err


def test_an_encrypted_manifest_cannot_be_read(made):
    patch_member(made, "manifest.json", set_flags=0x1)
    message, _err = verify_fails(made)
    assert "无法读取" in message


def test_a_manifest_of_ten_million_brackets_is_not_ours(tmp_path):
    crafted = tmp_path / "deep.zip"
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr("manifest.json", "[" * 10_000_000)
    message, _err = verify_fails(crafted)
    assert "没有本系统的 manifest.json" in message


def test_a_crafted_member_prints_one_line_and_no_traceback(made):
    patch_member(made, _an_evidence_file(made), method=99)
    done = subprocess.run(
        [sys.executable, "manage.py", "verify_archive", str(made), "--skip-signature"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("CommandError: ")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_an_archive_repacked_without_the_utf8_flag_verifies(tmp_path, made, encoding):
    repacked = tmp_path / "repacked.zip"
    repack_without_utf8_flag(made, repacked, encoding)
    assert not any(info.flag_bits & 0x800 for info in members(repacked).values())
    out, _err = verify(repacked)
    assert out and not _err


def test_a_repacked_archive_with_a_changed_file_still_fails(tmp_path, made):
    repacked = tmp_path / "repacked.zip"
    repack_without_utf8_flag(made, repacked, "gbk")
    blob = bytearray(repacked.read_bytes())
    # A byte of the deflated stream: the CRC or the hash catches it.
    info = next(i for i in members(repacked).values() if i.filename.endswith(".pdf"))
    start = info.header_offset + 30 + len(info.filename.encode("cp437"))
    start += len(info.extra)
    blob[start + 2] ^= 0xFF
    repacked.write_bytes(bytes(blob))
    message, err = verify_fails(repacked)
    assert "归档与其清单不符" in message
    assert "被改动: " in err


def test_an_archive_signed_before_a_key_rotation_verifies(made, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "the new key after a rotation, long enough for Django"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    out, _err = verify(made)
    assert out and not _err


def test_without_the_old_key_the_rotated_archive_is_not_ours(made, settings):
    settings.SECRET_KEY = "the new key after a rotation, long enough for Django"
    settings.SECRET_KEY_FALLBACKS = []
    message, _err = verify_fails(made)
    assert "没有本系统的签名" in message

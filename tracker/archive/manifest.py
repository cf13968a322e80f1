"""The archive's manifest: its format, the digest of its content and this
installation's signature of that digest, shared by writing and checking."""

import hashlib
import json

from django.conf import settings
from django.core.signing import Signer
from django.utils.crypto import constant_time_compare

ARCHIVE_FORMAT = "fazhi-qingdan-archive"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# Bytes copied (or hashed) per read: what an evidence file costs in memory.
CHUNK = 256 * 1024
# Unchanged since the first archive: every signature ever made depends on it.
_SIGNER_SALT = "tracker.archive.manifest"


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest's content without ``digest`` and ``signature``, as
    canonical JSON (sorted keys, no spaces)."""
    content = {k: v for k, v in manifest.items() if k not in ("digest", "signature")}
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sign(digest, key=None):
    return Signer(key=key, salt=_SIGNER_SALT).signature(digest)


def signed_here(manifest) -> bool:
    """The manifest's ``signature`` is this installation's HMAC of its digest, with
    the current key or one of ``SECRET_KEY_FALLBACKS``: a key rotation must not make
    every earlier archive read as another installation's."""
    signature = manifest.get("signature")
    if not isinstance(signature, str):
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    return any(
        constant_time_compare(signature, sign(manifest["digest"], key)) for key in keys
    )

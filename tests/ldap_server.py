"""A real OpenLDAP server (Debian's slapd) for the directory login tests: its own
configuration and database in a temporary folder, loaded with slapadd, serving on
a free loopback port, stopped by its pid. Without slapd the tests skip with the
reason, unless REQUIRE_LDAP=1 (set by .ci/run), where a missing slapd is a
failure."""

import io
import os
import socket
import subprocess
import time
from pathlib import Path

import ldap
import pytest
from ldif import LDIFWriter

SUFFIX = "dc=example,dc=gov"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-admin-pass"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
MODULES = Path("/usr/lib/ldap")
SCHEMAS = Path("/etc/ldap/schema")

CONFIG = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
modulepath {modules}
moduleload back_mdb
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
"""


def person_dn(uid):
    return f"uid={uid},{PEOPLE}"


def group_dn(name):
    return f"cn={name},{GROUPS}"


def _entries(people, groups):
    yield (
        SUFFIX,
        {
            "objectClass": ["dcObject", "organization"],
            "dc": ["example"],
            "o": ["example"],
        },
    )
    for ou in ("people", "groups"):
        yield f"ou={ou},{SUFFIX}", {"objectClass": ["organizationalUnit"], "ou": [ou]}
    for uid, attributes in people.items():
        entry = {"objectClass": ["inetOrgPerson"], "uid": [uid], "sn": [uid]}
        entry.update({key: [value] for key, value in attributes.items()})
        yield person_dn(uid), entry
    for name, members in groups.items():
        yield (
            group_dn(name),
            {
                "objectClass": ["groupOfNames"],
                "cn": [name],
                # groupOfNames needs a member: the root is in every group, so a
                # test can take its last person out.
                "member": [ROOT_DN] + [person_dn(uid) for uid in members],
            },
        )


def ldif(people, groups) -> str:
    """The directory as LDIF (non-ASCII values base64-encoded, as LDIF asks)."""
    out = io.StringIO()
    writer = LDIFWriter(out)
    for dn, entry in _entries(people, groups):
        writer.unparse(dn, {key: [v.encode() for v in vs] for key, vs in entry.items()})
    return out.getvalue()


def slapd_unavailable_reason():
    for program in (SLAPD, SLAPADD):
        if not program.exists():
            return f"{program} is not installed (apt-get install slapd ldap-utils)"
    if not (MODULES / "back_mdb.so").exists():
        return f"{MODULES}/back_mdb.so is missing (apt-get install slapd)"
    return None


def require_slapd():
    reason = slapd_unavailable_reason()
    if reason is not None:
        if os.environ.get("REQUIRE_LDAP") == "1":
            pytest.fail(f"REQUIRE_LDAP=1 but {reason}", pytrace=False)
        pytest.skip(f"directory login: {reason}")


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Slapd:
    """One slapd process serving ``people`` and ``groups`` from ``folder``."""

    def __init__(self, folder: Path, *, people, groups):
        self.folder = folder
        self.people = people
        self.groups = groups
        self.process = None
        self.uri = None

    def start(self):
        (self.folder / "data").mkdir(parents=True)
        config = self.folder / "slapd.conf"
        config.write_text(
            CONFIG.format(
                schemas=SCHEMAS,
                modules=MODULES,
                folder=self.folder,
                suffix=SUFFIX,
                root_dn=ROOT_DN,
                root_password=ROOT_PASSWORD,
            )
        )
        subprocess.run(
            [SLAPADD, "-f", config, "-q"],
            input=ldif(self.people, self.groups).encode(),
            check=True,
            capture_output=True,
        )
        # Another process may take the free port before slapd does: try again.
        for _attempt in range(3):
            self.uri = f"ldap://127.0.0.1:{_free_port()}/"
            log = open(self.folder / "slapd.log", "wb")  # noqa: SIM115
            # -d keeps slapd in the foreground: this Popen's pid is slapd's own.
            self.process = subprocess.Popen(
                [SLAPD, "-f", config, "-h", self.uri, "-d", "0"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            if self._wait_until_serving():
                return self
            self.stop()
        raise RuntimeError(
            "slapd did not start: " + (self.folder / "slapd.log").read_text()
        )

    def _wait_until_serving(self, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.connect()
            except ldap.SERVER_DOWN:
                time.sleep(0.1)
            else:
                return True
        return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def connect(self):
        """A connection bound as the directory's root."""
        connection = ldap.initialize(self.uri)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def replace(self, dn, **attributes):
        """Change attributes of an entry, as the directory's administrator would."""
        connection = self.connect()
        try:
            connection.modify_s(
                dn,
                [
                    (ldap.MOD_REPLACE, key, [value.encode()])
                    for key, value in attributes.items()
                ],
            )
        finally:
            connection.unbind_s()

    def move_member(self, uid, *, from_group=None, to_group=None):
        """Take ``uid`` out of one group and (or) put them in another."""
        connection = self.connect()
        member = person_dn(uid).encode()
        try:
            if from_group:
                connection.modify_s(
                    group_dn(from_group), [(ldap.MOD_DELETE, "member", [member])]
                )
            if to_group:
                connection.modify_s(
                    group_dn(to_group), [(ldap.MOD_ADD, "member", [member])]
                )
        finally:
            connection.unbind_s()


def start_slapd(folder, *, people, groups) -> Slapd:
    return Slapd(folder, people=people, groups=groups).start()

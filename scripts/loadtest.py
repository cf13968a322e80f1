#!/usr/bin/env python3
"""Bounded load test on loopback: gunicorn + PostgreSQL with 10,000 obligations.

    python scripts/loadtest.py [--seconds 10] [--users 8] [--workers 3] [--servers 2]
    python scripts/loadtest.py --organizations 100 --servers 2   # the city run

The city run (``--organizations K``, issue 27 item 2) fills the database with
``bench_data --organizations K --obligations N``: a city above K counties, each
with its own report of N obligations (``--obligations`` counts per county there,
1,000 by default: 100 x 1,000 = 100,000 in all). A county's staff and supervisors
read their county's daily pages (PAGES), the city's supervisors the city's pages
(CITY_PAGES), and the writers move three of the county's obligations as below.
100 x 1,000 takes about a minute to generate; the whole run with the default 10 s
a phase about five minutes.

1. Creates a throwaway PostgreSQL database (tracker_load on 127.0.0.1:5432), migrates
   it and fills it with `manage.py bench_data --obligations 10000` (or the city).
2. Adds a few users with known passwords: staff members of one department and
   supervisors (in the city run: of one county, and the city's supervisors).
3. Starts gunicorn (DEBUG=0, SSL redirect off: plain HTTP on loopback) on a free port
   of 127.0.0.1; with --servers N, N gunicorn app servers on N ports, sharing the
   database and a cache (--cache-url; by default the database cache table, as
   docs/deploy.md sets up production), as two app servers behind nginx do. Every
   request then goes to the next server in turn, so one session logs in on one
   server, reads on another and posts a form it read on a third: sessions, CSRF
   tokens and the optimistic versions must hold across servers.
4. Logged-in virtual users (threads, one requests.Session each) hit, one endpoint per
   phase, for --seconds each: /healthz/ (the reference, no database), then every
   page of PAGES (the pages opened daily, each by the role that opens it; --pages
   picks some). Then staff and supervisors move the same three obligations through
   their statuses at once (GET the page, POST the first button with the CSRF token
   and the version read from the page).
5. Prints requests/s, p50, p95 and errors per endpoint (and the requests each
   server answered), and checks that nothing
   answered 500 and no update was lost: each obligation's final version is its
   first version plus the number of accepted writes (409s are expected and
   counted), with one timeline row and one history row per accepted write.
6. Stops every gunicorn by its pid and drops the database, also when a step fails.

The load phases end by themselves after (pages + 2) x --seconds (about 2.5 min by
default, 3 min in the city run); every request has a timeout. Exit status 1 when
a check fails.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tracker_load"  # the default of --database
PASSWORD = "load-test-pass-2024"
REQUEST_TIMEOUT = 15
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# What the workers and servers share when --cache-url is not given: the database
# cache table, which needs no other service (createcachetable makes it).
SHARED_CACHE = "db://tracker_cache"

# Runs inside `manage.py shell`: users with known passwords, and three obligations
# of one department that can be submitted (they have live evidence).
# Both setups end with what the run needs of them, printed as JSON: the users,
# the three obligations the writers move, the pages read in the page phases (any
# of the department's obligations, the page opened most) and their report.
SETUP_RESULT = """
readable = list(
    Obligation.objects.filter(department=department).values_list("pk", flat=True)[:50]
)
print(json.dumps({{
    "users": users,
    "targets": [{{"pk": o.pk, "version": o.version}} for o in targets],
    "obligations": readable,
    "report": targets[0].report_id,
}}))
"""

SETUP_USERS = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from tracker.models import Evidence, Obligation

PASSWORD, STAFF, SUPERVISORS = {password!r}, {staff}, {supervisors}
User = get_user_model()
live = Evidence.objects.filter(obligation=OuterRef("pk"), withdrawn_at__isnull=True)
candidates = Obligation.objects.filter(
    Exists(live), status="in_progress", department__isnull=False
).order_by("department_id", "pk")
department = candidates.first().department
targets = list(candidates.filter(department=department)[:3])
users = {{"staff": [], "supervisor": []}}
for role, count in (("staff", STAFF), ("supervisor", SUPERVISORS)):
    for i in range(count):
        user = User.objects.create_user(
            f"load_{{role}}_{{i}}", password=PASSWORD, first_name=f"压测{{role}}{{i}}"
        )
        user.groups.add(Group.objects.get(name=role))
        if role == "staff":
            department.members.add(user)
        users[role].append(user.username)
"""


# The city run's users: a county's staff (members of one of its units) and
# supervisors, and the city's supervisors, each with their organization. The
# generated city has no evidence: the three obligations the writers move get one
# live file row each, so that they can be submitted.
SETUP_CITY_USERS = """
import hashlib, json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from tracker.models import AccountProfile, Evidence, Obligation, Organization

PASSWORD, STAFF, SUPERVISORS = {password!r}, {staff}, {supervisors}
User = get_user_model()
city = Organization.objects.get(kind="city")
county = city.get_children().order_by("path").first()
candidates = Obligation.objects.filter(
    report__organization_unit=county, status="in_progress", department__isnull=False
).order_by("department_id", "pk")
department = candidates.first().department
targets = list(candidates.filter(department=department)[:3])
author = User.objects.get(username="bench_city")
for o in targets:
    if not o.evidence.filter(withdrawn_at__isnull=True).exists():
        Evidence.objects.create(
            obligation=o,
            file=f"evidence/bench/{{o.pk}}-load.pdf",
            original_name=f"{{o.code}}佐证材料.pdf",
            size=1024,
            sha256=hashlib.sha256(str(o.pk).encode()).hexdigest(),
            content_type="application/pdf",
            uploaded_by=author,
        )
users = {{"staff": [], "supervisor": [], "city": []}}
for role, group, organization, count in (
    ("staff", "staff", county, STAFF),
    ("supervisor", "supervisor", county, SUPERVISORS),
    ("city", "supervisor", city, SUPERVISORS),
):
    for i in range(count):
        user = User.objects.create_user(
            f"load_{{role}}_{{i}}", password=PASSWORD, first_name=f"压测{{role}}{{i}}"
        )
        user.groups.add(Group.objects.get(name=group))
        AccountProfile.objects.update_or_create(
            user=user, defaults={{"organization": organization}}
        )
        if role == "staff":
            department.members.add(user)
        users[role].append(user.username)
"""


def log(message):
    print(f"[loadtest] {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(admin_url):
    return psycopg.connect(admin_url, autocommit=True)


def create_database(admin_url, name):
    with admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url, name):
    with admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # bench_data is a development command (devtools), whatever DEBUG says.
        env={**env, "DEV_TOOLS": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def start_gunicorn(env, port, workers, log_path):
    log_file = open(log_path, "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        # Its own process group, so stopping it stops its workers too.
        start_new_session=True,
    )
    return process


def wait_until_ready(process, base, log_path):
    # Workers import Django as they boot: on a busy two-core machine the first
    # answer can take seconds.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log_path}")
        try:
            if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz/ within 60 s")


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def form_fields(html, action):
    """CSRF token, version and button values of the form posting to ``action``."""
    match = re.search(
        r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S
    )
    if match is None:
        return None
    form = match.group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    version = re.search(r'name="version" value="(\d+)"', form)
    buttons = re.findall(r'<button[^>]*name="status" value="([a-z_]+)"', form)
    return {
        "csrf": token.group(1),
        "version": version.group(1) if version else None,
        "buttons": buttons,
    }


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # endpoint -> [(status, seconds)]
        self.phase_seconds = {}
        self.per_server = defaultdict(int)  # base URL -> requests answered

    def add(self, endpoint, status, seconds):
        with self.lock:
            self.samples[endpoint].append((status, seconds))


class Servers:
    """The app servers' base URLs, handed out in turn (one lock, threads share it):
    consecutive requests of one session reach different servers."""

    def __init__(self, bases):
        self.bases = list(bases)
        self._next = 0
        self._lock = threading.Lock()

    def next(self):
        with self._lock:
            base = self.bases[self._next % len(self.bases)]
            self._next += 1
            return base


def timed(recorder, endpoint, method, session, url, **kwargs):
    started = time.perf_counter()
    try:
        response = session.request(
            method, url, timeout=REQUEST_TIMEOUT, allow_redirects=False, **kwargs
        )
        status = response.status_code
    except requests.RequestException:
        response, status = None, "error"
    recorder.add(endpoint, status, time.perf_counter() - started)
    if response is not None:
        with recorder.lock:
            recorder.per_server[url.split("/", 3)[2]] += 1
    return response


def log_in(servers, username):
    """Reads the login form from one server and posts it to the next."""
    session = requests.Session()
    page = session.get(f"{servers.next()}/accounts/login/", timeout=REQUEST_TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    response = session.post(
        f"{servers.next()}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return session


def run_phase(recorder, name, sessions, seconds, work):
    """Every session runs ``work(session)`` in a loop for ``seconds``."""
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def loop(session):
        while time.monotonic() < deadline:
            work(session)

    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.phase_seconds[name] = time.monotonic() - started
    log(f"phase {name}: {time.monotonic() - started:.1f} s")


NOTES = {
    "submitted": "压测：提交审核。",
    "returned": "压测：退回补充材料。",
    "in_progress": "压测：重新办理。",
    "done": "",
}


def status_writer(recorder, servers, targets, writes):
    """One step of a writer: read an obligation's page, press its first button
    (with several servers, the page from one and the POST to the next)."""

    def step(session):
        pk = random.choice(targets)
        page = timed(
            recorder,
            "GET /obligations/<pk>/ (writer)",
            "GET",
            session,
            f"{servers.next()}/obligations/{pk}/",
        )
        if page is None or page.status_code != 200:
            return
        fields = form_fields(page.text, f"/obligations/{pk}/status/")
        if fields is None or not fields["buttons"]:
            time.sleep(0.01)  # nothing this role may do now; someone else's turn
            return
        to_status = fields["buttons"][0]
        response = timed(
            recorder,
            "POST /obligations/<pk>/status/",
            "POST",
            session,
            f"{servers.next()}/obligations/{pk}/status/",
            data={
                "csrfmiddlewaretoken": fields["csrf"],
                "version": fields["version"],
                "status": to_status,
                "note": NOTES.get(to_status, "压测"),
                # An approval rates the result (结果考评); nothing else takes one.
                **({"rating": "good"} if to_status == "done" else {}),
            },
        )
        if response is not None and response.status_code == 302:
            with recorder.lock:
                writes[pk] += 1

    return step


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def print_table(recorder, phase_of):
    header = (
        f"{'endpoint':40} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'5xx/err':>7}  statuses"
    )
    print()
    print(header)
    print("-" * len(header))
    for endpoint, samples in recorder.samples.items():
        times = [seconds * 1000 for _, seconds in samples]
        statuses = defaultdict(int)
        for status, _ in samples:
            statuses[status] += 1
        errors = sum(n for s, n in statuses.items() if s == "error" or int(s) >= 500)
        seconds = recorder.phase_seconds[phase_of[endpoint]]
        print(
            f"{endpoint:40} {len(samples):>8} {len(samples) / seconds:>7.1f} "
            f"{statistics.median(times):>7.0f} {percentile(times, 0.95):>7.0f} "
            f"{errors:>7}  "
            + " ".join(f"{s}:{n}" for s, n in sorted(statuses.items(), key=str))
        )
    print()


# The pages people open every day, each read for one phase by the role that opens
# it: (endpoint as printed, path, role, share of /healthz/'s throughput to reach,
# p95 limit in ms or None). Issue 15 set the dashboard's and the list's; issue 27
# asks 50% of them and 25% of every other daily page. ``<pk>`` is one of the
# department's obligations, picked at random per request; ``<report>`` their
# report. A page that answers 404 in this version (one a later issue adds) is
# reported as absent, not failed.
PAGES = (
    ("GET /", "/", "supervisor", 0.50, 200),
    ("GET /obligations/", "/obligations/", "supervisor", 0.50, None),
    ("GET /obligations/<pk>/", "/obligations/<pk>/", "staff", 0.25, None),
    ("GET /my/ (staff)", "/my/", "staff", 0.25, None),
    ("GET /my/ (supervisor)", "/my/", "supervisor", 0.25, None),
    ("GET /departments/", "/departments/", "supervisor", 0.25, None),
    ("GET /departments/ranking/", "/departments/ranking/", "supervisor", 0.25, None),
    ("GET /notifications/", "/notifications/", "staff", 0.25, None),
    ("GET /reports/<report>/", "/reports/<report>/", "supervisor", 0.25, None),
    ("GET /schedule/", "/schedule/", "supervisor", 0.25, None),
    ("GET /cockpit/", "/cockpit/", "supervisor", 0.25, None),
    ("GET /organizations/", "/organizations/", "supervisor", 0.25, None),
    (
        "GET /organizations/ranking/",
        "/organizations/ranking/",
        "supervisor",
        0.25,
        None,
    ),
)
# The city run's pages of the city: its supervisors read them (a county's
# supervisors get 403 on the first two). The county's daily pages are PAGES, read
# by the county's people.
CITY_PAGES = (
    ("GET /organizations/", "/organizations/", "city", 0.25, None),
    ("GET /organizations/ranking/", "/organizations/ranking/", "city", 0.25, None),
    (
        "GET /organizations/supervision/",
        "/organizations/supervision/",
        "city",
        0.25,
        None,
    ),
)


def run_pages(organizations):
    """The pages of a run: PAGES (county), or in the city run (``organizations``
    > 0) the county's pages of PAGES read by the county's people and CITY_PAGES
    read by the city's supervisors."""
    if not organizations:
        return PAGES
    city = {page[0]: page for page in CITY_PAGES}
    county = tuple(page for page in PAGES if page[0] not in city)
    return county + CITY_PAGES


def check_targets(recorder, phase_of, pages=PAGES):
    """PASS/FAIL lines for the shares and p95 limits of ``pages``. Printed, not
    part of the exit status: they measure the machine as much as the code (a
    shared machine misses them)."""

    def rate(endpoint):
        samples = recorder.samples.get(endpoint, [])
        return len(samples) / recorder.phase_seconds[phase_of[endpoint]]

    floor = rate("GET /healthz/")
    for endpoint, _path, _role, share, p95_max in pages:
        if endpoint not in phase_of:
            continue  # not read in this run (--pages)
        samples = recorder.samples.get(endpoint, [])
        times = [seconds * 1000 for _, seconds in samples]
        if samples and all(status == 404 for status, _ in samples):
            print(f"ABSENT {endpoint}: 404 in this version")
            continue
        if not times or not floor:
            print(f"FAIL  {endpoint}: no samples")
            continue
        got = rate(endpoint) / floor
        p95 = percentile(times, 0.95)
        ok = got >= share and (p95_max is None or p95 < p95_max)
        line = f"{endpoint} at {got:.0%} of /healthz/ (>= {share:.0%})"
        if p95_max is not None:
            line += f", p95 {p95:.0f} ms (< {p95_max} ms)"
        print(f"{'PASS' if ok else 'FAIL'}  {line}")


def obligation_rows(database_url, pks):
    with psycopg.connect(database_url) as conn:
        rows = {}
        for pk in pks:
            version = conn.execute(
                "SELECT version FROM tracker_obligation WHERE id = %s", (pk,)
            ).fetchone()[0]
            updates = conn.execute(
                "SELECT count(*) FROM tracker_progressupdate "
                "WHERE obligation_id = %s AND action = 'status'",
                (pk,),
            ).fetchone()[0]
            history = conn.execute(
                "SELECT count(*) FROM tracker_historicalobligation WHERE id = %s",
                (pk,),
            ).fetchone()[0]
            rows[pk] = {"version": version, "updates": updates, "history": history}
        return rows


def parse_args(argv=None):
    """The run's settings, checked; ``pages`` holds the pages it reads (PAGES or
    the city's, filtered by --pages)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--seconds", type=float, default=10, help="per phase")
    parser.add_argument("--users", type=int, default=8, help="readers per phase")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers per server"
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="gunicorn app servers on as many ports, sharing the database",
    )
    parser.add_argument(
        "--cache-url",
        default="",
        help="CACHE_URL of every server (e.g. redis://127.0.0.1:6379/1); default: "
        f"the database cache table ({SHARED_CACHE}), as docs/deploy.md sets up "
        "production; locmem:// keeps each process on its own memory",
    )
    parser.add_argument(
        "--organizations",
        type=int,
        default=0,
        help="the city run: a city with this many counties (bench_data "
        "--organizations); 0 (default): one county",
    )
    parser.add_argument(
        "--obligations",
        type=int,
        default=None,
        help="obligations in all (default 10000); in the city run per county "
        "(default 1000)",
    )
    parser.add_argument(
        "--admin-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a loopback PostgreSQL where the throwaway database may be created",
    )
    parser.add_argument(
        "--database",
        default=DB_NAME,
        help="the throwaway database's name (dropped first and at the end; give "
        "each run on a shared server its own)",
    )
    parser.add_argument(
        "--pages",
        nargs="*",
        help="only these endpoints of the run's pages, as printed (default: all)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.servers <= 4:
        parser.error("--servers: 1 to 4")
    if not 0 <= args.organizations <= 200:
        parser.error("--organizations: 0 (one county) to 200")
    if args.obligations is None:
        args.obligations = 1000 if args.organizations else 10000
    if not args.cache_url:
        # The workers and servers share a cache, as docs/deploy.md sets up
        # production (read through each process's memory: tracker.cache).
        args.cache_url = SHARED_CACHE
    if args.obligations < 1:
        parser.error("--obligations: at least 1")
    if args.organizations * args.obligations > 200_000:
        # bench_data writes about 2,000 obligations a second with their timeline:
        # past 200,000 generation alone would take minutes.
        parser.error("--organizations x --obligations: at most 200,000")
    pages = run_pages(args.organizations)
    known = {page[0] for page in pages}
    unknown = sorted(set(args.pages or ()) - known)
    if unknown:
        parser.error(f"--pages: not a page of this run: {', '.join(unknown)}")
    args.pages = tuple(
        page for page in pages if args.pages is None or page[0] in args.pages
    )
    if args.seconds * (len(pages) + 2) > 300:
        parser.error("--seconds: the phases must end within five minutes")
    admin = urlsplit(args.admin_url)
    if admin.hostname not in LOOPBACK:
        parser.error("--admin-url must point at a loopback address")
    if not args.database.replace("_", "").isalnum():
        parser.error("--database: letters, digits and _ only")
    return args


def main(argv=None):
    args = parse_args(argv)
    database_url = args.admin_url.rsplit("/", 1)[0] + f"/{args.database}"

    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS to redirect to, and cookies marked Secure
        # would never be sent back. Production keeps all three on.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DB_CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "ERROR",
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
        log(f"cache: {args.cache_url}")
    staff_count, supervisor_count = 3, 3
    gunicorns = []
    failures = []
    log(f"creating database {args.database}")
    create_database(args.admin_url, args.database)
    try:
        log("migrating")
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        # The database cache table, for CACHE_URL=db://… (nothing otherwise).
        manage(env, "createcachetable")
        generate = ["bench_data", "--obligations", str(args.obligations)]
        if args.organizations:
            generate += ["--organizations", str(args.organizations)]
            log(
                f"generating a city of {args.organizations} counties x "
                f"{args.obligations} obligations (bench_data)"
            )
        else:
            log(f"generating {args.obligations} obligations (bench_data)")
        started = time.monotonic()
        manage(env, *generate)
        log(f"bench_data took {time.monotonic() - started:.0f} s")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        setup = json.loads(
            manage(
                env,
                "shell",
                "-c",
                (
                    (SETUP_CITY_USERS if args.organizations else SETUP_USERS)
                    + SETUP_RESULT
                ).format(
                    password=PASSWORD, staff=staff_count, supervisors=supervisor_count
                ),
            )
            .strip()
            .splitlines()[-1]
        )
        targets = [t["pk"] for t in setup["targets"]]
        before = obligation_rows(database_url, targets)

        bases = []
        for number in range(args.servers):
            base = f"http://127.0.0.1:{free_port()}"
            log_path = workdir / f"gunicorn-{number}.log"
            gunicorn = start_gunicorn(
                env, base.rsplit(":", 1)[1], args.workers, log_path
            )
            gunicorns.append(gunicorn)
            wait_until_ready(gunicorn, base, log_path)
            log(f"gunicorn ({args.workers} workers) on {base}, pid {gunicorn.pid}")
            bases.append(base)
        servers = Servers(bases)

        people = setup["users"]["staff"] + setup["users"]["supervisor"]
        readers = {
            role: [
                log_in(servers, setup["users"][role][i % len(setup["users"][role])])
                for i in range(args.users)
            ]
            for role in {page[2] for page in args.pages} | {"staff"}
        }
        writers = [log_in(servers, name) for name in people]
        recorder = Recorder()
        phase_of = {}
        pages = [("GET /healthz/", "/healthz/", "staff")] + [
            (endpoint, path, role) for endpoint, path, role, _share, _p95 in args.pages
        ]
        for endpoint, path, role in pages:
            phase_of[endpoint] = endpoint

            def read(session, path=path, endpoint=endpoint):
                url = path.replace("<report>", str(setup["report"])).replace(
                    "<pk>", str(random.choice(setup["obligations"]))
                )
                timed(recorder, endpoint, "GET", session, f"{servers.next()}{url}")

            run_phase(recorder, endpoint, readers[role], args.seconds, read)
        writes = defaultdict(int)
        phase_of["GET /obligations/<pk>/ (writer)"] = "status"
        phase_of["POST /obligations/<pk>/status/"] = "status"
        run_phase(
            recorder,
            "status",
            writers,
            args.seconds,
            status_writer(recorder, servers, targets, writes),
        )
        print_table(recorder, phase_of)
        for base in bases:
            answered = recorder.per_server[base.split("/", 3)[2]]
            print(f"server {base}: {answered} requests answered")
            if not answered:
                failures.append(f"server {base} answered nothing")
        check_targets(recorder, phase_of, args.pages)
        print()

        after = obligation_rows(database_url, targets)
        for pk in targets:
            accepted = writes[pk]
            gained = {key: after[pk][key] - before[pk][key] for key in after[pk]}
            print(
                f"obligation {pk}: version {before[pk]['version']} -> "
                f"{after[pk]['version']}, accepted writes {accepted}, "
                f"timeline +{gained['updates']}, history +{gained['history']}"
            )
            if (
                not gained["version"]
                == gained["updates"]
                == gained["history"]
                == (accepted)
            ):
                failures.append(f"obligation {pk}: lost or phantom update {gained}")
        if sum(writes.values()) == 0:
            failures.append(
                "no status update was accepted: the write phase proved nothing"
            )
        for endpoint, samples in recorder.samples.items():
            if all(status == 404 for status, _ in samples):
                continue  # a page of a later version: reported ABSENT above
            bad = [s for s, _ in samples if s == "error" or int(s) >= 500]
            if bad:
                failures.append(f"{endpoint}: {len(bad)} errors/5xx")
            unexpected = [
                s
                for s, _ in samples
                if s not in ("error",)
                and int(s) < 500
                and int(s) not in (200, 302, 409)
            ]
            if unexpected:
                failures.append(f"{endpoint}: unexpected statuses {set(unexpected)}")
    finally:
        for gunicorn in gunicorns:
            stop_gunicorn(gunicorn)
            log(f"gunicorn stopped (pid {gunicorn.pid})")
        drop_database(args.admin_url, args.database)
        log(f"database {args.database} dropped")
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1
    print("OK: no 5xx, no lost update.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

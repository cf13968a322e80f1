"""``make bench``: query counts and median times of the progress pages at 100, 1,000
and 10,000 obligations, each size in its own throwaway database; then the city's
pages (/organizations/, its ranking and 通报) beside a county's own pages at 10 and
100 organizations (``--organizations``), each county with ``--org-obligations``
obligations (20 by default, 1,000 for the full size of issue 24), failing when a
page's query count differs between the two.

The parent process creates the database (a temporary SQLite file, or a database
created next to ``--database-url`` on PostgreSQL and dropped afterwards) and runs
this command again with ``--measure N`` against it, because Django's connection
settings are fixed once a process has started. The child migrates, generates data
with ``bench_data`` and measures with the test client; the parent prints the table
and checks the targets. This is a benchmark, never a test: timings vary by machine.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.services import reminders

SIZES = (100, 1000, 10000)
PAGES = (
    ("dashboard", "/"),
    ("dashboard computed", "/"),
    ("list", "/obligations/"),
    ("list computed", "/obligations/"),
    ("list filtered", "/obligations/?status=submitted&overdue=yes"),
    ("obligation", "/obligations/{pk}/"),
    ("export csv", "/obligations/?_export=csv"),
    ("ranking", "/departments/ranking/"),
    ("admin changelist", "/admin/tracker/obligation/"),
    # The other pages opened daily (issue 27), each by the role that opens it.
    ("obligation (staff)", "/obligations/{pk}/"),
    ("obligation (staff) computed", "/obligations/{pk}/"),
    ("my (staff)", "/my/"),
    ("my (staff) computed", "/my/"),
    ("my (supervisor)", "/my/"),
    ("my (supervisor) computed", "/my/"),
    ("departments", "/departments/"),
    ("departments computed", "/departments/"),
    ("notifications", "/notifications/"),
    ("report", "/reports/{report}/"),
    ("report computed", "/reports/{report}/"),
    ("schedule", "/schedule/"),
    ("schedule computed", "/schedule/"),
    ("cockpit", "/cockpit/"),
    ("cockpit computed", "/cockpit/"),
)
# Read by a staff member of the featured obligation's department; the admin
# changelist by the superuser, every other page by the supervisor.
STAFF_PAGES = {
    "obligation (staff)",
    "obligation (staff) computed",
    "my (staff)",
    "my (staff) computed",
    "notifications",
}
# Measured with the cache emptied before each request: the dashboard and the list
# as the first request after a write sees them (every write changes the key of
# what is cached), computed from the obligations. "dashboard" and "list" are every
# other request. The list's target is checked on the computed one. /my/ is cached
# per reader: "my (…)" is the reader's next visit, "my (…) computed" the first
# after a write. So are the department list, the report page, the 调度表, the
# cockpit and the obligation page: their computed rows compute the cached parts
# anew.
COMPUTED = {
    "obligation (staff) computed",
    "dashboard computed",
    "list computed",
    "my (staff) computed",
    "my (supervisor) computed",
    "departments computed",
    "report computed",
    "schedule computed",
    "cockpit computed",
}
# The targets of issue 15: the dashboard at the largest size at most this many times
# itself at the smallest, the list at most this share of the admin changelist.
DASHBOARD_GROWTH_MAX = 1.2
LIST_SHARE_OF_ADMIN_MAX = 0.5
# Pages whose query count may grow with the data: none any more (the export reads
# its rows with one query, in batches from the same cursor).
UNBOUNDED = set()
# The city's pages, read by the city's supervisor, and a county's own, read by
# its supervisor, at several numbers of organizations (issue 24).
ORGANIZATIONS = (10, 100)
ORG_OBLIGATIONS = 20
CITY_PAGES = (
    ("organizations", "/organizations/", "bench_city"),
    ("organizations ranking", "/organizations/ranking/", "bench_city"),
    ("city circular docx", "/organizations/ranking/?_export=docx", "bench_city"),
    ("city chases, notices", "/organizations/supervision/", "bench_city"),
    ("county dashboard", "/", "bench_county_000"),
    ("county list", "/obligations/", "bench_county_000"),
    ("county ranking", "/departments/ranking/", "bench_county_000"),
    # Their queries once scanned every county's items (issue 27).
    ("county my work", "/my/", "bench_county_000"),
    ("county cockpit", "/cockpit/", "bench_county_000"),
)


class Command(BaseCommand):
    help = "Benchmark the progress pages at several data sizes in throwaway databases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default=",".join(str(n) for n in SIZES),
            help="Comma-separated numbers of obligations (default 100,1000,10000).",
        )
        parser.add_argument("--repeat", type=int, default=5, help="Runs per page.")
        parser.add_argument(
            "--database-url",
            default="",
            help="postgres://... to benchmark on PostgreSQL (a throwaway database is "
            "created beside it and dropped); default: a temporary SQLite file.",
        )
        parser.add_argument(
            "--organizations",
            default=",".join(str(n) for n in ORGANIZATIONS),
            help="Comma-separated numbers of counties below one city for the "
            "city's pages (default 10,100; empty: skip them).",
        )
        parser.add_argument(
            "--org-obligations",
            type=int,
            default=ORG_OBLIGATIONS,
            help="Obligations per county for the city's pages (default 20; 1000 is "
            "issue 24's full size).",
        )
        parser.add_argument("--measure", type=int, help="(internal) measure one size.")
        parser.add_argument(
            "--measure-city", type=int, help="(internal) measure one city size."
        )

    def handle(
        self,
        *args,
        sizes,
        repeat,
        database_url,
        measure,
        organizations,
        org_obligations,
        measure_city,
        **options,
    ):
        if measure:
            self.stdout.write(json.dumps(measure_one(measure, repeat)))
            return
        if measure_city:
            result = measure_city_pages(measure_city, org_obligations, repeat)
            self.stdout.write(json.dumps(result))
            return
        try:
            sizes = [int(s) for s in sizes.split(",") if s.strip()]
            counts = [int(s) for s in organizations.split(",") if s.strip()]
        except ValueError:
            raise CommandError(
                "--sizes and --organizations must be comma-separated integers"
            ) from None
        failed = 0
        if sizes:
            results = {}
            for n in sizes:
                self.stderr.write(f"Measuring {n} obligations...")
                results[n] = self.run_child(n, repeat, database_url)
            self.print_table(sizes, results)
            failed += self.check_targets(sizes, results)
        if counts:
            city = {}
            for k in counts:
                self.stderr.write(
                    f"Measuring a city of {k} counties x {org_obligations} "
                    "obligations..."
                )
                city[k] = self.run_child(
                    k,
                    repeat,
                    database_url,
                    extra=["--measure-city", str(k)],
                    org_obligations=org_obligations,
                )
            failed += self.print_city(counts, org_obligations, city)
        if failed:
            raise CommandError(f"{failed} target(s) missed")

    def print_city(self, counts, per_county, results):
        """The city's pages beside the county's, queries and median per number
        of organizations; FAIL where a page's queries differ between them."""
        self.stdout.write("")
        header = f"{'page (city)':<24}" + "".join(
            f"{f'{k} orgs x {per_county:,}':>24}" for k in counts
        )
        self.stdout.write(header)
        self.stdout.write(f"{'':<24}" + f"{'queries   median ms':>24}" * len(counts))
        failed = 0
        for name, _url, _user in CITY_PAGES:
            cells = []
            for k in counts:
                r = results[k][name]
                note = "" if r["status"] == 200 else f" [{r['status']}]"
                cells.append(f"{r['queries']:>8}{r['median_ms']:>10.1f}{note:>6}")
            self.stdout.write(f"{name:<24}" + "".join(f"{c:>24}" for c in cells))
        for name, _url, _user in CITY_PAGES:
            statuses = {results[k][name]["status"] for k in counts}
            queries = [results[k][name]["queries"] for k in counts]
            ok = len(set(queries)) == 1 and statuses == {200}
            failed += not ok
            note = "" if statuses == {200} else f" (HTTP {sorted(statuses)})"
            self.stdout.write(
                f"{'PASS' if ok else 'FAIL'}  {name}: queries flat {queries} "
                f"over {counts} organizations{note}"
            )
        return failed

    def run_child(self, n, repeat, database_url, extra=None, org_obligations=None):
        env = dict(os.environ)
        env.update(
            DEBUG="1",
            ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            AXES_ENABLED="0",
            LOG_LEVEL="ERROR",
        )
        command = [sys.executable, "manage.py", "bench"]
        command += extra or ["--measure", str(n)]
        command += ["--repeat", str(repeat)]
        if org_obligations is not None:
            command += ["--org-obligations", str(org_obligations)]
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            env["MEDIA_ROOT"] = str(Path(tmp) / "media")
            if database_url:
                name = f"bench_{uuid.uuid4().hex[:8]}_{n}"
                env["DATABASE_URL"] = _create_pg_database(database_url, name)
            else:
                env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            try:
                done = subprocess.run(
                    command,
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=Path(__file__).resolve().parents[3],
                )
            finally:
                if database_url:
                    _drop_pg_database(database_url, name)
        if done.returncode != 0:
            raise CommandError(f"measuring {n} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def print_table(self, sizes, results):
        header = f"{'page':<18}" + "".join(f"{f'N={n:,}':>24}" for n in sizes)
        self.stdout.write(header)
        self.stdout.write(f"{'':<18}" + f"{'queries   median ms':>24}" * len(sizes))
        for name, _url in [*PAGES, (REMINDERS, None)]:
            cells = []
            for n in sizes:
                r = results[n][name]
                note = "" if r["status"] == 200 else f" [{r['status']}]"
                cells.append(f"{r['queries']:>8}{r['median_ms']:>10.1f}{note:>6}")
            self.stdout.write(f"{name:<18}" + "".join(f"{c:>24}" for c in cells))

    def check_targets(self, sizes, results):
        failed = 0

        def report(ok, text):
            nonlocal failed
            failed += not ok
            self.stdout.write(f"{'PASS' if ok else 'FAIL'}  {text}")

        for name, _url in PAGES:
            if name in UNBOUNDED:
                continue
            statuses = {results[n][name]["status"] for n in sizes}
            counts = [results[n][name]["queries"] for n in sizes]
            note = "" if statuses == {200} else f" (HTTP {sorted(statuses)})"
            report(len(set(counts)) == 1, f"{name}: queries flat {counts}{note}")
        # send_reminders writes one digest per person: its queries grow with the
        # people reminded (the same from 1,000 obligations on: every department has
        # something due), never with the obligations.
        digests = [results[n][REMINDERS]["digests"] for n in sizes]
        counts = [results[n][REMINDERS]["queries"] for n in sizes]
        same_people = [
            n for n in sizes if results[n][REMINDERS]["digests"] == digests[-1]
        ]
        flat = len({results[n][REMINDERS]["queries"] for n in same_people}) == 1
        report(
            flat,
            f"{REMINDERS}: queries {counts} for {digests} digests "
            f"(flat where the digests are the same)",
        )
        small, large = min(sizes), max(sizes)
        ratio = results[large]["dashboard"]["median_ms"] / max(
            results[small]["dashboard"]["median_ms"], 0.001
        )
        report(
            ratio <= DASHBOARD_GROWTH_MAX,
            f"dashboard at {large:,} is {ratio:.2f}x itself at {small:,} "
            f"(<= {DASHBOARD_GROWTH_MAX}x)",
        )
        for n in sizes:
            page = results[n]["list computed"]["median_ms"]
            admin = results[n]["admin changelist"]
            if admin["status"] != 200:
                report(
                    False,
                    f"list vs admin changelist at {n:,}: admin HTTP {admin['status']}",
                )
                continue
            share = page / max(admin["median_ms"], 0.001)
            report(
                share <= LIST_SHARE_OF_ADMIN_MAX,
                f"list computed {page:.1f} ms is {share:.2f}x the admin changelist "
                f"{admin['median_ms']:.1f} ms at {n:,} (<= {LIST_SHARE_OF_ADMIN_MAX}x)",
            )
        return failed


def measure_one(n, repeat):
    """Runs inside the throwaway database: migrate, generate, measure."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from tracker.models import Obligation

    setup_test_environment()
    # The export as a file at every size: above EXPORT_SYNC_LIMIT the list offers
    # it as a job instead, another page with its own query count (8/8/6 compared
    # the file at 100 and 1,000 with that offer at 10,000).
    settings.EXPORT_SYNC_LIMIT = max(settings.EXPORT_SYNC_LIMIT, n)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("bench_data", obligations=n, stdout=open(os.devnull, "w"))
    User = get_user_model()
    supervisor = User.objects.get(username="bench_supervisor")
    admin = User.objects.get(username="bench_admin")
    # The same kind of obligation at every size (the data is random): one in
    # progress with a due date and yellow supervision shows every panel of the page
    # (countdown, notices), so its query count compares like with like. A problem
    # that a task addresses: the page fetches only the relations an item has
    # (obligation_page_related) and bench_data links each task to a random problem,
    # so one link is added where the chosen problem has none.
    problems = Obligation.objects.filter(kind=Obligation.Kind.PROBLEM)
    featured = problems.filter(
        status=Obligation.Status.IN_PROGRESS,
        due_date__isnull=False,
        supervision_level=Obligation.SupervisionLevel.YELLOW,
    ).order_by("pk")
    pk = featured.values_list("pk", flat=True).first()
    if pk is None:  # tiny sizes: any problem will do
        pk = problems.order_by("pk").values_list("pk", flat=True)[problems.count() // 2]
    featured = Obligation.objects.get(pk=pk)
    if not featured.addressed_by.exists():
        task = Obligation.objects.filter(
            kind=Obligation.Kind.TASK, report=featured.report
        ).first()
        task.addresses.add(featured)
    staff = featured.department.members.order_by("pk").first()
    clients, urls, results = {}, {}, {}
    for name, url in PAGES:
        client = Client()
        # The admin needs a staff account; every other page is read as a supervisor.
        client.force_login(
            admin
            if name == "admin changelist"
            else staff
            if name in STAFF_PAGES
            else supervisor
        )
        clients[name] = client
        urls[name] = url.format(pk=pk, report=featured.report_id)
        response = client.get(urls[name])  # warm-up: templates, caches
        # The query log is a bounded deque that migrate and bench_data filled up:
        # empty it so the capture below counts from zero.
        reset_queries()
        if name in COMPUTED:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[name])
            _consume(response)
        results[name] = {"status": response.status_code, "queries": len(queries)}
    # Round-robin runs, so a busy machine slows every page alike and the list and
    # the admin changelist are compared under the same load.
    timings = {name: [] for name, _url in PAGES}
    for run in range(repeat):
        for name, _url in PAGES:
            if name in UNBOUNDED and run >= max(2, repeat // 2):
                continue
            if name in COMPUTED:
                cache.clear()
            else:
                # A computed page's clear() emptied every page's cache entries
                # (the obligation page's and the ranking's too, which measured
                # them cold): fill them again, untimed, so this row measures what
                # it says.
                _consume(clients[name].get(urls[name]))
            start = time.perf_counter()
            _consume(clients[name].get(urls[name]))
            timings[name].append((time.perf_counter() - start) * 1000)
    for name, values in timings.items():
        results[name]["median_ms"] = statistics.median(values)
    results[REMINDERS] = measure_reminders()
    return results


def measure_city_pages(organizations, per_organization, repeat):
    """Runs inside the throwaway database: a city of ``organizations`` counties
    (``bench_data --organizations``), each page read by its user, its queries
    counted after a warm-up and its median time over ``repeat`` runs."""
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "bench_data",
        organizations=organizations,
        obligations=per_organization,
        stdout=open(os.devnull, "w"),
    )
    User = get_user_model()
    results = {}
    for name, url, username in CITY_PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        _consume(client.get(url))  # warm-up: templates, caches
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            _consume(response)
        timings = []
        for _run in range(repeat):
            start = time.perf_counter()
            _consume(client.get(url))
            timings.append((time.perf_counter() - start) * 1000)
        results[name] = {
            "status": response.status_code,
            "queries": len(queries),
            "median_ms": statistics.median(timings),
        }
    return results


# The daily run, measured once per size next to the pages: its first run of the
# day (every reminder inserted, every digest written) is the one that costs.
REMINDERS = "send_reminders"


def measure_reminders():
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        # --force: the benchmark runs on any day of the week.
        result = reminders.run(force=True)
    elapsed = (time.perf_counter() - start) * 1000
    return {
        "status": 200,
        "queries": len(queries),
        "median_ms": elapsed,
        "digests": len(result.sent),
        "reminders": sum(len(lines) for lines in result.sent.values()),
    }


def _consume(response):
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018 - render the whole body


def _pg_admin_connection(database_url):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    return psycopg.connect(
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        # CREATE/DROP DATABASE run from the maintenance database, which always
        # exists; the URL's own database may be the one about to be created.
        dbname="postgres",
        autocommit=True,
    )


def _create_pg_database(database_url, name):
    from urllib.parse import urlsplit, urlunsplit

    with _pg_admin_connection(database_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_pg_database(database_url, name):
    with _pg_admin_connection(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Synthetic data for the benchmark and the load test, written with bulk_create.

``python manage.py bench_data --obligations N`` adds one report (6 chapters of 4
groups) with N obligations over 20 departments, each obligation with 3 evidence rows
(fake storage paths, no files) and 10 timeline entries whose status changes agree
with the obligation's status. It bypasses the services on purpose: it writes
thousands of rows a second and no history, which a real user never needs.

``--organizations K`` instead builds a city (基准测试市, its supervisor
``bench_city``) with K counties, each with its own report of ``--obligations``
obligations over 5 units, their status changes on the timeline, and a supervisor
(``bench_county_000`` …): the city's pages at scale (issue 24).
"""

import hashlib
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from tracker.models import (
    AccountProfile,
    Department,
    Evidence,
    Obligation,
    Organization,
    OrganizationSupervision,
    ProgressUpdate,
    Report,
    Section,
)
from tracker.recording import rating_record

ORGANIZATION = "基准测试县"
DEPARTMENTS = 20
STAFF_PER_DEPARTMENT = 2
CHAPTERS = 6
GROUPS_PER_CHAPTER = 4
EVIDENCE_PER_OBLIGATION = 3
UPDATES_PER_OBLIGATION = 10
BATCH = 2000

Status = Obligation.Status
Kind = Obligation.Kind
Level = Obligation.SupervisionLevel
Action = ProgressUpdate.Action

# The status changes that lead to each final status, in order.
STATUS_PATHS = {
    Status.NOT_STARTED: [],
    Status.IN_PROGRESS: [(Status.NOT_STARTED, Status.IN_PROGRESS)],
    Status.SUBMITTED: [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.SUBMITTED),
    ],
    Status.DONE: [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.SUBMITTED),
        (Status.SUBMITTED, Status.DONE),
    ],
    Status.RETURNED: [
        (Status.NOT_STARTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.SUBMITTED),
        (Status.SUBMITTED, Status.RETURNED),
    ],
}
STATUS_WEIGHTS = {
    Status.NOT_STARTED: 25,
    Status.IN_PROGRESS: 30,
    Status.SUBMITTED: 15,
    Status.DONE: 25,
    Status.RETURNED: 5,
}
# Approvals are rated (结果考评) as a supervisor might: mostly good, a few poor,
# the fair and poor ones with the comment they require.
RATING_WEIGHTS = {
    Obligation.Rating.EXCELLENT: 30,
    Obligation.Rating.GOOD: 45,
    Obligation.Rating.FAIR: 18,
    Obligation.Rating.POOR: 7,
}
RATING_COMMENTS = {
    Obligation.Rating.FAIR: "佐证材料不够完整，请今后补充过程材料。",
    Obligation.Rating.POOR: "完成质量不高，佐证材料与任务要求不符。",
}
LEVEL_WEIGHTS = {Level.NONE: 80, Level.WHITE: 10, Level.YELLOW: 7, Level.RED: 3}
KIND_WEIGHTS = {Kind.WORK_ITEM: 50, Kind.PROBLEM: 25, Kind.TASK: 25}


class Command(BaseCommand):
    help = "Generate synthetic obligations, evidence and timeline rows in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--obligations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--organizations",
            type=int,
            default=0,
            help="Build a city with this many counties, each with --obligations.",
        )

    def handle(self, *args, obligations, seed, organizations, **options):
        if obligations < 1:
            raise CommandError("--obligations must be at least 1")
        if organizations:
            with transaction.atomic():
                city = generate_city(organizations, obligations, seed=seed)
            analyze()
            self.stdout.write(
                f"{city.name}: {organizations} counties of {obligations} "
                "obligations each."
            )
            return
        with transaction.atomic():
            report = generate(obligations, seed=seed)
        analyze()
        self.stdout.write(
            f"Report {report.pk} ({report.year}): {obligations} obligations, "
            f"{obligations * EVIDENCE_PER_OBLIGATION} evidence rows, "
            f"{obligations * UPDATES_PER_OBLIGATION} timeline entries."
        )


def analyze():
    """Fresh planner statistics after the bulk load."""
    # A bulk load leaves PostgreSQL's planner statistics describing the empty
    # tables until autovacuum analyses them (within a minute where it runs; never
    # on a server with autovacuum off, like this project's load test machine):
    # with those statistics the obligation page hash-joined all 30,000 evidence
    # rows for its ten timeline entries (46 ms instead of 0.4 ms). A restore or
    # a large import in production is followed by the same ANALYZE.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _users():
    User = get_user_model()
    staff = [
        User(username=f"bench_staff_{i:02d}", first_name=f"经办{i:02d}", password="!")
        for i in range(DEPARTMENTS * STAFF_PER_DEPARTMENT)
    ]
    User.objects.bulk_create(staff, ignore_conflicts=True)
    User.objects.bulk_create(
        [
            User(username="bench_supervisor", first_name="督查员", password="!"),
            User(
                username="bench_admin",
                first_name="管理员",
                password="!",
                is_staff=True,
                is_superuser=True,
            ),
        ],
        ignore_conflicts=True,
    )
    staff = list(
        User.objects.filter(username__startswith="bench_staff_").order_by("username")
    )
    supervisor = User.objects.get(username="bench_supervisor")
    Group.objects.get(name="staff").user_set.add(*staff)
    Group.objects.get(name="supervisor").user_set.add(supervisor)
    return staff, supervisor


def _departments(staff):
    Department.objects.bulk_create(
        [
            Department(name=f"基准测试部门{i:02d}", short_name=f"部门{i:02d}")
            for i in range(DEPARTMENTS)
        ],
        ignore_conflicts=True,
    )
    departments = list(
        Department.objects.filter(name__startswith="基准测试部门").order_by("name")
    )
    Membership = Department.members.through
    Membership.objects.bulk_create(
        [
            Membership(department=d, user=staff[i * STAFF_PER_DEPARTMENT + j])
            for i, d in enumerate(departments)
            for j in range(STAFF_PER_DEPARTMENT)
        ],
        ignore_conflicts=True,
    )
    return departments


def _report():
    years = Report.objects.filter(organization=ORGANIZATION).values_list(
        "year", flat=True
    )
    year = max(years, default=2021) + 1
    report = Report.objects.create(
        organization=ORGANIZATION,
        year=year,
        title=f"{ORGANIZATION}{year}年法治政府建设情况报告（基准数据）",
        source_text="基准测试数据。",
    )
    chapters = Section.objects.bulk_create(
        [
            Section(
                report=report,
                code="一二三四五六"[c],
                number=c + 1,
                title=f"第{c + 1}章 基准章节",
                position=c * (GROUPS_PER_CHAPTER + 1),
            )
            for c in range(CHAPTERS)
        ]
    )
    groups = Section.objects.bulk_create(
        [
            Section(
                report=report,
                parent=chapter,
                code=f"({'一二三四'[g]})",
                number=g + 1,
                title=f"第{c + 1}章第{g + 1}组",
                position=c * (GROUPS_PER_CHAPTER + 1) + g + 1,
            )
            for c, chapter in enumerate(chapters)
            for g in range(GROUPS_PER_CHAPTER)
        ]
    )
    return report, groups


def generate(n, *, seed=1):
    """Write the rows; returns the new report."""
    rng = random.Random(seed)
    # Ratings draw from their own sequence, so the rest of the data is the same as
    # before obligations had ratings (bench figures stay comparable).
    rating_rng = random.Random(f"{seed}-ratings")
    now = timezone.now()
    today = timezone.localdate()
    staff, supervisor = _users()
    departments = _departments(staff)
    report, groups = _report()

    obligations, plans = [], []
    for i in range(n):
        status = _weighted(rng, STATUS_WEIGHTS)
        d = rng.randrange(DEPARTMENTS)
        assigned = rng.random() < 0.95
        department = departments[d] if assigned else None
        owner = staff[d * STAFF_PER_DEPARTMENT + rng.randrange(STAFF_PER_DEPARTMENT)]
        start = now - timedelta(days=rng.randint(30, 180), minutes=rng.randint(0, 1440))
        plans.append((status, start, owner if assigned else supervisor))
        rating = _weighted(rating_rng, RATING_WEIGHTS) if status == Status.DONE else ""
        obligations.append(
            Obligation(
                report=report,
                section=groups[i % len(groups)],
                kind=_weighted(rng, KIND_WEIGHTS),
                code=f"B{i + 1:05d}",
                title=f"基准事项{i + 1}：推进依法行政第{i % 97}项工作",
                body=f"基准事项{i + 1}的正文，说明工作要求和完成标准。",
                position=i + 1,
                status=status,
                department=department,
                owner=owner if assigned and rng.random() < 0.7 else None,
                due_date=(
                    today + timedelta(days=rng.randint(-60, 120))
                    if rng.random() < 0.9
                    else None
                ),
                supervision_level=_weighted(rng, LEVEL_WEIGHTS),
                rating=rating,
                rating_comment=RATING_COMMENTS.get(rating, ""),
                status_changed_at=start + timedelta(days=UPDATES_PER_OBLIGATION)
                if status != Status.NOT_STARTED
                else None,
                # Finished work carries what the ranking reads: when it was
                # assigned and its rating (the rest keep no 签收 clock, as before).
                department_assigned_at=start
                if assigned and status == Status.DONE
                else None,
            )
        )
    obligations = Obligation.objects.bulk_create(obligations, batch_size=BATCH)

    problems = [o for o in obligations if o.kind == Kind.PROBLEM]
    if problems:
        Addresses = Obligation.addresses.through
        Addresses.objects.bulk_create(
            [
                Addresses(from_obligation=o, to_obligation=rng.choice(problems))
                for o in obligations
                if o.kind == Kind.TASK
            ],
            batch_size=BATCH,
        )

    evidence = []
    for o, (_status, start, author) in zip(obligations, plans, strict=True):
        for e in range(EVIDENCE_PER_OBLIGATION):
            withdrawn = rng.random() < 0.1
            evidence.append(
                Evidence(
                    obligation=o,
                    file=f"evidence/bench/{o.code}-{e}.pdf",
                    original_name=f"{o.code}佐证材料{e + 1}.pdf",
                    size=1024 + e,
                    sha256=hashlib.sha256(f"{o.code}-{e}".encode()).hexdigest(),
                    content_type="application/pdf",
                    uploaded_by=author,
                    uploaded_at=start + timedelta(days=e + 1),
                    withdrawn_at=start + timedelta(days=e + 2) if withdrawn else None,
                    withdrawn_by=author if withdrawn else None,
                    withdraw_reason="上传错误" if withdrawn else "",
                )
            )
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)

    updates = []
    for o, (status, start, author) in zip(obligations, plans, strict=True):
        changes = STATUS_PATHS[status]
        comments = UPDATES_PER_OBLIGATION - len(changes)
        # Comments first, then the status changes, the last one at status_changed_at.
        for k in range(UPDATES_PER_OBLIGATION):
            when = start + timedelta(days=k + 1)
            if k < comments:
                updates.append(
                    ProgressUpdate(
                        obligation=o,
                        author=author,
                        action=Action.COMMENT,
                        text=f"第{k + 1}次进展：已召开专题会议部署。",
                        created_at=when,
                    )
                )
            else:
                from_status, to_status = changes[k - comments]
                updates.append(
                    ProgressUpdate(
                        obligation=o,
                        author=supervisor
                        if from_status == Status.SUBMITTED
                        else author,
                        action=Action.STATUS,
                        from_status=from_status,
                        to_status=to_status,
                        # The approval's entry names its rating, as the service's.
                        text=rating_record(o.rating, o.rating_comment)
                        if to_status == Status.DONE
                        else "",
                        created_at=when,
                    )
                )
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    return report


CITY = "基准测试市"
COUNTY_DEPARTMENTS = 5


def generate_city(organizations, per_organization, *, seed=1):
    """A city and ``organizations`` counties below it, each with a report of
    ``per_organization`` obligations (statuses, due dates, colours and ratings
    drawn as ``generate`` draws them), 5 units and a supervisor; the city's
    supervisor ``bench_city``. Returns the city."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    User = get_user_model()
    city = Organization.add_root(name=CITY, kind=Organization.Kind.CITY)
    counties = [
        city.add_child(name=f"基准县{k:03d}", kind=Organization.Kind.COUNTY)
        for k in range(organizations)
    ]
    people = User.objects.bulk_create(
        [User(username="bench_city", first_name="市督查", password="!")]
        + [
            User(
                username=f"bench_county_{k:03d}", first_name=f"县督查{k}", password="!"
            )
            for k in range(organizations)
        ]
    )
    Group.objects.get(name="supervisor").user_set.add(*people)
    AccountProfile.objects.bulk_create(
        [
            AccountProfile(user=user, organization=organization)
            for user, organization in zip(people, [city, *counties], strict=True)
        ]
    )
    departments = Department.objects.bulk_create(
        [
            Department(name=f"部门{i}", organization=county)
            for county in counties
            for i in range(COUNTY_DEPARTMENTS)
        ]
    )
    reports = Report.objects.bulk_create(
        [
            Report(
                organization=county.name,
                organization_unit=county,
                year=today.year,
                title=f"{county.name}{today.year}年法治政府建设情况报告（基准数据）",
                source_text="基准测试数据。",
            )
            for county in counties
        ]
    )
    groups = Section.objects.bulk_create(
        [
            Section(report=report, code="一", number=1, title="基准章节", position=0)
            for report in reports
        ]
    )
    obligations, plans = [], []
    for k, (report, group) in enumerate(zip(reports, groups, strict=True)):
        supervisor = people[k + 1]
        for i in range(per_organization):
            status = _weighted(rng, STATUS_WEIGHTS)
            start = now - timedelta(days=rng.randint(30, 180))
            rating = _weighted(rng, RATING_WEIGHTS) if status == Status.DONE else ""
            plans.append((status, start, supervisor))
            obligations.append(
                Obligation(
                    report=report,
                    section=group,
                    kind=_weighted(rng, KIND_WEIGHTS),
                    code=f"C{i + 1:05d}",
                    title=f"基准事项{i + 1}",
                    body="",
                    position=i + 1,
                    status=status,
                    department=departments[
                        k * COUNTY_DEPARTMENTS + i % COUNTY_DEPARTMENTS
                    ],
                    due_date=today + timedelta(days=rng.randint(-60, 120)),
                    supervision_level=_weighted(rng, LEVEL_WEIGHTS),
                    rating=rating,
                    rating_comment=RATING_COMMENTS.get(rating, ""),
                    status_changed_at=start + timedelta(days=3)
                    if status != Status.NOT_STARTED
                    else None,
                    department_assigned_at=start if status == Status.DONE else None,
                )
            )
    obligations = Obligation.objects.bulk_create(obligations, batch_size=BATCH)
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                obligation=o,
                author=author,
                action=Action.STATUS,
                from_status=from_status,
                to_status=to_status,
                created_at=start + timedelta(days=step + 1),
            )
            for o, (status, start, author) in zip(obligations, plans, strict=True)
            for step, (from_status, to_status) in enumerate(STATUS_PATHS[status])
        ],
        batch_size=BATCH,
    )
    # The city chased every county once: the city's pages count them.
    OrganizationSupervision.objects.bulk_create(
        OrganizationSupervision(
            kind=OrganizationSupervision.Kind.CHASE,
            organization=county,
            issuer=city,
            report=report,
            note="请加快进度。",
            sent_by=people[0],
        )
        for county, report in zip(counties, reports, strict=True)
    )
    return city

"""The daily reminders (催办) and automatic escalation behind
``manage.py send_reminders``.

``plan(day)`` reads what is due: the reminder tiers (``ReminderTier``) of each
obligation's organization (``selectors.reminders.tiers_by_organization``) matched
against every open obligation's due date in working days, the supervisors' lists
(overdue, awaiting review, pending extension requests, not acknowledged) and the
escalation rules (``EscalationRule``). It runs one query per kind of list, never one
per obligation: the working-day arithmetic is done in Python on rows already
fetched, with one calendar (``workdays.calendar_scope``).

``run(day)`` then, in this order:

1. applies the escalation rules, one obligation at a time through
   ``services.supervision.obligation_escalate_by_rule`` (a timeline entry by 系统, the
   督办单, the notification, which reaches the department in its own right): a rule only
   raises, so a second run changes nothing. These writes are per escalated
   obligation, the only part of a run whose queries grow with the data (and only
   on the day an obligation crosses a rule's threshold);
2. in ONE transaction, inserts a ``Reminder`` row for every (obligation, reminder,
   person, day) it is about to send, with ``INSERT ... ON CONFLICT DO NOTHING``
   (one statement, ``_insert_log``), reads back the rows *this* run inserted (its
   ``run`` token), and writes for exactly those one inbox
   notification and one digest email per person and one group-chat digest per
   department. A second run of the day, or a run on another server at the same
   moment, finds the rows taken (the unique constraint makes the concurrent insert
   wait for the first commit) and sends nothing twice;
3. after the commit, ``notifications.digests.deliver_pending`` sends the outbox, the
other    daily digests, and retries what failed on earlier runs.

``--dry-run`` stops after ``plan``: it prints and writes nothing.
"""

import dataclasses
import json
import uuid
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .. import permissions, workdays
from ..models import (
    Department,
    EscalationRule,
    ExtensionRequest,
    Notification,
    Obligation,
    Part,
    ProgressReport,
    Reminder,
    ReminderTier,
    Schedule,
    unsettled_q,
)
from ..notifications.digests import deliver_pending, send_department_digest, send_digest
from ..notifications.events import notify
from ..notifications.texts import absolute_url
from ..selectors.reminders import tiers_by_organization
from .supervision import is_raise, obligation_escalate_by_rule

# The supervisors' lists: awaiting review for more than this many working days, and
# assigned but not acknowledged (签收) for at least this many.
REVIEW_WAIT_WORKDAYS = 2
UNACKNOWLEDGED_WORKDAYS = 2

# Reminder.tier of the lists that are not deadline tiers.
OVERDUE = "overdue"
REVIEW = "review"
EXTENSION = "extension"
UNACKNOWLEDGED = "unacknowledged"

# Reminder.tier of a co-operating unit's part ("part-<pk>-…": never posted to
# the lead unit's group chat) and of the progress reports (调度).
PART_PREFIX = "part-"
PROGRESS_DUE = "progress"
PROGRESS_MISSED = "progress-missed"
# 未按时报送 is repeated on the runs of this many days after the due day.
PROGRESS_MISSED_DAYS = 7

Status = Obligation.Status


@dataclasses.dataclass(frozen=True)
class Line:
    """One item of a digest: an obligation, why (the Reminder.tier key) and the
    text the person reads."""

    obligation_id: int
    tier: str
    text: str


@dataclasses.dataclass
class Escalation:
    obligation: Obligation
    level: str
    overdue_workdays: int


@dataclasses.dataclass
class Plan:
    day: date
    # {user: [Line]} in the order the digest lists them; users in pk order.
    digests: dict
    escalations: list
    # {Department pk: Department} of the obligations in the digests (group chats).
    departments: dict = dataclasses.field(default_factory=dict)
    # {obligation pk: Department pk or None}
    department_of: dict = dataclasses.field(default_factory=dict)

    @property
    def line_count(self):
        return sum(len(lines) for lines in self.digests.values())


@dataclasses.dataclass
class Result:
    day: date
    skipped: bool = False
    escalated: list = dataclasses.field(default_factory=list)
    # {user: [Line]} actually sent by this run (the rows it inserted).
    sent: dict = dataclasses.field(default_factory=dict)
    already_sent: int = 0
    digests_delivered: int = 0
    messages_delivered: int = 0


# --- Reading what is due ------------------------------------------------------------


class _Links:
    """Absolute links to obligation pages. reverse() costs a fraction of a
    millisecond and a day's digests may list thousands of items, so the URL is
    reversed once per run, with a marker where the pk goes."""

    MARKER = "987654321"

    def __init__(self):
        path = reverse("tracker:obligation_detail", args=[int(self.MARKER)])
        self.template = absolute_url(path)

    def __call__(self, obligation):
        return self.template.replace(self.MARKER, str(obligation.pk))


def _item(obligation):
    return f"{obligation.code} {obligation.title}"


def _department_name(obligation):
    department = obligation.department
    if department is None:
        return gettext("no department")
    return department.short_name or department.name


def _deadline_line(tier, obligation, count, link):
    values = {
        "item": _item(obligation),
        "count": count,
        "due": obligation.due_date.isoformat(),
        "url": link(obligation),
    }
    if tier.kind == ReminderTier.Kind.BEFORE:
        text = gettext("%(item)s: due in %(count)s working days (%(due)s) %(url)s")
    elif tier.kind == ReminderTier.Kind.DUE:
        text = gettext("%(item)s: due today (%(due)s) %(url)s")
    else:
        text = gettext(
            "%(item)s: overdue by %(count)s working days (due %(due)s) %(url)s"
        )
    return text % values


def _supervisor_line(obligation, tier, message, link, **values):
    """A line of a list that names the department (the supervisors' lists)."""
    text = message % {
        "item": _item(obligation),
        "department": _department_name(obligation),
        "url": link(obligation),
        **values,
    }
    return Line(obligation.pk, tier, text)


def _matching_tier(tiers, *, ahead, overdue):
    """The tier that fires today for an obligation ``ahead`` working days before its
    due date (0 on the due date, or on the last working day before a due date that
    falls on a holiday), or ``overdue`` working days past it; or None.

    Overdue tiers fire on the first working day overdue, then every N working days.
    """
    for tier in tiers:
        if overdue is None:
            if tier.kind == ReminderTier.Kind.BEFORE and tier.workdays == ahead > 0:
                return tier, ahead
            if tier.kind == ReminderTier.Kind.DUE and ahead == 0:
                return tier, 0
        elif tier.kind == ReminderTier.Kind.OVERDUE and overdue > 0:
            interval = max(tier.workdays, 1)
            if (overdue - 1) % interval == 0:
                return tier, overdue
    return None


def _escalation_level(rules, overdue, current):
    """The highest level the active rules give ``overdue`` working days, when it
    raises ``current``; else None."""
    target = current
    for rule in rules:
        if overdue >= rule.overdue_workdays and is_raise(target, rule.level):
            target = rule.level
    return target if target != current else None


def plan(day: date) -> Plan:
    """Everything ``run`` would do on ``day``, read with a fixed number of queries
    (one per kind of list) whatever the number of obligations."""
    calendar = workdays.current_calendar()
    link = _Links()
    # Inactive ones too: an organization whose own tiers are all off has none,
    # not the deployment's (``selectors.reminders.tiers_by_organization``).
    every_tier = list(ReminderTier.objects.all())
    tiers = [tier for tier in every_tier if tier.is_active]
    rules = list(EscalationRule.objects.filter(is_active=True))
    ahead_limit = max(
        [t.workdays for t in tiers if t.kind == ReminderTier.Kind.BEFORE] + [0]
    )
    # Without the text: thousands of rows, and the digests show code and title.
    # A closed report's obligations are read-only: nobody is reminded of them and
    # no rule escalates them.
    open_obligations = (
        Obligation.objects.of_open_reports()
        .exclude(status=Status.DONE)
        .select_related("department", "owner", "report")
        .defer("body", "report__source_text")
    )
    # Every open obligation due before the furthest "N working days before" tier
    # ends, the overdue ones included: one query.
    candidates = list(
        open_obligations.filter(
            due_date__isnull=False,
            due_date__lt=calendar.add_workdays(day, ahead_limit + 1),
        ).order_by("due_date", "report_id", "position")
    )
    tiers_of = tiers_by_organization(
        every_tier, {each.report.organization_unit_id for each in candidates}
    )
    # The supervisors' other lists: one query each.
    submitted = list(
        open_obligations.filter(status=Status.SUBMITTED).order_by(
            "status_changed_at", "pk"
        )
    )
    extensions = list(
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING,
            obligation__report__closed_at__isnull=True,
            obligation__carried_into__isnull=True,
        )
        .select_related("obligation__department", "obligation__report")
        .defer("obligation__report__source_text")
        .order_by("created_at", "pk")
    )
    unacknowledged = list(
        Obligation.objects.of_open_reports()
        .unacknowledged_for(day, UNACKNOWLEDGED_WORKDAYS, calendar=calendar)
        .select_related("department", "report")
        .defer("report__source_text")
        .order_by("department_assigned_at", "pk")
    )
    # Each supervisor hears of their own organization's items only (an account
    # without one, of every item, in a single-organization deployment only:
    # ``acting_supervisors``): another county's are not theirs to see.
    supervisors = list(
        permissions.acting_supervisors().annotate(
            home_organization=F("account_profile__organization")
        )
    )

    # obligation pk -> [Line]: for its owner, or its department's members when
    # nobody owns it (deadline tiers); for its department's members (签收).
    to_people = defaultdict(list)
    to_members = defaultdict(list)
    supervisor_lines = []
    escalations = []
    for obligation in candidates:
        due = obligation.due_date
        if due >= day:
            ahead, overdue = calendar.workdays_between(day, due), None
        else:
            ahead, overdue = None, calendar.workdays_between(due, day)
        match = _matching_tier(
            tiers_of[obligation.report.organization_unit_id],
            ahead=ahead,
            overdue=overdue,
        )
        if match is not None:
            tier, count = match
            to_people[obligation.pk].append(
                Line(
                    obligation.pk,
                    tier.key,
                    _deadline_line(tier, obligation, count, link),
                )
            )
        if overdue:
            supervisor_lines.append(
                _supervisor_line(
                    obligation,
                    OVERDUE,
                    gettext(
                        "%(item)s (%(department)s): overdue by %(count)s working "
                        "days %(url)s"
                    ),
                    link,
                    count=overdue,
                )
            )
            level = _escalation_level(rules, overdue, obligation.supervision_level)
            if level is not None:
                escalations.append(Escalation(obligation, level, overdue))
    for obligation in submitted:
        since = timezone.localtime(
            obligation.status_changed_at or obligation.updated_at
        )
        waited = calendar.workdays_between(since.date(), day)
        if waited > REVIEW_WAIT_WORKDAYS:
            supervisor_lines.append(
                _supervisor_line(
                    obligation,
                    REVIEW,
                    gettext(
                        "%(item)s (%(department)s): awaiting review for %(count)s "
                        "working days %(url)s"
                    ),
                    link,
                    count=waited,
                )
            )
    for request in extensions:
        supervisor_lines.append(
            _supervisor_line(
                request.obligation,
                EXTENSION,
                gettext(
                    "%(item)s (%(department)s): extension to %(date)s requested, "
                    "awaiting your decision %(url)s"
                ),
                link,
                date=request.requested_due_date.isoformat(),
            )
        )
    for obligation in unacknowledged:
        waited = calendar.workdays_between(
            timezone.localtime(obligation.department_assigned_at).date(), day
        )
        line = _supervisor_line(
            obligation,
            UNACKNOWLEDGED,
            gettext(
                "%(item)s (%(department)s): not acknowledged %(count)s working days "
                "after assignment %(url)s"
            ),
            link,
            count=waited,
        )
        supervisor_lines.append(line)
        # The department is reminded too (its members, whoever owns the item).
        to_members[obligation.pk].append(line)

    by_pk = {o.pk: o for o in [*candidates, *unacknowledged]}
    # The people of each obligation: its owner, or its department's members when
    # nobody owns it; the unacknowledged reminder goes to the department's members.
    departments = {o.department_id for o in by_pk.values() if o.department_id}
    members = defaultdict(list)
    for department_id, user in _members_of(departments):
        members[department_id].append(user)
    digests = defaultdict(list)
    for pk, lines in to_people.items():
        obligation = by_pk[pk]
        if obligation.owner_id is not None:
            people = [obligation.owner] if obligation.owner.is_active else []
        else:
            people = members.get(obligation.department_id, [])
        for user in people:
            digests[user].extend(lines)
    for pk, lines in to_members.items():
        for user in members.get(by_pk[pk].department_id, []):
            digests[user].extend(lines)
    organization_of = {
        o.pk: o.report.organization_unit_id
        for o in [*candidates, *submitted, *unacknowledged]
    }
    organization_of.update(
        (r.obligation_id, r.obligation.report.organization_unit_id) for r in extensions
    )
    for user in supervisors:
        digests[user].extend(
            line
            for line in supervisor_lines
            if user.home_organization is None
            or organization_of[line.obligation_id] == user.home_organization
        )
    for user, lines in _organised_work_lines(day, calendar, link).items():
        digests[user].extend(lines)
    department_of = {o.pk: o.department_id for o in by_pk.values()}
    department_of.update(
        {r.obligation_id: r.obligation.department_id for r in extensions}
    )
    department_of.update({o.pk: o.department_id for o in submitted})
    return Plan(
        day=day,
        digests={
            # A supervisor who is also a member sees an item once.
            user: list(
                {(line.obligation_id, line.tier): line for line in lines}.values()
            )
            for user, lines in sorted(digests.items(), key=lambda item: item[0].pk)
            if lines
        },
        escalations=escalations,
        departments={
            d.pk: d for d in [o.department for o in by_pk.values()] if d is not None
        },
        department_of=department_of,
    )


def _organised_work_lines(day, calendar, link) -> dict:
    """{user: [Line]} of issue 22's work: the co-operating units' open parts that
    are overdue or not acknowledged after ``UNACKNOWLEDGED_WORKDAYS`` (to the
    part's owner, else its unit's members), and the progress reports (调度) due
    within a schedule's reminder days or missed in the last
    ``PROGRESS_MISSED_DAYS`` days (to the item's or part's owner, else its unit's
    members). One query per list, and three per active schedule."""
    lines = defaultdict(list)
    people_of = _PeopleOf()
    parts = list(
        Part.objects.filter(
            unsettled_q(),
            obligation__report__closed_at__isnull=True,
            obligation__carried_into__isnull=True,
        )
        .filter(
            Q(due_date__lt=day) | Q(status=Part.Status.NOT_ACKNOWLEDGED),
        )
        .select_related("obligation", "department", "owner")
        .defer("obligation__body")
        .order_by("due_date", "pk")
    )
    people_of.load([part.department_id for part in parts])
    for part in parts:
        values = {"item": _item(part.obligation), "unit": part.department.name}
        if part.due_date and part.due_date < day:
            text = gettext(
                "%(item)s: the part of %(unit)s is overdue by %(count)s working "
                "days %(url)s"
            ) % {
                **values,
                "count": calendar.workdays_between(part.due_date, day),
                "url": link(part.obligation),
            }
            tier = f"{PART_PREFIX}{part.pk}-overdue"
        else:
            given = timezone.localtime(part.created_at).date()
            if calendar.workdays_between(given, day) < UNACKNOWLEDGED_WORKDAYS:
                continue
            text = gettext(
                "%(item)s: the part of %(unit)s is not acknowledged (签收) yet %(url)s"
            ) % {**values, "url": link(part.obligation)}
            tier = f"{PART_PREFIX}{part.pk}-unacknowledged"
        for user in people_of(part.owner, part.department_id):
            lines[user].append(Line(part.obligation_id, tier, text))
    for schedule in Schedule.objects.filter(
        is_active=True, report__closed_at__isnull=True
    ):
        _progress_lines(schedule, day, link, people_of, lines)
    return lines


class _PeopleOf:
    """An owner who is active, else the unit's active members (read in one query
    per batch of units)."""

    def __init__(self):
        self.members = defaultdict(list)
        self.loaded = set()

    def load(self, department_ids):
        wanted = set(department_ids) - self.loaded
        for department_id, user in _members_of(wanted):
            self.members[department_id].append(user)
        self.loaded |= wanted

    def __call__(self, owner, department_id):
        if owner is not None:
            return [owner] if owner.is_active else []
        return self.members.get(department_id, [])


def _progress_lines(schedule, day, link, people_of, lines):
    periods = schedule.periods(day, limit=2)
    if not periods:
        return
    current = periods[-1]
    wanted = []  # (period, tier, message)
    if 0 <= (current.due - day).days <= schedule.remind_days_before:
        wanted.append(
            (
                current,
                PROGRESS_DUE,
                gettext(
                    "%(item)s%(unit)s: file the progress report for %(period)s "
                    "by %(due)s %(url)s"
                ),
            )
        )
    missed = [p for p in periods if p.due < day]
    if missed and (day - missed[-1].due).days <= PROGRESS_MISSED_DAYS:
        wanted.append(
            (
                missed[-1],
                PROGRESS_MISSED,
                gettext(
                    "%(item)s%(unit)s: the progress report for %(period)s was "
                    "not filed on time (due %(due)s) %(url)s"
                ),
            )
        )
    if not wanted:
        return
    items = list(
        Obligation.objects.filter(
            report_id=schedule.report_id,
            department__isnull=False,
            carried_into__isnull=True,
        )
        .exclude(status=Status.DONE)
        .select_related("owner")
        .defer("body")
    )
    parts = list(
        Part.objects.filter(
            unsettled_q(),
            obligation__report_id=schedule.report_id,
            obligation__carried_into__isnull=True,
        )
        .select_related("obligation", "department", "owner")
        .defer("obligation__body")
    )
    filed = set(
        ProgressReport.objects.filter(
            obligation__report_id=schedule.report_id,
            period__in=[period.start for period, _t, _m in wanted],
        ).values_list("obligation_id", "part_id", "period")
    )
    people_of.load(
        [item.department_id for item in items] + [p.department_id for p in parts]
    )
    rows = [(item, None, item.owner, item.department_id, "") for item in items] + [
        (p.obligation, p, p.owner, p.department_id, f" ({p.department.name})")
        for p in parts
    ]
    for period, tier, message in wanted:
        for obligation, part, owner, department_id, unit in rows:
            if (obligation.pk, part.pk if part else None, period.start) in filed:
                continue
            text = message % {
                "item": _item(obligation),
                "unit": unit,
                "period": period.label,
                "due": period.due.isoformat(),
                "url": link(obligation),
            }
            key = f"{PART_PREFIX}{part.pk}-{tier}" if part else tier
            for user in people_of(owner, department_id):
                lines[user].append(Line(obligation.pk, key, text))


def _members_of(department_ids):
    """(department pk, user) for every active member of the departments: one
    query through the membership table."""
    Membership = Department.members.through
    rows = (
        Membership.objects.filter(
            department_id__in=department_ids, user__is_active=True
        )
        .select_related("user")
        .order_by("department_id", "user_id")
    )
    return [(row.department_id, row.user) for row in rows]


# --- Running -----------------------------------------------------------------------


def run(day: date | None = None, *, dry_run=False, force=False) -> Result:
    """Send the reminders of ``day`` (default: today in Asia/Shanghai).

    A day that is not a working day is skipped unless ``force``. ``dry_run`` plans
    and writes nothing. See the module docstring for the order of the writes.
    """
    day = day or timezone.localdate()
    result = Result(day=day)
    with workdays.calendar_scope(), translation.override(settings.LANGUAGE_CODE):
        if not force and not workdays.is_workday(day):
            result.skipped = True
            return result
        if dry_run:
            planned = plan(day)
            already = _already_sent(planned)
            result.escalated = planned.escalations
            result.sent = _unsent(planned, already)
            result.already_sent = planned.line_count - _count(result.sent)
            return result
        planned = plan(day)
        result.escalated = _escalate(planned)
        result.sent = _record_and_send(planned)
        result.already_sent = planned.line_count - _count(result.sent)
    result.digests_delivered, result.messages_delivered = deliver_pending(day=day)
    return result


def _count(digests):
    return sum(len(lines) for lines in digests.values())


def _already_sent(planned):
    """The (obligation, tier, recipient) triples logged for the day already."""
    return set(
        Reminder.objects.filter(day=planned.day).values_list(
            "obligation_id", "tier", "recipient_id"
        )
    )


def _unsent(planned, taken):
    digests = {}
    for user, lines in planned.digests.items():
        left = [
            line
            for line in lines
            if (line.obligation_id, line.tier, user.pk) not in taken
        ]
        if left:
            digests[user] = left
    return digests


def _escalate(planned):
    done = []
    for escalation in planned.escalations:
        level_label = Obligation.SupervisionLevel(escalation.level).label
        note = gettext(
            "Overdue by %(count)s working days: raised to %(level)s by the escalation "
            "rules."
        ) % {"count": escalation.overdue_workdays, "level": level_label}
        if (
            obligation_escalate_by_rule(
                obligation=escalation.obligation, level=escalation.level, note=note
            )
            is not None
        ):
            done.append(escalation)
    return done


def _insert_log(keys, *, day, run):
    """INSERT a Reminder row per (obligation pk, tier, recipient pk) of ``day``,
    ON CONFLICT DO NOTHING, in ONE statement whatever the number of rows.

    Why not ``bulk_create(ignore_conflicts=True)``: Django splits it into batches of
    999 // 6 = 166 rows on SQLite (its old variable limit), so a day with thousands
    of reminders would cost tens of queries. Here the rows travel as one JSON
    parameter, unpacked by the database (json_each / jsonb_array_elements); the
    unique constraint decides, as with bulk_create. Other databases fall back to
    bulk_create.
    """
    if not keys:
        return
    table = Reminder._meta.db_table
    columns = "obligation_id, tier, recipient_id, day, run, created_at"
    rows = json.dumps([list(key) for key in keys])
    vendor = connection.vendor
    if vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) "
            "SELECT (r->>0)::bigint, r->>1, (r->>2)::integer, %s::date, %s::uuid, %s "
            "FROM jsonb_array_elements(%s::jsonb) AS r "
            "ON CONFLICT (obligation_id, tier, recipient_id, day) DO NOTHING"
        )
    elif vendor == "sqlite":
        # "WHERE true": SQLite's parser needs it between SELECT and ON CONFLICT.
        sql = (
            f"INSERT INTO {table} ({columns}) "
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
            "json_extract(value, '$[2]'), %s, %s, %s "
            "FROM json_each(%s) WHERE true "
            "ON CONFLICT (obligation_id, tier, recipient_id, day) DO NOTHING"
        )
    else:
        Reminder.objects.bulk_create(
            [
                Reminder(
                    obligation_id=obligation_id,
                    tier=tier,
                    recipient_id=recipient_id,
                    day=day,
                    run=run,
                )
                for obligation_id, tier, recipient_id in keys
            ],
            ignore_conflicts=True,
        )
        return
    field = Reminder._meta.get_field
    params = [
        field("day").get_db_prep_value(day, connection),
        field("run").get_db_prep_value(run, connection),
        field("created_at").get_db_prep_value(timezone.now(), connection),
        rows,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _record_and_send(planned):
    """Log, then write the notifications and digests of, exactly the reminders this
    run is the first to log; returns {user: [Line]} of those."""
    token = uuid.uuid4()
    with transaction.atomic():
        _insert_log(
            [
                (line.obligation_id, line.tier, user.pk)
                for user, lines in planned.digests.items()
                for line in lines
            ],
            day=planned.day,
            run=token,
        )
        mine = set(
            Reminder.objects.filter(run=token).values_list(
                "obligation_id", "tier", "recipient_id"
            )
        )
        everything = {
            (line.obligation_id, line.tier, user.pk)
            for user, lines in planned.digests.items()
            for line in lines
        }
        sent = _unsent(planned, everything - mine)
        group_chat = defaultdict(dict)
        for user, lines in sent.items():
            texts = [line.text for line in lines]
            notify(
                recipients=[user],
                obligation=None,
                kind=Notification.Kind.REMINDER,
                text="\n".join(texts),
                email=False,
            )
            send_digest(user, texts, day=planned.day)
            for line in lines:
                department_id = planned.department_of.get(line.obligation_id)
                if (
                    department_id in planned.departments
                    and line.tier not in (OVERDUE, REVIEW, EXTENSION)
                    and not line.tier.startswith(PART_PREFIX)
                ):
                    group_chat[department_id][(line.obligation_id, line.tier)] = (
                        line.text
                    )
        for department_id, lines in group_chat.items():
            send_department_digest(
                planned.departments[department_id],
                list(lines.values()),
                day=planned.day,
            )
    return sent

"""The permission matrix of issue 3, cell by cell, over HTTP.

ONE table: a row per (URL, action), a column per role (leaders, 县领导, last), the
expected status code in each cell. Allowed writes answer 302 and leave a timeline
entry by the acting user; refused ones answer 403 and change nothing. Anonymous
visitors are sent to the login page from every URL (downloads included). A URL of
the ``tracker`` namespace with no row in the table fails the test below, so a new
route cannot skip the matrix.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, reverse
from django.utils import timezone

import tracker.urls
from tests.factories import ObligationFactory, ReportFactory, UserFactory
from tests.workflow_helpers import PDF, set_status, upload
from tracker.models import (
    AccountProfile,
    Department,
    Evidence,
    ExtensionRequest,
    Job,
    Notification,
    Obligation,
    Organization,
    OrganizationSupervision,
    Part,
    ProgressUpdate,
    Report,
    ReportEvent,
    Schedule,
)
from tracker.services.chases import obligation_chase
from tracker.services.followups import followup_confirm
from tracker.services.instructions import instruction_write
from tracker.services.organization_supervision import organization_chase
from tracker.services.supervision import obligation_set_supervision

S = Obligation.Status
ROLES = (
    "anonymous",
    "owning_staff",
    "owner",
    "other_staff",
    "supervisor",
    "admin",
    "leader",
    "other_organization",
)


@dataclass
class Row:
    url_name: str
    action: str
    method: str
    expected: tuple  # one status code per role, in ROLES order
    status: str = S.NOT_STARTED  # the obligation's status before the request
    evidence: bool = False  # whether a (not withdrawn) evidence file exists
    target: str = "obligation"  # whose pk goes in the URL
    data: dict = field(default_factory=dict)
    # An allowed POST on an obligation returns to it with a timeline entry; one on
    # the user's own things (notifications) returns to this page instead.
    redirect_to: str | None = None
    due_date: date | None = None  # the obligation's due date before the request
    extension: bool = False  # whether a pending extension request exists
    # The obligation is a task and a problem of its report is posted as "problem".
    task: bool = False
    # The obligation is a task and a work item of its organization's next report
    # is posted as "later" (the follow-up across years).
    followup: bool = False
    # The obligation's report is closed before the request.
    closed: bool = False
    # Department B (other staff's) co-operates: a part in this status, and the
    # obligation in ``status`` (the lead's side).
    part: str | None = None
    # A supervisor chased department A before the request.
    chase: bool = False
    # The obligation's report has a monthly progress report schedule (调度).
    schedule: bool = False
    # A report-level POST that writes the obligations' timelines, not the
    # report's log (carrying items over).
    report_event: bool = True


LOGIN = "login"
# The last column: a supervisor of another county. Everything of this county is
# missing for them (404), whatever the URL; their own pages (dashboard, lists,
# inbox) answer as they do to this county's supervisor. Each row names it
# explicitly, so a new URL cannot leave it out.
HIDDEN = 404
# Columns: anonymous, owning staff, owner, other staff, supervisor, admin, leader
# (and, on each row, another organization's supervisor). Leaders (县领导) read
# everything and do none of the workflow or the review.
VIEW = (LOGIN, 200, 200, 200, 200, 200, 200)
WORK = (LOGIN, 302, 302, 403, 403, 302, 403)
REVIEW = (LOGIN, 403, 403, 403, 302, 302, 403)
DOWNLOAD = (LOGIN, 200, 200, 403, 200, 200, 200)
# What the reviewers and the leaders may read, and staff may not.
READ_ALL = (LOGIN, 403, 403, 403, 200, 200, 200)
# The leaders' own acts (批示, approving a notice of their level).
LEADERS = (LOGIN, 403, 403, 403, 403, 403, 302)
# Acts of the department itself (签收, replying to a notice): its members only.
MEMBERS = (LOGIN, 302, 403, 403, 403, 403, 403)
# A co-operating unit's (department B's) part: 签收 by its members only; the rest
# of its work by its members and the admins.
PART_MEMBERS = (LOGIN, 403, 403, 302, 403, 403, 403)
PART_WORK = (LOGIN, 403, 403, 302, 403, 302, 403)
DUE = date(2030, 6, 30)

MATRIX = [
    # View lists, dashboard, obligation detail: everyone signed in.
    Row("dashboard", "view dashboard", "get", (*VIEW, 200), target="none"),
    Row("obligation_list", "view list", "get", (*VIEW, 200), target="none"),
    Row("department_list", "view departments", "get", (*VIEW, 200), target="none"),
    Row(
        "department_detail",
        "view department",
        "get",
        (*VIEW, HIDDEN),
        target="department",
    ),
    # The department ranking (考核排名), like the notice register: reviewers only.
    Row(
        "department_ranking",
        "department ranking",
        "get",
        (*READ_ALL, 200),
        target="none",
    ),
    # The city's pages: a city's (or the platform's) supervisors and admins; a
    # county's supervisor has the department ranking instead (403).
    Row(
        "organization_list",
        "the organizations below",
        "get",
        (LOGIN, 403, 403, 403, 403, 200, 403, 403),
        target="none",
    ),
    Row(
        "organization_ranking",
        "the organizations' ranking",
        "get",
        (LOGIN, 403, 403, 403, 403, 200, 403, 403),
        target="none",
    ),
    Row(
        "organization_reports",
        "the organizations' reports side by side",
        "get",
        (LOGIN, 403, 403, 403, 403, 200, 403, 403),
        target="none",
    ),
    # The city's 催办 and 督办单 to a county as a whole: the supervisors and
    # leaders of an organization above it, or the platform's administrator (the
    # admin here belongs to none); a county never chases itself this way (its
    # supervisor and leader: 403). The county's supervisors and leaders read and
    # answer them; its staff do not.
    Row(
        "organization_chase",
        "chase a county as a whole",
        "post",
        (LOGIN, 403, 403, 403, 403, 302, 403, HIDDEN),
        target="organization",
        redirect_to="tracker:organization_list",
        data={"note": "请加快整改进度"},
    ),
    Row(
        "organization_notice",
        "send a county a supervision notice",
        "post",
        (LOGIN, 403, 403, 403, 403, 302, 403, HIDDEN),
        target="organization",
        redirect_to="tracker:organization_list",
        data={"note": "多项任务逾期", "level": "yellow"},
    ),
    Row(
        "organization_supervision_list",
        "the chases and notices to the organizations",
        "get",
        (LOGIN, 403, 403, 403, 200, 200, 200, 200),
        target="none",
    ),
    Row(
        "organization_supervision_detail",
        "a chase or notice to the county",
        "get",
        (LOGIN, 403, 403, 403, 200, 200, 200, HIDDEN),
        target="org_supervision",
    ),
    Row(
        "organization_supervision_answer",
        "the county answers a chase or notice",
        "post",
        (LOGIN, 403, 403, 403, 302, 403, 302, HIDDEN),
        target="org_supervision",
        redirect_to="org_supervision",
        data={"answer": "已部署整改"},
    ),
    Row("report_detail", "view report", "get", (*VIEW, HIDDEN), target="report"),
    # The Word draft of next year's report: the reviewers'.
    Row(
        "report_draft",
        "download the draft of next year's report",
        "get",
        (*READ_ALL, HIDDEN),
        status=S.DONE,
        target="report",
    ),
    Row("my_work", "view my work", "get", (*VIEW, 200), target="none"),
    Row("obligation_detail", "view obligation", "get", (*VIEW, HIDDEN)),
    # Download evidence.
    Row(
        "evidence_download",
        "download",
        "get",
        (*DOWNLOAD, HIDDEN),
        evidence=True,
        target="evidence",
    ),
    Row(
        "evidence_preview",
        "preview",
        "get",
        (*DOWNLOAD, HIDDEN),
        evidence=True,
        target="evidence",
    ),
    # Progress update, upload or withdraw evidence.
    Row(
        "obligation_add_note",
        "progress update",
        "post",
        (*WORK, HIDDEN),
        data={"text": "已完成初稿"},
    ),
    Row(
        "evidence_upload", "upload", "post", (*WORK, HIDDEN), data={"note": "会议纪要"}
    ),
    Row(
        "evidence_withdraw",
        "withdraw",
        "post",
        (*WORK, HIDDEN),
        evidence=True,
        target="evidence",
        data={"reason": "传错文件"},
    ),
    # Start / submit for review.
    Row(
        "obligation_status",
        "start",
        "post",
        (*WORK, HIDDEN),
        data={"status": S.IN_PROGRESS},
    ),
    Row(
        "obligation_status",
        "resume after return",
        "post",
        (*WORK, HIDDEN),
        status=S.RETURNED,
        data={"status": S.IN_PROGRESS},
    ),
    Row(
        "obligation_status",
        "submit for review",
        "post",
        (*WORK, HIDDEN),
        status=S.IN_PROGRESS,
        evidence=True,
        data={"status": S.SUBMITTED, "note": "已按要求完成"},
    ),
    Row(
        "obligation_status",
        "resubmit after return",
        "post",
        (*WORK, HIDDEN),
        status=S.RETURNED,
        evidence=True,
        data={"status": S.SUBMITTED, "note": "已按意见修改"},
    ),
    # Approve / return / reopen.
    Row(
        "obligation_status",
        "approve",
        "post",
        (*REVIEW, HIDDEN),
        status=S.SUBMITTED,
        evidence=True,
        data={"status": S.DONE, "rating": Obligation.Rating.GOOD},
    ),
    Row(
        "obligation_status",
        "return",
        "post",
        (*REVIEW, HIDDEN),
        status=S.SUBMITTED,
        evidence=True,
        data={"status": S.RETURNED, "note": "材料不全"},
    ),
    Row(
        "obligation_status",
        "reopen",
        "post",
        (*REVIEW, HIDDEN),
        status=S.DONE,
        data={"status": S.IN_PROGRESS, "note": "复查发现问题"},
    ),
    # Supervision level and assignment.
    Row(
        "obligation_supervision",
        "set supervision level",
        "post",
        (*REVIEW, HIDDEN),
        data={"level": Obligation.SupervisionLevel.YELLOW, "note": "进度滞后"},
    ),
    Row(
        "obligation_assign",
        "assign",
        "post",
        (*REVIEW, HIDDEN),
        data={"due_date": "2030-06-30", "note": "按期完成"},
    ),
    # Supervision notices (督办单): anyone signed in may read and print one; only
    # the members of the obligation's department reply (not its owner from another
    # department, not the supervisors or admins who issue them); the register and
    # its export are the supervisors'.
    Row("notice_detail", "view notice", "get", (*VIEW, HIDDEN), target="notice"),
    Row(
        "notice_reply",
        "reply to notice",
        "post",
        (*MEMBERS, HIDDEN),
        target="notice",
        data={"text": "已整改到位"},
    ),
    Row(
        "notice_register",
        "notice register",
        "get",
        (*READ_ALL, 200),
        target="none",
    ),
    # 督办单 issued in a leader's name: a leader of the notice's level (the red
    # notice's: 主要领导) approves it; the supervisors record a paper signature.
    Row(
        "notice_approve",
        "approve a notice",
        "post",
        (*LEADERS, HIDDEN),
        target="notice",
    ),
    Row(
        "notice_signature",
        "record a leader's paper signature",
        "post",
        (*REVIEW, HIDDEN),
        target="notice",
        data={"leader_name": "钱县长"},
    ),
    # The leaders: the cockpit (not for staff), 批示 and the unit's reply.
    Row("cockpit", "view the cockpit", "get", (*READ_ALL, 200), target="none"),
    Row(
        "obligation_instruction",
        "write an instruction",
        "post",
        (*LEADERS, HIDDEN),
        data={"text": "请加快推进"},
    ),
    Row(
        "instruction_reply",
        "reply to an instruction",
        "post",
        (*MEMBERS, HIDDEN),
        target="instruction",
        data={"text": "已按批示落实"},
    ),
    # Notifications: everyone signed in, each their own.
    Row("notification_list", "view inbox", "get", (*VIEW, 200), target="none"),
    Row(
        "notification_open",
        "open own notification",
        "get",
        (LOGIN, 302, 302, 302, 302, 302, 302, HIDDEN),
        target="notification",
    ),
    Row(
        "notification_read_all",
        "mark all read",
        "post",
        (LOGIN, 302, 302, 302, 302, 302, 302, 302),
        target="none",
        redirect_to="tracker:notification_list",
    ),
    Row(
        "notification_preferences",
        "view notification settings",
        "get",
        (*VIEW, 200),
        target="none",
    ),
    # Confirming a suggested task -> problem link: the reviewers'.
    Row(
        "obligation_confirm_link",
        "confirm a suggested link",
        "post",
        (*REVIEW, HIDDEN),
        task=True,
    ),
    # The follow-up across years: confirming, rejecting or withdrawing a match is
    # the reviewers', like confirming a suggested link.
    Row(
        "followup_confirm",
        "confirm a follow-up",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
    ),
    Row(
        "followup_reject",
        "reject a follow-up",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
    ),
    Row(
        "followup_withdraw",
        "withdraw a follow-up",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
        target="followup",
        data={"reason": "误确认"},
    ),
    # 签收 and extension requests.
    Row("obligation_acknowledge", "acknowledge", "post", (*MEMBERS, HIDDEN)),
    Row(
        "extension_request",
        "request an extension",
        "post",
        (*WORK, HIDDEN),
        due_date=DUE,
        data={"requested_due_date": "2030-07-31", "reason": "需要补充调研"},
    ),
    Row(
        "extension_decide",
        "approve an extension",
        "post",
        (*REVIEW, HIDDEN),
        due_date=DUE,
        extension=True,
        target="extension",
        data={"decision": "approve"},
    ),
    Row(
        "extension_decide",
        "refuse an extension",
        "post",
        (*REVIEW, HIDDEN),
        due_date=DUE,
        extension=True,
        target="extension",
        data={"decision": "refuse", "reason": "理由不充分"},
    ),
    # Co-operating units' parts (分办事项): a supervisor names the unit; the unit
    # acknowledges, works and submits; the lead unit (the item's working staff)
    # accepts or returns; a supervisor waives.
    Row(
        "part_add",
        "add a co-operating unit",
        "post",
        (*REVIEW, HIDDEN),
        target="obligation",
        data={"department": "B"},
    ),
    Row(
        "part_status",
        "acknowledge a part",
        "post",
        (*PART_MEMBERS, HIDDEN),
        part="not_acknowledged",
        target="part",
        data={"status": "in_progress"},
    ),
    Row(
        "part_status",
        "submit a part to the lead unit",
        "post",
        (*PART_WORK, HIDDEN),
        part="in_progress",
        target="part",
        data={"status": "submitted", "note": "已完成配合工作"},
    ),
    Row(
        "part_status",
        "accept a part",
        "post",
        (*WORK, HIDDEN),
        part="submitted",
        target="part",
        data={"status": "accepted"},
    ),
    Row(
        "part_status",
        "return a part",
        "post",
        (*WORK, HIDDEN),
        part="submitted",
        target="part",
        data={"status": "returned", "note": "材料不全"},
    ),
    Row(
        "part_waive",
        "waive a part",
        "post",
        (*REVIEW, HIDDEN),
        part="in_progress",
        target="part",
        data={"reason": "该乡镇无此项工作"},
    ),
    Row(
        "part_add_note",
        "progress note on a part",
        "post",
        (*PART_WORK, HIDDEN),
        part="in_progress",
        target="part",
        data={"text": "已召开专题会议"},
    ),
    Row(
        "part_evidence_upload",
        "upload a part's evidence",
        "post",
        (*PART_WORK, HIDDEN),
        part="in_progress",
        target="part",
        data={"note": "会议纪要"},
    ),
    # 催办: the reviewers chase; the chased unit's members answer.
    Row(
        "obligation_chase",
        "chase an item",
        "post",
        (*REVIEW, HIDDEN),
        data={"note": "请加快进度"},
    ),
    Row(
        "chase_answer",
        "answer a chase",
        "post",
        (*MEMBERS, HIDDEN),
        chase=True,
        target="chase",
        data={"answer": "本周内完成"},
    ),
    # 调度: the working staff file a progress report; the 调度表 is the
    # reviewers' (403 for staff).
    Row(
        "progress_report_file",
        "file a progress report",
        "post",
        (*WORK, HIDDEN),
        schedule=True,
        data={"progress": "已完成排查", "next_steps": "整改", "difficulties": ""},
    ),
    Row(
        "schedule",
        "view the schedule",
        "get",
        (*READ_ALL, 200),
        schedule=True,
        target="none",
    ),
    # The year's end: the archive holds every department's evidence, so only
    # those who may download all of it; closing and reopening are the reviewers'.
    # Starting the archive: a job for the worker, whose page shows the download.
    Row(
        "report_archive",
        "start the archive",
        "post",
        (LOGIN, 403, 403, 403, 302, 302, 302, HIDDEN),
        target="report",
        redirect_to="job",
    ),
    # A job's page and file (made for the owning staff here): its owner's and the
    # administrators'; to anyone else it does not exist.
    Row(
        "job_detail",
        "view a job",
        "get",
        (LOGIN, 200, 404, 404, 404, 200, 404, HIDDEN),
        target="job",
    ),
    Row(
        "job_download",
        "download a job's file",
        "get",
        (LOGIN, 200, 404, 404, 404, 200, 404, HIDDEN),
        target="job",
    ),
    # A big export of the list (what anyone may read) as a job of their own.
    Row(
        "obligation_export_job",
        "start a big export",
        "post",
        (LOGIN, 302, 302, 302, 302, 302, 302, 302),
        target="none",
        data={"format": "xlsx", "query": "status=not_started"},
        redirect_to="job",
    ),
    Row(
        "report_close",
        "close the report",
        "post",
        (*REVIEW, HIDDEN),
        target="report",
        data={"reason": "年度归档"},
        redirect_to="report",
    ),
    Row(
        "report_reopen",
        "reopen the report",
        "post",
        (*REVIEW, HIDDEN),
        target="report",
        closed=True,
        data={"reason": "补录佐证材料"},
        redirect_to="report",
    ),
    # A year handing over (issue 23): carrying unfinished items into the next
    # report (结转) and the items' report wording are the reviewers'.
    Row(
        "obligation_carry_over",
        "carry an item over into the next report",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
    ),
    Row(
        "report_carry_over",
        "carry ticked items over into the next report",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
        target="report",
        redirect_to="report",
        report_event=False,
    ),
    Row(
        "report_followups_decide",
        "confirm or reject the report's follow-ups in one form",
        "post",
        (*REVIEW, HIDDEN),
        followup=True,
        target="report",
        redirect_to="report",
        report_event=False,
    ),
    Row(
        "obligation_report_wording",
        "write the report wording",
        "post",
        (*REVIEW, HIDDEN),
        data={"text": "开展执法人员培训3次。"},
    ),
    # Operations: the health check is public on purpose (the reverse proxy asks).
    # The user's own password: every signed-in user.
    Row("password_change", "change password page", "get", (*VIEW, 200), target="none"),
    Row(
        "password_change_done",
        "password changed page",
        "get",
        (*VIEW, 200),
        target="none",
    ),
    Row("health", "health check", "get", (200,) * 8, target="none"),
]

CELLS = [
    pytest.param(row, role, expected, id=f"{row.url_name}-{row.action}-{role}")
    for row in MATRIX
    for role, expected in zip(ROLES, row.expected, strict=True)
]


@pytest.fixture
def owner(db):
    """A staff user who owns the obligation without being a member of department A."""
    return UserFactory(username="owner", first_name="赵责任人", groups=["staff"])


@pytest.fixture
def two_counties(db, obligation, staff_a, staff_b, owner, supervisor, leader):
    """The obligation's report, departments and people belong to county A; a
    county B with its own supervisor exists beside it."""
    county_a = Organization.objects.add_root({"name": "甲县"})
    county_b = Organization.objects.add_root({"name": "乙县"})
    Report.objects.update(organization_unit=county_a)
    Department.objects.update(organization=county_a)
    for user in (staff_a, staff_b, owner, supervisor, leader):
        AccountProfile.objects.update_or_create(
            user=user, defaults={"organization": county_a}
        )
    other = UserFactory(
        username="other_county", first_name="外县督查", groups=["supervisor"]
    )
    AccountProfile.objects.create(user=other, organization=county_b)
    return county_a, county_b


def _user(request, role):
    if role == "other_organization":
        return get_user_model().objects.get(username="other_county")
    fixture = {
        "owning_staff": "staff_a",
        "owner": "owner",
        "other_staff": "staff_b",
        "supervisor": "supervisor",
        "admin": "tracker_admin",
        "leader": "leader",
    }[role]
    return request.getfixturevalue(fixture)


def _url(
    row,
    obligation,
    evidence,
    notice,
    notification,
    extension,
    followup,
    part,
    chase,
    job=None,
    instruction=None,
    org_supervision=None,
):
    pk = {
        "organization": obligation.report.organization_unit_id,
        "org_supervision": org_supervision.pk if org_supervision else None,
        "job": job.pk if job else None,
        "instruction": instruction.pk if instruction else None,
        "part": part.pk if part else None,
        "chase": chase.pk if chase else None,
        "followup": followup.pk if followup else None,
        "notification": notification.pk if notification else None,
        "obligation": obligation.pk,
        "notice": notice.pk if notice else None,
        "evidence": evidence.pk if evidence else None,
        "extension": extension.pk if extension else None,
        "report": obligation.report_id,
        "department": obligation.department_id,
        "none": None,
    }[row.target]
    args = [] if pk is None else [pk]
    return reverse(f"tracker:{row.url_name}", args=args)


def _next_years_item(obligation):
    """A work item of the obligation's organization's report of the next year."""
    report = obligation.report
    later = ReportFactory(organization=report.organization, year=report.year + 1)
    Report.objects.filter(pk=later.pk).update(
        organization_unit=report.organization_unit_id
    )
    return ObligationFactory(report=later)


def _payload(row, obligation, later, part, department_b):
    data = {"version": part.version if part else obligation.version, **row.data}
    if row.url_name == "notice_signature":
        data["signed_on"] = timezone.localdate().isoformat()
    if data.get("department") == "B":
        data["department"] = department_b.pk
    if later is not None:
        data["later"] = later.pk
    if row.task:
        data["problem"] = ObligationFactory(
            report=obligation.report,
            section=obligation.section,
            kind=Obligation.Kind.PROBLEM,
        ).pk
    if row.url_name == "report_carry_over":
        data["obligations"] = [obligation.pk]
    if row.url_name == "report_followups_decide":
        data[f"pair-{obligation.pk}-{later.pk}"] = "confirm"
    if row.url_name in ("evidence_upload", "part_evidence_upload"):
        data["file"] = SimpleUploadedFile("工作台账.pdf", PDF)
    return data


@pytest.mark.parametrize(("row", "role", "expected"), CELLS)
def test_permission_matrix_cell(
    request,
    client,
    obligation,
    staff_a,
    staff_b,
    owner,
    two_counties,
    row,
    role,
    expected,
):
    Obligation.objects.filter(pk=obligation.pk).update(
        owner=owner,
        due_date=row.due_date,
        kind=Obligation.Kind.TASK if row.task or row.followup else obligation.kind,
    )
    obligation = Obligation.objects.select_related("report").get(pk=obligation.pk)
    later = _next_years_item(obligation) if row.followup else None
    followup = None
    if row.target == "followup":
        followup = followup_confirm(
            earlier=obligation, later=later, user=request.getfixturevalue("supervisor")
        )
    evidence = upload(obligation, staff_a) if row.evidence else None
    notice = None
    if row.target == "notice":
        notice = obligation_set_supervision(
            obligation=obligation,
            user=request.getfixturevalue("supervisor"),
            level=Obligation.SupervisionLevel.RED,
            note="逾期未办",
        ).new_notice
    extension = (
        ExtensionRequest.objects.create(
            obligation=obligation,
            requested_by=staff_a,
            previous_due_date=row.due_date,
            requested_due_date=row.due_date + timedelta(days=30),
            reason="需要补充调研",
        )
        if row.extension
        else None
    )
    obligation = set_status(obligation, row.status)
    part = None
    if row.part:
        part = Part.objects.create(
            obligation=obligation,
            department=staff_b.departments.get(),
            status=row.part,
        )
    chase = None
    if row.chase:
        chase = obligation_chase(
            obligation=obligation,
            user=request.getfixturevalue("supervisor"),
            note="请加快进度",
        )
    instruction = None
    if row.target == "instruction":
        instruction = instruction_write(
            obligation=obligation,
            user=request.getfixturevalue("leader"),
            text="请抓紧落实",
        )
    org_supervision = None
    if row.target == "org_supervision":
        org_supervision = organization_chase(
            organization=two_counties[0],
            user=request.getfixturevalue("tracker_admin"),
            note="请加快进度",
        )
    if row.schedule:
        Schedule.objects.create(
            report=obligation.report, starts_on=timezone.localdate(), day=28
        )
    if row.closed:
        Report.objects.filter(pk=obligation.report_id).update(
            closed_at=timezone.now(), closed_by=request.getfixturevalue("supervisor")
        )
    user = None
    if role != "anonymous":
        user = _user(request, role)
        client.force_login(user)
    notification = None
    if row.target == "notification":
        notification = Notification.objects.create(
            recipient=user or staff_a, obligation=obligation, kind="assigned", text="x"
        )
    job = None
    if row.target == "job":
        job = Job.objects.create(
            kind=Job.Kind.EXPORT, user=staff_a, status=Job.Status.DONE
        )
        job.result.save("obligations.csv", ContentFile(b"code\n1.1\n"))
    url = _url(
        row,
        obligation,
        evidence,
        notice,
        notification,
        extension,
        followup,
        part,
        chase,
        job,
        instruction,
        org_supervision,
    )
    updates_before = ProgressUpdate.objects.count()
    evidence_before = list(Evidence.objects.values_list("pk", "withdrawn_at"))

    if row.method == "get":
        response = client.get(url)
    else:
        response = client.post(
            url, _payload(row, obligation, later, part, staff_b.departments.get())
        )

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
        return
    assert response.status_code == expected, response.content[:500]
    after = Obligation.objects.get(pk=obligation.pk)
    if row.method == "post" and expected == 302 and row.redirect_to == "report":
        assert response["Location"] == obligation.report.get_absolute_url()
        if row.report_event:
            assert ReportEvent.objects.get().user == user
        else:
            latest = ProgressUpdate.objects.order_by("-pk").first()
            assert ProgressUpdate.objects.count() > updates_before
            assert latest.author == user
    elif row.method == "post" and expected == 302 and row.redirect_to == "job":
        started = Job.objects.get()
        assert response["Location"] == started.get_absolute_url()
        assert started.user == user
    elif row.method == "post" and expected == 302 and row.target == "organization":
        assert response["Location"] == reverse(row.redirect_to)
        sent = OrganizationSupervision.objects.get()
        assert (sent.organization, sent.sent_by) == (two_counties[0], user)
    elif row.method == "post" and expected == 302 and row.target == "org_supervision":
        assert response["Location"] == org_supervision.get_absolute_url()
        org_supervision.refresh_from_db()
        assert org_supervision.answered_by == user
    elif row.method == "post" and row.target in ("organization", "org_supervision"):
        assert not OrganizationSupervision.objects.filter(
            answered_at__isnull=False
        ).exists()
        assert OrganizationSupervision.objects.count() == (1 if org_supervision else 0)
    elif row.method == "post" and expected == 302 and row.redirect_to:
        assert response["Location"] == reverse(row.redirect_to)
    elif row.method == "post" and expected == 302:
        assert response["Location"] == obligation.get_absolute_url()
        latest = ProgressUpdate.objects.order_by("-pk").first()
        assert ProgressUpdate.objects.count() > updates_before
        assert latest.author == user
    elif row.method == "post":
        assert ReportEvent.objects.exclude(action="archived").count() == 0
        assert ProgressUpdate.objects.count() == updates_before
        assert after.version == obligation.version
        assert after.status == obligation.status
        evidence_after = list(Evidence.objects.values_list("pk", "withdrawn_at"))
        assert evidence_after == evidence_before


def _url_names(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):  # include(): the routes below a prefix
            yield from _url_names(pattern.url_patterns)
        else:
            yield pattern.name


def test_every_tracker_url_has_a_row_in_the_matrix():
    names = set(_url_names(tracker.urls.urlpatterns))
    covered = {row.url_name for row in MATRIX}
    assert names - covered == set(), "add these URLs to MATRIX"
    assert covered - names == set(), "MATRIX names URLs that do not exist"


def test_every_row_has_a_cell_for_every_role():
    assert all(len(row.expected) == len(ROLES) for row in MATRIX)

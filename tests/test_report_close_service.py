"""Closing a report (年终归档): report_close / report_reopen, and every write path
refused on a closed report's obligations with the message and nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.seed_report import SEED
from tests.workflow_helpers import PDF, approve, every_write_scene, set_status
from tracker import importing
from tracker.models import (
    Evidence,
    ExtensionRequest,
    Obligation,
    ProgressUpdate,
    Report,
    ReportEvent,
    SupervisionNotice,
)
from tracker.services import reminders
from tracker.services.common import ReportClosedError, ServiceError
from tracker.services.evidence import (
    evidence_edit_note,
    evidence_upload,
    evidence_withdraw,
)
from tracker.services.importing import report_import, report_import_check
from tracker.services.reports import report_close, report_reopen
from tracker.services.supervision import (
    notice_reply,
    obligation_escalate_by_rule,
    obligation_set_supervision,
)
from tracker.services.workflow import (
    extension_decide,
    extension_request,
    obligation_acknowledge,
    obligation_add_note,
    obligation_assign,
    obligation_confirm_link,
    obligation_edit,
    obligation_set_addresses,
    obligation_transition,
)


def close(report, user, reason="年度工作已归档"):
    return report_close(report=report, user=user, reason=reason)


def test_closing_records_who_when_and_why(obligation, supervisor):
    report = close(obligation.report, supervisor)

    report.refresh_from_db()
    assert report.is_closed
    assert report.closed_by == supervisor
    event = ReportEvent.objects.get(report=report)
    assert (event.action, event.user, event.reason) == (
        ReportEvent.Action.CLOSED,
        supervisor,
        "年度工作已归档",
    )
    assert event.created_at == report.closed_at


def test_reopening_needs_a_reason_and_is_recorded(obligation, supervisor):
    report = close(obligation.report, supervisor)

    with pytest.raises(ServiceError, match="理由"):
        report_reopen(report=report, user=supervisor, reason="  ")
    assert Report.objects.get(pk=report.pk).is_closed

    report_reopen(report=report, user=supervisor, reason="补录一份佐证材料")
    report.refresh_from_db()
    assert not report.is_closed and report.closed_by is None
    assert list(
        ReportEvent.objects.filter(report=report)
        .order_by("pk")
        .values_list("action", "reason")
    ) == [("closed", "年度工作已归档"), ("reopened", "补录一份佐证材料")]


@pytest.mark.parametrize("role", ["staff_a", "staff_b"])
def test_staff_cannot_close_or_reopen(request, obligation, supervisor, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        close(obligation.report, user)
    close(obligation.report, supervisor)
    with pytest.raises(PermissionDenied):
        report_reopen(report=obligation.report, user=user, reason="x")
    assert ReportEvent.objects.count() == 1


def test_closing_twice_and_reopening_an_open_report_are_refused(obligation, supervisor):
    with pytest.raises(ServiceError, match="未关闭"):
        report_reopen(report=obligation.report, user=supervisor, reason="x")
    close(obligation.report, supervisor)
    with pytest.raises(ServiceError, match="已经关闭"):
        close(obligation.report, supervisor)
    assert ReportEvent.objects.count() == 1


def test_an_admin_may_close_and_reopen(obligation, tracker_admin):
    close(obligation.report, tracker_admin)
    report_reopen(report=obligation.report, user=tracker_admin, reason="更正")
    assert ReportEvent.objects.count() == 2


# --- Every write path, refused on a closed report -------------------------------


@pytest.fixture
def scene(obligation, staff_a, supervisor, tracker_admin):
    return {
        **every_write_scene(obligation, staff_a, supervisor),
        "staff": staff_a,
        "supervisor": supervisor,
        "admin": tracker_admin,
    }


def _task(s):
    Obligation.objects.filter(pk=s["obligation"].pk).update(kind=Obligation.Kind.TASK)
    s["obligation"].refresh_from_db()
    return s["obligation"]


WRITES = {
    "start": lambda s: obligation_transition(
        obligation=s["obligation"], user=s["staff"], to_status="in_progress"
    ),
    "approve": lambda s: approve(s["obligation"], s["supervisor"]),
    "reopen an obligation": lambda s: obligation_transition(
        obligation=s["obligation"],
        user=s["supervisor"],
        to_status="in_progress",
        note="复查",
    ),
    "assign": lambda s: obligation_assign(
        obligation=s["obligation"],
        user=s["supervisor"],
        due_date=timezone.localdate() + timedelta(days=90),
    ),
    "supervision": lambda s: obligation_set_supervision(
        obligation=s["obligation"], user=s["supervisor"], level="red", note="逾期"
    ),
    "escalation rule": lambda s: obligation_escalate_by_rule(
        obligation=s["obligation"], level="red", note="超期"
    ),
    "edit text": lambda s: obligation_edit(
        obligation=s["obligation"], user=s["admin"], title="新标题", body="新正文"
    ),
    "set links": lambda s: obligation_set_addresses(
        obligation=_task(s), user=s["admin"], problems=[s["problem"]]
    ),
    "confirm link": lambda s: obligation_confirm_link(
        obligation=_task(s), user=s["supervisor"], problem=s["problem"]
    ),
    "note": lambda s: obligation_add_note(
        obligation=s["obligation"], user=s["staff"], text="进展"
    ),
    "acknowledge": lambda s: obligation_acknowledge(
        obligation=s["obligation"], user=s["staff"], version=None
    ),
    "request extension": lambda s: extension_request(
        obligation=s["obligation"],
        user=s["staff"],
        requested_due_date=timezone.localdate() + timedelta(days=200),
        reason="再延期",
    ),
    "decide extension": lambda s: extension_decide(
        extension=s["extension"], user=s["supervisor"], approve=True
    ),
    "reply to notice": lambda s: notice_reply(
        notice=s["notice"], user=s["staff"], text="已整改"
    ),
    "upload evidence": lambda s: evidence_upload(
        obligation=s["obligation"],
        user=s["staff"],
        file=SimpleUploadedFile("补充.pdf", PDF),
    ),
    "withdraw evidence": lambda s: evidence_withdraw(
        evidence=s["evidence"], user=s["staff"], reason="传错"
    ),
    "edit evidence note": lambda s: evidence_edit_note(
        evidence=s["evidence"], user=s["admin"], note="更正说明"
    ),
}


# What a write path needs beyond the scene, set up before anything is compared.
PREPARE = {
    "approve": lambda s: set_status(s["obligation"], Obligation.Status.SUBMITTED),
    "reopen an obligation": lambda s: set_status(
        s["obligation"], Obligation.Status.DONE
    ),
    # One pending request at a time: the scene's is decided first.
    "request extension": lambda s: ExtensionRequest.objects.filter(
        pk=s["extension"].pk
    ).update(status=ExtensionRequest.Status.REFUSED),
}


def _write(name, scene):
    WRITES[name](scene)


def _state(obligation):
    """Everything a write could change, as a comparable value."""
    return (
        list(Obligation.objects.values_list("pk", "version", "status", "title")),
        ProgressUpdate.objects.count(),
        list(Evidence.objects.values_list("pk", "withdrawn_at", "note")),
        list(ExtensionRequest.objects.values_list("pk", "status")),
        list(SupervisionNotice.objects.values_list("pk", "reply")),
        list(obligation.addresses.values_list("pk", flat=True)),
        Obligation.history.count(),
        Evidence.history.count(),
    )


@pytest.mark.parametrize("name", WRITES)
def test_a_closed_reports_obligations_refuse_every_write(
    scene, supervisor, settings, name
):
    close(scene["obligation"].report, supervisor)
    PREPARE.get(name, lambda s: None)(scene)
    files_before = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*"))
    before = _state(scene["obligation"])

    with pytest.raises(ReportClosedError) as error:
        _write(name, scene)

    message = str(error.value)
    assert "已于" in message and "由王督查关闭" in message
    assert "只读" in message and "未保存任何内容" in message
    assert _state(scene["obligation"]) == before
    assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*")) == files_before


@pytest.mark.parametrize("name", WRITES)
def test_the_same_writes_work_once_the_report_is_reopened(scene, supervisor, name):
    close(scene["obligation"].report, supervisor)
    report_reopen(report=scene["obligation"].report, user=supervisor, reason="补录")
    PREPARE.get(name, lambda s: None)(scene)
    before = _state(scene["obligation"])
    _write(name, scene)
    assert _state(scene["obligation"]) != before


def test_reimporting_a_closed_report_is_refused(db, supervisor):
    tree = importing.parse_report_file(SEED)
    report = report_import(tree=tree).report
    close(report, supervisor)
    before = list(Obligation.objects.values_list("pk", "title", "body"))

    with pytest.raises(ServiceError, match="已关闭"):
        report_import(tree=tree)
    # The dry run and the admin's Preview ask the same check.
    with pytest.raises(ServiceError, match="已关闭"):
        report_import_check(tree=tree)
    assert list(Obligation.objects.values_list("pk", "title", "body")) == before


def test_reminders_skip_a_closed_reports_obligations(scene, supervisor):
    obligation = scene["obligation"]
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=timezone.localdate() - timedelta(days=30)
    )
    day = timezone.localdate()
    assert reminders.plan(day).line_count > 0

    close(obligation.report, supervisor)

    planned = reminders.plan(day)
    assert planned.line_count == 0
    assert planned.escalations == []

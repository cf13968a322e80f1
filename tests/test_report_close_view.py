"""The report page's year-end section (close, reopen, download the archive), the
closed banner, and every form of a closed report's obligations refused over HTTP."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.job_helpers import job_file, job_page, start_job, zip_names
from tests.pages import parse, text
from tests.workflow_helpers import PDF, every_write_scene, set_status, upload
from tracker.models import (
    Evidence,
    ExtensionRequest,
    Obligation,
    ProgressUpdate,
    Report,
    ReportEvent,
)
from tracker.services.reports import report_close


def _client(client, user):
    client.force_login(user)
    return in_english(client)


def _post_forms(page):
    """The actions of the POST forms in the page's content (not the header's)."""
    return parse(page).xpath("//main//form[@method='post']/@action") or parse(
        page
    ).xpath("//article//form[@method='post']/@action")


def _close(report, user):
    return report_close(report=report, user=user, reason="年度归档")


def test_supervisor_closes_the_report_from_its_page(client, obligation, supervisor):
    client = _client(client, supervisor)
    url = obligation.report.get_absolute_url()
    page = client.get(url).content.decode()
    assert reverse("tracker:report_close", args=[obligation.report_id]) in page

    response = client.post(
        reverse("tracker:report_close", args=[obligation.report_id]),
        {"reason": "年度工作已归档"},
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "The report is closed: its obligations are read-only." in page
    banner = text(parse(page).xpath("//*[@id='closed']")[0])
    assert "closed on" in banner and "王督查" in banner
    assert reverse("tracker:report_reopen", args=[obligation.report_id]) in page
    assert reverse("tracker:report_close", args=[obligation.report_id]) not in page
    log = text(parse(page).xpath("//ul[@class='report-log']")[0])
    assert "王督查" in log and "年度工作已归档" in log
    assert Report.objects.get(pk=obligation.report_id).is_closed


def test_reopening_without_a_reason_is_refused_with_the_form(
    client, obligation, supervisor
):
    _close(obligation.report, supervisor)
    client = _client(client, supervisor)

    response = client.post(
        reverse("tracker:report_reopen", args=[obligation.report_id]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Report.objects.get(pk=obligation.report_id).is_closed


def test_reopening_with_a_reason_opens_the_report(client, obligation, supervisor):
    _close(obligation.report, supervisor)
    client = _client(client, supervisor)

    response = client.post(
        reverse("tracker:report_reopen", args=[obligation.report_id]),
        {"reason": "补录佐证材料"},
        follow=True,
    )

    assert "The report is reopened" in response.content.decode()
    assert not Report.objects.get(pk=obligation.report_id).is_closed
    assert ReportEvent.objects.order_by("-pk").first().reason == "补录佐证材料"


def test_closing_a_closed_report_again_says_so(client, obligation, supervisor):
    _close(obligation.report, supervisor)
    client = _client(client, supervisor)
    response = client.post(
        reverse("tracker:report_close", args=[obligation.report_id]),
        {"reason": "再次归档"},
    )
    assert response.status_code == 400
    assert "is already closed" in response.content.decode()
    assert ReportEvent.objects.count() == 1


def test_staff_see_no_year_end_forms(client, obligation, staff_a):
    page = _client(client, staff_a).get(obligation.report.get_absolute_url())
    content = page.content.decode()
    assert "report_close" not in content
    assert reverse("tracker:report_close", args=[obligation.report_id]) not in content
    assert reverse("tracker:report_archive", args=[obligation.report_id]) not in content


def test_supervisor_downloads_the_archive_with_a_chinese_name(
    client, obligation, staff_a, supervisor
):
    upload(obligation, staff_a, name="会议纪要.pdf")
    client = _client(client, supervisor)

    job = start_job(
        client,
        reverse("tracker:report_archive", args=[obligation.report_id]),
    )

    page = job_page(client, job).content.decode()
    assert "Download 测试县2022年一事一档" in page
    response, data = job_file(client, job)
    assert response["Content-Type"] == "application/zip"
    disposition = unquote(response["Content-Disposition"])
    assert "测试县2022年一事一档" in disposition
    names = zip_names(data)
    assert any(name.endswith("佐证材料/会议纪要.pdf") for name in names)
    assert "manifest.json" in names
    event = ReportEvent.objects.get()
    assert (event.action, event.user) == ("archived", supervisor)


def test_a_missing_evidence_file_is_said_on_the_jobs_page(
    client, obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a)
    evidence.file.storage.delete(evidence.file.name)
    client = _client(client, supervisor)

    job = start_job(
        client,
        reverse("tracker:report_archive", args=[obligation.report_id]),
    )

    page = job_page(client, job).content.decode()
    assert "1 evidence files could not be archived as uploaded" in page
    assert 'id="job-download"' in page


# --- The obligation page of a closed report ----------------------------------------


def test_obligation_page_of_a_closed_report_has_the_banner_and_no_forms(
    client, obligation, staff_a, supervisor
):
    upload(obligation, staff_a)
    _close(obligation.report, supervisor)

    for user in (staff_a, supervisor):
        page = _client(client, user).get(obligation.get_absolute_url())
        content = page.content.decode()
        assert "Closed: read-only" in content
        article_forms = parse(content).xpath("//article//form")
        assert article_forms == [], user
        # Evidence stays downloadable.
        assert reverse(
            "tracker:evidence_download", args=[Evidence.objects.get().pk]
        ) in (content)


def test_closed_page_does_not_tell_the_departments_staff_they_lack_the_role(
    client, obligation, staff_a, supervisor
):
    # Without forms the page used to add "only the staff of its department and
    # the supervisors can change it", read by that very staff: the banner says why.
    _close(obligation.report, supervisor)

    for user in (staff_a, supervisor):
        page = _client(client, user).get(obligation.get_absolute_url())

        content = page.content.decode()
        assert "Closed: read-only" in content
        assert "only the staff of its department" not in content, user


def test_my_work_offers_no_acknowledge_button_on_a_closed_report(
    client, obligation, staff_a, supervisor
):
    Obligation.objects.filter(pk=obligation.pk).update(
        department_assigned_at=timezone.now()
    )
    url = reverse("tracker:obligation_acknowledge", args=[obligation.pk])
    assert (
        url in _client(client, staff_a).get(reverse("tracker:my_work")).content.decode()
    )
    _close(obligation.report, supervisor)
    assert url not in client.get(reverse("tracker:my_work")).content.decode()


# --- Every form, posted anyway, is refused with the message --------------------------


@pytest.fixture
def closed_scene(obligation, staff_a, supervisor):
    scene = every_write_scene(obligation, staff_a, supervisor)
    _close(obligation.report, supervisor)
    scene["obligation"].refresh_from_db()
    return scene


# (URL name, whose pk, who posts, data, status before)
FORMS = {
    "start": ("obligation_status", "obligation", "staff", {"status": "in_progress"}),
    "approve": (
        "obligation_status",
        "obligation",
        "supervisor",
        {"status": "done", "rating": "good"},
    ),
    "note": ("obligation_add_note", "obligation", "staff", {"text": "进展"}),
    "upload": ("evidence_upload", "obligation", "staff", {"note": "补充"}),
    "withdraw": ("evidence_withdraw", "evidence", "staff", {"reason": "传错"}),
    "assign": (
        "obligation_assign",
        "obligation",
        "supervisor",
        {"due_date": "2031-06-30", "note": "调整"},
    ),
    "supervision": (
        "obligation_supervision",
        "obligation",
        "supervisor",
        {"level": "red", "note": "逾期"},
    ),
    "acknowledge": ("obligation_acknowledge", "obligation", "staff", {}),
    "extension": (
        "extension_request",
        "obligation",
        "staff",
        {"requested_due_date": "2031-07-31", "reason": "再延期"},
    ),
    "decide extension": (
        "extension_decide",
        "extension",
        "supervisor",
        {"decision": "approve"},
    ),
    "reply to notice": ("notice_reply", "notice", "staff", {"text": "已整改"}),
    "confirm link": ("obligation_confirm_link", "obligation", "supervisor", {}),
}


@pytest.mark.parametrize("name", FORMS)
def test_every_form_of_a_closed_report_is_refused_with_the_message(
    request, client, closed_scene, name
):
    url_name, target, role, data = FORMS[name]
    obligation = closed_scene["obligation"]
    if name == "approve":
        set_status(obligation, Obligation.Status.SUBMITTED)
    if name == "confirm link":
        Obligation.objects.filter(pk=obligation.pk).update(kind=Obligation.Kind.TASK)
        data = {"problem": closed_scene["problem"].pk}
    user = request.getfixturevalue("staff_a" if role == "staff" else "supervisor")
    if name == "extension":
        ExtensionRequest.objects.update(
            status=ExtensionRequest.Status.REFUSED,
            decided_by=request.getfixturevalue("supervisor"),
            decided_at=timezone.now(),
            decision_reason="理由不充分",
        )
    payload = {"version": obligation.version, **data}
    if name == "upload":
        payload["file"] = SimpleUploadedFile("补充.pdf", PDF)
    before = (
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        list(Obligation.objects.values_list("version", "status")),
        list(Evidence.objects.values_list("withdrawn_at", flat=True)),
        list(ExtensionRequest.objects.values_list("status", flat=True)),
        Obligation.history.count(),
    )

    response = _client(client, user).post(
        reverse(f"tracker:{url_name}", args=[closed_scene[target].pk]), payload
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "was closed on" in content
    assert "read-only and nothing was saved" in content
    assert (
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        list(Obligation.objects.values_list("version", "status")),
        list(Evidence.objects.values_list("withdrawn_at", flat=True)),
        list(ExtensionRequest.objects.values_list("status", flat=True)),
        Obligation.history.count(),
    ) == before

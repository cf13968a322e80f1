"""Closing a year with open work (issue 23, item 2): the report page shows what is
still open, a close needs a reason, and a closed year's items leave the queues and
stop counting down."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse
from tests.workflow_helpers import every_write_scene, set_status
from tracker.models import Obligation, Report, ReportEvent
from tracker.services.common import ServiceError
from tracker.services.reports import report_close

S = Obligation.Status


def _client(client, user):
    client.force_login(user)
    return in_english(client)


def _close_url(report):
    return reverse("tracker:report_close", args=[report.pk])


def test_closing_without_a_reason_is_refused_and_the_report_stays_open(
    client, obligation, supervisor
):
    response = _client(client, supervisor).post(
        _close_url(obligation.report), {"reason": "  "}
    )

    assert response.status_code == 400
    assert "A reason is required to close a report" in response.content.decode()
    assert not Report.objects.get(pk=obligation.report_id).is_closed
    assert ReportEvent.objects.count() == 0


def test_the_close_service_refuses_an_empty_reason(obligation, supervisor):
    with pytest.raises(ServiceError, match="须说明理由"):
        report_close(report=obligation.report, user=supervisor, reason="")
    assert not Report.objects.get(pk=obligation.report_id).is_closed


def test_closing_with_a_reason_closes_and_records_it(client, obligation, supervisor):
    response = _client(client, supervisor).post(
        _close_url(obligation.report), {"reason": "未完成事项已结转2023年"}
    )

    assert response.status_code == 302
    assert Report.objects.get(pk=obligation.report_id).is_closed
    assert ReportEvent.objects.get().reason == "未完成事项已结转2023年"


def test_report_page_shows_what_is_still_open_before_closing(
    client, obligation, staff_a, supervisor
):
    every_write_scene(obligation, staff_a, supervisor)
    ObligationFactory(report=obligation.report, status=S.SUBMITTED)
    ObligationFactory(report=obligation.report, status=S.DONE)

    page = parse(_client(client, supervisor).get(obligation.report.get_absolute_url()))

    summary = page.xpath("//*[@id='open-summary']")[0]
    counts = {
        li.get("data-status") or li.get("data-open"): li.xpath("string(.//strong)")
        for li in summary.xpath(".//li")
    }
    # The obligation and the scene's problem are not started, one item waits for
    # review; the done one is not open.
    assert counts == {
        "not_started": "2",
        "submitted": "1",
        "pending_extensions": "1",
        "unanswered_notices": "1",
    }


def test_staff_see_no_open_summary(client, obligation, staff_a):
    page = _client(client, staff_a).get(obligation.report.get_absolute_url())
    assert b'id="open-summary"' not in page.content


def _queue_rows(client):
    page = parse(client.get(reverse("tracker:my_work")))
    return {
        int(pk) for pk in page.xpath("//section[contains(@class,'queue')]//tr/@data-pk")
    }


def test_closed_reports_items_leave_the_supervisors_queue_on_my_work(
    client, obligation, supervisor
):
    set_status(obligation, S.SUBMITTED)
    client = _client(client, supervisor)
    assert obligation.pk in _queue_rows(client)

    client.post(_close_url(obligation.report), {"reason": "年度归档"})

    assert Report.objects.get(pk=obligation.report_id).is_closed
    assert obligation.pk not in _queue_rows(client)


def test_closed_reports_items_leave_the_staffs_list_on_my_work(
    client, obligation, staff_a, supervisor
):
    client = _client(client, staff_a)
    url = obligation.get_absolute_url()
    assert url in client.get(reverse("tracker:my_work")).content.decode()

    report_close(report=obligation.report, user=supervisor, reason="年度归档")

    assert url not in client.get(reverse("tracker:my_work")).content.decode()


def test_closed_reports_items_show_no_countdown(client, obligation, supervisor):
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=timezone.localdate() + timedelta(days=30)
    )
    client = _client(client, supervisor)
    assert b"data-countdown" in client.get(obligation.get_absolute_url()).content

    report_close(report=obligation.report, user=supervisor, reason="年度归档")

    assert b"data-countdown" not in client.get(obligation.get_absolute_url()).content
    listed = client.get(
        reverse("tracker:obligation_list") + f"?report={obligation.report_id}"
    )
    assert b"data-countdown" not in listed.content

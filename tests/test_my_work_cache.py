"""/my/'s cached body (``selectors.worklists.my_work_cache_key``): each reader sees
their own work, and a write through a service, a change of their departments or of
what they own, and a new day show at the next GET."""

import datetime

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tracker.models import Obligation, Schedule
from tracker.services.schedules import progress_report_file, schedule_save
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import (
    obligation_acknowledge,
    obligation_assign,
    obligation_transition,
)

S = Obligation.Status
URL = reverse("tracker:my_work")


def _page(client, user, url=URL):
    client.force_login(user)
    response = in_english(client).get(url)
    assert response.status_code == 200
    return parse(response)


def _rows(page, status):
    """The titles in the card of one status group ([] without that group)."""
    return [
        text(link)
        for link in page.xpath(
            "//section[@id=$id]//tbody/tr/td/a", id=f"status-{status}"
        )
    ]


def test_two_users_see_their_own_lists(client, staff_a, staff_b, department_a):
    ObligationFactory(department=department_a, title="司法局的事")
    ObligationFactory(department=staff_b.departments.get(), title="政务办的事")
    for _ in range(2):  # computed, then from the cache
        assert _rows(_page(client, staff_a), S.NOT_STARTED) == ["司法局的事"]
        assert _rows(_page(client, staff_b), S.NOT_STARTED) == ["政务办的事"]


def test_a_status_change_through_a_service_shows_at_the_next_get(
    client, staff_a, obligation
):
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == [obligation.title]
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)
    page = _page(client, staff_a)
    assert _rows(page, S.NOT_STARTED) == []
    assert _rows(page, S.IN_PROGRESS) == [obligation.title]


def test_an_acknowledgement_through_a_service_shows_at_the_next_get(
    client, staff_a, obligation
):
    assert "Acknowledge (签收)" in text(_page(client, staff_a))
    obligation_acknowledge(obligation=obligation, user=staff_a, version=None)
    page = _page(client, staff_a)
    assert "Acknowledge (签收)" not in text(page)
    assert "Acknowledged" in text(page)


def test_joining_and_leaving_a_department_show_at_the_next_get(
    client, staff_a, department_b
):
    ObligationFactory(department=department_b, title="政务办的事")
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == []
    department_b.members.add(staff_a)
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == ["政务办的事"]
    department_b.members.remove(staff_a)
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == []


def test_owning_an_item_and_giving_it_up_show_at_the_next_get(
    client, staff_a, department_b, supervisor
):
    elsewhere = ObligationFactory(department=department_b, title="别人的事")
    # An owner is one of the department's members when assigned; once they
    # leave it, the item stays theirs as long as they own it.
    department_b.members.add(staff_a)
    obligation_assign(obligation=elsewhere, user=supervisor, owner=staff_a)
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == ["别人的事"]
    department_b.members.remove(staff_a)
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == ["别人的事"]
    obligation_assign(obligation=elsewhere, user=supervisor, owner=None)
    assert _rows(_page(client, staff_a), S.NOT_STARTED) == []


def test_a_new_day_shows_what_became_overdue(client, staff_a, department_a, today_is):
    day = today_is(datetime.date(2026, 3, 2))
    ObligationFactory(department=department_a, due_date=day, title="今天到期")
    assert "overdue" not in text(_page(client, staff_a))
    today_is(day + datetime.timedelta(days=1))
    page = _page(client, staff_a)
    assert "1 overdue" in text(page)
    assert page.xpath("//tr[@class='overdue']/td/a/text()") == ["今天到期"]


def test_a_new_role_shows_at_the_next_get(client, staff_a, department_a):
    page = _page(client, staff_a)
    assert not page.xpath("//*[@id='queue-extensions']")
    staff_a.groups.add(Group.objects.get(name="supervisor"))
    assert _page(client, staff_a).xpath("//*[@id='queue-extensions']")


def test_the_supervisors_queue_shows_an_escalation_at_the_next_get(
    client, supervisor, obligation
):
    def escalated(page):
        return text(page.xpath("//a[@href='#queue-escalated']")[0])

    assert escalated(_page(client, supervisor)).endswith("(0)")
    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="严重滞后",
    )
    assert escalated(_page(client, supervisor)).endswith("(1)")


def test_the_whole_group_and_the_short_one_are_kept_apart(
    client, staff_a, department_a
):
    ObligationFactory.create_batch(
        35, department=department_a, status=S.IN_PROGRESS, due_date="2031-01-01"
    )
    assert len(_rows(_page(client, staff_a), S.IN_PROGRESS)) == 30
    whole = _page(client, staff_a, f"{URL}?group={S.IN_PROGRESS}")
    assert len(_rows(whole, S.IN_PROGRESS)) == 35
    assert len(_rows(_page(client, staff_a), S.IN_PROGRESS)) == 30


def test_the_language_chosen_shows_at_the_next_get(client, staff_a, obligation):
    assert "Acknowledge (签收)" in text(_page(client, staff_a))
    client.cookies["django_language"] = "zh-hans"
    page = parse(client.get(URL))
    assert "Acknowledge (签收)" not in text(page)


def test_a_cached_pages_form_carries_the_readers_own_csrf_token(staff_a, obligation):
    # Two browsers of one person: the second reads the body the first's request
    # cached, and its one-click 签收 must pass the CSRF check with its own token.
    first, second = (Client(enforce_csrf_checks=True) for _ in range(2))
    for browser in (first, second):
        browser.force_login(staff_a)
        in_english(browser)
    first.get(URL)
    page = parse(second.get(URL))
    token = page.xpath("//form//input[@name='csrfmiddlewaretoken']/@value")
    assert token and token[0]
    response = second.post(
        reverse("tracker:obligation_acknowledge", args=[obligation.pk]),
        {
            "version": obligation.version,
            "next": URL,
            "csrfmiddlewaretoken": token[0],
        },
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.acknowledged_at is not None
    assert obligation.acknowledged_by == staff_a
    assert timezone.now() - obligation.acknowledged_at < datetime.timedelta(hours=1)


def test_a_schedule_set_and_a_report_filed_show_at_the_next_get(
    client, staff_a, obligation, tracker_admin, today_is
):
    today_is(datetime.date(2026, 12, 7))

    def owed(page):
        return page.xpath("//li[@data-progress-due=$pk]", pk=str(obligation.pk))

    assert owed(_page(client, staff_a)) == []
    schedule_save(
        schedule=Schedule(
            report=obligation.report, starts_on=datetime.date(2026, 12, 1), day=25
        ),
        user=tracker_admin,
    )
    assert owed(_page(client, staff_a))
    progress_report_file(obligation=obligation, user=staff_a, progress="已完成排查")
    assert owed(_page(client, staff_a)) == []

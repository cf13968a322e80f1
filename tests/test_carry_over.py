"""Carry-over (结转, issue 23 item 2): an unfinished item carried into the next
report, one by one or ticked on the report page; linked both ways, the old one
read-only and counted unfinished, both timelines say so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse
from tests.test_report_close_service import PREPARE, WRITES, _state
from tests.workflow_helpers import every_write_scene, set_status
from tracker.models import Notification, Obligation, ProgressUpdate
from tracker.selectors.assessment import department_indicators
from tracker.services import reminders
from tracker.services.common import CarriedOverError, ServiceError
from tracker.services.workflow import obligation_add_note
from tracker.services.years import obligation_carry_over

S = Obligation.Status


@pytest.fixture
def later_report(obligation):
    report = obligation.report
    return ReportFactory(organization=report.organization, year=report.year + 1)


def _client(client, user):
    client.force_login(user)
    return in_english(client)


def test_carrying_over_makes_a_linked_item_in_the_next_report(
    obligation, later_report, supervisor
):
    set_status(obligation, S.IN_PROGRESS)

    successor = obligation_carry_over(obligation=obligation, user=supervisor)

    obligation.refresh_from_db()
    assert obligation.carried_into == successor
    assert successor.carried_from == obligation
    assert successor.report == later_report
    assert successor.code == f"{obligation.report.year}·{obligation.code}"
    assert (successor.title, successor.department) == (
        obligation.title,
        obligation.department,
    )
    assert successor.status == S.IN_PROGRESS
    # The old one keeps what it reached: not done.
    assert obligation.status == S.IN_PROGRESS


def test_both_timelines_say_so(obligation, later_report, supervisor):
    successor = obligation_carry_over(obligation=obligation, user=supervisor)

    old_entry = obligation.updates.get(action=ProgressUpdate.Action.CARRY_OVER)
    new_entry = successor.updates.get(action=ProgressUpdate.Action.CARRY_OVER)
    assert str(later_report.year) in old_entry.text and successor.code in old_entry.text
    assert str(obligation.report.year) in new_entry.text
    assert old_entry.author == new_entry.author == supervisor
    assert obligation.history.first().history_user == supervisor


def test_the_unit_hears_its_item_goes_on_in_the_next_report(
    obligation, later_report, supervisor, staff_a, staff_b
):
    successor = obligation_carry_over(obligation=obligation, user=supervisor)

    (note,) = Notification.objects.filter(recipient=staff_a)
    assert note.obligation == successor
    assert note.kind == Notification.Kind.ASSIGNED
    assert "结转至" in note.text and str(later_report.year) in note.text
    assert successor.code in note.text
    # Another unit and the supervisor who acted hear nothing.
    assert not Notification.objects.filter(recipient__in=[staff_b, supervisor])


def test_a_carried_over_item_is_read_only(
    obligation, later_report, supervisor, staff_a
):
    obligation_carry_over(obligation=obligation, user=supervisor)

    with pytest.raises(CarriedOverError, match="已结转"):
        obligation_add_note(obligation=obligation, user=staff_a, text="继续推进")
    assert not obligation.updates.filter(action=ProgressUpdate.Action.COMMENT).exists()


def test_a_finished_item_is_not_carried_over(obligation, later_report, supervisor):
    set_status(obligation, S.DONE)
    with pytest.raises(ServiceError, match="已完成的事项不结转"):
        obligation_carry_over(obligation=obligation, user=supervisor)
    assert not Obligation.objects.filter(report=later_report).exists()


def test_without_a_next_report_nothing_is_carried(obligation, supervisor):
    with pytest.raises(ServiceError, match="尚无下一年度报告"):
        obligation_carry_over(obligation=obligation, user=supervisor)
    obligation.refresh_from_db()
    assert obligation.carried_into is None


def test_the_ranking_counts_the_carried_item_as_not_finished(
    obligation, later_report, supervisor, department_a
):
    obligation_carry_over(obligation=obligation, user=supervisor)

    rows = department_indicators(report=obligation.report)
    row = next(r for r in rows if r.department == department_a)
    assert (row.assigned, row.finished) == (1, 0)


def test_a_carried_item_leaves_my_work_and_shows_no_countdown(
    client, obligation, later_report, supervisor, staff_a
):
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=timezone.localdate() + timedelta(days=20)
    )
    successor = obligation_carry_over(obligation=obligation, user=supervisor)
    client = _client(client, staff_a)

    page = parse(client.get(reverse("tracker:my_work")))
    listed = {int(pk) for pk in page.xpath("//tr/@data-pk")}
    assert obligation.pk not in listed and successor.pk in listed
    detail = client.get(obligation.get_absolute_url()).content.decode()
    assert "data-countdown" not in detail
    assert successor.get_absolute_url() in detail


def test_supervisor_carries_an_item_over_from_its_page(
    client, obligation, later_report, supervisor
):
    client = _client(client, supervisor)
    page = client.get(obligation.get_absolute_url()).content.decode()
    url = reverse("tracker:obligation_carry_over", args=[obligation.pk])
    assert url in page

    response = client.post(url, {"version": obligation.version})

    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.carried_into.report == later_report
    followed = client.get(response["Location"]).content.decode()
    assert "Carried over (结转) into the" in followed


def test_a_stale_carry_over_is_refused_with_409(
    client, obligation, later_report, supervisor
):
    response = _client(client, supervisor).post(
        reverse("tracker:obligation_carry_over", args=[obligation.pk]),
        {"version": obligation.version + 5},
    )
    assert response.status_code == 409
    assert not Obligation.objects.filter(report=later_report).exists()


def test_staff_see_no_carry_over_button(client, obligation, later_report, staff_a):
    page = _client(client, staff_a).get(obligation.get_absolute_url())
    assert (
        reverse("tracker:obligation_carry_over", args=[obligation.pk])
        not in page.content.decode()
    )


def test_ticked_items_are_carried_over_from_the_report_page(
    client, obligation, later_report, supervisor
):
    other = ObligationFactory(report=obligation.report, status=S.RETURNED)
    done = ObligationFactory(report=obligation.report, status=S.DONE)
    client = _client(client, supervisor)
    page = parse(client.get(obligation.report.get_absolute_url()))
    offered = {
        int(value)
        for value in page.xpath("//*[@id='carry-over']//input[@type='checkbox']/@value")
    }
    assert offered == {obligation.pk, other.pk}

    response = client.post(
        reverse("tracker:report_carry_over", args=[obligation.report_id]),
        {"obligations": [obligation.pk, other.pk]},
    )

    assert response.status_code == 302
    assert Obligation.objects.filter(report=later_report).count() == 2
    assert not Obligation.objects.get(pk=done.pk).carried_into_id
    page = client.get(response["Location"]).content.decode()
    assert "2 items carried over into the" in page


def test_ticking_nothing_is_refused_with_a_message(
    client, obligation, later_report, supervisor
):
    response = _client(client, supervisor).post(
        reverse("tracker:report_carry_over", args=[obligation.report_id]), {}
    )
    assert response.status_code == 400
    assert "Tick at least one item to carry over." in response.content.decode()
    assert not Obligation.objects.filter(report=later_report).exists()


def test_reimporting_the_next_report_keeps_the_carried_item(db, supervisor):
    earlier = import_2022()
    _result, _later = import_2023()
    successor = obligation_carry_over(obligation=earlier["4.1"], user=supervisor)

    result, _again = import_2023()

    assert successor.code not in result.missing
    successor.refresh_from_db()
    assert successor.missing_since is None
    assert successor.section.code == "结转"


@pytest.fixture
def scene(obligation, staff_a, supervisor, tracker_admin):
    """The close tests' scene: every write path's prerequisites."""
    return {
        **every_write_scene(obligation, staff_a, supervisor),
        "staff": staff_a,
        "supervisor": supervisor,
        "admin": tracker_admin,
    }


@pytest.mark.parametrize("name", WRITES)
def test_a_carried_over_item_refuses_every_write(scene, supervisor, name):
    later = scene["obligation"].report
    ReportFactory(organization=later.organization, year=later.year + 1)
    obligation_carry_over(obligation=scene["obligation"], user=supervisor)
    scene["obligation"].refresh_from_db()
    PREPARE.get(name, lambda s: None)(scene)
    before = _state(scene["obligation"])

    with pytest.raises(CarriedOverError, match="已结转"):
        WRITES[name](scene)

    assert _state(scene["obligation"]) == before


def test_reminders_skip_the_carried_item_and_follow_its_successor(
    obligation, later_report, supervisor
):
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=timezone.localdate() - timedelta(days=30)
    )
    obligation.refresh_from_db()
    day = timezone.localdate()
    assert obligation.pk in _reminded(reminders.plan(day))

    successor = obligation_carry_over(obligation=obligation, user=supervisor)

    reminded = _reminded(reminders.plan(day))
    assert obligation.pk not in reminded
    assert successor.pk in reminded


def _reminded(planned):
    return {line.obligation_id for lines in planned.digests.values() for line in lines}


def test_the_carried_item_names_the_one_it_came_from_and_the_old_one_names_none(
    client, obligation, later_report, supervisor, staff_a
):
    successor = obligation_carry_over(obligation=obligation, user=supervisor)
    client = _client(client, staff_a)

    new_page = parse(client.get(successor.get_absolute_url()))
    old_page = parse(client.get(obligation.get_absolute_url()))

    assert new_page.xpath("//a[@data-link='carried-from']/@href") == [
        obligation.get_absolute_url()
    ]
    assert old_page.xpath("//a[@data-link='carried-from']") == []

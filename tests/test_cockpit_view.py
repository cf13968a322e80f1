"""/cockpit/ (issue 23): the leaders' page of the few figures that matter, the red
and yellow items with their age and unit, the units at risk and this week's changes;
leaders land on it after signing in."""

from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tests.pages import parse, text
from tests.workflow_helpers import rename_in_admin
from tracker.models import Obligation, SupervisionNotice
from tracker.services.instructions import instruction_reply, instruction_write
from tracker.services.supervision import notice_approve, obligation_set_supervision

ROOT = Path(__file__).resolve().parent.parent
URL = reverse("tracker:cockpit")
Level = Obligation.SupervisionLevel
S = Obligation.Status


def _leader_client(client, leader):
    client.force_login(leader)
    return in_english(client)


def _raise(obligation, supervisor, level):
    return obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=supervisor,
        level=level,
        note="进度滞后",
    )


def _figure(page, name):
    return text(page.xpath("//*[@data-figure=$n]", n=name)[0])


def test_a_leader_sees_the_figures_that_matter(client, leader, department_a):
    today = timezone.localdate()
    ObligationFactory.create_batch(
        2, department=department_a, due_date=today - timedelta(days=3)
    )
    ObligationFactory(department=department_a, status=S.SUBMITTED)
    ObligationFactory(department=department_a, status=S.DONE)
    ObligationFactory(department=department_a, supervision_level=Level.RED)
    ObligationFactory(department=department_a, supervision_level=Level.YELLOW)

    page = parse(_leader_client(client, leader).get(URL))

    assert _figure(page, "open") == "5"
    assert _figure(page, "overdue") == "2"
    assert _figure(page, "waiting_review") == "1"
    assert _figure(page, "red") == "1"
    assert _figure(page, "yellow") == "1"
    assert _figure(page, "completion") == "17%"


def test_the_cockpit_names_the_red_items_with_their_unit_and_age(
    client, leader, supervisor, obligation
):
    _raise(obligation, supervisor, Level.RED)

    page = parse(_leader_client(client, leader).get(URL))

    (row,) = page.xpath("//section[@id='red-yellow']//tr[@data-item]")
    assert obligation.title in text(row)
    assert obligation.department.name in text(row)
    assert "0 days" in text(row)


def test_units_at_risk_list_the_unit_with_red_work_first(client, leader, department_a):
    calm = DepartmentFactory(name="甲局")
    ObligationFactory(department=calm)
    ObligationFactory(department=department_a, supervision_level=Level.RED)

    page = parse(_leader_client(client, leader).get(URL))

    units = text(page.xpath("//section[@id='units-at-risk']")[0])
    assert department_a.name in units
    assert "甲局" not in units


def test_this_week_counts_the_notices_issued(client, leader, supervisor, obligation):
    _raise(obligation, supervisor, Level.YELLOW)

    page = parse(_leader_client(client, leader).get(URL))

    assert text(page.xpath("//*[@data-week='notices']")[0]) == "1"
    assert text(page.xpath("//*[@data-week='supervision']")[0]) == "1"


def test_staff_get_403(client, staff_a):
    client.force_login(staff_a)
    assert client.get(URL).status_code == 403


def test_supervisors_and_admins_see_the_cockpit(client, supervisor, tracker_admin):
    for user in (supervisor, tracker_admin):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_a_leader_lands_on_the_cockpit_after_signing_in(client, leader):
    response = client.post(
        reverse("login"), {"username": "leader", "password": "demo-pass-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL


def test_a_supervisor_still_lands_on_my_work(client, supervisor):
    response = client.post(
        reverse("login"), {"username": "supervisor", "password": "demo-pass-123"}
    )
    assert response["Location"] == reverse("tracker:my_work")


def test_the_notices_awaiting_the_leaders_signature_are_marked_for_them(
    client, leader, supervisor, obligation
):
    notice = _raise(obligation, supervisor, Level.RED).new_notice

    page = parse(_leader_client(client, leader).get(URL))

    awaiting = text(page.xpath("//section[@id='awaiting-signature']")[0])
    assert notice.code in awaiting
    assert "(for you to sign)" in awaiting


def test_the_cockpit_prints_on_a4(client, leader):
    page = _leader_client(client, leader).get(URL)
    assert b"tracker/cockpit.css" in page.content
    css = (ROOT / "tracker/static/tracker/cockpit.css").read_text()
    assert "size: A4" in css


def test_the_cockpit_reads_as_many_queries_for_many_items(
    client, leader, supervisor, department_a
):
    def add(count):
        for obligation in ObligationFactory.create_batch(
            count, department=DepartmentFactory()
        ):
            _raise(obligation, supervisor, Level.RED)
        ObligationFactory.create_batch(count, department=department_a)

    leader_client = _leader_client(client, leader)
    add(3)
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(URL).status_code == 200
    add(30)
    with CaptureQueriesContext(connection) as large:
        assert leader_client.get(URL).status_code == 200
    assert len(large) == len(small)
    assert SupervisionNotice.objects.count() == 33


def test_items_of_a_closed_report_leave_the_cockpit(client, leader, obligation):
    Obligation.objects.filter(pk=obligation.pk).update(supervision_level=Level.RED)
    obligation.report.closed_at = timezone.now()
    obligation.report.closed_by = UserFactory()
    obligation.report.save()

    page = parse(_leader_client(client, leader).get(URL))

    assert _figure(page, "red") == "0"


# The cockpit's body is cached per the revisions of the reports the reader sees,
# their leader level, the day and the language (selectors.cockpit.cockpit_cache_key):
# each write below goes through its service and shows on the next request.


def test_a_raise_shows_on_the_cockpit_read_before_it(
    client, leader, supervisor, obligation
):
    leader_client = _leader_client(client, leader)
    assert _figure(parse(leader_client.get(URL)), "red") == "0"

    _raise(obligation, supervisor, Level.RED)

    page = parse(leader_client.get(URL))
    assert _figure(page, "red") == "1"
    assert page.xpath("//tr[@data-item=$pk]", pk=str(obligation.pk))


def test_a_notice_signed_after_the_cockpit_was_read_leaves_the_awaiting_list(
    client, leader, supervisor, obligation
):
    notice = _raise(obligation, supervisor, Level.RED).new_notice
    leader_client = _leader_client(client, leader)
    assert parse(leader_client.get(URL)).xpath("//section[@id='awaiting-signature']")

    notice_approve(notice=notice, user=leader)

    page = parse(leader_client.get(URL))
    assert not page.xpath("//section[@id='awaiting-signature']")


def test_an_instruction_written_and_replied_to_shows_on_the_next_request(
    client, leader, staff_a, obligation
):
    leader_client = _leader_client(client, leader)
    assert not parse(leader_client.get(URL)).xpath("//section[@id='open-instructions']")

    instruction = instruction_write(obligation=obligation, user=leader, text="抓紧办理")

    page = parse(leader_client.get(URL))
    assert "抓紧办理" in text(page.xpath("//section[@id='open-instructions']")[0])
    assert text(page.xpath("//*[@data-week='instructions']")[0]) == "1"

    instruction_reply(instruction=instruction, user=staff_a, text="已办理")

    page = parse(leader_client.get(URL))
    assert not page.xpath("//section[@id='open-instructions']")


def test_a_department_renamed_in_the_admin_shows_on_the_cockpit(
    client, leader, supervisor, tracker_admin, obligation, department_a
):
    _raise(obligation, supervisor, Level.RED)
    leader_client = _leader_client(client, leader)
    assert "县司法局" in text(parse(leader_client.get(URL)))

    response = rename_in_admin(tracker_admin, department_a, "县司法行政局")

    assert response.status_code == 302
    assert "县司法行政局" in text(parse(leader_client.get(URL)))


def test_only_the_leader_of_the_notices_level_sees_it_marked_for_them(
    client, leader, supervisor, obligation
):
    notice = _raise(obligation, supervisor, Level.RED).new_notice
    other = Client()
    other.force_login(supervisor)
    in_english(other)

    # Whoever reads first, the other reader gets their own marking.
    for _round in range(2):
        supervisor_page = parse(other.get(URL))
        leader_page = parse(_leader_client(client, leader).get(URL))
        awaiting = text(supervisor_page.xpath("//section[@id='awaiting-signature']")[0])
        assert notice.code in awaiting
        assert "(for you to sign)" not in awaiting
        awaiting = text(leader_page.xpath("//section[@id='awaiting-signature']")[0])
        assert "(for you to sign)" in awaiting


def test_the_next_day_counts_overdue_anew(client, leader, department_a, today_is):
    today = timezone.localdate()
    ObligationFactory(department=department_a, due_date=today)
    leader_client = _leader_client(client, leader)
    assert _figure(parse(leader_client.get(URL)), "overdue") == "0"

    today_is(today + timedelta(days=1))

    assert _figure(parse(leader_client.get(URL)), "overdue") == "1"

"""The obligation page's cached parts (timeline, evidence table, texts, progress
reports): every write through a service shows on the next request, and what is
the reader's own (their buttons, their forms, their CSRF token) stays theirs.

Each test reads the page first (so its shared parts are cached), writes the way
a user does, and reads it again. Nothing here waits or measures time."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory, UserFactory
from tests.pages import parse, struck_through, text
from tests.test_obligation_detail_view import _buttons, _forms, _page
from tests.workflow_helpers import rename_in_admin, upload
from tracker.models import (
    Notification,
    Obligation,
    Report,
    Schedule,
    neighbours_stamp,
    neighbours_stamp_subquery,
)
from tracker.selectors.reports import neighbour_reports
from tracker.services.chases import obligation_chase
from tracker.services.dashboard import report_invalidate_dashboard
from tracker.services.evidence import evidence_withdraw
from tracker.services.instructions import instruction_write
from tracker.services.parts import part_add
from tracker.services.schedules import progress_report_file, schedule_save
from tracker.services.workflow import obligation_add_note, obligation_transition

S = Obligation.Status


def _evidence_table(page):
    (table,) = parse(page).xpath("//section[@id='evidence']")
    return text(table)


def _timeline(page):
    """The item's whole timeline (a part's own is inside its card too)."""
    (section,) = parse(page).xpath("//section[@id='timeline']")
    return text(section)


def _csrf_tokens(page):
    return set(
        parse(page).xpath(
            "//form[@method='post']/input[@name='csrfmiddlewaretoken']/@value"
        )
    )


def test_a_second_read_takes_the_timeline_and_evidence_from_the_cache(
    client, obligation, staff_a
):
    upload(obligation, staff_a)
    _page(client, staff_a, obligation)

    with CaptureQueriesContext(connection) as queries:
        page = _page(client, staff_a, obligation)

    assert "整改报告.pdf" in _evidence_table(page)
    assert "整改报告.pdf" in _timeline(page)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "tracker_progressupdate" not in read
    assert "tracker_evidence" not in read


def test_a_progress_note_shows_on_the_next_read(client, obligation, staff_a):
    _page(client, staff_a, obligation)

    obligation_add_note(obligation=obligation, user=staff_a, text="已召开专题会议")

    assert "已召开专题会议" in _timeline(_page(client, staff_a, obligation))


def test_an_upload_and_its_withdrawal_show_on_the_next_reads(
    client, obligation, staff_a
):
    _page(client, staff_a, obligation)

    evidence = upload(obligation, staff_a, name="会议纪要.pdf")
    page = _page(client, staff_a, obligation)
    assert "会议纪要.pdf" in _evidence_table(page)
    assert f"/evidence/{evidence.pk}/withdraw/" in page

    evidence_withdraw(evidence=evidence, user=staff_a, reason="版本过期")
    page = _page(client, staff_a, obligation)
    assert "版本过期" in _evidence_table(page)
    assert "会议纪要.pdf" in struck_through(page)
    assert f"/evidence/{evidence.pk}/withdraw/" not in page


def test_a_status_change_shows_with_the_new_buttons(client, obligation, staff_a):
    assert _buttons(_page(client, staff_a, obligation)) == {S.IN_PROGRESS}

    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    page = _page(client, staff_a, obligation)
    assert S.IN_PROGRESS not in _buttons(page)
    obligation.refresh_from_db()
    (version,) = parse(page).xpath(
        "//form[contains(@action, '/status/')]/input[@name='version']/@value"
    )
    assert int(version) == obligation.version
    assert "In progress" in _timeline(page)


def test_a_co_operating_unit_shows_on_the_next_read(
    client, obligation, supervisor, department_b
):
    _page(client, supervisor, obligation)

    part_add(obligation=obligation, user=supervisor, department=department_b)

    page = _page(client, supervisor, obligation)
    assert department_b.name in text(parse(page).xpath("//article")[0])
    assert department_b.name in _timeline(page)


def test_a_chase_shows_on_the_next_read(client, obligation, supervisor, staff_a):
    _page(client, staff_a, obligation)

    obligation_chase(obligation=obligation, user=supervisor, note="请本周内反馈")

    page = _page(client, staff_a, obligation)
    assert "请本周内反馈" in text(parse(page).xpath("//article")[0])
    assert "chase-answer" in page


def test_an_instruction_shows_on_the_next_read(client, obligation, leader, staff_a):
    _page(client, staff_a, obligation)

    instruction_write(obligation=obligation, user=leader, text="务必按期完成")

    page = _page(client, staff_a, obligation)
    assert "务必按期完成" in text(parse(page).xpath("//article")[0])


def test_a_new_schedule_and_a_filed_progress_report_show_on_the_next_reads(
    client, obligation, staff_a, tracker_admin
):
    form = reverse("tracker:progress_report_file", args=[obligation.pk])
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)
    assert form not in _page(client, staff_a, obligation)

    schedule_save(
        schedule=Schedule(
            report=obligation.report,
            starts_on=timezone.localdate() - timedelta(days=40),
            day=28,
        ),
        user=tracker_admin,
    )
    assert form in _page(client, staff_a, obligation)

    progress_report_file(obligation=obligation, user=staff_a, progress="已完成排查")
    page = _page(client, staff_a, obligation)
    assert "已完成排查" in text(
        parse(page).xpath("//section[@id='progress-report']")[0]
    )
    assert form not in page


def test_two_roles_read_the_same_timeline_with_their_own_forms(
    client, obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a)
    staff_page = _page(client, staff_a, obligation)
    supervisor_page = _page(client, supervisor, obligation)
    staff_again = _page(client, staff_a, obligation)

    assert _timeline(staff_page) == _timeline(supervisor_page)
    assert f"/evidence/{evidence.pk}/withdraw/" in staff_page
    assert f"/evidence/{evidence.pk}/withdraw/" in staff_again
    assert f"/evidence/{evidence.pk}/withdraw/" not in supervisor_page
    assert _buttons(staff_page) == {S.IN_PROGRESS}
    assert _buttons(supervisor_page) != _buttons(staff_page)
    assert "assign" in _forms(supervisor_page)
    assert "assign" not in _forms(staff_page)
    # Every form of the page carries the reader's own token, the cached
    # evidence table's withdraw forms included.
    withdraw = parse(staff_again).xpath(
        "//form[contains(@action, '/withdraw/')]/input[@name='csrfmiddlewaretoken']"
    )
    assert withdraw
    assert _csrf_tokens(staff_again)


def test_a_reader_who_may_not_download_gets_no_download_link(
    client, obligation, staff_a, staff_b
):
    evidence = upload(obligation, staff_a)
    download = f"/evidence/{evidence.pk}/download/"
    assert download in _page(client, staff_a, obligation)

    page = _page(client, staff_b, obligation)

    assert download not in page
    assert re.search("整改报告.pdf", _evidence_table(page))


def test_the_readers_unread_count_and_role_are_their_own(
    client, obligation, staff_a, supervisor
):
    # One query reads the reader's groups, departments and unread count
    # (permissions' reader facts): each reader gets theirs.
    for _ in range(2):
        Notification.objects.create(
            recipient=staff_a, obligation=obligation, kind="assigned", text="已分派"
        )
    staff_page = _page(client, staff_a, obligation)
    supervisor_page = _page(client, supervisor, obligation)

    (badge,) = parse(staff_page).xpath("//span[@id='unread-count']/span[1]")
    assert text(badge) == "2"
    assert 'id="unread-count"' not in supervisor_page
    assert "(Staff)" in text(parse(staff_page).xpath("//span[@class='user-name']")[0])
    assert "(Supervisor)" in text(
        parse(supervisor_page).xpath("//span[@class='user-name']")[0]
    )


# --- The content kept per reader's rights ------------------------------------------

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _article(page):
    """The page's content without its CSRF tokens (each reader has their own)."""
    start, end = page.index("<article"), page.index("</article>")
    return _TOKEN.sub("token", page[start:end])


def _content_drawn(client, user, obligation):
    """Whether reading the page drew its content (a miss) rather than taking the
    content kept for readers with the same rights."""
    client.force_login(user)
    response = in_english(client).get(obligation.get_absolute_url())
    assert response.status_code == 200
    return "tracker/_obligation_content.html" in [t.name for t in response.templates]


def test_readers_with_other_rights_never_get_each_others_content(
    client, obligation, staff_a, staff_b, supervisor, leader, tracker_admin
):
    """Whoever read the item first, each reader gets the content they get with an
    empty cache: their own buttons, forms and download links."""
    upload(obligation, staff_a)
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)
    readers = [staff_a, staff_b, supervisor, leader, tracker_admin]
    alone = {}
    for reader in readers:
        cache.clear()
        alone[reader.pk] = _article(_page(client, reader, obligation))
    assert len(set(alone.values())) == len(readers)

    for first in readers:
        for reader in readers:
            if reader is first:
                continue
            cache.clear()
            _page(client, first, obligation)
            assert _article(_page(client, reader, obligation)) == alone[reader.pk], (
                f"{reader.username} after {first.username}"
            )


def test_readers_with_the_same_rights_share_the_content_each_with_their_token(
    client, obligation, department_a, staff_a
):
    colleague = UserFactory(username="staff_a2", first_name="张四", groups=["staff"])
    department_a.members.add(colleague)
    # In progress with a file: the submit button comes with its checklist.
    upload(obligation, staff_a)
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)
    assert _content_drawn(client, staff_a, obligation)
    assert "At least one evidence file is uploaded." in _page(
        client, staff_a, obligation
    )

    assert not _content_drawn(client, colleague, obligation)

    # The kept content's forms carry the colleague's own token: a note posted
    # with it is taken.
    client.force_login(colleague)
    page = client.get(obligation.get_absolute_url()).content.decode()
    (form,) = parse(page).xpath("//form[contains(@action, '/notes/')]")
    fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = client.cookies
    response = checked.post(form.get("action"), {**fields, "text": "已布置自查"})
    assert response.status_code == 302
    assert "已布置自查" in _timeline(_page(client, staff_a, obligation))


def test_a_write_draws_the_content_again_for_everyone(
    client, obligation, staff_a, supervisor
):
    assert _content_drawn(client, staff_a, obligation)
    assert not _content_drawn(client, staff_a, obligation)

    obligation_chase(obligation=obligation, user=supervisor, note="请加快进度")

    assert _content_drawn(client, staff_a, obligation)


def test_a_renamed_department_shows_on_the_items_page(
    client, obligation, department_a, staff_a, tracker_admin
):
    assert department_a.name in _page(client, staff_a, obligation)

    response = rename_in_admin(tracker_admin, department_a, "县司法局（更名）")
    assert response.status_code == 302

    page = _page(client, staff_a, obligation)
    assert "县司法局（更名）" in text(parse(page).xpath("//article")[0])


def test_next_years_report_shows_on_a_task_page_read_before_it_came(
    sv_client, supervisor
):
    """The follow-up across years is kept per the neighbouring reports' stamp,
    read with the item: a new year's report is a new stamp."""
    task = ObligationFactory(
        report=ReportFactory(year=2022), kind=Obligation.Kind.TASK, code="4.1"
    )
    page = sv_client.get(task.get_absolute_url()).content.decode()
    assert "Follow-up in 2023" not in page

    ObligationFactory(report=ReportFactory(year=2023), code="1.1")

    page = sv_client.get(task.get_absolute_url()).content.decode()
    assert "Follow-up in 2023" in text(parse(page).xpath("//article")[0])


def test_the_neighbours_stamp_in_sql_is_the_one_in_python(db):
    """Read with the item (permissions.get_obligation_stamp_or_404) or from the
    reports themselves (a refused form's page), the follow-up's key is the same."""
    middle = ReportFactory(year=2022)
    for year in (2020, 2021, 2023, 2024):
        ReportFactory(year=year)
    ReportFactory(organization="另一县", year=2023)
    later = ReportFactory(year=2023)
    report_invalidate_dashboard(report_id=later.pk)
    stamp = (
        Report.objects.filter(pk=middle.pk)
        .annotate(
            stamp=neighbours_stamp_subquery(OuterRef("organization"), OuterRef("year"))
        )
        .values_list("stamp", flat=True)
        .get()
    )

    neighbours = neighbour_reports(middle)
    assert sorted(neighbours) == [2021, 2023, 2024]
    assert stamp == neighbours_stamp(neighbours)

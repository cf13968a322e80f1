"""GET /my/: a staff member's obligations grouped by status, overdue first."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory, UserFactory
from tests.pages import parse, text
from tests.workflow_helpers import upload
from tracker import workdays
from tracker.models import ExtensionRequest, Obligation, SupervisionNotice
from tracker.selectors import worklists
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_add_note, obligation_transition

S = Obligation.Status
URL = reverse("tracker:my_work")


def _page(client, user):
    client.force_login(user)
    response = in_english(client).get(URL)
    assert response.status_code == 200
    return parse(response)


def _group(page, status):
    """The card of one status group, or None when the page has no such group."""
    found = page.xpath("//section[@id=$id]", id=f"status-{status}")
    return found[0] if found else None


def _group_order(page):
    return [card.get("id") for card in page.xpath("//section[@id]")]


def _titles(element):
    return [text(link) for link in element.xpath(".//tbody/tr/td/a")]


def _overdue_titles(element):
    """The titles of the rows that read "… working days overdue"."""
    rows = element.xpath(".//tbody/tr")
    return [text(row.find("td/a")) for row in rows if "overdue" in text(row)]


def test_lists_my_departments_obligations_and_those_i_own_only(
    client, staff_a, department_a, department_b
):
    ObligationFactory(department=department_a, title="本单位事项")
    ObligationFactory(department=department_b, owner=staff_a, title="我负责的事项")
    ObligationFactory(department=department_b, title="别人的事项")
    page = _page(client, staff_a)
    assert set(_titles(page)) == {"本单位事项", "我负责的事项"}


def test_groups_by_status_with_returned_work_first(client, staff_a, department_a):
    ObligationFactory(department=department_a, status=S.DONE, title="已办结事项")
    ObligationFactory(department=department_a, status=S.RETURNED, title="被退回事项")
    ObligationFactory(department=department_a, status=S.IN_PROGRESS, title="推进中事项")
    page = _page(client, staff_a)
    assert _titles(_group(page, S.RETURNED)) == ["被退回事项"]
    assert _titles(_group(page, S.DONE)) == ["已办结事项"]
    assert _group(page, S.SUBMITTED) is None
    assert _group_order(page) == [
        f"status-{s}" for s in (S.RETURNED, S.IN_PROGRESS, S.DONE)
    ]


def test_overdue_first_within_a_group(client, staff_a, department_a):
    today = timezone.localdate()
    ObligationFactory(
        department=department_a,
        status=S.IN_PROGRESS,
        due_date=today + datetime.timedelta(days=3),
        title="下周到期",
        position=1,
    )
    ObligationFactory(
        department=department_a,
        status=S.IN_PROGRESS,
        due_date=None,
        title="无期限",
        position=0,
    )
    ObligationFactory(
        department=department_a,
        status=S.IN_PROGRESS,
        due_date=today - datetime.timedelta(days=1),
        title="昨天到期",
        position=2,
    )
    group = _group(_page(client, staff_a), S.IN_PROGRESS)
    assert _titles(group) == ["昨天到期", "下周到期", "无期限"]
    assert _overdue_titles(group) == ["昨天到期"]


def test_done_work_past_its_due_date_is_not_overdue(client, staff_a, department_a):
    ObligationFactory(department=department_a, status=S.DONE, due_date="2020-01-01")
    assert _overdue_titles(_page(client, staff_a)) == []


def test_overdue_is_judged_by_the_date_in_shanghai(
    client, staff_a, department_a, monkeypatch
):
    # 17:30 UTC on 1 March is already 2 March in Shanghai: a task due 1 March is late.
    instant = datetime.datetime(2024, 3, 1, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    ObligationFactory(department=department_a, due_date="2024-03-01", title="三月一日")
    assert _overdue_titles(_page(client, staff_a)) == ["三月一日"]


def test_supervisor_without_departments_gets_the_review_queue(client, supervisor):
    page = _page(client, supervisor)
    assert "You are not a member of any department" not in text(page)
    assert set(_queue_counts(page).values()) == {0}
    assert "Nothing is waiting for review." in text(page)


def test_staff_without_a_department_are_told_to_ask_an_administrator(client, db):
    loner = UserFactory(username="loner", groups=["staff"])
    page = _page(client, loner)
    assert "Ask an administrator to add you to your department." in text(page)


def test_department_with_nothing_assigned_says_so(client, staff_a):
    page = _page(client, staff_a)
    assert "No obligations are assigned to your departments yet." in text(page)
    assert "县司法局" in text(page)


def test_counts_overdue_in_the_summary(client, staff_a, department_a):
    ObligationFactory.create_batch(2, department=department_a, due_date="2020-01-01")
    ObligationFactory(department=department_a)
    page = _page(client, staff_a)
    assert "3 obligations in your care." in text(page)
    assert "2 overdue" in text(page)


def test_my_obligation_in_a_department_of_several_people_counts_once(
    client, staff_a, department_b
):
    department_b.members.add(*UserFactory.create_batch(3))
    ObligationFactory(department=department_b, owner=staff_a, due_date="2020-01-01")
    page = _page(client, staff_a)
    assert "1 obligation in your care." in text(page)
    assert "1 overdue" in text(page)
    assert len(_titles(page)) == 1


def test_returned_work_shows_the_return_reason_until_resubmitted(
    client, obligation, staff_a, supervisor
):
    upload(obligation, staff_a)
    Obligation.objects.filter(pk=obligation.pk).update(status=S.IN_PROGRESS)
    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已完成"
    )
    obligation_transition(
        obligation=obligation, user=supervisor, to_status=S.RETURNED, note="缺少签字页"
    )

    page = _page(client, staff_a)
    assert "Return reason: 缺少签字页" in text(_group(page, S.RETURNED))

    obligation_add_note(obligation=obligation, user=staff_a, text="已补签")
    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已修改"
    )
    page = _page(client, staff_a)
    assert "缺少签字页" not in text(page)


# --- The supervisor's queue -------------------------------------------------------


def _queue_counts(page):
    return {
        card.get("id"): int(text(card.xpath(".//*[@data-count]")[0]))
        for card in page.xpath("//section[contains(@class, 'queue')]")
    }


def _queue_links(page, section):
    return page.xpath("//section[@id=$id]//tbody//a/@href", id=section)


def _fill_queue(department, supervisor, staff, n=1):
    """``n`` obligations in each section of the queue."""
    now = timezone.now()
    today = timezone.localdate()
    for i in range(n):
        ObligationFactory(
            department=department,
            status=S.SUBMITTED,
            status_changed_at=now - datetime.timedelta(days=i + 1),
        )
        ObligationFactory(department=department, status=S.RETURNED)
        ObligationFactory(
            department=department,
            status=S.IN_PROGRESS,
            due_date=today - datetime.timedelta(days=1),
        )
        red = ObligationFactory(department=department)
        obligation_set_supervision(
            obligation=red,
            user=supervisor,
            level=Obligation.SupervisionLevel.RED,
            note="严重滞后",
        )
        asked = ObligationFactory(
            department=department, due_date=today + datetime.timedelta(days=30)
        )
        ExtensionRequest.objects.create(
            obligation=asked,
            requested_by=staff,
            previous_due_date=asked.due_date,
            requested_due_date=asked.due_date + datetime.timedelta(days=30),
            reason="需要补充调研",
        )


def test_supervisor_queue_has_each_section_with_its_count(
    client, supervisor, staff_a, department_a
):
    _fill_queue(department_a, supervisor, staff_a, n=2)
    ObligationFactory(department=department_a, status=S.DONE)

    page = _page(client, supervisor)

    assert _queue_counts(page) == {
        "queue-awaiting-review": 2,
        "queue-returned": 2,
        "queue-overdue": 2,
        "queue-escalated": 2,
        "queue-extensions": 2,
        "queue-notices": 2,
    }


def test_awaiting_review_is_oldest_first_with_the_working_days_waited(
    client, supervisor, department_a
):
    now = timezone.now()
    ObligationFactory(
        department=department_a,
        status=S.SUBMITTED,
        status_changed_at=now - datetime.timedelta(days=2),
        title="新提交",
    )
    ObligationFactory(
        department=department_a,
        status=S.SUBMITTED,
        status_changed_at=now - datetime.timedelta(days=21),
        title="久等的",
    )
    waited = workdays.workdays_between(
        timezone.localdate(now - datetime.timedelta(days=21)), timezone.localdate()
    )

    page = _page(client, supervisor)

    (card,) = page.xpath("//section[@id='queue-awaiting-review']")
    rows = [text(row) for row in card.xpath(".//tbody/tr")]
    assert "久等的" in rows[0] and "新提交" in rows[1]
    assert f"{waited} working days" in rows[0]


def test_each_queue_row_is_one_click_from_its_form(
    client, supervisor, staff_a, department_a
):
    _fill_queue(department_a, supervisor, staff_a)

    page = _page(client, supervisor)

    assert any(
        h.endswith("#status") for h in _queue_links(page, "queue-awaiting-review")
    )
    assert _queue_links(page, "queue-overdue")[0].endswith("#supervision")
    assert _queue_links(page, "queue-extensions")[0].endswith("#extension")
    notice = SupervisionNotice.objects.get()
    assert f"{notice.obligation.get_absolute_url()}#notice-{notice.pk}" in (
        _queue_links(page, "queue-notices")
    )


def test_staff_have_no_review_queue(client, staff_a, supervisor, department_a):
    _fill_queue(department_a, supervisor, staff_a)

    page = _page(client, staff_a)

    assert _queue_counts(page) == {}


def test_queue_takes_as_many_queries_at_any_size(
    client, supervisor, staff_a, department_a
):
    _fill_queue(department_a, supervisor, staff_a, n=2)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    _fill_queue(department_a, supervisor, staff_a, n=8)
    cache.clear()  # the factory's writes bump no revision
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small)


def test_a_long_group_shows_its_most_urgent_rows_and_a_link_to_all_of_it(
    client, staff_a, department_a, settings
):
    today = timezone.localdate()
    limit = worklists.MY_WORK_GROUP_LIMIT
    for i in range(limit + 5):
        ObligationFactory(
            department=department_a,
            status=S.IN_PROGRESS,
            due_date=today + datetime.timedelta(days=10 + i),
            title=f"推进中{i:02d}",
            position=i,
        )
    ObligationFactory(
        department=department_a,
        status=S.IN_PROGRESS,
        due_date=today - datetime.timedelta(days=30),
        title="已逾期事项",
        position=99,
    )
    ObligationFactory(department=department_a, status=S.RETURNED, title="被退回事项")

    page = _page(client, staff_a)
    group = _group(page, S.IN_PROGRESS)
    titles = _titles(group)
    # The overdue one first, then by due date; the last five wait behind the link.
    assert titles == ["已逾期事项"] + [f"推进中{i:02d}" for i in range(limit - 1)]
    assert "(36)" in text(group.find(".//h2"))
    (more,) = group.xpath(".//a[@data-more]")
    assert text(more) == "6 more: show all 36"
    assert _titles(_group(page, S.RETURNED)) == ["被退回事项"]
    assert not _group(page, S.RETURNED).xpath(".//a[@data-more]")
    assert "37 obligations in your care" in text(page)

    client.force_login(staff_a)
    whole = parse(in_english(client).get(URL + more.get("href").split("#")[0]))
    assert len(_titles(_group(whole, S.IN_PROGRESS))) == limit + 6
    assert not whole.xpath("//a[@data-more]")
    assert _titles(_group(whole, S.RETURNED)) == ["被退回事项"]


def test_the_link_reads_in_chinese(client, staff_a, department_a):
    for i in range(worklists.MY_WORK_GROUP_LIMIT + 2):
        ObligationFactory(department=department_a, status=S.NOT_STARTED, position=i)
    client.force_login(staff_a)
    page = parse(client.get(URL))
    (more,) = page.xpath("//a[@data-more]")
    assert text(more) == f"还有 2 项：显示全部 {worklists.MY_WORK_GROUP_LIMIT + 2} 项"


def test_rows_take_as_many_queries_at_any_size(client, staff_a, department_a):
    client.force_login(staff_a)
    ObligationFactory.create_batch(3, department=department_a, status=S.IN_PROGRESS)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    ObligationFactory.create_batch(40, department=department_a, status=S.IN_PROGRESS)
    # The factory writes without a service (no revision bumped): the page is
    # computed again, as after any write.
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)

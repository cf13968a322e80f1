"""GET /obligations/<pk>/: what the page shows, and which forms each role gets."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tests.pages import description, label, parse, struck_through, text
from tests.workflow_helpers import set_status, upload
from tracker.models import Obligation
from tracker.services.evidence import evidence_withdraw
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_add_note, obligation_transition

S = Obligation.Status


def _page(client, user, obligation):
    client.force_login(user)
    response = in_english(client).get(obligation.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _forms(page):
    """The forms about the obligation, by the last path segment of their action."""
    actions = parse(page).xpath("//article//form[@method='post']/@action")
    return {action.rstrip("/").rsplit("/", 1)[1] for action in actions}


def _buttons(page):
    return set(parse(page).xpath("//button[@type='submit'][@name='status']/@value"))


def _one(page, xpath, **variables):
    (element,) = parse(page).xpath(xpath, **variables)
    return element


def _linked(page):
    """The linked obligations listed: their address, and the line as read."""
    items = parse(page).xpath("//ul[@class='linked']/li")
    return {item.find("a").get("href"): text(item) for item in items}


def _badges(page):
    """The badges under the obligation's title, as read."""
    return text(_one(page, "//article/header"))


def _timeline(page):
    return text(_one(page, "//ol[contains(@class, 'timeline')]"))


def test_page_shows_code_title_text_and_responsibility(
    client, staff_b, department_a, staff_a
):
    obligation = ObligationFactory(
        code="1.2",
        title="推进行政复议体制改革",
        body="全面推进行政复议体制改革，\n整合行政复议职责。",
        department=department_a,
        owner=staff_a,
    )
    page = _page(client, staff_b, obligation)
    assert "1.2" in page
    assert "推进行政复议体制改革" in page
    assert "整合行政复议职责。" in page
    assert "县司法局" in page
    assert "张三" in page
    assert "Not started" in _badges(page)


def test_breadcrumb_links_report_chapter_and_group(client, staff_a, department_a):
    report = ReportFactory(title="无锡市2022年法治政府建设报告")
    chapter = SectionFactory(report=report, code="一", title="主要举措和成效")
    group = SectionFactory(report=report, parent=chapter, code="(二)", title="依法行政")
    obligation = ObligationFactory(
        report=report, section=group, department=department_a
    )
    page = _page(client, staff_a, obligation)
    crumbs = _one(page, "//nav[@class='breadcrumbs']")
    links = [(a.get("href"), text(a)) for a in crumbs.iter("a")]
    assert links == [
        (report.get_absolute_url(), "无锡市2022年法治政府建设报告"),
        (f"/obligations/?section={chapter.pk}", "一 主要举措和成效"),
        (f"/obligations/?section={group.pk}", "(二) 依法行政"),
    ]


def test_source_passage_is_highlighted_in_the_report_text(
    client, staff_a, department_a
):
    source = "前文。推进严格规范公正文明执法。后文。"
    report = ReportFactory(source_text=source)
    obligation = ObligationFactory(
        report=report,
        department=department_a,
        source_start=source.index("推进"),
        source_end=source.index("后文"),
    )
    page = _page(client, staff_a, obligation)
    highlighted = [text(mark) for mark in parse(page).iter("mark")]
    assert highlighted == ["推进严格规范公正文明执法。"]


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        (
            "en",
            "Accepted: pdf, doc, docx, xls, xlsx, ppt, pptx, odt, ods, jpg, jpeg, "
            "png, txt.",
        ),
        (
            "zh-hans",
            "支持格式：pdf、doc、docx、xls、xlsx、ppt、pptx、odt、ods、jpg、jpeg、"
            "png、txt。",
        ),
    ],
)
def test_file_field_announces_every_accepted_type(
    client, obligation, staff_a, language, help_text
):
    client.force_login(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(obligation.get_absolute_url())
    assert description(_one(page, "//input[@id='evidence-file']")) == help_text


def test_working_staff_get_status_upload_and_progress_forms_only(
    client, obligation, staff_a
):
    page = _page(client, staff_a, obligation)
    # Newly assigned to their department: the one-click 签收 form too.
    assert _forms(page) == {"status", "evidence", "notes", "acknowledge"}
    assert _buttons(page) == {S.IN_PROGRESS}
    assert "Start work" in page


def test_owner_who_is_not_a_member_gets_the_working_forms(client, obligation, staff_b):
    Obligation.objects.filter(pk=obligation.pk).update(owner=staff_b)
    page = _page(client, staff_b, obligation)
    assert _forms(page) == {"status", "evidence", "notes"}


def test_staff_of_another_department_get_no_forms_and_no_download_links(
    client, obligation, staff_a, staff_b
):
    evidence = upload(obligation, staff_a, name="会议纪要.pdf")
    page = _page(client, staff_b, obligation)
    assert _forms(page) == set()
    assert "会议纪要.pdf" in page
    assert f"/evidence/{evidence.pk}/download/" not in page
    assert "only the staff of its department and the supervisors" in page


def test_supervisor_gets_review_buttons_supervision_and_assign_but_no_upload(
    client, obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.SUBMITTED)
    page = _page(client, supervisor, obligation)
    # Naming a co-operating unit (parts/) and 催办 (chase/) are the reviewers' too.
    assert _forms(page) == {"status", "supervision", "assign", "parts", "chase"}
    assert _buttons(page) == {S.DONE, S.RETURNED}
    assert "Approve" in page and "Return for rework" in page
    assert f"/evidence/{evidence.pk}/download/" in page
    assert f"/evidence/{evidence.pk}/withdraw/" not in page


def test_supervisor_sees_no_status_form_while_work_is_in_progress(
    client, obligation, supervisor
):
    set_status(obligation, S.IN_PROGRESS)
    page = _page(client, supervisor, obligation)
    assert _forms(page) == {"supervision", "assign", "parts", "chase"}


def test_working_staff_see_no_review_buttons_on_their_submission(
    client, obligation, staff_a
):
    upload(obligation, staff_a)
    set_status(obligation, S.SUBMITTED)
    page = _page(client, staff_a, obligation)
    assert _buttons(page) == set()
    assert "status" not in _forms(page)
    assert "supervision" not in _forms(page)


def test_admin_gets_every_form(client, obligation, staff_a, tracker_admin):
    evidence = upload(obligation, staff_a)
    page = _page(client, tracker_admin, obligation)
    assert _forms(page) == {
        "status",
        "evidence",
        "notes",
        "supervision",
        "assign",
        "withdraw",
        "parts",
        "chase",
    }
    assert f"/evidence/{evidence.pk}/withdraw/" in page


def test_every_form_carries_the_current_version(
    client, obligation, tracker_admin, supervisor
):
    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="yellow", note="提醒"
    )
    page = _page(client, tracker_admin, obligation)
    versions = parse(page).xpath("//form//input[@name='version']/@value")
    # status, progress note, supervision, assign, add a co-operating unit
    assert versions == ["2"] * 5


def test_fields_have_labels_and_required_marks(client, obligation, supervisor):
    page = _page(client, supervisor, obligation)
    assert label(page, "supervision-note") == "Reason (required)"
    assert "*" in text(_one(page, "//label[@for='supervision-note']"))
    assert _one(page, "//*[@id='supervision-note']").get("name") == "note"
    assert label(page, "assign-due_date") == "Due date"


def test_timeline_is_newest_first_with_author_and_shanghai_time(
    client, obligation, staff_a
):
    for note in ("第一条进展", "第二条进展", "第三条进展"):
        obligation_add_note(obligation=obligation, user=staff_a, text=note)
    first = obligation.updates.get(text="第一条进展")
    page = _page(client, staff_a, obligation)
    timeline = _timeline(page)
    positions = [timeline.index(t) for t in ("第三条进展", "第二条进展", "第一条进展")]
    assert positions == sorted(positions)
    assert "张三" in timeline
    local = first.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in timeline


def test_status_change_in_timeline_shows_from_and_to(client, obligation, staff_a):
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)
    page = _page(client, staff_a, obligation)
    timeline = _timeline(page)
    assert "Status change Not started → In progress" in timeline


def test_withdrawn_evidence_is_struck_through_with_its_reason(
    client, obligation, staff_a
):
    evidence = upload(obligation, staff_a, name="旧版本.pdf")
    evidence_withdraw(evidence=evidence, user=staff_a, reason="版本过期")
    page = _page(client, staff_a, obligation)
    assert "旧版本.pdf" in struck_through(page)
    assert "版本过期" in page
    assert f"/evidence/{evidence.pk}/withdraw/" not in page


def test_evidence_row_shows_size_uploader_note_and_the_hash_in_its_details(
    client, obligation, staff_a
):
    evidence = upload(obligation, staff_a, note="盖章版")
    page = _page(client, staff_a, obligation)
    row_element = _one(page, "//tr[@id=$id]", id=f"evidence-{evidence.pk}")
    row = text(row_element)
    (details,) = row_element.xpath(".//details[@class='evidence-details']")
    assert f"SHA-256 {evidence.sha256}" in text(details)
    assert "盖章版" in row
    assert "张三" in row
    assert "bytes" in row


def test_linked_problem_and_task_are_shown_with_their_status(client, staff_a):
    report = ReportFactory()
    problem = ObligationFactory(
        report=report, kind=Obligation.Kind.PROBLEM, title="执法不规范"
    )
    task = ObligationFactory(
        report=report, kind=Obligation.Kind.TASK, title="规范执法行为", status=S.DONE
    )
    task.addresses.add(problem)
    assert _linked(_page(client, staff_a, problem)) == {
        task.get_absolute_url(): f"{task.code} 规范执法行为 Done"
    }
    assert _linked(_page(client, staff_a, task)) == {
        problem.get_absolute_url(): f"{problem.code} 执法不规范 Not started"
    }


def test_overdue_obligation_has_an_overdue_badge(client, obligation, staff_a):
    Obligation.objects.filter(pk=obligation.pk).update(due_date="2020-01-01")
    page = _page(client, staff_a, obligation)
    assert "Overdue" in _badges(page)


def test_reviewer_sees_the_evidence_before_the_review_form(
    client, obligation, staff_a, supervisor
):
    upload(obligation, staff_a, name="验收报告.pdf")
    Obligation.objects.filter(pk=obligation.pk).update(status=S.SUBMITTED)
    page = _page(client, supervisor, obligation)
    # The review panel holds the evidence, ahead of the decision's buttons.
    [panel] = parse(page).xpath("//section[@id='status']")
    order = [
        "evidence" if element.tag == "a" else "decision"
        for element in panel.xpath(
            ".//a[contains(., '验收报告.pdf')] | .//button[@type='submit']"
        )
    ]
    assert order[0] == "evidence" and "decision" in order


def _grow(obligation, user, count):
    for n in range(count):
        evidence = upload(obligation, user, name=f"材料{n}.pdf")
        obligation_add_note(obligation=obligation, user=user, text=f"进展{n}")
        if n % 2:
            evidence_withdraw(evidence=evidence, user=user, reason="作废")


@pytest.mark.parametrize("role", ["staff_a", "supervisor", "tracker_admin"])
def test_query_count_does_not_grow_with_evidence_and_timeline(
    request, client, django_assert_max_num_queries, staff_a, department_a, role
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    report = ReportFactory()
    chapter = SectionFactory(report=report)
    group = SectionFactory(report=report, parent=chapter)
    small = ObligationFactory(report=report, section=group, department=department_a)
    large = ObligationFactory(report=report, section=group, department=department_a)
    for task in ObligationFactory.create_batch(3, report=report, kind="task"):
        task.addresses.add(small, large)
    _grow(small, staff_a, 1)
    _grow(large, staff_a, 12)

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(large.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("材料11.pdf") >= 1


def test_an_item_without_units_chases_notices_or_links_fetches_none_of_them(
    client, obligation, staff_a
):
    """One query says which of its optional relations an item has (issue 27):
    none is fetched on its own when it has no rows."""
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(obligation.get_absolute_url()).status_code == 200
    optional = (
        "tracker_part",
        "tracker_chase",
        "tracker_supervisionnotice",
        "tracker_instruction",
        "tracker_extensionrequest",
        "tracker_obligation_addresses",
    )
    # A fetch selects its table's columns first; the EXISTS query selects none.
    first_table = [re.match(r'SELECT \(?"?(\w*)', q["sql"]).group(1) for q in queries]
    assert [table for table in first_table if table in optional] == []

"""The follow-up across years on the pages: a task's or problem's page suggests the
items of next year's report that report on it, with the shared wording, and a
supervisor confirms or rejects each (staff see them, without the buttons); the
earlier report's page says for every task and problem "reported in 2023 as …" or
"not mentioned in 2023"; a problem that appears again is flagged 反复出现 on both
reports' pages and on the dashboard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse, text
from tracker.models import FollowUp, FollowUpRejection, ProgressUpdate
from tracker.services.followups import followup_confirm, followup_reject
from tracker.services.reports import report_close


@pytest.fixture
def years(db):
    earlier = import_2022()
    _result, later = import_2023()
    return earlier, later


def _post(client, name, obligation, later, **data):
    return client.post(
        reverse(f"tracker:{name}", args=[obligation.pk]), {"later": later.pk, **data}
    )


def test_task_page_suggests_the_items_of_next_years_report_with_their_wording(
    sv_client, years
):
    earlier, later = years

    page = parse(sv_client.get(earlier["4.2"].get_absolute_url()))

    card = page.get_element_by_id("follow-up")
    assert text(card.xpath(".//h2")[0]) == "Follow-up in 2023"
    suggested = [text(item) for item in card.xpath(".//li[@data-suggestion]")]
    assert suggested[0].startswith("1.3.1 织密服务阵地 similarity 0.80")
    assert "Shared wording: 公共法律服务" in suggested[0]
    assert card.xpath(".//a/@href")[0] == later["1.3.1"].get_absolute_url()
    for item in card.xpath(".//li[@data-suggestion]"):
        assert [text(button) for button in item.xpath(".//button")] == [
            "Confirm follow-up",
            "Not a follow-up",
        ]


def test_staff_see_the_suggestions_without_buttons(client, staff_a, years):
    earlier, _later = years
    in_english(client).force_login(staff_a)

    card = parse(client.get(earlier["4.2"].get_absolute_url())).get_element_by_id(
        "follow-up"
    )

    assert card.xpath(".//li[@data-suggestion]")
    assert card.xpath(".//button") == []


def test_supervisor_confirms_and_the_report_page_says_reported_in_2023_as(
    sv_client, years
):
    earlier, later = years
    report_url = earlier["4.1"].report.get_absolute_url()

    response = _post(
        sv_client, "followup_confirm", earlier["4.1"], later["1.2.2"], next=report_url
    )

    assert response.status_code == 302
    assert response["Location"] == report_url
    page = parse(sv_client.get(report_url))
    assert "Confirmed: 1.2.2 of next year's report reports on 4.1." in text(page)
    (row,) = page.xpath("//*[@id='follow-up']//li[@data-code='4.1']")
    assert "Reported in 2023 as 1.2.2 发挥政府法律顾问作用" in text(row)
    assert row.xpath(".//li[@class='followup-confirmed']/a/@href") == [
        later["1.2.2"].get_absolute_url()
    ]
    followup = FollowUp.objects.get()
    assert followup.confirmed_by.username == "supervisor"
    assert ProgressUpdate.objects.filter(action="follow_up").count() == 2


def test_report_page_lists_every_task_and_problem_with_its_state(sv_client, years):
    earlier, later = years
    for code in ("1.4.2", "3.1"):
        followup_reject(
            earlier=earlier["3.1"],
            later=later[code],
            user=FollowUp._meta.get_field("confirmed_by").related_model.objects.get(
                username="supervisor"
            ),
        )

    page = parse(sv_client.get(earlier["4.1"].report.get_absolute_url()))

    rows = page.xpath("//*[@id='follow-up']/ul/li")
    codes = [row.get("data-code") for row in rows]
    assert codes == "3.1 3.2 3.3 4.1 4.2 4.3 4.4".split()
    by_code = {row.get("data-code"): text(row) for row in rows}
    assert "Not mentioned in 2023" in by_code["3.1"]
    assert (
        "3 suggestions to confirm: 1.3.1 织密服务阵地; 1.3.3 提高服务质效; "
        "1.3.2 延伸服务对象" in (by_code["4.2"])
    )


def test_supervisor_rejects_a_suggestion_and_it_is_no_longer_offered(sv_client, years):
    earlier, later = years

    response = _post(sv_client, "followup_reject", earlier["3.1"], later["3.1"])

    assert response.status_code == 302
    assert FollowUpRejection.objects.get().rejected_by.username == "supervisor"
    card = parse(sv_client.get(earlier["3.1"].get_absolute_url())).get_element_by_id(
        "follow-up"
    )
    assert [
        li.get("data-suggestion") for li in card.xpath(".//li[@data-suggestion]")
    ] == [str(later["1.4.2"].pk)]


@pytest.mark.parametrize("view", ["followup_confirm", "followup_reject"])
def test_staff_cannot_confirm_or_reject(client, staff_a, years, view):
    earlier, later = years
    client.force_login(staff_a)

    response = _post(client, view, earlier["4.1"], later["1.2.2"])

    assert response.status_code == 403
    assert FollowUp.objects.count() == FollowUpRejection.objects.count() == 0


def test_a_task_of_next_years_report_is_refused_with_a_message(sv_client, years):
    earlier, later = years

    response = _post(sv_client, "followup_confirm", earlier["4.1"], later["4.1"])

    assert response.status_code == 400
    assert (
        "4.1 is a task of its report: what became of a task or problem is reported "
        "in a work item or a problem."
    ) in text(response)
    assert FollowUp.objects.count() == 0


def test_an_unknown_item_is_refused_and_nothing_written(sv_client, years):
    earlier, _later = years

    response = sv_client.post(
        reverse("tracker:followup_confirm", args=[earlier["4.1"].pk]),
        {"later": 999999},
    )

    assert response.status_code == 400
    assert "This item of next year's report no longer exists: reload the page." in text(
        response
    )
    assert FollowUp.objects.count() == 0
    assert not ProgressUpdate.objects.filter(action="follow_up").exists()


def test_supervisor_withdraws_a_confirmation_with_a_reason(
    sv_client, supervisor, years
):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor
    )
    url = reverse("tracker:followup_withdraw", args=[followup.pk])

    refused = sv_client.post(url, {"reason": ""})
    withdrawn = sv_client.post(url, {"reason": "不对应"})

    assert refused.status_code == 400
    assert withdrawn.status_code == 302
    assert withdrawn["Location"] == earlier["4.1"].get_absolute_url()
    followup.refresh_from_db()
    assert (followup.withdrawn_by, followup.withdraw_reason) == (supervisor, "不对应")
    page = parse(sv_client.get(earlier["4.1"].report.get_absolute_url()))
    (row,) = page.xpath("//*[@id='follow-up']//li[@data-code='4.1']")
    assert "Reported in 2023" not in text(row)


def test_a_withdrawal_refused_for_its_reason_shows_the_form_with_the_error(
    sv_client, supervisor, years
):
    # A reason of spaces passes the browser's "required" and is refused by the
    # server: the page used to say "the form needs your attention" while the form
    # sat folded and empty, with no error, and "Go to the form" led nowhere.
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor
    )

    response = sv_client.post(
        reverse("tracker:followup_withdraw", args=[followup.pk]), {"reason": "   "}
    )

    assert response.status_code == 400
    page = parse(response)
    (item,) = page.xpath(f"//li[@data-followup='{followup.pk}']")
    assert "This field is required." in text(item)
    assert item.xpath(".//details[@open]")
    (target,) = page.xpath("//*[contains(@class, 'error-summary')]//a/@href")
    assert page.xpath(f"//*[@id='{target[1:]}']")
    assert FollowUp.objects.get().withdrawn_at is None


def test_a_recurring_problem_is_flagged_on_both_reports_and_the_dashboard(
    sv_client, supervisor, years
):
    earlier, later = years
    followup_confirm(earlier=earlier["3.3"], later=later["3.1"], user=supervisor)

    for report, code in ((earlier["3.3"].report, "3.3"), (later["3.1"].report, "3.1")):
        page = parse(sv_client.get(report.get_absolute_url()))
        (passage,) = page.xpath(f"//a[@id='obligation-{code}']")
        assert "Recurring" in text(passage)
        dashboard = parse(sv_client.get(f"/?report={report.pk}"))
        panel = dashboard.get_element_by_id("recurring")
        assert text(panel.xpath(".//h2")[0]) == "Recurring problems 1"
        assert (
            "2022 3.3 基层法治建设仍存在薄弱环节,乡镇执法力量需进一步优化并加强 → "
            "2023 3.1" in text(panel)
        )
    later_page = parse(sv_client.get(later["3.1"].report.get_absolute_url()))
    assert "3.1 基层法治建设仍有短板" in text(
        later_page.get_element_by_id("follows-up")
    )
    card = parse(sv_client.get(later["3.1"].get_absolute_url())).get_element_by_id(
        "follow-up"
    )
    assert "Follows up, from the 2022 report: 3.3 基层法治建设仍存在薄弱环节" in text(
        card
    )
    assert "Recurring" in text(card)


def test_recurring_is_in_chinese_by_default(client, supervisor, years):
    earlier, later = years
    followup_confirm(earlier=earlier["3.3"], later=later["3.1"], user=supervisor)
    client.force_login(supervisor)

    page = text(client.get(earlier["3.3"].report.get_absolute_url()))

    assert "反复出现" in page
    assert "2023年报告为 3.1 基层法治建设仍有短板" in page


def test_no_recurring_panel_without_a_confirmed_recurring_problem(sv_client, years):
    page = parse(sv_client.get("/"))

    assert page.xpath("//*[@id='recurring']") == []


def test_dashboard_and_report_page_queries_do_not_grow_with_the_follow_ups(
    sv_client, supervisor, years
):
    earlier, later = years
    report = earlier["3.3"].report
    followup_confirm(earlier=earlier["3.3"], later=later["3.1"], user=supervisor)
    followup_confirm(earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor)
    urls = [f"/?report={report.pk}", report.get_absolute_url()]
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert sv_client.get(url).status_code == 200
        small.append(len(queries))

    followup_confirm(earlier=earlier["3.2"], later=later["3.2"], user=supervisor)
    followup_confirm(earlier=earlier["3.1"], later=later["3.1"], user=supervisor)
    followup_confirm(earlier=earlier["4.2"], later=later["1.3.3"], user=supervisor)
    large = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert sv_client.get(url).status_code == 200
        large.append(len(queries))

    assert large == small


def test_supervisor_confirms_an_item_the_suggestions_missed_with_a_reason(
    sv_client, years
):
    # 4.4 (领导干部…法治观念) is reported on by 2023's 2.2 (带头学法述法), which
    # shares too little of its wording to be suggested.
    earlier, later = years
    url = earlier["4.4"].get_absolute_url()
    page = parse(sv_client.get(url))
    suggested = [text(item) for item in page.xpath("//li[@data-suggestion]")]
    assert not any(each.startswith("2.2 ") for each in suggested)
    choice = page.get_element_by_id("follow-up-choice")
    options = choice.xpath(".//select[@name='later']/option")
    labels = [text(option) for option in options]
    assert "2.2 带头学法述法" in labels
    # Work items and problems of 2023 only: its tasks are not follow-ups.
    assert not any(label.startswith("4.") for label in labels if label[:1].isdigit())

    response = sv_client.post(
        reverse("tracker:followup_confirm", args=[earlier["4.4"].pk]),
        {"later": later["2.2"].pk, "reason": "带头学法述法即领导干部的法治观念"},
    )

    assert response.status_code == 302
    followup = FollowUp.objects.get()
    assert (followup.later, followup.reason) == (
        later["2.2"],
        "带头学法述法即领导干部的法治观念",
    )
    assert followup.score == 0.089


def test_staff_get_no_list_to_choose_from(client, staff_a, years):
    earlier, _later = years
    client.force_login(staff_a)

    page = parse(client.get(earlier["4.3"].get_absolute_url()))

    assert page.xpath("//*[@id='follow-up-choice']") == []


def test_admin_lists_follow_ups_and_rejections_read_only(
    tracker_admin_client, supervisor, years
):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor
    )
    rejection = followup_reject(
        earlier=earlier["3.1"], later=later["3.1"], user=supervisor
    )

    for row in (followup, rejection):
        name = type(row)._meta.model_name
        changelist = tracker_admin_client.get(
            reverse(f"admin:tracker_{name}_changelist")
        )
        change = tracker_admin_client.get(
            reverse(f"admin:tracker_{name}_change", args=[row.pk])
        )
        delete = tracker_admin_client.post(
            reverse(f"admin:tracker_{name}_delete", args=[row.pk]), {"post": "yes"}
        )
        assert (changelist.status_code, change.status_code) == (200, 200)
        assert parse(change).xpath("//textarea | //select") == []
        assert delete.status_code == 403
    assert FollowUp.objects.count() == FollowUpRejection.objects.count() == 1


def test_a_closed_earlier_years_item_still_offers_its_follow_ups(
    sv_client, supervisor, years
):
    earlier, later = years
    report_close(report=earlier["4.1"].report, user=supervisor, reason="年终归档")

    card = parse(sv_client.get(earlier["4.2"].get_absolute_url())).get_element_by_id(
        "follow-up"
    )
    assert card.xpath(".//button[text()='Confirm follow-up']")
    response = _post(sv_client, "followup_confirm", earlier["4.2"], later["1.3.1"])

    assert response.status_code == 302
    assert FollowUp.objects.confirmed().count() == 1


def test_a_closed_later_year_offers_no_follow_up_forms(sv_client, supervisor, years):
    earlier, later = years
    report_close(report=later["1.3.1"].report, user=supervisor, reason="年终归档")

    card = parse(sv_client.get(earlier["4.2"].get_absolute_url())).get_element_by_id(
        "follow-up"
    )
    response = _post(sv_client, "followup_confirm", earlier["4.2"], later["1.3.1"])

    assert card.xpath(".//li[@data-suggestion]")
    assert card.xpath(".//button | .//select") == []
    assert response.status_code == 400
    assert "was closed on" in text(response)
    assert FollowUp.objects.count() == 0

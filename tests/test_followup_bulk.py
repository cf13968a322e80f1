"""Follow-up at speed (issue 23, item 4): the report page decides every suggestion
in one form, and flags an item the next report describes otherwise than the
tracker."""

import pytest
from django.urls import reverse

from tests.conftest import in_english
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse
from tracker.models import FollowUp, FollowUpRejection, Obligation
from tracker.selectors.followups import (
    SAID_DONE,
    SAID_UNFINISHED,
    contradiction,
    described_as,
    report_followup,
)
from tracker.services.followups import followup_confirm

S = Obligation.Status


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("建成县级法治文化公园1个", "done"),
        ("已开展培训3次", "done"),
        ("培训尚未完成", "unfinished"),
        ("仍需加强执法队伍建设", "unfinished"),
        ("继续推进行政复议体制改革", "unfinished"),
        ("谋划未来三年的法治建设", None),
        ("加强执法队伍建设", None),
    ],
)
def test_what_the_next_reports_words_say_of_the_work(text, said):
    assert described_as(text) == said


def test_a_contradiction_either_way(db):
    not_done = Obligation(status=S.IN_PROGRESS)
    done = Obligation(status=S.DONE)
    said_done = Obligation(title="建成法治公园", body="")
    said_unfinished = Obligation(title="尚未建成法治公园", body="")

    assert contradiction(not_done, said_done) == SAID_DONE
    assert contradiction(done, said_unfinished) == SAID_UNFINISHED
    assert contradiction(done, said_done) is None
    assert contradiction(not_done, said_unfinished) is None


@pytest.fixture
def years(db):
    earlier = import_2022()
    _result, later = import_2023()
    return earlier, later


def _suggested_pairs(report):
    return [
        (each.earlier.pk, each.later.pk)
        for row in report_followup(report).rows
        for each in row.suggestions
    ]


def test_the_report_page_decides_every_suggestion_in_one_form(
    client, years, supervisor
):
    earlier, _later = years
    report = earlier["4.1"].report
    pairs = _suggested_pairs(report)
    assert len(pairs) >= 3
    client.force_login(supervisor)
    page = parse(in_english(client).get(report.get_absolute_url()))
    radios = page.xpath("//input[@type='radio'][@form='followups-form']/@name")
    assert {f"pair-{e}-{lo}" for e, lo in pairs} == set(radios)

    (c1, c2, r1) = pairs[:3]
    response = in_english(client).post(
        reverse("tracker:report_followups_decide", args=[report.pk]),
        {
            f"pair-{c1[0]}-{c1[1]}": "confirm",
            f"pair-{c2[0]}-{c2[1]}": "confirm",
            f"pair-{r1[0]}-{r1[1]}": "reject",
        },
    )

    assert response.status_code == 302
    assert set(FollowUp.objects.confirmed().values_list("earlier_id", "later_id")) == {
        c1,
        c2,
    }
    assert list(FollowUpRejection.objects.values_list("earlier_id", "later_id")) == [r1]
    page = in_english(client).get(response["Location"]).content.decode()
    assert "Follow-ups confirmed: 2; rejected: 1." in page
    assert len(_suggested_pairs(report)) == len(pairs) - 3


def test_choosing_nothing_is_refused_and_decides_nothing(client, years, supervisor):
    earlier, _later = years
    report = earlier["4.1"].report
    client.force_login(supervisor)

    response = in_english(client).post(
        reverse("tracker:report_followups_decide", args=[report.pk]), {}
    )

    assert response.status_code == 400
    assert "Choose confirm or reject for at least one suggestion." in (
        response.content.decode()
    )
    assert not FollowUp.objects.exists()
    assert not FollowUpRejection.objects.exists()


def test_staff_may_not_decide_follow_ups(client, years, staff_a):
    earlier, _later = years
    client.force_login(staff_a)
    response = client.post(
        reverse("tracker:report_followups_decide", args=[earlier["4.1"].report_id]),
        {},
    )
    assert response.status_code == 403


def test_the_report_page_flags_a_follow_up_the_next_report_calls_done(
    client, years, supervisor
):
    earlier, later = years
    item = earlier["4.1"]
    said_done = next(
        o for o in later.values() if described_as(o.title + o.body) == "done"
    )
    Obligation.objects.filter(pk=said_done.pk).update(kind=Obligation.Kind.WORK_ITEM)
    said_done.refresh_from_db()
    followup_confirm(earlier=item, later=said_done, user=supervisor, reason="对应")
    client.force_login(supervisor)

    page = parse(in_english(client).get(item.report.get_absolute_url()))

    flags = page.xpath(
        f"//li[@data-pk='{item.pk}']//li[@class='followup-confirmed']"
        "/*[@data-contradiction='said_done']"
    )
    assert len(flags) == 1

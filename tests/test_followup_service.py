"""Confirming, rejecting and withdrawing a follow-up across years
(services.followup_confirm / followup_reject / followup_withdraw): supervisors and
admins only; each decision is stored with who, when and why, written on the
timelines, never deleted; bad input is refused with a message and nothing written."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ObligationFactory, ReportFactory
from tests.followup_helpers import import_2022, import_2023
from tracker.models import (
    FollowUp,
    FollowUpRejection,
    Obligation,
    ProgressUpdate,
    ProtectedTimelineError,
)
from tracker.selectors.followups import followup_suggestions
from tracker.services.common import ReportClosedError, ServiceError
from tracker.services.followups import (
    followup_confirm,
    followup_reject,
    followup_withdraw,
)
from tracker.services.reports import report_close


@pytest.fixture
def years(db):
    earlier = import_2022()
    _result, later = import_2023()
    return earlier, later


def _timeline(obligation):
    return list(
        ProgressUpdate.objects.filter(
            obligation=obligation, action=ProgressUpdate.Action.FOLLOW_UP
        )
        .order_by("pk")
        .values_list("author__username", "text")
    )


def test_supervisor_confirms_a_follow_up_stored_with_who_why_and_the_wording(
    years, supervisor
):
    earlier, later = years

    followup = followup_confirm(
        earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor
    )

    stored = FollowUp.objects.get()
    assert stored == followup
    assert (stored.earlier, stored.later, stored.confirmed_by) == (
        earlier["4.1"],
        later["1.2.2"],
        supervisor,
    )
    assert stored.confirmed_at is not None
    assert stored.score == 0.401
    assert stored.shared_terms == [
        "法律顾问制度 ≈ 政府法律顾问",
        "依法决策",
        "法治和德治融合 ≈ 德法共治",
        "治理",
        "完善",
    ]
    assert stored.reason == "已确认建议的跟进。"
    assert _timeline(earlier["4.1"]) == [
        (
            "supervisor",
            "2023年报告中报告为：1.2.2 发挥政府法律顾问作用。\n"
            "共同措辞：法律顾问制度 ≈ 政府法律顾问、依法决策、"
            "法治和德治融合 ≈ 德法共治、治理、完善\n已确认建议的跟进。",
        )
    ]
    assert _timeline(later["1.2.2"])[0][1].startswith(
        "跟进2022年报告的 4.1 进一步加强制度建设。"
    )


def test_the_reason_given_is_stored_and_on_the_timeline(years, supervisor):
    earlier, later = years

    followup_confirm(
        earlier=earlier["4.3"],
        later=later["1.5.1"],
        user=supervisor,
        reason="新媒体普法即4.3所说的新途径",
    )

    assert FollowUp.objects.get().reason == "新媒体普法即4.3所说的新途径"
    assert _timeline(earlier["4.3"])[0][1].endswith("新媒体普法即4.3所说的新途径")


def test_a_confirmed_or_rejected_pair_is_no_longer_suggested(years, supervisor):
    earlier, later = years
    report_2022, report_2023 = earlier["4.1"].report, later["1.1.1"].report
    pairs = {
        (s.earlier.code, s.later.code)
        for s in followup_suggestions(report_2022, report_2023)
    }
    assert {("4.4", "1.4.2"), ("4.2", "1.3.2")} <= pairs

    followup_confirm(earlier=earlier["4.4"], later=later["1.4.2"], user=supervisor)
    followup_reject(earlier=earlier["4.2"], later=later["1.3.2"], user=supervisor)

    after = {
        (s.earlier.code, s.later.code)
        for s in followup_suggestions(report_2022, report_2023)
    }
    assert after == pairs - {("4.4", "1.4.2"), ("4.2", "1.3.2")}


def test_supervisor_rejects_a_suggestion_on_the_record(years, supervisor):
    earlier, later = years

    followup_reject(
        earlier=earlier["3.1"],
        later=later["3.1"],
        user=supervisor,
        reason="不是同一问题",
    )

    rejection = FollowUpRejection.objects.get()
    assert (rejection.rejected_by, rejection.reason) == (supervisor, "不是同一问题")
    assert FollowUp.objects.count() == 0
    assert _timeline(earlier["3.1"]) == [
        (
            "supervisor",
            "2023年报告的 3.1 基层法治建设仍有短板,乡镇(街道)执法力量配备不足、"
            "统筹使用不够,村(社区)依法治理能力还需提升 不是本项的跟进：已否定该建议。\n"
            "不是同一问题",
        )
    ]


def test_withdrawing_a_confirmation_keeps_the_row_with_who_and_why(years, supervisor):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["3.3"], later=later["3.1"], user=supervisor
    )

    followup_withdraw(followup=followup, user=supervisor, reason="误确认")

    stored = FollowUp.objects.get()
    assert stored.withdrawn_by == supervisor
    assert stored.withdraw_reason == "误确认"
    assert stored.withdrawn_at is not None
    assert FollowUp.objects.confirmed().count() == 0
    assert len(_timeline(earlier["3.3"])) == 2
    assert _timeline(later["3.1"])[-1][1].endswith("误确认")
    # Confirmed again, it is a new row; the withdrawn one stays.
    followup_confirm(earlier=earlier["3.3"], later=later["3.1"], user=supervisor)
    assert FollowUp.objects.count() == 2
    assert FollowUp.objects.recurring().count() == 1


def test_follow_ups_cannot_be_deleted(years, supervisor):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor
    )

    with pytest.raises(ProtectedTimelineError):
        followup.delete()
    with pytest.raises(ProtectedTimelineError):
        FollowUp.objects.all().delete()
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("user", ["staff_a", "staff_b"])
def test_staff_cannot_confirm_reject_or_withdraw(request, years, supervisor, user):
    earlier, later = years
    staff = request.getfixturevalue(user)
    followup = followup_confirm(
        earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor
    )
    updates = ProgressUpdate.objects.count()

    with pytest.raises(PermissionDenied):
        followup_confirm(earlier=earlier["4.2"], later=later["1.3.3"], user=staff)
    with pytest.raises(PermissionDenied):
        followup_reject(earlier=earlier["4.2"], later=later["1.3.3"], user=staff)
    with pytest.raises(PermissionDenied):
        followup_withdraw(followup=followup, user=staff, reason="x")

    assert FollowUp.objects.confirmed().count() == 1
    assert FollowUpRejection.objects.count() == 0
    assert ProgressUpdate.objects.count() == updates


def test_admin_may_confirm(years, tracker_admin):
    earlier, later = years

    followup_confirm(earlier=earlier["4.2"], later=later["1.3.1"], user=tracker_admin)

    assert FollowUp.objects.get().confirmed_by == tracker_admin


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("earlier_code", "later_code", "message"),
    [
        (
            "1.1.1",
            "1.1.1",
            "Only the tasks and problems of a report are followed up the next year.",
        ),
        (
            "4.1",
            "4.1",
            "4.1 is a task of its report: what became of a task or problem is "
            "reported in a work item or a problem.",
        ),
    ],
)
def test_a_pair_of_the_wrong_kinds_is_refused(
    years, supervisor, earlier_code, later_code, message
):
    earlier, later = years

    with pytest.raises(ServiceError) as refused:
        followup_confirm(
            earlier=earlier[earlier_code], later=later[later_code], user=supervisor
        )

    assert str(refused.value) == message
    assert FollowUp.objects.count() == 0
    assert not ProgressUpdate.objects.filter(action="follow_up").exists()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("organization", "year"), [("大宁县", 2023), ("巫溪县", 2024), ("巫溪县", 2022)]
)
def test_an_item_not_in_next_years_report_of_the_organization_is_refused(
    years, supervisor, organization, year
):
    earlier, _later = years
    other = ObligationFactory(
        report=ReportFactory(organization=organization, year=year),
        kind=Obligation.Kind.WORK_ITEM,
        code="1.1.1" if year != 2022 else "9.9",
    )

    with pytest.raises(ServiceError) as refused:
        followup_confirm(earlier=earlier["4.1"], later=other, user=supervisor)

    assert str(refused.value) == (
        f"{other.code} is not in the report of 巫溪县 for 2023."
    )
    assert FollowUp.objects.count() == 0


@pytest.mark.usefixtures("english")
def test_confirming_twice_or_rejecting_a_confirmed_pair_is_refused(years, supervisor):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor
    )

    with pytest.raises(ServiceError, match="already confirmed"):
        followup_confirm(earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor)
    with pytest.raises(ServiceError, match="withdraw the confirmation instead"):
        followup_reject(earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor)
    with pytest.raises(ServiceError, match="Say why"):
        followup_withdraw(followup=followup, user=supervisor, reason="  ")

    followup_withdraw(followup=followup, user=supervisor, reason="误确认")
    with pytest.raises(ServiceError, match="already withdrawn"):
        followup_withdraw(followup=followup, user=supervisor, reason="再撤")
    assert FollowUp.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_rejecting_twice_is_refused(years, supervisor):
    earlier, later = years
    followup_reject(earlier=earlier["3.1"], later=later["3.1"], user=supervisor)

    with pytest.raises(ServiceError, match="already rejected"):
        followup_reject(earlier=earlier["3.1"], later=later["3.1"], user=supervisor)

    assert FollowUpRejection.objects.count() == 1


def test_a_closed_earlier_year_is_still_followed_up_on_the_later_timeline(
    years, supervisor
):
    earlier, later = years
    report_close(report=earlier["4.1"].report, user=supervisor, reason="年终归档")
    closed = Obligation.objects.select_related("report").get(pk=earlier["4.1"].pk)

    followup = followup_confirm(earlier=closed, later=later["1.2.2"], user=supervisor)

    assert FollowUp.objects.confirmed().get() == followup
    # The closed year's timeline stays as it was closed; the row is the record.
    assert _timeline(earlier["4.1"]) == []
    assert len(_timeline(later["1.2.2"])) == 1
    followup_withdraw(followup=followup, user=supervisor, reason="误确认")
    assert _timeline(earlier["4.1"]) == []
    assert len(_timeline(later["1.2.2"])) == 2


@pytest.mark.usefixtures("english")
def test_a_closed_later_year_refuses_every_follow_up_decision(years, supervisor):
    earlier, later = years
    followup = followup_confirm(
        earlier=earlier["4.2"], later=later["1.3.1"], user=supervisor
    )
    report_close(report=later["1.3.1"].report, user=supervisor, reason="年终归档")
    updates = ProgressUpdate.objects.count()

    for attempt in (
        lambda: followup_confirm(
            earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor
        ),
        lambda: followup_reject(
            earlier=earlier["3.1"], later=later["3.1"], user=supervisor
        ),
        lambda: followup_withdraw(followup=followup, user=supervisor, reason="误确认"),
    ):
        with pytest.raises(ReportClosedError, match="was closed on"):
            attempt()

    assert FollowUp.objects.confirmed().count() == 1
    assert FollowUpRejection.objects.count() == 0
    assert ProgressUpdate.objects.count() == updates

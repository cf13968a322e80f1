"""The thesaurus of the field's synonyms: shipped with the app, extended by
administrators in the admin (services.thesaurus), used by every suggestion."""

import pytest
from django.core.exceptions import PermissionDenied
from lxml import html

from tests.factories import ObligationFactory, ReportFactory
from tracker.importing.thesaurus import parse_thesaurus, shipped_thesaurus
from tracker.models import Obligation, ThesaurusEntry
from tracker.selectors.thesaurus import current_thesaurus
from tracker.services.common import ServiceError
from tracker.services.thesaurus import thesaurus_entry_add, thesaurus_entry_set_active

URL = "/admin/tracker/thesaurusentry/"


def _add(client, **values):
    data = {"term": "减证便民", "synonym": "证明事项告知承诺制"}
    data["change_reason"] = "省司法厅通知用语"
    data.update(values)
    return client.post(f"{URL}add/", data)


def _two_years():
    """A task of 2022 and the item of 2023 that reports on it, in words that share
    no character pair and no shipped synonym."""
    earlier = ObligationFactory(
        report=ReportFactory(year=2022),
        kind=Obligation.Kind.TASK,
        code="4.1",
        title="推行证明事项告知承诺制",
        body="一是推行证明事项告知承诺制。",
    )
    ObligationFactory(
        report=ReportFactory(year=2023),
        code="1.1",
        title="开展减证便民行动",
        body="一是开展减证便民行动。",
    )
    return earlier


def test_the_shipped_thesaurus_knows_the_fields_synonyms():
    concept = shipped_thesaurus().concept

    assert concept["普法"] == concept["法治宣传教育"]
    assert concept["复议"] == concept["行政复议"]
    assert concept["依法决策"] == concept["重大行政决策程序"]


def test_a_word_in_two_lines_joins_their_groups():
    thesaurus = parse_thesaurus("甲方 乙方\n# 注释\n乙方 丙方\n")

    assert thesaurus.concept["丙方"] == thesaurus.concept["甲方"]


def test_administrator_adds_a_pair_kept_in_the_history_with_who_and_why(
    tracker_admin_client, tracker_admin
):
    response = _add(tracker_admin_client)

    assert response.status_code == 302
    entry = ThesaurusEntry.objects.get()
    assert (entry.term, entry.synonym, entry.created_by) == (
        "减证便民",
        "证明事项告知承诺制",
        tracker_admin,
    )
    (history,) = entry.history.all()
    assert (history.history_user, history.history_change_reason) == (
        tracker_admin,
        "省司法厅通知用语",
    )
    concept = current_thesaurus().concept
    assert concept["减证便民"] == concept["证明事项告知承诺制"]


@pytest.mark.parametrize(
    ("term", "synonym", "message"),
    [
        ("复议", "复议", "A word is not its own synonym."),
        ("review", "复议", "“review” is not a word of 2 to 30 Chinese characters."),
        (
            "复议",
            "行政复议",
            "复议 and 行政复议 are already synonyms in the thesaurus.",
        ),
    ],
)
def test_a_pair_that_is_no_synonym_is_refused_and_nothing_is_saved(
    tracker_admin_client, term, synonym, message
):
    response = _add(tracker_admin_client, term=term, synonym=synonym)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ThesaurusEntry.objects.exists()


def test_the_same_pair_twice_is_refused_either_way_round(tracker_admin_client):
    _add(tracker_admin_client)

    response = _add(tracker_admin_client, term="证明事项告知承诺制", synonym="减证便民")

    assert response.status_code == 200
    assert ThesaurusEntry.objects.count() == 1


def test_the_reason_is_required(tracker_admin_client):
    response = _add(tracker_admin_client, change_reason="")

    assert response.status_code == 200
    assert not ThesaurusEntry.objects.exists()


def test_an_entry_taken_out_of_use_is_kept_and_no_longer_used(
    tracker_admin_client, tracker_admin
):
    _add(tracker_admin_client)
    entry = ThesaurusEntry.objects.get()

    response = tracker_admin_client.post(
        f"{URL}{entry.pk}/change/",
        {"is_active": "", "change_reason": "用语已废止"},
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_active is False
    assert "减证便民" not in current_thesaurus().concept
    assert [
        h.history_change_reason for h in entry.history.order_by("history_date")
    ] == [
        "省司法厅通知用语",
        "用语已废止",
    ]


def test_an_entry_cannot_be_deleted(tracker_admin_client):
    _add(tracker_admin_client)
    entry = ThesaurusEntry.objects.get()

    response = tracker_admin_client.post(f"{URL}{entry.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert ThesaurusEntry.objects.exists()


def test_only_an_administrator_adds_to_the_thesaurus(supervisor):
    with pytest.raises(PermissionDenied):
        thesaurus_entry_add(
            user=supervisor,
            term="减证便民",
            synonym="证明事项告知承诺制",
            reason="用语",
        )
    assert not ThesaurusEntry.objects.exists()


def test_only_an_administrator_takes_an_entry_out_of_use(tracker_admin, supervisor):
    entry = thesaurus_entry_add(
        user=tracker_admin, term="减证便民", synonym="证明事项告知承诺制", reason="用语"
    )

    with pytest.raises(PermissionDenied):
        thesaurus_entry_set_active(
            user=supervisor, entry=entry, is_active=False, reason="不用"
        )
    entry.refresh_from_db()
    assert entry.is_active is True


@pytest.mark.usefixtures("english")
def test_the_service_refuses_a_pair_that_is_already_an_entry(tracker_admin):
    thesaurus_entry_add(
        user=tracker_admin, term="减证便民", synonym="证明事项告知承诺制", reason="用语"
    )

    with pytest.raises(ServiceError, match="already"):
        thesaurus_entry_add(
            user=tracker_admin,
            term="证明事项告知承诺制",
            synonym="减证便民",
            reason="再加",
        )
    assert ThesaurusEntry.objects.count() == 1


def test_a_pair_the_administrator_added_brings_a_follow_up_with_the_synonym_named(
    sv_client, tracker_admin
):
    earlier = _two_years()

    def suggestions():
        page = html.fromstring(sv_client.get(earlier.get_absolute_url()).content)
        return [
            " ".join(item.text_content().split())
            for item in page.xpath("//*[@id='follow-up']//li[@data-suggestion]")
        ]

    assert suggestions() == []

    thesaurus_entry_add(
        user=tracker_admin, term="证明事项告知承诺制", synonym="减证便民", reason="用语"
    )

    (suggested,) = suggestions()
    assert suggested.startswith("1.1 开展减证便民行动")
    assert "Shared wording: 证明事项告知承诺制 ≈ 减证便民" in suggested

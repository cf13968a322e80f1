"""Suggestions computed from report texts are computed once per text (issue 27,
item 5): the report page's follow-ups once per pair of reports, a task's suggested
problems once per report. A second view reads them from the cache, and whatever
changes what they are computed from (an edited text, a thesaurus entry) is seen on
the next read without anything being invalidated by hand."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse
from tests.seed_report import SEED_TEXT
from tracker import importing
from tracker.importing import similarity
from tracker.models import Obligation
from tracker.selectors.followups import followup_suggestions
from tracker.services.importing import report_import
from tracker.services.thesaurus import thesaurus_entry_add
from tracker.services.workflow import obligation_edit


@pytest.fixture
def years(db):
    earlier = import_2022()
    _result, later = import_2023()
    return earlier, later


@pytest.fixture
def matching_runs(monkeypatch, years):
    """How many times the matching itself ran, from after the import (which
    computed the suggestions of its preview and so filled the cache)."""
    cache.clear()
    runs = []
    real = similarity.match_followups

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(similarity, "match_followups", counted)
    return runs


def _pairs(earlier, later):
    return {
        (each.earlier.code, each.later.code)
        for each in followup_suggestions(earlier, later)
    }


def test_a_second_view_of_the_report_page_does_not_match_again(
    client, years, supervisor, matching_runs
):
    earlier, _later = years
    client.force_login(supervisor)
    url = reverse("tracker:report_detail", args=[earlier["4.1"].report_id])

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert len(matching_runs) == 1
    # The cached suggestions are the computed ones: 4.1's follow-up 1.2.2 is shown.
    assert b"1.2.2" in second.content
    assert first.content.count(b"1.2.2") == second.content.count(b"1.2.2")


def test_an_edited_text_is_matched_anew(years, tracker_admin, matching_runs):
    earlier, later = years
    report_2022, report_2023 = earlier["4.1"].report, later["1.2.2"].report
    before = _pairs(report_2022, report_2023)
    assert ("4.1", "1.2.2") in before

    obligation_edit(
        obligation=later["1.2.2"],
        user=tracker_admin,
        title="修建道路",
        body="全年修建乡村道路120公里，新建桥梁4座。",
    )
    after = _pairs(report_2022, report_2023)

    assert len(matching_runs) == 2
    assert ("4.1", "1.2.2") not in after


def test_a_new_thesaurus_entry_is_matched_anew(years, tracker_admin, matching_runs):
    earlier, later = years
    report_2022, report_2023 = earlier["4.1"].report, later["1.2.2"].report
    _pairs(report_2022, report_2023)

    thesaurus_entry_add(
        user=tracker_admin, term="修建道路", synonym="交通建设", reason="测试用词"
    )
    _pairs(report_2022, report_2023)

    assert len(matching_runs) == 2


# --- Task -> problem links on a task's page ----------------------------------------


@pytest.fixture
def seed(db):
    report_import(tree=importing.parse_report(SEED_TEXT))
    cache.clear()  # the import's preview computed the links
    return {o.code: o for o in Obligation.objects.all()}


@pytest.fixture
def link_runs(monkeypatch):
    runs = []
    real = similarity.suggest_for_report

    def counted(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(similarity, "suggest_for_report", counted)
    return runs


def _suggested(client, task):
    page = parse(client.get(task.get_absolute_url()))
    card = page.get_element_by_id("suggested-links")
    return [a.get("href") for a in card.xpath(".//a")]


def test_the_tasks_of_a_report_share_one_computation_of_their_links(
    sv_client, seed, link_runs
):
    first = _suggested(sv_client, seed["4.4"])
    again = _suggested(sv_client, seed["4.4"])
    other_task = _suggested(sv_client, seed["4.1"])

    assert first == again and first[0] == seed["3.2"].get_absolute_url()
    assert other_task
    assert len(link_runs) == 1


def test_an_edited_problem_is_suggested_from_its_new_text(
    sv_client, seed, tracker_admin, link_runs
):
    assert seed["3.2"].get_absolute_url() in _suggested(sv_client, seed["4.4"])

    obligation_edit(
        obligation=seed["3.2"],
        user=tracker_admin,
        title="道路养护",
        body="二是农村公路养护资金不足，部分路段破损。",
    )

    assert seed["3.2"].get_absolute_url() not in _suggested(sv_client, seed["4.4"])
    assert len(link_runs) == 2

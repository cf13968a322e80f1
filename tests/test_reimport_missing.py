"""A re-import without one group: the obligations it no longer has lose their anchor
into the new text (it would now be another obligation's words), keep their passage
as text, and are listed apart on the report page."""

import re

import pytest

from tests.pages import parse, text
from tests.seed_report import SEED_TEXT
from tests.test_obligation_list_view import listed
from tracker import importing
from tracker.models import Obligation, ProgressUpdate, Report
from tracker.services.importing import report_import

MISSING = ("1.5.1", "1.5.2", "1.5.3")


def _without_group_five(source):
    lines = source.splitlines()
    return "\n".join(line for line in lines if not line.startswith("(五)"))


def _import(source, user):
    return report_import(tree=importing.parse_report(source), user=user)


@pytest.fixture
def reimported(db, tracker_admin):
    _import(SEED_TEXT, tracker_admin)
    result = _import(_without_group_five(SEED_TEXT), tracker_admin)
    assert result.missing == list(MISSING)
    return Report.objects.get()


def test_missing_obligation_keeps_its_passage_but_no_anchor(reimported):
    obligation = Obligation.objects.get(code="1.5.1")

    assert obligation.missing_since is not None
    assert obligation.source_start == obligation.source_end == 0
    assert obligation.body.startswith("一是主动接受各方监督。")
    assert "主动接受各方监督" not in reimported.source_text


def test_missing_obligation_page_shows_its_old_text_not_another_passage(
    sv_client, reimported
):
    obligation = Obligation.objects.get(code="1.5.1")

    page = parse(sv_client.get(obligation.get_absolute_url()))

    assert "No longer in the report" in text(page)
    assert "一是主动接受各方监督。" in text(page)
    # Nothing of the new text is highlighted as this obligation's passage.
    assert page.xpath("//mark") == []
    assert page.xpath("//a[contains(@href, '#obligation-1.5.1')]") == []


def test_report_page_lists_missing_obligations_apart_and_links_no_text_to_them(
    sv_client, reimported
):
    page = parse(sv_client.get(reimported.get_absolute_url()))

    missing = page.get_element_by_id("missing")
    assert "No longer in the report" in text(missing)
    for code in MISSING:
        obligation = Obligation.objects.get(code=code)
        url = obligation.get_absolute_url()
        assert page.xpath(f"//*[@id='obligation-{code}']") == []
        # Its only link is in the list, never on a passage of the report text.
        assert len(page.xpath(f"//a[@href='{url}']")) == 1
        assert missing.xpath(f".//a[@href='{url}']")
    # The text where group (五) stood belongs to (六) now, and says so.
    passage = page.get_element_by_id("obligation-1.6")
    assert passage.get("href") == Obligation.objects.get(code="1.6").get_absolute_url()


def test_missing_is_said_on_the_timeline_once(reimported, tracker_admin):
    _import(_without_group_five(SEED_TEXT), tracker_admin)
    obligation = Obligation.objects.get(code="1.5.1")

    entries = obligation.updates.filter(
        action=ProgressUpdate.Action.IMPORT, text__contains="不再"
    )
    assert entries.count() == 1
    assert obligation.history.first().missing_since is not None


def test_the_group_back_in_the_text_gets_its_anchor_again(reimported, tracker_admin):
    _import(SEED_TEXT, tracker_admin)
    obligation = Obligation.objects.get(code="1.5.1")
    report = Report.objects.get()

    assert obligation.missing_since is None
    start, end = obligation.source_start, obligation.source_end
    assert report.source_text[start:end] == obligation.body


def test_missing_obligations_leave_the_dashboards_figures(sv_client, reimported):
    page = sv_client.get(f"/?report={reimported.pk}").content.decode()

    total = re.search(r'data-figure="total">(\d+)<', page)
    assert total and int(total.group(1)) == 25 - len(MISSING)


def test_missing_obligations_leave_the_default_list(sv_client, reimported):
    codes = listed(sv_client.get(f"/obligations/?report={reimported.pk}"))

    assert len(codes) == 25 - len(MISSING)
    assert not set(MISSING) & set(codes)


def test_the_list_filter_still_shows_missing_obligations(sv_client, reimported):
    query = f"report={reimported.pk}&no_longer_in_report=yes"

    codes = listed(sv_client.get(f"/obligations/?{query}"))

    assert sorted(codes) == list(MISSING)

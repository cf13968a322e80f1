"""The review panel at #status and "审核下一项" (issue 25, item 1)."""

import datetime
import re

from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tests.workflow_helpers import approve, post_status, set_status, upload
from tracker.models import Obligation
from tracker.services.workflow import obligation_add_note, obligation_transition

S = Obligation.Status


def _within(page, css):
    """``css``: space-separated steps, each an element, ``#id`` or ``.class``."""
    found = [page]
    for step in css.split():
        found = [hit for each in found for hit in _select(each, step)]
    return found


def _select(page, css):
    """Elements by id (``#x``) or class (``.x``), the only selectors used here."""
    tests = []
    for part in re.findall(r"[#.][\w-]+|\w+", css):
        if part[0] == "#":
            tests.append(f"@id='{part[1:]}'")
        elif part[0] == ".":
            tests.append(f"contains(concat(' ', @class, ' '), ' {part[1:]} ')")
        else:
            tests.append(f"self::{part}")
    return page.xpath(f".//*[{' and '.join(tests)}]")


def _submitted(obligation, staff, note="整改已完成，见附件"):
    upload(obligation, staff, name="整改报告.pdf")
    set_status(obligation, S.IN_PROGRESS)
    obligation_add_note(obligation=obligation, user=staff, text="已召开专题会议")
    return obligation_transition(
        obligation=obligation, user=staff, to_status=S.SUBMITTED, note=note
    )


def _waiting_since(obligation, days_ago):
    Obligation.objects.filter(pk=obligation.pk).update(
        status=S.SUBMITTED,
        status_changed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_review_panel_shows_the_submission_note_notes_and_evidence(
    client, obligation, staff_a, supervisor
):
    _submitted(obligation, staff_a)
    client.force_login(supervisor)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    [panel] = _within(page, "section.review-panel#status")
    assert "整改已完成，见附件" in text(_within(panel, ".submission-note")[0])
    assert "已召开专题会议" in text(_within(panel, ".review-notes")[0])
    assert "整改报告.pdf" in text(_within(panel, ".review-evidence")[0])
    buttons = [text(b) for b in _within(panel, ".review-decision button")]
    assert "Approve" in " ".join(buttons)


def test_notes_before_the_last_return_are_not_in_the_review_panel(
    client, obligation, staff_a, supervisor
):
    _submitted(obligation, staff_a)
    obligation_transition(
        obligation=obligation, user=supervisor, to_status=S.RETURNED, note="补充"
    )
    obligation.refresh_from_db()
    obligation_add_note(obligation=obligation, user=staff_a, text="已补充会议纪要")
    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="再次提交"
    )
    client.force_login(supervisor)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    notes = text(_within(page, ".review-notes")[0])
    assert "已补充会议纪要" in notes
    assert "已召开专题会议" not in notes
    assert "再次提交" in text(_within(page, ".submission-note")[0])


def test_staff_see_no_review_panel(client, obligation, staff_a):
    _submitted(obligation, staff_a)
    client.force_login(staff_a)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    assert not _within(page, ".review-panel")
    assert not _within(page, "#review-next-link")


def test_review_next_leads_to_the_longest_waiting_other_submission(
    client, obligation, staff_a, supervisor
):
    _submitted(obligation, staff_a)
    newer, older = ObligationFactory.create_batch(
        2, report=obligation.report, department=obligation.department
    )
    _waiting_since(newer, 1)
    _waiting_since(older, 5)
    client.force_login(supervisor)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    [link] = _within(page, "#review-next-link")
    assert link.get("href") == older.get_absolute_url() + "#status"
    assert text(link) == "Review the next item"


def test_after_approving_the_page_offers_the_next_item_in_the_queue(
    client, obligation, staff_a, supervisor
):
    _submitted(obligation, staff_a)
    waiting = ObligationFactory(
        report=obligation.report, department=obligation.department
    )
    _waiting_since(waiting, 2)
    client.force_login(supervisor)
    obligation.refresh_from_db()
    response = post_status(
        client, obligation, status=S.DONE, rating=Obligation.Rating.GOOD
    )
    assert response.status_code == 302
    page = parse(in_english(client).get(response["Location"]))
    assert not _within(page, ".review-panel")
    [link] = _within(page, "#review-next #review-next-link")
    assert link.get("href") == waiting.get_absolute_url() + "#status"


def test_after_the_last_decision_the_page_says_the_queue_is_empty(
    client, obligation, staff_a, supervisor
):
    _submitted(obligation, staff_a)
    obligation.refresh_from_db()
    approve(obligation, supervisor, version=obligation.version)
    client.force_login(supervisor)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    assert not _within(page, "#review-next-link")
    assert text(_within(page, "#review-queue-empty")[0]) == (
        "Nothing else waits for review."
    )

"""报告用语 (issue 23, item 3): written or accepted at approval from a suggestion
built from the submission, editable later by supervisors (versioned, on the
timeline), and what the draft says of the item."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.document_helpers import paragraphs
from tests.pages import parse
from tests.workflow_helpers import approve, post_status, set_status, upload
from tracker import documents
from tracker.models import Obligation, ProgressUpdate
from tracker.selectors.reports import report_draft, suggested_report_wording
from tracker.services.common import ServiceError
from tracker.services.workflow import obligation_transition
from tracker.services.years import obligation_set_report_wording

S = Obligation.Status
NOTE = "组织执法人员培训3次，覆盖120人；材料见附件，请审核。已补充签到表"


@pytest.fixture
def submitted(obligation, staff_a):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    return obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note=NOTE
    )


def test_the_suggestion_keeps_the_work_and_drops_the_workflow_talk(submitted):
    assert suggested_report_wording(submitted) == "组织执法人员培训3次，覆盖120人。"


def test_the_approve_form_offers_the_suggestion(client, submitted, supervisor):
    client.force_login(supervisor)
    page = parse(in_english(client).get(submitted.get_absolute_url()))

    field = page.xpath("//textarea[@name='report_wording']")
    assert [each.text.strip() for each in field] == ["组织执法人员培训3次，覆盖120人。"]


def test_approving_keeps_the_accepted_wording_on_the_record(
    client, submitted, supervisor
):
    client.force_login(supervisor)
    response = post_status(
        client,
        submitted,
        status=S.DONE,
        rating=Obligation.Rating.GOOD,
        report_wording="组织执法人员培训3次，覆盖120人。",
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.report_wording == "组织执法人员培训3次，覆盖120人。"
    entry = submitted.updates.filter(to_status=S.DONE).get()
    assert "报告用语：组织执法人员培训3次，覆盖120人。" in entry.text


def test_returning_ignores_the_prefilled_wording(submitted, supervisor):
    obligation_transition(
        obligation=submitted,
        user=supervisor,
        to_status=S.RETURNED,
        note="材料不全",
        report_wording="组织培训。",
    )
    submitted.refresh_from_db()
    assert submitted.report_wording == ""


def test_a_supervisor_corrects_the_wording_later(client, submitted, supervisor):
    approve(submitted, supervisor, report_wording="组织培训3次。")
    submitted.refresh_from_db()
    client.force_login(supervisor)

    response = in_english(client).post(
        reverse("tracker:obligation_report_wording", args=[submitted.pk]),
        {"text": "组织执法人员培训3次，覆盖120人。", "version": submitted.version},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.report_wording == "组织执法人员培训3次，覆盖120人。"
    assert submitted.updates.filter(
        action=ProgressUpdate.Action.REPORT_WORDING, author=supervisor
    ).exists()
    words = list(submitted.history.values_list("report_wording", flat=True)[:2])
    assert words == ["组织执法人员培训3次，覆盖120人。", "组织培训3次。"]


def test_a_stale_wording_form_never_overwrites(client, submitted, supervisor):
    approve(submitted, supervisor, report_wording="组织培训3次。")
    client.force_login(supervisor)

    response = in_english(client).post(
        reverse("tracker:obligation_report_wording", args=[submitted.pk]),
        {"text": "别的说法。", "version": 1},
    )

    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.report_wording == "组织培训3次。"


def test_empty_wording_is_refused(submitted, supervisor):
    with pytest.raises(ServiceError, match="请填写报告用语"):
        obligation_set_report_wording(
            obligation=submitted, user=supervisor, text="  ", version=None
        )


def test_the_draft_says_the_chosen_words_and_none_of_the_notes(
    submitted, supervisor, staff_a
):
    approve(submitted, supervisor, report_wording="组织执法人员培训3次，覆盖120人。")
    draft = report_draft(Obligation.objects.all(), report=submitted.report)

    text = "\n".join(
        paragraphs(documents.report_draft_docx(draft, today=timezone.localdate()))
    )

    assert "组织执法人员培训3次，覆盖120人。" in text
    for talk in ("材料见附件", "请审核", "已补充签到表"):
        assert talk not in text

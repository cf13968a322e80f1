"""/reports/<pk>/draft/: the report page's button for the Word draft of next year's
report (the same file as ``manage.py draft_report``)."""

from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.document_helpers import (
    PDF_HASH_PREFIX,
    draft_report_data,
    paragraphs,
)
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tests.workflow_helpers import set_status, upload
from tracker.exports import DOCX_CONTENT_TYPE
from tracker.models import Obligation
from tracker.services.workflow import obligation_add_note


@pytest.fixture
def data(db, department_a, staff_a):
    return draft_report_data(department_a, staff_a)


def _url(report):
    return reverse("tracker:report_draft", args=[report.pk])


def test_supervisor_downloads_the_draft_named_after_the_next_year(
    client, supervisor, data
):
    client.force_login(supervisor)

    response = client.get(_url(data.report))

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert "测试县2023年法治政府建设情况报告（草稿）.docx" in disposition
    assert 'filename="report-draft-2023.docx"' in disposition
    text_of_draft = "\n".join(paragraphs(response.content))
    assert f"重大决策目录.pdf [{PDF_HASH_PREFIX}]" in text_of_draft


def test_report_page_offers_the_draft_to_supervisors_only(
    client, supervisor, staff_a, data
):
    client.force_login(supervisor)
    button = parse(client.get(data.report.get_absolute_url())).get_element_by_id(
        "report-draft"
    )
    assert button.get("href") == _url(data.report)

    client.force_login(staff_a)
    page = parse(client.get(data.report.get_absolute_url()))
    assert page.get_element_by_id("report-draft", None) is None


def test_report_without_a_finished_item_returns_to_its_page_with_the_reason(
    client, supervisor, department_a
):
    obligation = ObligationFactory(department=department_a)
    in_english(client).force_login(supervisor)

    response = client.get(_url(obligation.report), follow=True)

    assert response.redirect_chain == [(obligation.report.get_absolute_url(), 302)]
    assert response["Content-Type"].startswith("text/html")
    assert "has no finished item yet" in text(parse(response).find_class("messages")[0])


def test_draft_is_in_chinese_whatever_the_interface_language(client, supervisor, data):
    in_english(client).force_login(supervisor)

    response = client.get(_url(data.report))

    assert "一、工作开展情况" in paragraphs(response.content)


def _add_finished_items(data, staff, n):
    for index in range(n):
        obligation = ObligationFactory(
            report=data.report,
            section=data.documented.section,
            department=data.documented.department,
            title=f"新增工作{index}",
        )
        obligation_add_note(obligation=obligation, user=staff, text="已完成")
        upload(obligation, staff, name=f"台账{index}.pdf")
        set_status(obligation, Obligation.Status.DONE)
        problem = ObligationFactory(
            report=data.report,
            section=data.problem.section,
            kind=Obligation.Kind.PROBLEM,
        )
        data.unfinished_task.addresses.add(problem)


def test_draft_takes_as_many_queries_at_any_size(client, supervisor, staff_a, data):
    client.force_login(supervisor)
    _add_finished_items(data, staff_a, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(data.report)).status_code == 200
    _add_finished_items(data, staff_a, 8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(_url(data.report)).status_code == 200

    assert len(large) == len(small)

"""The 督办单 printed by Chromium (Playwright's print to PDF, the print stylesheet):
exactly one A4 page, with the issuing office, the contact person and telephone and
the 抄送 line, also when the reason runs to several lines."""

import io

import pypdf
import pytest
from django.utils import timezone

from tests.browser.helpers import log_in
from tests.factories import ObligationFactory, ReportFactory
from tracker.services.supervision import obligation_set_supervision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_POINTS = (595, 842)


@pytest.fixture
def notice_settings(settings):
    settings.NOTICE_ISSUING_OFFICE = "巫溪县全面依法治县委员会办公室"
    settings.NOTICE_CONTACT = "李明"
    settings.NOTICE_PHONE = "023-51234567"
    settings.NOTICE_CC = "县委办公室，县政府办公室，县司法局"
    return settings


def _notice_pdf(new_page, supervisor, department_a, reason, replied=None):
    report = ReportFactory(organization="巫溪县", year=2022)
    obligation = ObligationFactory(
        report=report,
        department=department_a,
        code="1.2.2",
        title="健全行政执法“三项制度”，全面推行行政执法公示制度、执法全过程记录制度",
    )
    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="red", note=reason
    )
    notice = obligation.notices.get()
    if replied:
        type(notice).objects.filter(pk=notice.pk).update(
            reply=replied, replied_by=supervisor, replied_at=timezone.now()
        )
    page = new_page(locale="zh-CN")
    log_in(page, "supervisor")
    page.goto(f"/notices/{notice.pk}/")
    page.emulate_media(media="print")
    text = page.locator("article.notice-sheet").inner_text()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    return text, pypdf.PdfReader(io.BytesIO(pdf))


@pytest.mark.parametrize(
    ("reason", "reply"),
    [
        ("逾期二十天未启动，列入红色督办。", None),
        # Three lines of reason and two of reply: what supervisors write. (Text is
        # never cut: a reason of a page continues on a second sheet.)
        (
            "该事项逾期二十个工作日仍未启动，经两次电话督促未见进展，"
            "且未按要求报送书面说明，依照督办规则列入红色督办，请主要负责人亲自过问。",
            "已制定整改方案，明确专人负责，将于12月10日前完成并报送书面材料。",
        ),
    ],
    ids=["short", "reason and reply of several lines"],
)
def test_the_notice_prints_on_exactly_one_a4_page(
    new_page, supervisor, department_a, notice_settings, reason, reply
):
    _text, pdf = _notice_pdf(new_page, supervisor, department_a, reason, reply)
    assert len(pdf.pages) == 1, [page.extract_text() for page in pdf.pages[1:]]
    assert "抄送" in pdf.pages[0].extract_text()
    box = pdf.pages[0].mediabox
    assert (round(box.width), round(box.height)) == A4_POINTS


def test_the_notice_names_its_office_contact_telephone_and_cc(
    new_page, supervisor, department_a, notice_settings
):
    text, _pdf = _notice_pdf(new_page, supervisor, department_a, "逾期未启动。")
    assert "巫溪县全面依法治县委员会办公室" in text
    assert "联系人：李明" in text
    assert "电话：023-51234567" in text
    assert "抄送：县委办公室，县政府办公室，县司法局" in text

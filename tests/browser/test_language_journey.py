"""Journey 4: Chinese is the primary interface; a user switches to English with the
language form in the navigation bar and back, and no label of the main pages is left
in English while the interface is Chinese."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory
from tracker.models import Obligation
from tracker.services.evidence import evidence_upload
from tracker.services.workflow import obligation_transition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAV_ZH = ["看板", "事项清单", "我的工作", "责任单位", "通知"]
NAV_EN = ["Dashboard", "Obligations", "My work", "Departments", "Notifications"]

# Per page: headings or buttons a user reads first, in Chinese.
PAGE_LABELS_ZH = {
    "/": ["总体完成情况", "各责任单位推进情况"],
    "/obligations/": ["事项清单", "筛选"],
    "/my/": ["我的工作"],
    "/departments/": ["责任单位"],
    "obligation": ["责任分工", "全文", "佐证材料", "进展记录"],
}
# Texts that are the same in both languages (formats, a hash name, the language's
# own name in the switch).
NOT_ENGLISH_WORDS = {"CSV", "XLSX", "Excel", "SHA", "PDF", "English"}
LABELS = "nav a, h1, h2, h3, th, label, legend, button, summary, caption"


@pytest.fixture
def obligation_in_progress(department_a, staff_a):
    obligation = ObligationFactory(
        department=department_a, code="4.1", title="健全依法决策机制"
    )
    obligation_transition(
        obligation=obligation, user=staff_a, to_status=Obligation.Status.IN_PROGRESS
    )
    evidence_upload(
        obligation=obligation,
        user=staff_a,
        file=SimpleUploadedFile("决策目录.pdf", minimal_pdf(), "application/pdf"),
    )
    return obligation


def nav_links(page):
    return page.locator("ul.nav-links > li > a")


def english_words(page):
    texts = page.eval_on_selector_all(LABELS, "els => els.map(e => e.innerText)")
    words = {w for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)}
    return words - NOT_ENGLISH_WORDS


def switch_language(page, code, button):
    page.locator("#lang-select").select_option(code)
    page.locator("form.lang-form").get_by_role("button", name=button).click()


def test_interface_is_chinese_first_and_switches_to_english_and_back(
    new_page, staff_a, obligation_in_progress
):
    page = new_page(locale="zh-CN")
    log_in(page, "staff_a")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_links(page)).to_have_text(NAV_ZH)

    switch_language(page, "en", "切换")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_links(page)).to_have_text(NAV_EN)
    page.get_by_role("link", name="Obligations", exact=True).click()
    expect(page.locator("h1")).to_have_text("Obligations")

    switch_language(page, "zh-hans", "Switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav_links(page)).to_have_text(NAV_ZH)
    # Back on the page the switch was made from.
    expect(page.locator("h1")).to_have_text("事项清单")


def test_main_pages_have_no_untranslated_label_in_chinese(
    new_page, staff_a, obligation_in_progress
):
    page = new_page(locale="zh-CN")
    log_in(page, "staff_a")
    for path, labels in PAGE_LABELS_ZH.items():
        if path == "obligation":
            path = obligation_in_progress.get_absolute_url()
        page.goto(path)
        expect(nav_links(page)).to_have_text(NAV_ZH)
        # The English words left first: the most useful message when this fails.
        assert english_words(page) == set(), f"untranslated labels on {path}"
        for label in labels:
            expect(page.locator(LABELS).filter(has_text=label).first).to_be_visible()

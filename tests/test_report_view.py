"""/reports/<pk>/: the whole report, every obligation's passage linked to its page."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse, text
from tests.seed_report import SEED_TEXT
from tracker import importing
from tracker.models import Obligation, Report
from tracker.services.followups import followup_confirm, followup_withdraw
from tracker.services.importing import report_import


@pytest.fixture
def wuxi(db):
    call_command("loaddata", "wuxi_2022", verbosity=0)
    return Report.objects.get()


def test_report_page_shows_title_organization_and_year(client, staff_a, wuxi):
    client.force_login(staff_a)

    response = client.get(wuxi.get_absolute_url())

    assert response.status_code == 200
    page = parse(response)
    assert text(page.find(".//h1")) == "巫溪县2022年法治政府建设情况报告"
    assert "巫溪县" in text(page) and "2022" in text(page)


def test_report_page_links_every_obligation_passage_once(client, staff_a, wuxi):
    client.force_login(staff_a)

    html = client.get(wuxi.get_absolute_url()).content.decode()

    for obligation in Obligation.objects.all():
        assert html.count(f'href="{obligation.get_absolute_url()}"') == 1
        assert f'id="obligation-{obligation.code}"' in html


def test_report_page_labels_each_passage_with_code_and_kind(client, staff_a, wuxi):
    client.force_login(staff_a)

    response = in_english(client).get(wuxi.get_absolute_url())

    # Each passage's first link reads its code and kind, then the report's words.
    passages = {a.get("id"): text(a) for a in parse(response).xpath("//a[@id]")}
    assert passages["obligation-1.1.1"].startswith(
        "1.1.1 Work item 一是坚持学习有深度。"
    )
    assert passages["obligation-3.1"].startswith("3.1 Problem ")
    assert passages["obligation-4.4"].startswith(
        "4.4 Next-year task 四是进一步加强法治队伍建设。"
    )


def test_report_page_shows_the_whole_text(client, staff_a, wuxi):
    client.force_login(staff_a)

    html = client.get(wuxi.get_absolute_url()).content.decode()

    for paragraph in wuxi.source_text.split("\n")[:4]:
        assert paragraph[:20] in html


def test_report_page_fetches_obligations_in_one_query(
    client, staff_a, wuxi, django_assert_max_num_queries
):
    client.force_login(staff_a)
    client.get(wuxi.get_absolute_url())  # warm up session and caches

    # Session, user, the user's groups (navigation), the unread notifications
    # (header badge), the report, its obligations, the organization's reports of
    # the year before and after, the confirmed follow-ups across years: the same
    # eight whatever the number of obligations.
    with django_assert_max_num_queries(8):
        response = client.get(wuxi.get_absolute_url())

    assert response.status_code == 200


def test_anonymous_visitor_is_sent_to_login(client, wuxi):
    response = client.get(wuxi.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_report_is_404(client, staff_a, db):
    client.force_login(staff_a)

    assert client.get(reverse("tracker:report_detail", args=[999])).status_code == 404


def test_report_text_and_labels_are_escaped(client, staff_a):
    source = "某县2022年报告\n一、<script>alert(1)</script>\n一是<b>粗</b>。二是乙。"
    report = ReportFactory(organization="<i>县</i>", year=2022, source_text=source)
    body = "一是<b>粗</b>。"
    start = source.index(body)
    ObligationFactory(
        report=report,
        code="<u>1.1</u>",
        body=body,
        source_start=start,
        source_end=start + len(body),
    )
    client.force_login(staff_a)

    html = client.get(report.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>粗</b>" not in html and "&lt;b&gt;粗&lt;/b&gt;" in html
    assert "<i>县</i>" not in html and "&lt;i&gt;县&lt;/i&gt;" in html
    assert "<u>1.1</u>" not in html


def test_source_passage_include_highlights_the_passage_in_its_paragraph(wuxi):
    from django.template.loader import render_to_string

    obligation = Obligation.objects.get(code="1.1.2")

    html = render_to_string(
        "tracker/_source_passage.html", {"report": wuxi, "obligation": obligation}
    )

    (mark,) = parse(html).iter("mark")
    assert text(mark).startswith("二是做到培训有力度。")
    # The rest of the paragraph is context, not highlighted; other paragraphs absent.
    paragraph = text(mark.getparent())
    before, after = paragraph.split(text(mark))
    assert "一是坚持学习有深度" in before
    assert "三是确保扩面有广度" in after
    assert "(二)全面落实问题整改" not in text(html)


def recurring_badges(response):
    """The codes of the passages labelled "Recurring" on a report page."""
    return [
        a.get("id").removeprefix("obligation-")
        for a in parse(response).xpath("//a[@id][.//*[contains(@class, 'recurring')]]")
    ]


def reads(column, query):
    """Whether ``query`` reads ``column`` from the obligations themselves (not
    along a join from the confirmed follow-ups, which the page reads anyway)."""
    return 'FROM "tracker_obligation"' in query["sql"] and column in query["sql"]


def test_the_text_is_rendered_once_per_revision_and_a_followup_shows_at_once(
    sv_client, supervisor
):
    earlier, (_result, later) = import_2022(), import_2023()
    pages = [each.report.get_absolute_url() for each in (earlier["3.3"], later["3.1"])]
    with CaptureQueriesContext(connection) as first:
        before = sv_client.get(pages[0]).content.decode()
    with CaptureQueriesContext(connection) as second:
        again = sv_client.get(pages[0]).content.decode()
    # The second read takes the text and the suggestions from the cache: neither
    # report's passages (their anchors, their text) is read again.
    for column in (
        '"tracker_obligation"."source_start"',
        '"tracker_obligation"."body"',
    ):
        assert any(reads(column, q) for q in first)
        assert not any(reads(column, q) for q in second)
    assert again.count('class="passage') == before.count('class="passage') > 20
    assert [recurring_badges(sv_client.get(url)) for url in pages] == [[], []]

    followup = followup_confirm(
        earlier=earlier["3.3"], later=later["3.1"], user=supervisor
    )

    assert [recurring_badges(sv_client.get(url)) for url in pages] == [["3.3"], ["3.1"]]
    followup_withdraw(followup=followup, user=supervisor, reason="误确认")
    assert [recurring_badges(sv_client.get(url)) for url in pages] == [[], []]


def test_a_reimport_shows_its_new_count_and_missing_passages_at_once(sv_client):
    report = import_2022()["1.1.1"].report
    url = report.get_absolute_url()

    def facts(response):
        page = parse(response)
        return text(page.xpath("//dl[@class='report-facts']/dd")[-1]), page.xpath(
            "//section[@id='missing']//li"
        )

    count, missing = facts(sv_client.get(url))
    assert missing == [] and int(count) > 0
    # Without its last chapter (下一步工作思路): its tasks leave the text.
    shorter = SEED_TEXT.split("\n四、")[0] + "\n"
    report_import(tree=importing.parse_report(shorter))

    new_count, missing = facts(sv_client.get(url))
    assert int(new_count) == int(count)  # kept, not deleted
    assert missing

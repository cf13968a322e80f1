"""/departments/ranking/?_export=docx: the 通报 (circular) of the ranking shown, a
Word document in the official layout, read back with python-docx."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import in_english
from tests.document_helpers import paragraphs, read
from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tests.pages import parse
from tracker.exports import DOCX_CONTENT_TYPE
from tracker.models import Obligation
from tracker.officialdoc import east_asia_font
from tracker.selectors.assessment import department_indicators
from tracker.services.dashboard import report_invalidate_dashboard

S = Obligation.Status
URL = "/departments/ranking/"


def _day(day):
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def report(db):
    return ReportFactory(organization="测试县", year=2022)


@pytest.fixture
def circular_data(report, department_a, department_b):
    """Department A: one item overdue, one finished and rated; department B: one
    under red supervision (not overdue); the archive: nothing assigned."""
    today = timezone.localdate()
    overdue = ObligationFactory(
        report=report,
        department=department_a,
        code="1.1",
        title="规范“三项制度”执法",
        status=S.IN_PROGRESS,
        due_date=today - timedelta(days=3),
    )
    ObligationFactory(
        report=report,
        department=department_a,
        code="1.2",
        title="严格管理规范性文件",
        status=S.DONE,
        rating=Obligation.Rating.EXCELLENT,
        due_date=today + timedelta(days=30),
        status_changed_at=timezone.now(),
    )
    red = ObligationFactory(
        report=report,
        department=department_b,
        code="2.1",
        title="优化政务服务",
        status=S.IN_PROGRESS,
        supervision_level=Obligation.SupervisionLevel.RED,
        due_date=today + timedelta(days=10),
    )
    archive = DepartmentFactory(name="县档案馆")
    return overdue, red, archive


def _circular(client, query=""):
    response = client.get(f"{URL}?_export=docx{query}")
    assert response.status_code == 200, response.content[:300]
    return response


def test_supervisor_downloads_the_circular_named_by_its_title(
    client, supervisor, circular_data
):
    client.force_login(supervisor)

    response = _circular(client)

    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = unquote(response["Content-Disposition"])
    assert "关于2023年度法治政府建设重点任务推进情况的通报.docx" in disposition
    assert 'filename="circular-2023.docx"' in disposition
    number, title = paragraphs(response.content)[:2]
    assert number == f"【发文机关代字】〔{timezone.localdate().year}〕【号】"
    # Broken between words, not inside one ("推进情 / 况的通报").
    assert title == "关于2023年度法治政府建设\n重点任务推进情况的通报"


def test_circular_of_a_period_over_two_years_downloads_under_a_readable_name(
    client, supervisor, circular_data
):
    # The ASCII fallback once held the title's dash ("circular-2023—2024.docx"):
    # a header that is not Latin-1 goes out encoded whole (=?utf-8?b?...?=), and
    # the browser no longer sees an attachment or its name.
    client.force_login(supervisor)

    response = _circular(client, "&start=2023-07-01&end=2024-06-30")

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="circular-2023-2024.docx"' in disposition
    assert "关于2023—2024年度法治政府建设重点任务推进情况的通报.docx" in unquote(
        disposition
    )


def test_title_and_text_take_the_year_and_period_chosen(
    client, supervisor, circular_data
):
    client.force_login(supervisor)

    response = _circular(client, "&start=2024-01-01&end=2024-12-31")

    text = paragraphs(response.content)
    assert text[1] == "关于2024年度法治政府建设\n重点任务推进情况的通报"
    assert any("对2024年1月1日至2024年12月31日各责任单位" in p for p in text)


def test_table_has_a_row_per_department_with_items_in_ranking_order(
    client, supervisor, circular_data, report, department_a
):
    client.force_login(supervisor)

    table = read(_circular(client).content).tables[0]

    header, *rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert header[:2] == ["名次", "责任单位"]
    ranking = department_indicators(report=report)
    # The archive (县档案馆) has nothing assigned: the ranking page lists it, the
    # circular, addressed to the departments concerned, does not.
    assert [row[1] for row in rows] == [
        r.department.name for r in ranking if r.assigned
    ]
    assert "县档案馆" in [r.department.name for r in ranking]
    assert "县档案馆" not in [row[1] for row in rows]
    by_name = {row[1]: row for row in rows}
    # Department A: 2 assigned, 1 finished, 1 overdue now.
    assert by_name[department_a.name][2:4] == ["2", "1"]
    assert by_name[department_a.name][5] == "1"


def test_overall_figures_sum_the_departments(client, supervisor, circular_data):
    client.force_login(supervisor)

    text = paragraphs(_circular(client).content)

    overall = text[text.index("一、总体情况") + 1]
    assert "2个责任单位共承办事项3项，已办结1项（办结率33.3%）" in overall
    assert "目前逾期未办结1项" in overall
    assert overall.endswith("已办结事项中，考评为优秀1项、良好0项、一般0项、较差0项。")


def test_departments_with_overdue_or_red_items_are_named_with_their_items(
    client, supervisor, circular_data, department_a, department_b
):
    overdue, red, _archive = circular_data
    client.force_login(supervisor)

    text = paragraphs(_circular(client).content)

    named = text[text.index("三、逾期和红色督办事项") + 1 : text.index("四、工作要求")]
    assert named == [
        f"{department_a.name}：“1.1 规范‘三项制度’执法”"
        f"（{_day(overdue.due_date)}到期，已逾期）。",
        f"{department_b.name}：“2.1 优化政务服务”（红色督办）。",
    ]


def test_closing_paragraph_leaves_placeholders_to_edit(
    client, supervisor, circular_data
):
    client.force_login(supervisor)

    text = paragraphs(_circular(client).content)

    closing = text[text.index("四、工作要求") + 1]
    assert "【日期】" in closing and "【牵头单位】" in closing
    assert text[-2:] == ["【署名】", "【成文日期】"]


def test_circular_names_the_official_fonts(client, supervisor, circular_data):
    client.force_login(supervisor)

    document = read(_circular(client).content)

    assert east_asia_font(document.paragraphs[0].runs[0]) == "仿宋_GB2312"  # 发文字号
    assert east_asia_font(document.paragraphs[1].runs[0]) == "方正小标宋简体"
    assert east_asia_font(document.paragraphs[3].runs[0]) == "仿宋_GB2312"
    cell = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asia_font(cell) == "仿宋_GB2312"


def test_the_ranking_page_offers_the_circular_for_the_period_shown(
    sv_client, circular_data, report
):
    page = parse(sv_client.get(f"{URL}?start=2024-01-01&end=2024-12-31"))

    link = page.get_element_by_id("ranking-circular")
    assert link.get("href") == (
        f"?report={report.pk}&start=2024-01-01&end=2024-12-31&_export=docx"
    )


def test_staff_cannot_download_the_circular(client, staff_a, circular_data):
    client.force_login(staff_a)

    response = client.get(f"{URL}?_export=docx")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_a_period_ending_before_it_starts_gives_no_circular(
    client, supervisor, circular_data
):
    in_english(client).force_login(supervisor)

    response = client.get(f"{URL}?_export=docx&start=2024-05-01&end=2024-04-01")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "ends (2024-04-01) before it starts" in response.content.decode()


def _more_items(report, department, n):
    today = timezone.localdate()
    for index in range(n):
        ObligationFactory(
            report=report,
            department=department,
            title=f"新增事项{index}",
            status=S.IN_PROGRESS,
            due_date=today - timedelta(days=1),
            supervision_level=Obligation.SupervisionLevel.RED,
        )


def test_circular_takes_as_many_queries_at_any_size(
    client, supervisor, circular_data, report, department_a
):
    client.force_login(supervisor)
    _more_items(report, DepartmentFactory(name="县财政局"), 2)
    with CaptureQueriesContext(connection) as small:
        _circular(client)
    _more_items(report, department_a, 10)
    _more_items(report, DepartmentFactory(name="县交通局"), 10)
    # The factories write past the services: bump the revision as a write does,
    # so the ranking's rows are computed again rather than read from the cache.
    report_invalidate_dashboard(report_id=report.pk)
    with CaptureQueriesContext(connection) as large:
        _circular(client)

    assert len(large) == len(small)


def test_with_two_years_open_the_circular_speaks_of_both_reports(
    client, supervisor, circular_data, report, department_b
):
    """No report chosen while two have open work: the ranking counts both, and so
    does its 通报 (their titles, their years, the overdue items of each)."""
    later = ReportFactory(organization="测试县", year=2023, title="2023年度报告")
    ObligationFactory(
        report=later,
        department=department_b,
        code="1.1",
        title="推进综合行政执法改革",
        status=S.IN_PROGRESS,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    client.force_login(supervisor)

    response = _circular(client)

    text = "\n".join(paragraphs(response.content))
    assert f"《{report.title}》、《{later.title}》" in text
    assert "推进综合行政执法改革" in text and "规范‘三项制度’执法" in text
    assert "circular-2023-2024.docx" in response["Content-Disposition"]


def test_with_two_years_open_the_ranking_page_ranks_both(
    sv_client, circular_data, report, department_b
):
    later = ReportFactory(organization="测试县", year=2023)
    ObligationFactory(report=later, department=department_b, status=S.IN_PROGRESS)

    response = sv_client.get(URL)

    assert response.status_code == 200
    page = parse(response)
    ranked = {
        row.get("data-department") for row in page.xpath("//tr[@data-department]")
    }
    assert {str(department_b.pk), str(circular_data[0].department_id)} <= ranked

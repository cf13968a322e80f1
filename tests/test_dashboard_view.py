"""The dashboard: every figure recomputed here from the rows the test creates."""

import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    SectionFactory,
    UserFactory,
)
from tests.pages import parse, text
from tracker.models import Obligation, ProgressUpdate, Report
from tracker.services.dashboard import status_snapshots_backfill

S = Obligation.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def figure(page, attr, value):
    """The number printed in the element carrying data-<attr>="<value>"."""
    match = re.search(rf'data-{attr}="{value}">(\d+)<', page)
    assert match, f"no data-{attr}={value}"
    return int(match.group(1))


def department_row(page, department):
    match = re.search(rf'data-department="{department.pk}">(.*?)</tr>', page, re.S)
    assert match, department.name
    return {
        k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', match.group(1))
    }


def _listed(page, card):
    """The obligations (or timeline entries) listed in a card, by pk, in order; the
    card is named by its id or by its heading's id."""
    (section,) = parse(page).xpath(
        "//section[@id=$card or @aria-labelledby=$card]", card=card
    )
    return [int(pk) for pk in section.xpath(".//*[@data-pk]/@data-pk")]


def _charts(page):
    return parse(page).xpath("//svg[contains(@class, 'chart')]")


def _heading(page):
    return text(parse(page).find(".//h1"))


@pytest.fixture
def report(db):
    return ReportFactory(organization="测试县", year=2022)


@pytest.fixture
def populated(report, department_a, department_b):
    """A mix of statuses, departments, due dates and supervision levels."""
    today = timezone.localdate()
    chapter = SectionFactory(report=report, title="第一章")
    group = SectionFactory(report=report, parent=chapter, title="第一组")
    chapter2 = SectionFactory(report=report, title="第二章")
    specs = [
        # (department, status, due offset in days or None, supervision, section)
        (department_a, S.DONE, -5, "none", group),
        (department_a, S.DONE, None, "white", group),
        (department_a, S.IN_PROGRESS, -3, "yellow", chapter),
        (department_a, S.SUBMITTED, 3, "red", chapter2),
        (department_b, S.NOT_STARTED, -1, "none", chapter2),
        (department_b, S.RETURNED, 10, "white", group),
        (department_b, S.NOT_STARTED, 20, "none", chapter),
        (None, S.IN_PROGRESS, 1, "none", chapter2),
    ]
    rows = []
    for department, status, offset, level, section in specs:
        rows.append(
            ObligationFactory(
                report=report,
                section=section,
                department=department,
                status=status,
                due_date=None if offset is None else today + timedelta(days=offset),
                supervision_level=level,
            )
        )
    return {
        "rows": rows,
        "today": today,
        "chapter": chapter,
        "group": group,
        "chapter2": chapter2,
    }


def test_no_report_shows_an_empty_state(sv_client, db):
    page = html(sv_client.get("/"))
    assert "No report has been imported yet." in page


def test_overall_counts_match_the_statuses_created(sv_client, populated):
    rows = populated["rows"]
    page = html(sv_client.get("/"))
    expected = Counter(o.status for o in rows)
    for status in S:
        assert figure(page, "status", status.value) == expected[status]
    assert figure(page, "figure", "done") == expected[S.DONE]
    assert figure(page, "figure", "total") == len(rows)
    today = populated["today"]
    overdue = [
        o for o in rows if o.due_date and o.due_date < today and o.status != S.DONE
    ]
    assert figure(page, "status", "overdue") == len(overdue)
    for level in ("white", "yellow", "red"):
        assert figure(page, "level", level) == sum(
            o.supervision_level == level for o in rows
        )


def test_department_table_counts_each_department(sv_client, populated, department_a):
    rows = populated["rows"]
    today = populated["today"]
    mine = [o for o in rows if o.department_id == department_a.pk]
    counts = department_row(html(sv_client.get("/")), department_a)
    assert counts["total"] == len(mine)
    for status in S:
        assert counts[status.value] == sum(o.status == status for o in mine)
    assert counts["overdue"] == sum(
        1 for o in mine if o.due_date and o.due_date < today and o.status != S.DONE
    )
    for level in ("white", "yellow", "red"):
        assert counts[level] == sum(o.supervision_level == level for o in mine)


def test_unassigned_obligations_get_their_own_row(sv_client, populated):
    page = html(sv_client.get("/"))
    assert "Unassigned" in page


def test_chapter_progress_includes_its_groups(sv_client, populated):
    rows, chapter = populated["rows"], populated["chapter"]
    in_chapter = [
        o for o in rows if o.section_id in (chapter.pk, populated["group"].pk)
    ]
    page = html(sv_client.get("/"))
    block = re.search(
        rf'data-section="{chapter.pk}">.*?data-figure="section-progress">(\d+) / (\d+)',
        page,
        re.S,
    )
    done = sum(o.status == S.DONE for o in in_chapter)
    assert (int(block.group(1)), int(block.group(2))) == (done, len(in_chapter))
    group_rows = [o for o in rows if o.section_id == populated["group"].pk]
    group_block = re.search(
        rf'data-section="{populated["group"].pk}">.*?'
        r'data-figure="section-progress">(\d+) / (\d+)',
        page,
        re.S,
    )
    assert int(group_block.group(2)) == len(group_rows)


def test_each_section_progress_bar_is_named_after_its_section_and_percentage(
    sv_client, report
):
    chapter = SectionFactory(report=report, code="一", title="依法行政")
    group = SectionFactory(report=report, parent=chapter, code="(一)", title="决策")
    empty = SectionFactory(report=report, code="二", title="存在问题")
    ObligationFactory(report=report, section=chapter)
    ObligationFactory(report=report, section=group, status=S.DONE)
    ObligationFactory(report=report, section=group)

    tree = parse(sv_client.get("/")).xpath("//ul[@class='section-tree']")[0]

    names = [bar.get("aria-label") for bar in tree.iter("progress")]
    assert names == [
        f"{chapter}: 33% done",
        f"{group}: 50% done",
        f"{empty}: 0% done",
    ]


def test_overdue_list_has_past_due_not_done_obligations_only(sv_client, populated):
    rows, today = populated["rows"], populated["today"]
    page = html(sv_client.get("/"))
    listed = set(_listed(page, "overdue"))
    expected = {
        o.pk for o in rows if o.due_date and o.due_date < today and o.status != S.DONE
    }
    assert listed == expected


def test_due_soon_lists_the_next_fourteen_days(sv_client, populated):
    rows, today = populated["rows"], populated["today"]
    page = html(sv_client.get("/"))
    listed = set(_listed(page, "due-soon"))
    expected = {
        o.pk
        for o in rows
        if o.due_date
        and today <= o.due_date <= today + timedelta(days=14)
        and o.status != S.DONE
    }
    assert listed == expected


def test_awaiting_review_lists_oldest_submission_first(sv_client, report):
    now = timezone.now()
    newer = ObligationFactory(
        report=report, status=S.SUBMITTED, status_changed_at=now - timedelta(days=1)
    )
    older = ObligationFactory(
        report=report, status=S.SUBMITTED, status_changed_at=now - timedelta(days=9)
    )
    ObligationFactory(report=report, status=S.IN_PROGRESS)
    page = html(sv_client.get("/"))
    assert _listed(page, "awaiting-review") == [
        older.pk,
        newer.pk,
    ]


def test_timeline_shows_the_latest_twenty_entries_newest_first(
    sv_client, report, staff_a
):
    obligation = ObligationFactory(report=report)
    start = timezone.now() - timedelta(days=30)
    updates = [
        ProgressUpdate.objects.create(
            obligation=obligation,
            author=staff_a,
            text=f"update {i}",
            created_at=start + timedelta(hours=i),
        )
        for i in range(25)
    ]
    page = html(sv_client.get("/"))
    listed = _listed(page, "timeline-heading")
    assert listed == [u.pk for u in reversed(updates)][:20]


def test_problems_are_shown_with_the_tasks_that_address_them(sv_client, report):
    problem = ObligationFactory(
        report=report, kind=Obligation.Kind.PROBLEM, title="问题甲"
    )
    done_task = ObligationFactory(
        report=report, kind=Obligation.Kind.TASK, status=S.DONE
    )
    open_task = ObligationFactory(report=report, kind=Obligation.Kind.TASK)
    done_task.addresses.add(problem)
    open_task.addresses.add(problem)
    page = html(sv_client.get("/"))
    block = re.search(
        rf'class="problem" data-pk="{problem.pk}">(.*?)</li>\s*</ul>', page, re.S
    )
    assert block
    assert f'data-pk="{done_task.pk}"' in block.group(1)
    assert f'data-pk="{open_task.pk}"' in block.group(1)
    assert "1 of 2 tasks done" in block.group(1)


def test_report_selector_appears_with_two_reports_and_switches(sv_client, report):
    ObligationFactory(report=report, title="旧报告事项")
    newer = ReportFactory(organization="测试县", year=2023)
    ObligationFactory(report=newer, title="新报告事项")
    page = html(sv_client.get(f"/?report={newer.pk}"))
    assert 'name="report"' in page
    assert _heading(page) == newer.title
    page = html(sv_client.get(f"/?report={report.pk}"))
    assert _heading(page) == report.title


def test_default_is_not_the_newest_while_an_older_report_has_open_work(
    sv_client, report
):
    ObligationFactory(report=report, status=Obligation.Status.SUBMITTED)
    newer = ReportFactory(organization="测试县", year=2023)
    ObligationFactory(report=newer)
    page = html(sv_client.get("/"))
    rows = dict(
        re.findall(
            r'data-year="(\d+)">.*?data-count="submitted"><a [^>]*>(\d+)<', page, re.S
        )
    )
    assert rows == {str(report.year): "1", "2023": "0"}


def test_default_is_the_only_report_with_open_work(sv_client, report):
    ObligationFactory(report=report, status=Obligation.Status.DONE)
    newer = ReportFactory(organization="测试县", year=2023)
    ObligationFactory(report=newer)
    assert _heading(html(sv_client.get("/"))) == newer.title


def test_no_report_selector_with_a_single_report(sv_client, populated):
    assert 'name="report"' not in html(sv_client.get("/"))


def _imported_weeks_ago(weeks):
    Report.objects.update(imported_at=timezone.now() - timedelta(weeks=weeks))


def test_charts_are_inline_svg_with_titles_and_figures(sv_client, populated):
    _imported_weeks_ago(3)
    rows = populated["rows"]
    page = html(sv_client.get("/"))
    charts = _charts(page)
    assert len(charts) == 3
    assert all(chart.find("title") is not None for chart in charts)
    assert all(chart.find("desc") is not None for chart in charts)
    chapter = populated["chapter"]
    in_chapter = [
        o for o in rows if o.section_id in (chapter.pk, populated["group"].pk)
    ]
    done = sum(o.status == S.DONE for o in in_chapter)
    pct = round(100 * done / len(in_chapter))
    assert f"{done} / {len(in_chapter)} ({pct}%)" in page
    assert "cdn" not in page.lower()


def test_completion_over_time_counts_done_days_in_shanghai(sv_client, report, staff_a):
    obligation = ObligationFactory(report=report, status=S.DONE)
    Obligation.objects.filter(pk=obligation.pk).update(
        created_at=datetime(2024, 2, 1, tzinfo=SHANGHAI)
    )
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    when = datetime(2024, 3, 1, 17, 30, tzinfo=ZoneInfo("UTC"))
    ProgressUpdate.objects.create(
        obligation=obligation,
        author=staff_a,
        action=ProgressUpdate.Action.STATUS,
        from_status=S.SUBMITTED,
        to_status=S.DONE,
        created_at=when,
    )
    # The chart reads the daily counts, rebuilt here from that timeline.
    status_snapshots_backfill(
        report=report, until=timezone.localdate() - timedelta(days=1)
    )
    page = html(sv_client.get("/"))
    assert when.astimezone(SHANGHAI).date().isoformat() == "2024-03-02"
    dates = parse(page).xpath("//table[contains(@class, 'over-time-data')]//td[1]")
    assert [text(date) for date in dates] == ["2024-03-02"]


@pytest.mark.parametrize("url", ["/", "/departments/"])
def test_query_count_does_not_grow_with_the_data(sv_client, report, url):
    departments = [DepartmentFactory() for _ in range(3)]
    owner = UserFactory()

    def add(n):
        for i in range(n):
            o = ObligationFactory(
                report=report,
                department=departments[i % 3],
                owner=owner,
                status=list(S)[i % 5],
                kind=list(Obligation.Kind)[i % 3],
                due_date=timezone.localdate() + timedelta(days=i % 30 - 15),
            )
            ProgressUpdate.objects.create(obligation=o, author=owner, text="x")

    add(6)
    with CaptureQueriesContext(connection) as small:
        html(sv_client.get(url))
    add(40)
    # The factories write behind the services: nothing bumped the report's
    # revision, so the dashboard's cached figures are dropped by hand to count the
    # queries of computing them.
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        html(sv_client.get(url))
    assert len(large) == len(small)


def test_long_department_name_is_cut_in_the_chart_with_the_full_name_in_a_title(
    sv_client, report
):
    long_name = "县人力资源和社会保障局劳动保障监察大队"
    ObligationFactory(
        report=report, department=DepartmentFactory(name=long_name, short_name="")
    )
    chart = _charts(html(sv_client.get("/")))[0]
    (label,) = [t for t in chart.iter("text") if t.findtext("title") == long_name]
    shown = "".join(label.xpath("./text()")).strip()
    assert shown.endswith("…") and long_name.startswith(shown[:-1])


def test_charts_are_drawn_at_the_width_they_are_shown(sv_client, report):
    ObligationFactory(report=report)
    _imported_weeks_ago(3)
    page = html(sv_client.get("/"))
    assert page.count('viewBox="0 0 400 ') == 3
    assert page.count('font-size="15"') >= 3


def test_completion_over_time_is_hidden_in_the_reports_first_week(sv_client, report):
    ObligationFactory(report=report)
    page = html(sv_client.get("/"))
    assert len(_charts(page)) == 2
    assert 'data-chart="over-time-pending"' in page


def test_completion_over_time_has_a_point_a_week_from_the_import_to_today(
    sv_client, report
):
    ObligationFactory(report=report)
    _imported_weeks_ago(5)
    chart = _charts(html(sv_client.get("/")))[2]
    points = [circle.findtext("title") for circle in chart.iter("circle")]
    first, last = points[0].split(":")[0], points[-1].split(":")[0]
    today = timezone.localdate()
    assert len(points) == 6
    assert last == today.isoformat()
    assert first == (today - timedelta(weeks=5, days=-6)).isoformat()


def test_chapter_names_that_fit_the_chart_are_not_cut(sv_client, report):
    chapter = SectionFactory(report=report, title="深入学习贯彻习近平法治思想")
    ObligationFactory(report=report, section=chapter)
    chart = _charts(html(sv_client.get("/")))[1]
    labels = ["".join(t.xpath("./text()")).strip() for t in chart.iter("text")]
    assert any(label.endswith("深入学习贯彻习近平法治思想") for label in labels)


def test_non_zero_overdue_and_red_counts_stand_out(sv_client, report):
    ObligationFactory(
        report=report,
        due_date=timezone.localdate() - timedelta(days=3),
        supervision_level=Obligation.SupervisionLevel.RED,
    )
    page = html(sv_client.get("/"))
    assert '<strong class="alarm" data-status="overdue">1<' in page
    assert '<strong class="alarm" data-level="red">1<' in page
    assert '<strong data-status="done">0<' in page


def test_action_lists_come_before_the_figures_and_charts(sv_client, report):
    ObligationFactory(report=report)
    page = html(sv_client.get("/"))
    assert (
        page.index('id="overdue"')
        < page.index('id="awaiting-review"')
        < page.index('id="overall-heading"')
        < page.index('id="chart-status-heading"')
    )


def test_a_get_of_the_dashboard_writes_nothing(sv_client, populated):
    # The day's counts are the daily command's to take (snapshot_status): a page
    # view never writes, whatever it has just counted.
    with CaptureQueriesContext(connection) as queries:
        response = sv_client.get("/")
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []

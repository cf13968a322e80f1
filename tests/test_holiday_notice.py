"""A year's holidays from the State Council's notice: parsed (tested on the 2026
notice's wording against the days chinese-calendar knows for 2026), shown in the
admin for confirmation, then written to the calendar; and the law's fixed holidays
proposed for a year no one has entered yet."""

from datetime import date
from pathlib import Path

import chinese_calendar
import pytest
from django.urls import reverse

from tracker.holiday_notice import HolidayNoticeError, parse_notice, statutory_days
from tracker.models import Holiday
from tracker.workdays import Calendar

NOTICE_2026 = (Path(__file__).parent / "data" / "holiday_notice_2026.txt").read_text(
    encoding="utf-8"
)
URL = "/admin/tracker/holiday/import/"


def test_the_2026_notice_gives_the_packages_holidays_and_working_weekends():
    days = parse_notice(NOTICE_2026, 2026)
    holidays = sorted(d.day for d in days if not d.is_workday)
    working = sorted(d.day for d in days if d.is_workday)
    assert holidays == sorted(d for d in chinese_calendar.holidays if d.year == 2026)
    assert working == sorted(d for d in chinese_calendar.workdays if d.year == 2026)


def test_each_day_is_named_by_its_holiday():
    names = {d.day: d.name for d in parse_notice(NOTICE_2026, 2026)}
    assert names[date(2026, 2, 15)] == "春节"
    assert names[date(2026, 2, 28)] == "春节"  # the 调休 working Saturday
    assert names[date(2026, 10, 7)] == "国庆节"


def test_text_that_is_no_notice_is_refused_with_a_message():
    with pytest.raises(HolidayNoticeError, match="未找到节假日|No holiday found"):
        parse_notice("今天天气很好。", 2027)


def test_the_law_fixes_every_statutory_holiday_for_an_unknown_year():
    days = {(d.day, d.name) for d in statutory_days(2027)}
    assert days == {
        (date(2027, 1, 1), "元旦"),
        # 2027's 春节 is on 6 February: 除夕 and 正月初一 to 初三.
        (date(2027, 2, 5), "春节"),
        (date(2027, 2, 6), "春节"),
        (date(2027, 2, 7), "春节"),
        (date(2027, 2, 8), "春节"),
        (date(2027, 4, 5), "清明节"),
        (date(2027, 6, 9), "端午节"),
        (date(2027, 9, 15), "中秋节"),
        (date(2027, 5, 1), "劳动节"),
        (date(2027, 5, 2), "劳动节"),
        (date(2027, 10, 1), "国庆节"),
        (date(2027, 10, 2), "国庆节"),
        (date(2027, 10, 3), "国庆节"),
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_proposed_days_are_holidays_in_the_published_calendar(year):
    # For years the State Council has published (and chinese-calendar carries),
    # every day the law alone gives is a holiday there too.
    for proposed in statutory_days(year):
        assert chinese_calendar.is_holiday(proposed.day), proposed


@pytest.fixture
def admin_browser(client, tracker_admin):
    client.force_login(tracker_admin)
    return client


def test_preview_lists_the_days_and_writes_nothing(admin_browser):
    notice_2027 = NOTICE_2026.replace("2026年", "2027年")
    response = admin_browser.post(
        URL, {"year": 2027, "text": notice_2027, "preview": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2027-02-15" in page and "上班（调休）" in page
    assert not Holiday.objects.exists()


def test_import_writes_the_days_and_the_countdowns_use_them(admin_browser):
    notice_2027 = NOTICE_2026.replace("2026年", "2027年")
    response = admin_browser.post(
        URL, {"year": 2027, "text": notice_2027, "import": "1"}
    )
    assert response.status_code == 302
    assert Holiday.objects.count() == 39
    assert Holiday.objects.get(date=date(2027, 10, 10)).is_workday
    calendar = Calendar.load()
    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday, New Year's Day
    assert calendar.missing_years([2027]) == []
    changelist = admin_browser.get(response["Location"]).content.decode()
    assert "2027 年节假日已导入：新增 39 天，更新 0 天。" in changelist


def test_an_empty_notice_proposes_the_statutory_days(admin_browser):
    response = admin_browser.post(URL, {"year": 2027, "text": "", "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2027-04-05" in page and "2027-10-03" in page


def test_a_notice_that_cannot_be_read_is_400_with_the_message(admin_browser):
    response = admin_browser.post(URL, {"year": 2027, "text": "放假", "import": "1"})
    assert response.status_code == 400
    assert "未找到节假日" in response.content.decode()
    assert not Holiday.objects.exists()


def test_a_far_year_is_refused(admin_browser):
    response = admin_browser.post(URL, {"year": 2099, "text": "", "preview": "1"})
    assert response.status_code == 400
    assert "请填写" in response.content.decode()


def test_staff_cannot_open_the_import(client, staff_a):
    client.force_login(staff_a)
    assert client.get(URL).status_code in (302, 403)


def test_the_calendar_list_links_to_the_import(admin_browser):
    page = admin_browser.get("/admin/tracker/holiday/").content.decode()
    assert reverse("admin:tracker_holiday_import") in page

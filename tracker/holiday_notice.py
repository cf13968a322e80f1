"""The State Council's yearly notice of public holidays (国务院办公厅关于某年部分节假日
安排的通知), read into days for the ``Holiday`` table; and the holidays the law fixes
(全国年节及纪念日放假办法) for a year no notice has been read for yet.

Pure: text in, ``ProposedDay`` rows out, ``HolidayNoticeError`` for text that is not
such a notice. The admin shows the days for confirmation before anything is
written (``services.calendar.holidays_import``).

The notice's wording, one item a holiday::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    三、清明节：4月4日（周六）至6日（周一）放假，共3天。

A sentence with 放假 gives the holiday (a day, or "至" a last day whose month may be
left out); a sentence with 上班 gives the weekend days moved to work (调休).
"""

import dataclasses
import re
from datetime import date, timedelta

import chinese_calendar
from django.utils.translation import gettext as _
from lunardate import LunarDate

_ITEM = re.compile(
    r"(?:^|\n|\s)[一二三四五六七八九十]+、\s*([^：:\s]{1,8})[：:](.*?)"
    r"(?=(?:\n|\s)[一二三四五六七八九十]+、|\Z)",
    re.S,
)
_DAY = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（[^）]*）|\([^)]*\))?"
_RANGE = re.compile(_DAY + r"(?:\s*[至到\-—–~～]\s*" + _DAY + r")?")


class HolidayNoticeError(Exception):
    """The text is not a holiday notice that can be read."""


@dataclasses.dataclass(frozen=True)
class ProposedDay:
    day: date
    is_workday: bool
    name: str


def _dates(sentence, year):
    """Every day a sentence names, ranges ("至") expanded."""
    found = []
    month = None
    for match in _RANGE.finditer(sentence):
        y1, m1, d1, y2, m2, d2 = match.groups()
        if m1 is None and month is None:
            continue  # "共3天" and the like are no days
        first_year = int(y1) if y1 else year
        month = int(m1) if m1 else month
        try:
            first = date(first_year, month, int(d1))
            if d2 is None:
                found.append(first)
                continue
            last_month = int(m2) if m2 else month
            last_year = int(y2) if y2 else first_year
            last = date(last_year, last_month, int(d2))
        except ValueError:
            raise HolidayNoticeError(
                _("“%(text)s” is not a date.") % {"text": match.group(0)}
            ) from None
        month = last_month
        if not first <= last <= first + timedelta(days=14):
            raise HolidayNoticeError(
                _("“%(text)s” is not a holiday's span.") % {"text": match.group(0)}
            )
        found.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    return found


def parse_notice(text: str, year: int) -> list[ProposedDay]:
    """The holidays and 调休 working days of ``year`` that the notice names, by
    date. Raises ``HolidayNoticeError`` when it names none."""
    days = {}
    for name, body in _ITEM.findall(text or ""):
        for sentence in re.split(r"[。；;]", body):
            if "放假" in sentence:
                is_workday = False
            elif "上班" in sentence:
                is_workday = True
            else:
                continue
            # Only the part before 放假 / 上班 names the days ("共3天" follows).
            head = re.split(r"放假|上班", sentence)[0]
            for day in _dates(head, year):
                days[day] = ProposedDay(day, is_workday, name.strip())
    if not days:
        raise HolidayNoticeError(
            _(
                "No holiday found: paste the notice's items, such as "
                "“一、元旦：1月1日至3日放假调休，共3天。1月4日（周日）上班。”"
            )
        )
    return sorted(days.values(), key=lambda proposed: proposed.day)


def statutory_days(year: int) -> list[ProposedDay]:
    """The holidays the law itself fixes (全国年节及纪念日放假办法, as amended in
    2024), for a year the package and the table do not know: 元旦, 春节 (除夕 and
    正月初一 to 初三), 清明, 劳动节 (1-2 May), 端午, 中秋 and 国庆节 (1-3 October).
    The lunar dates come from the lunar calendar (lunardate); which weekend days are
    moved to work (调休) only the State Council's notice says."""
    qingming = next(
        day
        for day, term in chinese_calendar.get_solar_terms(
            date(year, 4, 1), date(year, 4, 10)
        )
        if term == "清明"
    )
    new_year = LunarDate(year, 1, 1).to_solar_date()
    spring = [new_year - timedelta(days=1)] + [
        new_year + timedelta(days=n) for n in range(3)
    ]
    return sorted(
        [
            ProposedDay(date(year, 1, 1), False, "元旦"),
            *(ProposedDay(day, False, "春节") for day in spring),
            ProposedDay(qingming, False, "清明节"),
            ProposedDay(date(year, 5, 1), False, "劳动节"),
            ProposedDay(date(year, 5, 2), False, "劳动节"),
            ProposedDay(LunarDate(year, 5, 5).to_solar_date(), False, "端午节"),
            ProposedDay(LunarDate(year, 8, 15).to_solar_date(), False, "中秋节"),
            ProposedDay(date(year, 10, 1), False, "国庆节"),
            ProposedDay(date(year, 10, 2), False, "国庆节"),
            ProposedDay(date(year, 10, 3), False, "国庆节"),
        ],
        key=lambda proposed: proposed.day,
    )

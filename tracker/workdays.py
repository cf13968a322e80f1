"""Working days (工作日) in mainland China, for time limits and countdowns.

Public holidays and the weekend days moved to work (调休) come from the
``chinese-calendar`` package; the ``Holiday`` table (edited in the admin) overrides
or extends it day by day. For a year the package does not cover yet (it raises
``NotImplementedError``), a day is a working day from Monday to Friday unless the
table says otherwise, and ``missing_years`` names such years so the admin and the
dashboard can ask for their holidays to be entered.

Definitions, used everywhere a deadline is counted:

- ``workdays_between(start, end)``: the working days *after* ``start`` up to and
  *including* ``end``; negative (the same count, the other way) when ``end`` is
  before ``start``. So with start = today and end = the due date, the result is
  "剩余 N 个工作日" when positive, 0 on the due date (今日到期) or when only
  non-working days are left, and minus the working days lost when overdue.
- ``add_workdays(day, n)``: the ``n``-th working day after ``day`` (``day`` itself
  when ``n`` is 0), so that ``workdays_between(day, add_workdays(day, n)) == n``. A
  limit of 15 working days given on ``day`` ends on ``add_workdays(day, 15)``. With
  ``n`` negative it is the working day on which ``day`` first becomes ``-n``
  working days ahead (``workdays_between(add_workdays(day, n), day) == -n``): the
  day "3 working days before the due date" for a reminder.

Cost: the ``Holiday`` rows are read in ONE query per request (``CalendarMiddleware``
keeps the ``Calendar`` for the request) or per ``calendar_scope()`` block
(management commands), whatever the number of obligations counted.
"""

import contextlib
import contextvars
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from django.apps import apps

# A limit in working days longer than a working year is a typing mistake.
MAX_LIMIT_WORKDAYS = 250


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _package_is_workday(day: date) -> bool:
    if _package_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@lru_cache(maxsize=64)
def _package_year_counts(year: int) -> tuple[int, ...]:
    """Cumulative working days of ``year`` by the package alone, day by day. The
    package's calendar never changes while the process runs, so this is computed
    once per process and year, not once per request (365 look-ups a year cost a
    list page with countdowns more than its query)."""
    return tuple(_running_counts(year, _package_is_workday))


def _running_counts(year, is_workday):
    # By ordinal, not ``day += 1``: the day after 9999-12-31 does not exist.
    first = date(year, 1, 1).toordinal()
    running = 0
    for ordinal in range(first, date(year, 12, 31).toordinal() + 1):
        running += is_workday(date.fromordinal(ordinal))
        yield running


def _weekdays_through(ordinal: int) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday, ordinal 1) through the day of
    ``ordinal``: arithmetic, so that a far date (a legacy 9999-12-31) costs no more
    to count to than next week."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _weekdays_in_years(first: int, last: int) -> int:
    """Mondays to Fridays from 1 January of ``first`` through 31 December of
    ``last``."""
    if last < first:
        return 0
    return _weekdays_through(date(last, 12, 31).toordinal()) - _weekdays_through(
        date(first, 1, 1).toordinal() - 1
    )


@lru_cache(maxsize=1)
def _package_years() -> frozenset[int]:
    """The years the package knows (a range of two or three decades)."""
    years = {day.year for day in chinese_calendar.holidays}
    years |= {day.year for day in chinese_calendar.workdays}
    return frozenset(year for year in years if _package_covers(year))


class Calendar:
    """The working-day calendar with the ``Holiday`` table's overrides in memory."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        # {day: is_workday} from the Holiday table.
        self.overrides = dict(overrides or {})
        self._override_years = frozenset(day.year for day in self.overrides)
        # Per year with overrides: cumulative working days up to and including
        # each day of it (other years: _package_year_counts).
        self._cumulative: dict[int, tuple[int, ...]] = {}

    @classmethod
    def load(cls) -> "Calendar":
        """The calendar with every ``Holiday`` row: one query (the table holds a
        few dozen rows a year).

        The model is looked up by name, not imported: the models count working
        days with this module, so importing them here would make a circle."""
        holiday = apps.get_model("tracker", "Holiday")
        return cls(dict(holiday.objects.values_list("date", "is_workday")))

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return _package_is_workday(day)

    def _year_counts(self, year: int) -> tuple[int, ...]:
        if year not in self._override_years:
            return _package_year_counts(year)
        counts = self._cumulative.get(year)
        if counts is None:
            counts = tuple(_running_counts(year, self.is_workday))
            self._cumulative[year] = counts
        return counts

    def _through(self, day: date, origin_year: int) -> int:
        """Working days from 1 January of ``origin_year`` through ``day``.

        Years that neither the package nor the table knows count Monday to Friday
        by arithmetic, all at once; only the known years are counted day by day.
        Otherwise a due date in year 9999 made every page showing it count eight
        thousand years, day by day (seconds of CPU, then an overflow)."""
        known = {
            year
            for year in _package_years() | self._override_years
            if origin_year <= year < day.year
        }
        total = _weekdays_in_years(origin_year, day.year - 1)
        for year in known:
            total += self._year_counts(year)[-1] - _weekdays_in_years(year, year)
        if day.year in _package_years() or day.year in self._override_years:
            in_year = self._year_counts(day.year)[day.timetuple().tm_yday - 1]
        else:
            in_year = _weekdays_through(day.toordinal()) - _weekdays_through(
                date(day.year, 1, 1).toordinal() - 1
            )
        return total + in_year

    def workdays_between(self, start: date, end: date) -> int:
        origin = min(start, end).year
        return self._through(end, origin) - self._through(start, origin)

    def add_workdays(self, day: date, n: int) -> date:
        """At the ends of the calendar (a legacy date near 9999-12-31 or
        0001-01-01) the answer stops at ``date.max`` or ``date.min`` rather than
        overflowing: such a date is only ever shown, never worked to."""
        if n >= 0:
            while n:
                if day == date.max:
                    return day
                day += timedelta(days=1)
                n -= self.is_workday(day)
            return day
        # Backwards: the (|n|+1)-th working day counting back from ``day`` itself,
        # the earliest day from which ``day`` is still |n| working days ahead.
        wanted = 1 - n
        while True:
            wanted -= self.is_workday(day)
            if not wanted or day == date.min:
                return day
            day -= timedelta(days=1)

    def missing_years(self, years) -> list[int]:
        """The ``years`` the package does not cover and the table has no entry for:
        their holidays must be entered, or deadlines count Monday to Friday only."""
        return sorted(
            year
            for year in set(years)
            if not _package_covers(year) and year not in self._override_years
        )


_scope = contextvars.ContextVar("workday_calendar", default=None)


@contextlib.contextmanager
def calendar_scope(calendar: Calendar | None = None):
    """Within the block, ``current_calendar()`` loads the overrides once (or answers
    ``calendar``, already loaded)."""
    token = _scope.set({"calendar": calendar} if calendar else {})
    try:
        yield
    finally:
        _scope.reset(token)


def current_calendar() -> Calendar:
    """The calendar of the current request or ``calendar_scope()``; outside both, a
    freshly loaded one (one query per call)."""
    holder = _scope.get()
    if holder is None:
        return Calendar.load()
    if "calendar" not in holder:
        holder["calendar"] = Calendar.load()
    return holder["calendar"]


class CalendarMiddleware:
    """One ``Calendar`` per request, so a page counting deadlines for any number of
    rows reads the ``Holiday`` table once. (A streamed response outlives the
    request's scope: its generator must take the calendar before it starts.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with calendar_scope():
            return self.get_response(request)


def is_workday(day: date, *, calendar: Calendar | None = None) -> bool:
    return (calendar or current_calendar()).is_workday(day)


def add_workdays(day: date, n: int, *, calendar: Calendar | None = None) -> date:
    return (calendar or current_calendar()).add_workdays(day, n)


def workdays_between(
    start: date, end: date, *, calendar: Calendar | None = None
) -> int:
    return (calendar or current_calendar()).workdays_between(start, end)


def missing_years(years, *, calendar: Calendar | None = None) -> list[int]:
    return (calendar or current_calendar()).missing_years(years)

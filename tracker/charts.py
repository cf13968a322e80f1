"""Charts drawn on the server as inline SVG.

No JavaScript and nothing from a CDN: county intranets are offline and the CSP
allows only this server. Colours are SVG presentation attributes (not ``style``),
which the CSP permits. Each chart has a <title> and <desc>, text labels with the
figures, and the templates add a data table beside it for screen readers and print.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .models import Obligation

STATUS_COLOURS = {
    Obligation.Status.NOT_STARTED: "#8c959f",
    Obligation.Status.IN_PROGRESS: "#0969da",
    Obligation.Status.SIGNOFF: "#8250df",
    Obligation.Status.SUBMITTED: "#bf8700",
    Obligation.Status.DONE: "#1a7f37",
    Obligation.Status.RETURNED: "#cf222e",
}
TRACK = "#eaeef2"
INK = "#1f2328"
# Every chart is drawn WIDTH user units wide and shown at most that many pixels
# wide (app.css: max-width 100%, height auto), so one unit is one pixel on a
# desktop and the 15-unit text is still 12 px on a 320 px wide phone card.
WIDTH = 400
FONT_SIZE = 15
LABEL_WIDTH = 124
ROW_HEIGHT = 28
BAR_HEIGHT = 18
FONT = f'font-size="{FONT_SIZE}" fill="{INK}"'


def _f(number):
    return f"{number:.1f}"


def _text_width(text):
    """Approximate width of ``text`` in user units: CJK characters are square,
    Latin letters and digits about 0.6 em."""
    return sum(
        FONT_SIZE if ord(char) > 0x2E80 else 0.6 * FONT_SIZE for char in str(text)
    )


def _fit(text, width):
    """``text`` cut with "…" to fit ``width`` units."""
    text = str(text)
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _label(x, y, text, width, anchor="end"):
    """A text label cut to ``width``, the full text in its <title> (shown on
    hover and read by screen readers)."""
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" ' + FONT + "><title>{}</title>{}</text>",
        x,
        y,
        anchor,
        text,
        _fit(text, width),
    )


def _svg(chart_id, width, height, title, desc, body):
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{body}</svg>",
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        body=body,
    )


def _legend(y, items):
    """Legend swatches, wrapped onto as many lines as WIDTH needs; returns the
    markup and the y below it."""
    parts, x = [], 0
    for label, colour in items:
        item_width = 14 + _text_width(label) + 14
        if x and x + item_width > WIDTH:
            x, y = 0, y + ROW_HEIGHT - 6
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="11" height="11" fill="{}"/>'
                '<text x="{}" y="{}" ' + FONT + ">{}</text>",
                _f(x),
                y + 1,
                colour,
                _f(x + 15),
                y + 11,
                label,
            )
        )
        x += item_width
    return mark_safe("".join(parts)), y + ROW_HEIGHT


def status_by_department(scorecards, chart_id="chart-status"):
    """Horizontal stacked bars: each department's obligations by status."""
    statuses = list(Obligation.Status)
    biggest = max((card.total for card in scorecards), default=0) or 1
    bar_width = WIDTH - LABEL_WIDTH - 44  # room for the total after the bar
    legend, top = _legend(0, [(s.label, STATUS_COLOURS[s]) for s in statuses])
    rows = []
    for i, card in enumerate(scorecards):
        y = top + i * ROW_HEIGHT
        name = (
            card.department.short_name or card.department.name
            if card.department
            else gettext("Unassigned")
        )
        parts = [_label(LABEL_WIDTH - 6, y + 14, name, LABEL_WIDTH - 8)]
        x = LABEL_WIDTH
        for status in statuses:
            count = getattr(card, status.value)
            if not count:
                continue
            width = bar_width * count / biggest
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    _f(x),
                    y,
                    _f(width),
                    BAR_HEIGHT,
                    STATUS_COLOURS[status],
                    name,
                    status.label,
                    count,
                )
            )
            x += width
        parts.append(
            format_html(
                '<text x="{}" y="{}" ' + FONT + ">{}</text>",
                _f(x + 4),
                y + 14,
                card.total,
            )
        )
        rows.append(mark_safe("".join(parts)))
    return _svg(
        chart_id,
        WIDTH,
        top + len(scorecards) * ROW_HEIGHT,
        gettext("Status of obligations per department"),
        gettext(
            "Stacked bars, one per department, with the number of obligations in "
            "each status."
        ),
        mark_safe(str(legend) + "".join(rows)),
    )


def completion_by_chapter(tree, chart_id="chart-chapters"):
    """One bar per chapter: the share of its obligations that are done. The
    chapter's name has the chart's whole width on a line above its bar, so it is
    cut (the full name in its <title>) only when longer than the chart."""
    figures_width = 92  # "12 / 345 (100%)" after the bar
    bar_width = WIDTH - figures_width
    row_height = ROW_HEIGHT + 20
    rows = []
    for i, node in enumerate(tree):
        y = 4 + i * row_height
        bar_y = y + 20
        done_width = bar_width * node.done / node.total if node.total else 0
        rows.append(
            format_html(
                "{}"
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" ' + FONT + ">{} / {} ({}%)</text>",
                _label(0, y + 14, node.section, WIDTH, anchor="start"),
                bar_y,
                bar_width,
                BAR_HEIGHT,
                TRACK,
                bar_y,
                _f(done_width),
                BAR_HEIGHT,
                STATUS_COLOURS[Obligation.Status.DONE],
                bar_width + 5,
                bar_y + 14,
                node.done,
                node.total,
                node.percent_done,
            )
        )
    return _svg(
        chart_id,
        WIDTH,
        8 + len(tree) * row_height,
        gettext("Completion per chapter"),
        gettext(
            "One bar per chapter of the report: obligations done out of the total."
        ),
        mark_safe("".join(rows)),
    )


def completion_over_time(series, total, chart_id="chart-over-time"):
    """A step line of the cumulative number of obligations done, one point a week
    (``selectors.dashboard.completion_by_week``)."""
    width, height, left, bottom, top = WIDTH, 230, 54, 30, 16
    plot_w, plot_h = width - left - 20, height - bottom - top
    ceiling = max(total, series[-1][2] if series else 0) or 1
    first, last = (series[0][0], series[-1][0]) if series else (None, None)
    span = max((last - first).days, 1) if series else 1

    def point(day, value):
        x = left + plot_w * ((day - first).days / span if len(series) > 1 else 1)
        y = top + plot_h * (1 - value / ceiling)
        return x, y

    axes = format_html(
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="{c}"/>'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="{c}"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end" ' + FONT + ">{total}</text>"
        '<text x="{tx}" y="{b}" text-anchor="end" ' + FONT + ">0</text>",
        l=left,
        t=top,
        b=top + plot_h,
        r=left + plot_w,
        c=INK,
        tx=left - 6,
        ty=top + 4,
        total=ceiling,
    )
    if not series:
        body = axes + format_html(
            '<text x="{}" y="{}" ' + FONT + ">{}</text>",
            left + 10,
            _f(top + plot_h / 2),
            gettext("Nothing done yet."),
        )
    else:
        coords, previous = [], None
        for day, _count, cumulative in series:
            x, y = point(day, cumulative)
            if previous is not None:
                coords.append(f"{x:.1f},{previous:.1f}")
            coords.append(f"{x:.1f},{y:.1f}")
            previous = y
        if len(series) == 1:
            coords.insert(0, f"{left},{previous:.1f}")
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
            (
                (
                    *map(_f, point(day, cumulative)),
                    STATUS_COLOURS["done"],
                    day.isoformat(),
                    cumulative,
                )
                for day, _count, cumulative in series
            ),
        )
        labels = format_html(
            '<text x="{}" y="{}" ' + FONT + ">{}</text>"
            '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>"
            '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>",
            0,
            height - 8,
            first.isoformat(),
            left + plot_w,
            height - 8,
            last.isoformat(),
            _f(point(last, series[-1][2])[0] - 4),
            _f(max(point(last, series[-1][2])[1] - 6, top + 10)),
            series[-1][2],
        )
        line = format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            " ".join(coords),
            STATUS_COLOURS["done"],
        )
        body = axes + line + dots + labels
    return _svg(
        chart_id,
        width,
        height,
        gettext("Completion over time"),
        gettext(
            "Cumulative number of obligations done, by week from the report's "
            "import to today (Asia/Shanghai)."
        ),
        body,
    )


# The ranking's bars: the best and the lowest stand out by colour AND by the words
# after their score (``DepartmentIndicators.note``), so print and screen readers
# tell them apart too.
RANKING_COLOURS = {"best": "#1a7f37", "lowest": "#cf222e", "other": "#0969da"}


def ranking_scores(rows, chart_id="chart-ranking"):
    """One bar per ranked department, in rank order: its score out of 100.
    Departments without a score (nothing assigned) are not drawn."""
    ranked = [row for row in rows if row.is_ranked]
    label_width = LABEL_WIDTH + 20
    figures_width = 96  # "100.0 最优" after the bar
    bar_width = WIDTH - label_width - figures_width
    bars = []
    for i, row in enumerate(ranked):
        y = 4 + i * ROW_HEIGHT
        department = row.department
        name = f"{row.rank}. {department.short_name or department.name}"
        kind = "best" if row.is_best else "lowest" if row.is_worst else "other"
        bars.append(
            format_html(
                '{}<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {}</title></rect>"
                '<text x="{}" y="{}" ' + FONT + ">{} {}</text>",
                _label(label_width - 6, y + 14, name, label_width - 8),
                label_width,
                y,
                bar_width,
                BAR_HEIGHT,
                TRACK,
                label_width,
                y,
                _f(bar_width * row.score / 100),
                BAR_HEIGHT,
                RANKING_COLOURS[kind],
                department.name,
                _f(row.score),
                label_width + bar_width + 4,
                y + 14,
                _f(row.score),
                row.note,
            )
        )
    return _svg(
        chart_id,
        WIDTH,
        8 + len(ranked) * ROW_HEIGHT,
        gettext("Score per department"),
        gettext(
            "One bar per ranked department, best first: its composite score out "
            "of 100. Departments with no assigned items are not drawn."
        ),
        mark_safe("".join(bars)),
    )

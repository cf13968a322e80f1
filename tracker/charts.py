"""Charts drawn on the server as inline SVG.

No JavaScript and nothing from a CDN: county intranets are offline and the CSP
allows only this server. Colours are SVG presentation attributes (not ``style``),
which the CSP permits. Each chart has a <title> and <desc>, text labels with the
figures, and the templates add a data table beside it for screen readers and print.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Obligation

STATUS_COLOURS = {
    Obligation.Status.NOT_STARTED: "#8c959f",
    Obligation.Status.IN_PROGRESS: "#0969da",
    Obligation.Status.SUBMITTED: "#bf8700",
    Obligation.Status.DONE: "#1a7f37",
    Obligation.Status.RETURNED: "#cf222e",
}
TRACK = "#eaeef2"
INK = "#1f2328"
LABEL_WIDTH = 170
BAR_WIDTH = 360
ROW_HEIGHT = 26
FONT = f'font-size="12" fill="{INK}"'


def _f(number):
    return f"{number:.1f}"


def _truncate(text, length=14):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


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
    parts, x = [], 0
    for label, colour in items:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" ' + FONT + ">{}</text>",
                x,
                y,
                colour,
                x + 14,
                y + 9,
                label,
            )
        )
        x += 14 + 13 * len(str(label)) + 16
    return mark_safe("".join(parts))


def status_by_department(scorecards, chart_id="chart-status"):
    """Horizontal stacked bars: each department's obligations by status."""
    statuses = list(Obligation.Status)
    biggest = max((card.total for card in scorecards), default=0) or 1
    rows = []
    for i, card in enumerate(scorecards):
        y = 30 + i * ROW_HEIGHT
        name = (
            card.department.short_name or card.department.name
            if card.department
            else _("Unassigned")
        )
        parts = [
            format_html(
                '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>",
                LABEL_WIDTH - 6,
                y + 14,
                _truncate(name),
            )
        ]
        x = LABEL_WIDTH
        for status in statuses:
            count = getattr(card, status.value)
            if not count:
                continue
            width = BAR_WIDTH * count / biggest
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="18" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    _f(x),
                    y,
                    _f(width),
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
    height = 30 + len(scorecards) * ROW_HEIGHT + 10
    legend = _legend(4, [(s.label, STATUS_COLOURS[s]) for s in statuses])
    body = mark_safe(str(legend) + "".join(rows))
    return _svg(
        chart_id,
        LABEL_WIDTH + BAR_WIDTH + 50,
        height,
        _("Status of obligations per department"),
        _(
            "Stacked bars, one per department, with the number of obligations in "
            "each status."
        ),
        body,
    )


def completion_by_chapter(tree, chart_id="chart-chapters"):
    """One bar per chapter: the share of its obligations that are done."""
    rows = []
    for i, node in enumerate(tree):
        y = 6 + i * ROW_HEIGHT
        done_width = BAR_WIDTH * node.done / node.total if node.total else 0
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>"
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<text x="{}" y="{}" ' + FONT + ">{} / {} ({}%)</text>",
                LABEL_WIDTH - 6,
                y + 14,
                _truncate(node.section),
                LABEL_WIDTH,
                y,
                BAR_WIDTH,
                TRACK,
                LABEL_WIDTH,
                y,
                _f(done_width),
                STATUS_COLOURS[Obligation.Status.DONE],
                LABEL_WIDTH + BAR_WIDTH + 6,
                y + 14,
                node.done,
                node.total,
                node.percent_done,
            )
        )
    return _svg(
        chart_id,
        LABEL_WIDTH + BAR_WIDTH + 110,
        12 + len(tree) * ROW_HEIGHT,
        _("Completion per chapter"),
        _("One bar per chapter of the report: obligations done out of the total."),
        mark_safe("".join(rows)),
    )


def completion_over_time(series, total, chart_id="chart-over-time"):
    """A step line of the cumulative number of obligations done, by day."""
    width, height, left, bottom, top = 560, 220, 50, 30, 16
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
            _("Nothing done yet."),
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
            left,
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
        _("Completion over time"),
        _("Cumulative number of obligations done, by day (Asia/Shanghai)."),
        body,
    )

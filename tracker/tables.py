"""The obligation list's columns, written once, and the django-tables2 table.

``OBLIGATION_COLUMNS`` is the one place the list's columns are named and ordered:
the table's header and sorting, the page's cells (tracker/obligation_table.html
asks each column for its cell) and both exports (``exports.py`` reads each column's
``fields`` and asks it for its cell) all follow it. To add a column, add one
``ObligationColumn`` here; if it shows something computed, annotate it in
``selectors.obligations.obligations_for_table`` and name the annotation in ``fields``. A
column only the exports have (``on_page=False``: the full text, the latest note, the
return reason) comes after the page's and is annotated in
``selectors.obligations.obligations_for_export``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from operator import attrgetter

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .badges import countdown as countdown_badge
from .badges import rating_badge, status_badge, supervision_badge
from .models import Obligation, countdown, display_name, overdue_in_python

PER_PAGE = 50
EMPTY = "—"


@dataclass(frozen=True)
class ObligationColumn:
    """One column of the obligation list, on the page and in the exports.

    ``cell`` gives the page's cell (HTML, escaped) from a row of
    ``selectors.obligations.obligations_for_table``; ``export`` gives the CSV/XLSX cell
    (plain text, a number or None) from the values of ``fields``, read with one
    ``values_list`` so that an export of every row builds no model instance."""

    name: str
    header: str
    cell: Callable[[Obligation], str]
    fields: tuple[str, ...]
    export: Callable[..., object]
    order_by: tuple[str, ...] = ()
    td_class: str = ""
    # Shown on a phone, where each row becomes a card of these cells only (code,
    # title, status, department, deadline: what tells a person what to open).
    on_phone: bool = False
    # Short values (a date, a kind) kept on one line: the title column wraps instead.
    nowrap: bool = False
    # The XLSX column's width (in characters) and whether long text wraps in it.
    xlsx_width: int = 12
    xlsx_wrap: bool = False
    # False: in the exports only (the page has no room for the full text).
    on_page: bool = True
    # False: no sorting by this column (its values' alphabetical order means
    # nothing, as with the ratings).
    orderable: bool = True

    @property
    def cell_class(self):
        return " ".join(
            name
            for name, wanted in (
                (self.td_class, bool(self.td_class)),
                (f"cell-{self.name}", True),
                ("nowrap", self.nowrap),
                ("phone-hide", not self.on_phone),
            )
            if wanted
        )

    def table_column(self):
        return tables.Column(
            verbose_name=self.header,
            order_by=self.order_by or None,
            orderable=self.orderable,
            attrs={"th": {"class": "nowrap"}} if self.nowrap else {},
        )


@cache
def _choice_labels(choices, language):
    return {value: str(label) for value, label in choices.choices}


def _label(choices):
    """The export's label of a choice value in the active language; a dictionary
    look-up per cell (rendering each label lazily cost seconds on 10,000 rows)."""

    def label(value):
        return _choice_labels(choices, translation.get_language()).get(value, value)

    return label


def _countdown_text(due_date, status, report_closed=None, carried_into=None):
    if report_closed is not None or carried_into is not None:
        return None  # settled: a closed year, or carried into the next (结转)
    state = countdown(due_date, status, timezone.localdate())
    return state.label if state else None


def _export_only_text(name, header, *, xlsx_width):
    """A long text of the exports only (the field or annotation ``name``), wrapped
    in its XLSX cell."""
    return ObligationColumn(
        name=name,
        header=header,
        cell=attrgetter(name),
        fields=(name,),
        export=lambda text: text,
        xlsx_width=xlsx_width,
        xlsx_wrap=True,
        on_page=False,
    )


def _or_dash(value):
    return EMPTY if value in (None, "") else value


OBLIGATION_COLUMNS = (
    ObligationColumn(
        name="code",
        header=_("Code"),
        cell=lambda o: o.code,
        fields=("code",),
        export=lambda code: code,
        on_phone=True,
        nowrap=True,
    ),
    ObligationColumn(
        name="title",
        header=_("Title"),
        cell=lambda o: format_html(
            '<a href="{}">{}</a>', o.get_absolute_url(), o.title
        ),
        fields=("title",),
        export=lambda title: title,
        on_phone=True,
        xlsx_width=40,
        xlsx_wrap=True,
    ),
    ObligationColumn(
        name="kind",
        header=_("Kind"),
        cell=lambda o: o.get_kind_display(),
        fields=("kind",),
        export=_label(Obligation.Kind),
        nowrap=True,
    ),
    ObligationColumn(
        name="department",
        header=_("Responsible department"),
        cell=lambda o: _or_dash(o.department.name if o.department_id else None),
        fields=("department__name",),
        export=lambda name: name,
        order_by=("department__name",),
        on_phone=True,
        xlsx_width=20,
        xlsx_wrap=True,
    ),
    ObligationColumn(
        name="owner",
        header=_("Responsible person"),
        cell=lambda o: display_name(o.owner) if o.owner_id else EMPTY,
        # Annotated for the exports (selectors.obligations.obligations_for_export): on
        # the page the owner's row comes with select_related.
        fields=("owner_name",),
        export=lambda name: name,
        xlsx_width=14,
        order_by=("owner__first_name", "owner__username"),
        nowrap=True,
    ),
    ObligationColumn(
        name="status",
        header=_("Status"),
        cell=lambda o: status_badge(o.status),
        fields=("status",),
        export=_label(Obligation.Status),
        on_phone=True,
        nowrap=True,
    ),
    ObligationColumn(
        name="due_date",
        header=_("Due date"),
        cell=lambda o: o.due_date.isoformat() if o.due_date else EMPTY,
        fields=("due_date",),
        # A date: a date cell in XLSX, yyyy-mm-dd in CSV (exports._csv_text).
        export=lambda due: due,
        on_phone=True,
        nowrap=True,
    ),
    ObligationColumn(
        name="countdown",
        header=_("Time left"),
        cell=lambda o: countdown_badge(o) or EMPTY,
        fields=("due_date", "status", "report__closed_at", "carried_into"),
        export=_countdown_text,
        # The countdown follows the due date: sorting by one sorts by the other.
        order_by=("due_date",),
        on_phone=True,
        nowrap=True,
        xlsx_width=22,
    ),
    ObligationColumn(
        name="supervision_level",
        header=_("Supervision"),
        cell=lambda o: supervision_badge(o.supervision_level),
        fields=("supervision_level",),
        export=_label(Obligation.SupervisionLevel),
    ),
    ObligationColumn(
        name="rating",
        header=_("Rating"),
        cell=lambda o: rating_badge(o.rating) or EMPTY,
        fields=("rating",),
        export=_label(Obligation.Rating),
        orderable=False,
        nowrap=True,
    ),
    ObligationColumn(
        name="evidence_count",
        header=_("Evidence"),
        cell=lambda o: o.evidence_count,
        fields=("evidence_count",),
        export=lambda count: count,
        td_class="num",
        nowrap=True,
    ),
    ObligationColumn(
        name="last_update",
        header=_("Last update"),
        cell=lambda o: (
            timezone.localtime(o.last_update).strftime("%Y-%m-%d %H:%M")
            if o.last_update
            else EMPTY
        ),
        fields=("last_update",),
        # The county's clock, whatever the database's time zone; naive, as a
        # spreadsheet's date cells are.
        export=lambda when: (
            timezone.localtime(when, timezone.get_default_timezone()).replace(
                tzinfo=None, second=0, microsecond=0
            )
            if when
            else None
        ),
        nowrap=True,
        xlsx_width=17,
    ),
    # In the exports only, annotated by selectors.obligations.obligations_for_export.
    _export_only_text("body", _("Full text"), xlsx_width=60),
    _export_only_text("latest_note", _("Latest progress note"), xlsx_width=40),
    _export_only_text("return_reason", _("Reason for return"), xlsx_width=30),
    _export_only_text("rating_comment", _("Rating comment"), xlsx_width=30),
    _export_only_text("co_operating_units", _("Co-operating units"), xlsx_width=30),
)
COLUMNS_BY_NAME = {column.name: column for column in OBLIGATION_COLUMNS}
PAGE_COLUMNS = tuple(column for column in OBLIGATION_COLUMNS if column.on_page)
EXPORT_ONLY_COLUMNS = tuple(
    column for column in OBLIGATION_COLUMNS if not column.on_page
)


def table_rows(table):
    """The ``<tr>`` rows of the table's page (``data-pk``: the obligation), one
    ``<td>`` per column it shows, in the header's order; an overdue row has the
    class "overdue".

    Written here in one pass rather than by django-tables2's template, which for
    each row builds a BoundRow's attributes and for each cell inspects a signature
    and merges attributes: with those, and each cell's class and translated header
    looked up per cell instead of once per column, the list cost as much as the
    admin changelist. Each value is escaped by ``conditional_escape``."""
    today = timezone.localdate()
    # While several reports have open work two rows may share a code: the view
    # says so (``label_years``, from selectors.reports.labels_years), and the code
    # names its year, as everywhere else.
    cells = {name: column.cell for name, column in COLUMNS_BY_NAME.items()}
    if getattr(table, "label_years", False):
        cells["code"] = lambda o: f"{o.report_year} · {o.code}"
    columns = [
        (
            cells[bound.name],
            format_html(
                '<td class="{}" data-label="{}">',
                COLUMNS_BY_NAME[bound.name].cell_class,
                COLUMNS_BY_NAME[bound.name].header,
            ),
        )
        for bound in table.columns
    ]
    parts = []
    for row in table.paginated_rows:
        record = row.record
        overdue = ' class="overdue"' if overdue_in_python(record, today) else ""
        parts.append(f'<tr{overdue} data-pk="{int(record.pk)}">')
        for cell, opening in columns:
            parts += (opening, conditional_escape(cell(record)), "</td>")
        parts.append("</tr>")
    if not parts and table.empty_text:
        return format_html(
            '<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


class FixedPaginator(Paginator):
    """Always PER_PAGE rows: ``?per_page=`` (which django-tables2 reads from the
    query string) can neither empty the page (0, negative) nor dump every row."""

    def __init__(self, object_list, per_page=PER_PAGE, *args, **kwargs):
        super().__init__(object_list, PER_PAGE, *args, **kwargs)


PAGINATION = {"per_page": PER_PAGE, "paginator_class": FixedPaginator}


class _ObligationTableMeta:
    model = Obligation
    attrs = {"class": "table stack obligations"}
    fields = ()
    sequence = tuple(column.name for column in PAGE_COLUMNS)
    order_by = ("report", "position")
    empty_text = _("No obligations match these filters.")
    per_page = PER_PAGE
    template_name = "tracker/obligation_table.html"


# The declarative table built from OBLIGATION_COLUMNS: django-tables2's metaclass
# collects the columns in the spec's order, as if each were written out here.
ObligationTable = type(tables.Table)(
    "ObligationTable",
    (tables.Table,),
    {
        "__module__": __name__,
        "__doc__": "The obligation list; its columns are OBLIGATION_COLUMNS.",
        "Meta": _ObligationTableMeta,
        **{column.name: column.table_column() for column in PAGE_COLUMNS},
    },
)

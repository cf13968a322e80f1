"""django-tables2 tables of the progress pages (their export: exports.py)."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Obligation
from .templatetags.tracker_tags import status_badge, supervision_badge

PER_PAGE = 50


class FixedPaginator(Paginator):
    """Always PER_PAGE rows: ``?per_page=`` (which django-tables2 reads from the
    query string) can neither empty the page (0, negative) nor dump every row."""

    def __init__(self, object_list, per_page=PER_PAGE, *args, **kwargs):
        super().__init__(object_list, PER_PAGE, *args, **kwargs)


PAGINATION = {"per_page": PER_PAGE, "paginator_class": FixedPaginator}


def _overdue_class(record):
    return "overdue" if record.is_overdue(timezone.localdate()) else ""


class ObligationTable(tables.Table):
    PER_PAGE = PER_PAGE
    code = tables.Column(verbose_name=_("Code"))
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    department = tables.Column(
        verbose_name=_("Responsible department"), order_by=("department__name",)
    )
    owner = tables.Column(
        verbose_name=_("Responsible person"),
        order_by=("owner__first_name", "owner__username"),
    )
    status = tables.Column(verbose_name=_("Status"))
    due_date = tables.Column(verbose_name=_("Due date"))
    supervision_level = tables.Column(verbose_name=_("Supervision"))
    evidence_count = tables.Column(
        verbose_name=_("Evidence"), attrs={"td": {"class": "num"}}
    )
    last_update = tables.Column(verbose_name=_("Last update"))

    class Meta:
        model = Obligation
        fields = ()
        sequence = (
            "code",
            "title",
            "kind",
            "department",
            "owner",
            "status",
            "due_date",
            "supervision_level",
            "evidence_count",
            "last_update",
        )
        order_by = ("report", "position")
        row_attrs = {"class": _overdue_class}
        empty_text = _("No obligations match these filters.")
        per_page = PER_PAGE
        template_name = "tracker/obligation_table.html"

    def render_owner(self, value):
        return value.get_full_name() or value.get_username()

    def render_status(self, value, record):
        return status_badge(record.status)

    def value_status(self, value, record):
        return record.get_status_display()

    def render_supervision_level(self, value, record):
        return supervision_badge(record.supervision_level) or "—"

    def value_supervision_level(self, value, record):
        return record.get_supervision_level_display()

    def value_title(self, value, record):
        return record.title

    # Plain columns with render_ methods: DateColumn compiles a template per cell.
    def render_due_date(self, value):
        return value.isoformat()

    def render_last_update(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

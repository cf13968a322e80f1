"""Template tags of the obligation table."""

from django import template

from tracker.tables import row_cells

register = template.Library()


@register.simple_tag
def obligation_cells(table, record):
    """A row's ``<td>`` cells, from ``tracker.tables.OBLIGATION_COLUMNS``."""
    return row_cells(table, record)

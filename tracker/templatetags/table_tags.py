"""Template tags of the obligation table."""

from django import template

from tracker.tables import table_rows

register = template.Library()


@register.simple_tag
def obligation_rows(table):
    """The page's rows, from ``tracker.tables.OBLIGATION_COLUMNS``."""
    return table_rows(table)

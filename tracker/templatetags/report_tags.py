"""Template tags of the report pages."""

from django import template

from tracker.report_text import passage_context

register = template.Library()


@register.simple_tag
def source_passage(report, obligation):
    """(before, passage, after) of ``obligation`` in ``report``'s text, or None when
    the obligation has no source anchor (e.g. created by hand)."""
    if report is None or obligation is None:
        return None
    if obligation.source_end <= obligation.source_start:
        return None
    return passage_context(
        report.source_text, obligation.source_start, obligation.source_end
    )

"""The obligation page's parts that are the same for every reader of an item
(its timeline, evidence table, texts and progress reports), rendered once per
``selectors.obligations.obligation_page_cache_key`` and cached; the page
(``views.obligation_page``) draws each reader's own parts around them.
"""

import re
from types import SimpleNamespace

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from ..selectors.obligations import (
    obligation_page_cache_key,
    obligation_page_lists,
    obligation_page_related,
)
from ..selectors.schedules import item_progress
from .dashboard import DASHBOARD_CACHE_SECONDS, without_indentation

# Where a live row of the cached evidence table takes the reader's withdraw form
# (_evidence_list.html).
_WITHDRAW_SLOT = re.compile(r"<!--withdraw-slot:(\d+)-->")


def shared_fragments(obligation, *, can_download, today):
    """The parts of the page that are the same for every reader of the item: the
    timeline, the evidence table (with a slot per live row for the reader's
    withdraw form) and the texts rendered, the progress reports (调度,
    ``item_progress``), and what the per-reader parts need to know of the rest:
    each file as (pk, withdrawn, part pk), the newest timeline entry and which
    of its optional relations the item has (``obligation_page_related``, which
    this calls).
    Rendered once per ``obligation_page_cache_key`` (every write is a new key), so
    a reader costs no query and no rendering of them; a miss reads them with
    ``obligation_page_lists``."""
    key = obligation_page_cache_key(
        obligation,
        can_download=can_download,
        today=today,
        language=translation.get_language(),
    )
    shared = cache.get(key)
    if shared is not None:
        obligation_page_related(obligation, present=shared["present"])
        return shared
    present = obligation_page_related(obligation)
    obligation_page_lists(obligation)
    evidence_html = without_indentation(
        render_to_string(
            "tracker/_evidence_list.html",
            {
                "evidence_list": [
                    each for each in obligation.evidence_list if each.part_id is None
                ],
                "can_download": can_download,
            },
        )
    )
    latest = obligation.timeline[0] if obligation.timeline else None
    shared = {
        "present": present,
        "timeline": without_indentation(
            render_to_string("tracker/_timeline.html", {"updates": obligation.timeline})
        ),
        "texts": without_indentation(
            render_to_string(
                "tracker/_obligation_texts.html",
                {"obligation": obligation, "report": obligation.report},
            )
        ),
        "progress": item_progress(obligation, today=today),
        # The HTML before the first slot, then each slot's evidence pk and the
        # HTML after it.
        "evidence": _WITHDRAW_SLOT.split(evidence_html),
        "files": [
            (each.pk, each.is_withdrawn, each.part_id)
            for each in obligation.evidence_list
        ],
        "latest": None
        if latest is None
        else {
            "author_id": latest.author_id,
            "action": latest.action,
            "from_status": latest.from_status,
            "part_id": latest.part_id,
        },
    }
    cache.set(key, shared, DASHBOARD_CACHE_SECONDS)
    return shared


def evidence_pieces(shared, withdraw_forms):
    """The cached evidence table as (HTML, the slot's evidence or None) pairs for
    the template, each slot with the reader's withdraw form, if any."""
    pieces = shared["evidence"]
    pairs = []
    for index in range(0, len(pieces), 2):
        evidence = None
        if index + 1 < len(pieces):
            pk = int(pieces[index + 1])
            evidence = SimpleNamespace(
                pk=pk,
                withdraw_form=withdraw_forms.get(pk),
                withdraw_error_id=f"withdraw-{pk}-errors",
            )
        pairs.append((mark_safe(pieces[index]), evidence))  # noqa: S308 - our HTML
    return pairs

"""What the obligation page keeps between requests: the item itself
(``obligation_for_page``), the parts that are the same for every reader of it
(its timeline, evidence table, texts and progress reports, rendered once per
``selectors.obligations.obligation_page_cache_key``), and its whole content per
the rights of the reader (``content_key``); the page (``views.obligation_page``)
decides each reader's forms and buttons.
"""

import functools
import hashlib
import re
from types import SimpleNamespace

from django.core.cache import cache
from django.forms import Media
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from .. import permissions
from ..models import Obligation, ProgressUpdate
from ..selectors.followups import followup_revisions
from ..selectors.obligations import (
    obligation_page_cache_key,
    obligation_page_lists,
    obligation_page_related,
    suggested_problems,
)
from ..selectors.schedules import item_progress
from .dashboard import (
    CSRF_SLOT,
    DASHBOARD_CACHE_SECONDS,
    rendered_once,
    with_csrf_token,
    without_indentation,
)

# Where a live row of the cached evidence table takes the reader's withdraw form
# (_evidence_list.html).
_WITHDRAW_SLOT = re.compile(r"<!--withdraw-slot:(\d+)-->")


def obligation_for_page(request, pk):
    """``permissions.get_obligation_or_404`` for reading the page: the item with
    its report, section, department and owner, kept per version and report
    revision (``get_obligation_stamp_or_404``, one small query, checks the scope
    and says which). Every write bumps one of them, and the admin's edits of the
    names it carries bump every report's revision, as for the page's shared
    parts. Reading it through the ORM took as long as the rest of a cached page.
    Writes read it afresh under a lock (``services.common.lock_obligation``)."""
    version, revision, neighbours = permissions.get_obligation_stamp_or_404(request, pk)
    key = f"obligation:{pk}:{version}:{revision}"
    obligation = cache.get(key)
    if obligation is None:
        obligation = permissions.get_obligation_or_404(request, pk)
        # Kept only as the stamp saw it: a write in between is a new key.
        if (obligation.version, obligation.report.revision_number) != (
            version,
            revision,
        ):
            return obligation
        cache.set(key, obligation, DASHBOARD_CACHE_SECONDS)
    # The follow-up's key part (selectors.followups.followup_revisions).
    obligation.neighbours_stamp = neighbours
    return obligation


def shared_fragments(obligation, *, can_download, today):
    """The parts of the page that are the same for every reader of the item: the
    timeline, the evidence table (with a slot per live row for the reader's
    withdraw form) and the texts rendered, the progress reports (调度,
    ``item_progress``), the open return and the suggested problems, and what
    the per-reader parts need to know of the rest: each file as (pk, withdrawn,
    part pk), the newest timeline entry and which of its optional relations the
    item has (``obligation_page_related``, which this calls).
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
    returned = obligation.status in (
        Obligation.Status.RETURNED,
        Obligation.Status.IN_PROGRESS,
    )
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
        # Each a function of the timeline and the report's text: the return
        # being reworked for, whether a note or file came after it, and the
        # problems suggested for a task (``suggested_problems``, which reads the
        # report's passages).
        "open_return": ProgressUpdate.objects.open_returns()
        .filter(obligation=obligation)
        .select_related("author")
        .order_by("-pk")
        .first()
        if returned
        else None,
        "reworked": obligation.status == Obligation.Status.RETURNED
        and ProgressUpdate.objects.reworked_since_return(obligation),
        "suggestions": suggested_problems(obligation),
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


@functools.cache
def class_media(form_class):
    """What ``form_class().media`` is, from its fields' widgets: the same for
    every request, so worked out once per process."""
    media = Media()
    for field in form_class.base_fields.values():
        media += field.widget.media
    return media


def content_key(obligation, neighbours, *, can_download, today, decisions):
    """Where the page's content is kept for every reader who may do the same on
    the item: the item as ``obligation_page_cache_key`` has it (every write is a
    new key), its neighbouring reports' stamp (``followup_revisions``: the
    follow-up across years and the carry-over), and ``decisions``, everything
    the view decided from the reader (which forms, which buttons, which
    downloads). A reader with other rights gets another key, never another
    reader's forms."""
    digest = hashlib.sha256(repr(decisions).encode()).hexdigest()[:32]
    item = obligation_page_cache_key(
        obligation,
        can_download=can_download,
        today=today,
        language=translation.get_language(),
    )
    return f"{item}:{followup_revisions(obligation, neighbours)}:{digest}"


def content_html(request, context, *, key):
    """The page's content (tracker/_obligation_content.html) with the reader's
    CSRF token in its forms: kept under ``key`` (``content_key``) for readers with
    the same rights, or drawn for this request alone (``key`` None)."""
    return with_csrf_token(
        request,
        rendered_once(
            key,
            "tracker/_obligation_content.html",
            lambda: {**context, "csrf_token": CSRF_SLOT} if key else context,
            request=request,
        ),
    )

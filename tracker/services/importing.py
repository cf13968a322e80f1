"""Importing a report: the preview, the drafts the admin confirms, and the import
itself (new, changed and vanished items).
"""

import dataclasses
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    ImportDraft,
    Obligation,
    Organization,
    ProgressUpdate,
    Report,
    Section,
    only_organization,
)
from ..recording import in_record_language
from ..selectors.followups import adjacent_report, followup_suggestions
from ..text import clean_text
from .common import ServiceError, log_action, save_recorded, system_user
from .dashboard import report_invalidate_dashboard


def _imported_values(parsed, *, section_id) -> dict:
    """What an import writes on an obligation, by attribute: the text and where it
    stands. Status, department, owner, due date, supervision, evidence and the
    timeline belong to the people working on it and are never touched."""
    return {
        "section_id": section_id,
        "kind": parsed.kind,
        "title": parsed.title,
        "body": parsed.body,
        "position": parsed.position,
        "source_start": parsed.source_start,
        "source_end": parsed.source_end,
        "missing_since": None,
    }


def _imported_changes(obligation, values) -> list[str]:
    """The attributes of a stored obligation that a re-import with ``values``
    (``_imported_values``) changes; empty when it would leave it as it is. The one
    comparison behind ``report_import`` and ``import_preview``."""
    return [
        name for name, value in values.items() if getattr(obligation, name) != value
    ]


def _section_keys(tree):
    """(key, parsed section) in document order, chapters before their groups. The
    key is how a re-import recognises a stored section: (None, number) for a
    chapter, (chapter number, number) for a group."""
    for chapter in tree.chapters:
        yield (None, chapter.number), chapter
        for group in chapter.children:
            yield (chapter.number, group.number), group


def _stored_sections(report) -> dict:
    """The sections of ``report`` by the key of ``_section_keys``."""
    return {
        (section.parent.number if section.parent_id else None, section.number): section
        for section in report.sections.select_related("parent")
    }


@dataclasses.dataclass
class ImportResult:
    """What ``report_import`` did, by obligation code (document order)."""

    report: Report
    report_created: bool
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    # In the database but no longer in the text: reported, never deleted, because
    # they may carry evidence and a timeline.
    missing: list[str] = dataclasses.field(default_factory=list)
    links_added: int = 0
    # The organization's report of the year before, if imported, and the items of
    # this one suggested as reporting on its tasks and problems
    # (selectors.followups.FollowUpSuggestion), to be confirmed on its page.
    previous_report: Report | None = None
    followups: list = dataclasses.field(default_factory=list)


def _import_sections(report, tree):
    """Create or update the report's sections; returns {id(parsed): Section}."""
    existing = _stored_sections(report)
    saved = {}
    for key, parsed in _section_keys(tree):
        chapter_number, number = key
        parent = None if chapter_number is None else saved[(None, chapter_number)]
        section = existing.get(key) or Section(report=report, number=number)
        values = {
            "parent": parent,
            "code": parsed.code,
            "title": parsed.title,
            "position": parsed.position,
        }
        if section.pk is None or any(
            getattr(section, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(section, name, value)
            section.save()
        saved[key] = section
    return {id(parsed): saved[key] for key, parsed in _section_keys(tree)}


def _apply_links(report, links):
    """Add task -> problem links (``{task code: [problem codes]}``); existing
    links, including ones made by hand in the admin, are kept."""
    codes = {code for task, problems in links.items() for code in [task, *problems]}
    found = {o.code: o for o in report.obligations.filter(code__in=codes)}
    added = 0
    for task_code, problem_codes in links.items():
        task = found.get(task_code)
        if task is None or task.kind != Obligation.Kind.TASK:
            raise ServiceError(
                _("Link file: %(code)s is not a task of this report.")
                % {"code": task_code}
            )
        problems = []
        for code in problem_codes:
            problem = found.get(code)
            if problem is None or problem.kind != Obligation.Kind.PROBLEM:
                raise ServiceError(
                    _("Link file: %(code)s is not a problem of this report.")
                    % {"code": code}
                )
            problems.append(problem)
        already = set(task.addresses.values_list("pk", flat=True))
        new = [problem for problem in problems if problem.pk not in already]
        task.addresses.add(*new)
        added += len(new)
    return added


def _mark_missing(obligation, *, user):
    """A unit the re-imported text no longer has: its offsets would point into
    someone else's words in the new text, so it loses its anchor and keeps its
    passage (``body``) as last imported; the report page lists it apart. Marked
    once: a second re-import without it changes nothing."""
    if obligation.missing_since is not None:
        return
    obligation.missing_since = timezone.now()
    obligation.source_start = obligation.source_end = 0
    note = in_record_language(
        _("No longer in the report's text; its passage as last imported is kept.")
    )
    save_recorded(
        obligation,
        user=user,
        reason=note,
        update_fields=["missing_since", "source_start", "source_end", "updated_at"],
    )
    # Said on the timeline even from the command line without --user: the page
    # changes for everyone working on it.
    log_action(
        obligation,
        user=user or system_user(),
        action=ProgressUpdate.Action.IMPORT,
        text=note,
    )


@transaction.atomic
def report_import(
    *,
    tree,
    user=None,
    organization: str | None = None,
    year: int | None = None,
    links: dict[str, list[str]] | None = None,
) -> ImportResult:
    """Write a parsed report (``tracker.importing.ParsedReport``) to the database.

    The first import creates the Report, its Sections and Obligations. A re-import
    of the same organization and year matches obligations on their code: it updates
    their text and source anchors and adds new units, but never resets what people
    did with them (status, owner, department, due date, supervision, evidence,
    timeline). Units no longer in the text are listed in ``missing``, not deleted,
    and lose their anchors into the new text (``_mark_missing``).
    ``links`` maps a task code to the problem codes it addresses.
    """
    organization, year = report_import_check(
        tree=tree, organization=organization, year=year
    )
    report = (
        Report.objects.select_for_update()
        .filter(organization=organization, year=year)
        .first()
    )
    report_created = report is None
    if not report_created:
        _refuse_import_into_closed(report)
    if report_created:
        report = Report(
            organization=organization,
            year=year,
            organization_unit=_organization_named(organization),
        )
    report.title = tree.title[:200]
    report.source_text = tree.source_text
    report.imported_at = timezone.now()
    report.save()
    result = ImportResult(report=report, report_created=report_created)

    sections = _import_sections(report, tree)
    # Items carried over (结转) into this report have no passage in its text: a
    # re-import neither updates them nor marks them missing.
    # of=self: the filter's outer join to the carrying item is not to be locked
    # (PostgreSQL refuses FOR UPDATE on its nullable side).
    own = report.obligations.filter(carried_from__isnull=True)
    existing = {o.code: o for o in own.select_for_update(of=("self",))}
    seen = set()
    for parsed_section, parsed in tree.obligations():
        seen.add(parsed.code)
        values = _imported_values(parsed, section_id=sections[id(parsed_section)].pk)
        obligation = existing.get(parsed.code)
        if obligation is None:
            obligation = Obligation(report=report, code=parsed.code, **values)
            save_recorded(obligation, user=user, reason=_("Imported from the report"))
            result.created.append(parsed.code)
            note = in_record_language(_("Imported from the report"))
        else:
            changed = _imported_changes(obligation, values)
            if not changed:
                result.unchanged.append(parsed.code)
                continue
            for name in changed:
                setattr(obligation, name, values[name])
            save_recorded(
                obligation,
                user=user,
                reason=_("Text updated by a re-import"),
                update_fields=[*changed, "updated_at"],
            )
            result.updated.append(parsed.code)
            note = in_record_language(_("Text updated by a re-import"))
        if user is not None:
            log_action(
                obligation, user=user, action=ProgressUpdate.Action.IMPORT, text=note
            )
    result.missing = [code for code in existing if code not in seen]
    for code in result.missing:
        _mark_missing(existing[code], user=user)
    if links:
        result.links_added = _apply_links(report, links)
    result.previous_report = adjacent_report(organization=organization, year=year - 1)
    if result.previous_report is not None:
        result.followups = followup_suggestions(result.previous_report, report)
    # Also when nothing wrote a timeline entry (an import without --user, or one
    # that only added links): titles, sections and links are on the dashboard.
    report_invalidate_dashboard(report_id=report.pk)
    return result


def report_import_check(
    *, tree, organization: str | None = None, year: int | None = None
) -> tuple[str, int]:
    """The organization and year that importing ``tree`` writes, once everything
    it would write fits its column: ServiceError names the first value that does
    not, so a dry run, a Preview and an import refuse the same input alike and
    nothing is half written (PostgreSQL would raise DataError mid-import).

    ``organization`` and ``year`` override what the title line says."""
    # The organization may come straight from a command line, not only from a form.
    organization = clean_text(organization or tree.organization or "").strip()
    year = year or tree.year
    if not organization or not year:
        raise ServiceError(
            _("The report's title does not name its organization and year.")
        )
    limit = Report._meta.get_field("organization").max_length
    if len(organization) > limit:
        raise ServiceError(
            _(
                "The organization “%(start)s…” is %(length)d characters long, more "
                "than the %(limit)d allowed: give a shorter one."
            )
            % {"start": organization[:12], "length": len(organization), "limit": limit}
        )
    if not Report.YEAR_MIN <= year <= Report.YEAR_MAX:
        raise ServiceError(
            _("The year %(year)s is not between %(min)d and %(max)d.")
            % {"year": year, "min": Report.YEAR_MIN, "max": Report.YEAR_MAX}
        )
    stored = Report.objects.filter(organization=organization, year=year).first()
    if stored is not None:
        _refuse_import_into_closed(stored)
    _check_columns(
        Report(organization=organization, year=year, title=tree.title[:200]),
        ["title"],
        gettext("the report"),
    )
    for section in tree.sections():
        _check_columns(
            Section(
                code=section.code,
                number=section.number,
                title=section.title,
                position=section.position,
            ),
            ["code", "number", "title", "position"],
            gettext("section %(code)s") % {"code": section.code},
        )
    imported = ["kind", "code", "title", "position", "source_start", "source_end"]
    for _section, parsed in tree.obligations():
        _check_columns(
            Obligation(**{name: getattr(parsed, name) for name in imported}),
            imported,
            gettext("obligation %(code)s") % {"code": parsed.code},
        )
    return organization, year


def _organization_named(name):
    """The organization a new report belongs to: the one of its name, else the
    deployment's only one (a renamed county); ``None`` in a tree without that name,
    for an administrator to place (until then only the platform's administrators
    see it)."""
    named = Organization.objects.filter(name=name).first()
    return named if named is not None else only_organization()


def _refuse_import_into_closed(report):
    if not permissions.is_writable(report):
        raise ServiceError(
            _(
                "“%(report)s” is closed: a re-import would change it. A supervisor "
                "can reopen the report first, giving a reason."
            )
            % {"report": report.title}
        )


def _check_columns(instance, names, what):
    """ServiceError naming ``what`` and the field when one of ``names`` does not
    fit its model field (length, range, choices)."""
    exclude = {f.name for f in instance._meta.fields} - set(names)
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        field = instance._meta.get_field(name).verbose_name
        raise ServiceError(
            gettext("%(what)s, %(field)s: %(problem)s")
            % {"what": what, "field": field, "problem": messages[0]}
        ) from None


@dataclasses.dataclass
class ImportPreview:
    """What importing a parsed report would do, by obligation code."""

    report: Report | None
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    # (parsed section, [(parsed obligation, kind label, change)]) in document order;
    # change is "created", "updated" or "unchanged".
    rows: list = dataclasses.field(default_factory=list)
    counts: dict = dataclasses.field(default_factory=dict)  # kind label -> number


def import_preview(tree, *, organization: str, year: int) -> ImportPreview:
    """Compare a parsed report with what is stored for the same organization and
    year as ``report_import`` would (matched on the code, compared with
    ``_imported_changes``), without writing."""
    report = Report.objects.filter(organization=organization, year=year).first()
    preview = ImportPreview(report=report)
    stored, sections = {}, {}
    if report is not None:
        stored = {
            o.code: o for o in report.obligations.filter(carried_from__isnull=True)
        }
        sections = _stored_sections(report)
    kinds = dict(Obligation.Kind.choices)
    preview.counts = {kinds[kind]: count for kind, count in tree.counts().items()}
    seen = set()
    for key, section in _section_keys(tree):
        # A section the import would create has no id yet: an obligation moved
        # into it counts as updated.
        section_id = sections[key].pk if key in sections else None
        obligations = []
        for parsed in section.obligations:
            seen.add(parsed.code)
            obligation = stored.get(parsed.code)
            if obligation is None:
                change = "created"
            elif _imported_changes(
                obligation, _imported_values(parsed, section_id=section_id)
            ):
                change = "updated"
            else:
                change = "unchanged"
            getattr(preview, change).append(parsed.code)
            obligations.append((parsed, kinds[parsed.kind], change))
        preview.rows.append((section, obligations))
    preview.missing = [code for code in stored if code not in seen]
    return preview


# How long a previewed report file is kept for its Import (``ImportDraft``).
IMPORT_DRAFT_MINUTES = 30


class ImportDraftExpired(ServiceError):
    """The draft named by a token is gone: expired, imported, or someone else's."""


def _import_drafts_alive():
    return ImportDraft.objects.filter(
        created_at__gte=timezone.now() - timedelta(minutes=IMPORT_DRAFT_MINUTES)
    )


@transaction.atomic
def import_draft_save(
    *, user, text: str, file_name: str, links: dict | None, token: str = ""
) -> ImportDraft:
    """Keep a previewed file's text (and its links) for ``user``'s Import, under a
    new random token, or refresh the draft ``token`` already names. Expired drafts
    of everyone go at the same time: the table holds only what can still be used.
    """
    ImportDraft.objects.filter(
        created_at__lt=timezone.now() - timedelta(minutes=IMPORT_DRAFT_MINUTES)
    ).delete()
    draft = _import_drafts_alive().filter(token=token, user=user).first()
    if draft is None:
        draft = ImportDraft(token=secrets.token_urlsafe(32), user=user)
    draft.text, draft.file_name, draft.links = text, file_name, links
    draft.created_at = timezone.now()
    draft.save()
    return draft


def import_draft_get(*, user, token: str) -> ImportDraft:
    """The live draft ``token`` names, if it is ``user``'s; else
    ``ImportDraftExpired`` (the same refusal whoever's it was, so a token says
    nothing to another user)."""
    draft = _import_drafts_alive().filter(token=token, user=user).first()
    if draft is None:
        raise ImportDraftExpired(
            _(
                "The previewed file is no longer kept (previews are kept for "
                "%(minutes)d minutes, and until they are imported): choose the file "
                "again."
            )
            % {"minutes": IMPORT_DRAFT_MINUTES}
        )
    return draft


def import_draft_discard(*, user, token: str) -> None:
    """Forget a draft once it is imported."""
    ImportDraft.objects.filter(token=token, user=user).delete()

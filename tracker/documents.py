"""The Word documents the tracker writes for people to edit and send on: the draft
of next year's report (issue 13) and the 通报 on departments' progress (issue 12).

The layout is ``tracker.officialdoc``'s; the data comes from ``tracker.selectors``
(this module runs no queries). The text is written in the organisation's language
(settings.LANGUAGE_CODE), whatever the interface language of whoever downloads it:
an official document is in Chinese. Text in 【】 is for the writer to fill in or
check; ``officialdoc`` highlights it.
"""

import re
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from .models import Obligation
from .officialdoc import (
    OfficialDocument,
    chapter_heading,
    group_heading,
    ordinal,
)

# How many hex digits of an evidence file's SHA-256 the draft cites: enough to tell
# files apart and to check one against the obligation page.
HASH_PREFIX = 8

_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = "。；;，,.、 "


class DocumentError(Exception):
    """A document that cannot be written from this data; the message says why."""


def _sentence(text: str) -> str:
    """``text`` on one line without the punctuation it ends on, so the document
    adds its own."""
    return _WHITESPACE.sub(" ", text).strip().rstrip(_SENTENCE_END)


def _quoted(title: str) -> str:
    """“title”, its own quotation marks turned into the inner ‘’ (GB/T 15834)."""
    return "“" + _sentence(title).replace("“", "‘").replace("”", "’") + "”"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- The draft of next year's report ---------------------------------------------


def draft_year(report) -> int:
    """The year the draft reports on: the report's tasks are for the year after it."""
    return report.year + 1


def draft_filename(report) -> tuple[str, str]:
    """The download's name and its ASCII fallback."""
    year = draft_year(report)
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("%(organization)s %(year)s rule-of-law report (draft)") % {
            "organization": report.organization,
            "year": year,
        }
    return f"{name}.docx", f"report-draft-{year}.docx"


def evidence_citation(obligation) -> str:
    """The files behind a claim, "（佐证：会议纪要.pdf [1a2b3c4d]）", each with the
    first hex digits of its SHA-256 (as stored at upload: the obligation page shows
    the same value); 【待补充佐证】 when there is none."""
    files = [
        f"{evidence.original_name} [{evidence.sha256[:HASH_PREFIX]}]"
        for evidence in obligation.live_evidence
    ]
    if not files:
        return gettext("【Evidence to be added】")
    return gettext("(Evidence: %(files)s)") % {"files": "；".join(files)}


def _finished_paragraph(number: int, obligation, *, heading: str = "") -> str:
    """一是<title>。<progress notes>。（佐证：…）; without "一是<title>" when the
    title is the group's ``heading`` already (a group that is one item) and there
    are notes to say."""
    title = _sentence(obligation.title)
    notes = [_sentence(note.text) for note in obligation.progress_notes]
    notes = [note for note in notes if note]
    text = "" if title == heading and notes else f"{ordinal(number)}{title}。"
    if notes:
        text += "；".join(notes) + "。"
    return text + evidence_citation(obligation)


def _group_title(section, obligation, year) -> str:
    """The heading a group of finished items is written under: the report's group
    (（一）…) as printed, or for items straight under a chapter, the chapter (tasks:
    "carrying out the year's tasks")."""
    if section.parent_id is not None or obligation.kind != Obligation.Kind.TASK:
        return _sentence(section.title)
    return gettext("Carrying out the tasks set for %(year)s") % {"year": year}


def _open_item_paragraph(number: int, obligation, today: date) -> str:
    details = [obligation.get_status_display()]
    if obligation.due_date is not None:
        if obligation.is_overdue(today):
            details.append(
                gettext("due %(day)s, overdue") % {"day": _day(obligation.due_date)}
            )
        else:
            details.append(gettext("due %(day)s") % {"day": _day(obligation.due_date)})
    if obligation.department is not None:
        details.append(
            gettext("responsible: %(department)s")
            % {"department": obligation.department.name}
        )
    else:
        details.append(gettext("no responsible department"))
    return gettext("%(ordinal)s%(title)s is not finished (%(details)s).") % {
        "ordinal": ordinal(number),
        "title": _quoted(obligation.title),
        "details": "，".join(str(detail) for detail in details),
    }


def _problem_paragraph(number: int, problem, year: int) -> str:
    unfinished = [
        task for task in problem.remedies if task.status != Obligation.Status.DONE
    ]
    if unfinished:
        # Quoted items in a row take no 、 between them (GB/T 15834).
        tasks = "".join(_quoted(f"{task.code} {task.title}") for task in unfinished)
        why = gettext(
            "a problem named in the %(year)s report; the tasks remedying it, "
            "%(tasks)s, are not finished"
        ) % {"year": year, "tasks": tasks}
    else:
        why = gettext(
            "a problem named in the %(year)s report, with no task remedying it"
        ) % {"year": year}
    return f"{ordinal(number)}{_sentence(problem.title)}（{why}）。"


def _carried_over_paragraph(number: int, task, year: int) -> str:
    mark = gettext("carried over from %(year)s, now: %(status)s") % {
        "year": year,
        "status": task.get_status_display(),
    }
    return f"{ordinal(number)}{_sentence(task.title)}。（{mark}）"


def report_draft_docx(draft, *, today: date) -> bytes:
    """The draft of the report after ``draft.report`` (a ``selectors.ReportDraft``)
    in the genre's four chapters, as a .docx. Raises ``DocumentError`` when the
    report has no finished item: there would be nothing to report."""
    # The refusal is for whoever asked, in their language; the document is in the
    # organisation's.
    if not draft.has_finished_items:
        raise DocumentError(
            gettext(
                "%(report)s has no finished item yet: a draft needs at least one "
                "approved work item or task to report on."
            )
            % {"report": draft.report.title}
        )
    with translation.override(settings.LANGUAGE_CODE):
        return _write_draft(draft, today=today)


def _write_draft(draft, *, today):
    report = draft.report
    year = draft_year(report)
    title = gettext("%(organization)s %(year)s rule-of-law government report") % {
        "organization": report.organization,
        "year": year,
    }
    document = OfficialDocument(title_for_properties=title)
    document.title(title)
    document.note(
        gettext(
            "Note: this draft was generated by the rule-of-law checklist on %(day)s "
            "from the work recorded against “%(report)s” and its evidence. It is a "
            "starting point to edit: check and rewrite every paragraph and delete "
            "this note before use. After each piece of work are its evidence files, "
            "each with the first 8 characters of its SHA-256 in brackets, to check "
            "against the tracker; 【Evidence to be added】 marks work without "
            "evidence; text in 【】 is to be filled in."
        )
        % {"day": _day(today), "report": report.title}
    )
    document.paragraph(
        gettext(
            "【In %(year)s, %(organization)s … (summarise the year's rule-of-law "
            "government building and its main results)】. The work is reported "
            "as follows."
        )
        % {"year": year, "organization": report.organization}
    )

    document.heading(chapter_heading(1, gettext("Work carried out")))
    groups = []
    for obligation in draft.finished:
        if not groups or groups[-1][0].pk != obligation.section_id:
            groups.append((obligation.section, []))
        groups[-1][1].append(obligation)
    for number, (section, items) in enumerate(groups, start=1):
        heading = _group_title(section, items[0], year)
        document.heading(group_heading(number, heading), level=2)
        for item_number, obligation in enumerate(items, start=1):
            document.paragraph(
                _finished_paragraph(item_number, obligation, heading=heading)
            )

    _write_leader_chapter(document, draft, year)

    document.heading(chapter_heading(3, gettext("Problems that remain")))
    document.paragraph(
        gettext(
            "【Summarise the problems and shortcomings; below are the items not "
            "finished and the problems not yet remedied, to choose from】"
        )
    )
    if draft.open_items:
        document.heading(group_heading(1, gettext("Work not finished")), level=2)
        for number, obligation in enumerate(draft.open_items, start=1):
            document.paragraph(_open_item_paragraph(number, obligation, today))
    if draft.unremedied_problems:
        document.heading(
            group_heading(
                2 if draft.open_items else 1, gettext("Problems not yet remedied")
            ),
            level=2,
        )
        for number, problem in enumerate(draft.unremedied_problems, start=1):
            document.paragraph(_problem_paragraph(number, problem, report.year))

    document.heading(chapter_heading(4, gettext("Next steps")))
    document.paragraph(
        gettext(
            "【In %(year)s, %(organization)s will … (the direction of next year's "
            "work)】, concentrating on the following."
        )
        % {"year": year + 1, "organization": report.organization}
    )
    for number, task in enumerate(draft.carried_over, start=1):
        document.paragraph(_carried_over_paragraph(number, task, year))
    document.paragraph(gettext("【Add the year's other main tasks】"))
    document.signature(gettext("【Issuer】"), gettext("【Date】"))
    return document.to_bytes()


def _write_leader_chapter(document, draft, year):
    """二、: the principal leaders' duties, with a placeholder for what the tracker
    cannot know, and the report's own leaders' items under their groups."""
    chapter_title = gettext(
        "How the principal leaders of the Party and government fulfilled their "
        "duties as the first persons responsible for the rule of law"
    )
    document.heading(chapter_heading(2, chapter_title))
    document.paragraph(
        gettext(
            "【Describe how the principal leaders fulfilled these duties in "
            "%(year)s: planning and deciding, studying and explaining the law, "
            "inspecting and assessing, reporting on the rule of law; with dates, "
            "numbers and results】"
        )
        % {"year": year}
    )
    for number, section in enumerate(draft.leader_groups, start=1):
        if section.parent_id is not None:
            document.heading(group_heading(number, _sentence(section.title)), level=2)
        heading = _sentence(section.title)
        for item_number, obligation in enumerate(section.draft_items, start=1):
            if obligation.status == Obligation.Status.DONE:
                document.paragraph(
                    _finished_paragraph(item_number, obligation, heading=heading)
                )
            else:
                document.paragraph(
                    gettext("【To be written: %(title)s】")
                    % {"title": _sentence(obligation.title)}
                )

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
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from .models import Obligation, display_name
from .officialdoc import (
    OfficialDocument,
    chapter_heading,
    group_heading,
    ordinal,
)
from .selectors.assessment import percent

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


def _record_notes(obligation) -> str:
    """What the record adds after a paragraph: the rating given at approval (结果
    考评) and the confirmed follow-ups across years, each in brackets."""
    notes = []
    if obligation.status == Obligation.Status.DONE and obligation.rating:
        notes.append(
            gettext("(Rated: %(rating)s)") % {"rating": obligation.get_rating_display()}
        )
    for followup in obligation.confirmed_earlier:
        earlier = followup.earlier
        if followup.is_recurring:
            message = gettext(
                "(Recurring: already named in the %(year)s report as %(title)s)"
            )
        else:
            message = gettext("(Follows up %(title)s of the %(year)s report)")
        notes.append(
            message
            % {
                "year": earlier.report.year,
                "title": _quoted(f"{earlier.code} {earlier.title}"),
            }
        )
    for followup in obligation.confirmed_later:
        later = followup.later
        notes.append(
            gettext("(Reported in %(year)s as %(title)s)")
            % {
                "year": later.report.year,
                "title": _quoted(f"{later.code} {later.title}"),
            }
        )
    return "".join(notes)


def _finished_paragraph(number: int, obligation, *, heading: str = "") -> str:
    """一是<title>。<报告用语>。（佐证：…）; without "一是<title>" when the title is
    the group's ``heading`` already (a group that is one item) and there are words
    to say.

    The words are the item's 报告用语, which a supervisor wrote or accepted at
    approval, never the staff's progress or submission notes: those are workflow
    talk ("材料见附件，请审核"), not the report's prose. Without them the item is
    marked 【待补充】 for the writer to fill in."""
    title = _sentence(obligation.title)
    wording = _sentence(obligation.report_wording)
    text = "" if title == heading and wording else f"{ordinal(number)}{title}。"
    text += f"{wording}。" if wording else gettext("【To be added】")
    return text + evidence_citation(obligation) + _record_notes(obligation)


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
    text = gettext("%(ordinal)s%(title)s is not finished (%(details)s).") % {
        "ordinal": ordinal(number),
        "title": _quoted(obligation.title),
        "details": "，".join(str(detail) for detail in details),
    }
    return text + _record_notes(obligation)


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
    text = f"{ordinal(number)}{_sentence(problem.title)}（{why}）。"
    return text + _record_notes(problem)


def _carried_over_paragraph(number: int, task, year: int) -> str:
    mark = gettext("carried over from %(year)s, now: %(status)s") % {
        "year": year,
        "status": task.get_status_display(),
    }
    text = f"{ordinal(number)}{_sentence(task.title)}。（{mark}）"
    return text + _record_notes(task)


def report_draft_docx(draft, *, today: date) -> bytes:
    """The draft of the report after ``draft.report`` (a
    ``selectors.reports.ReportDraft``) in the genre's four chapters, as a .docx. Raises
    ``DocumentError`` when the report has no finished item: there would be nothing to
    report."""
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


def _instruction_line(instruction) -> str:
    return gettext("%(day)s %(leader)s on %(item)s: %(text)s") % {
        "day": _day(timezone.localtime(instruction.created_at).date()),
        "leader": display_name(instruction.author),
        "item": _quoted(
            f"{instruction.obligation.code} {instruction.obligation.title}"
        ),
        "text": _sentence(instruction.text),
    }


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
    if draft.instructions:
        # Material, not text: the leaders' 批示 on the items, to pick from.
        document.paragraph(
            gettext(
                "【Material: the leaders' instructions (批示) on the items: %(list)s】"
            )
            % {
                "list": "；".join(
                    _instruction_line(each) for each in draft.instructions
                )
            }
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


# --- The 通报 on the departments' progress -------------------------------------------


def _circular_reports(report) -> list:
    """The 通报's reports: one, or the several shown together while more than one
    has open work (a list)."""
    return list(report) if isinstance(report, list | tuple) else [report]


def circular_year(report, start: date | None, end: date | None) -> str:
    """The year (or years) the 通报 speaks of: the period's; without one, the years
    the reports' tasks are for."""
    years = [draft_year(each) for each in _circular_reports(report)]
    first = start.year if start else (end.year if end else min(years))
    last = end.year if end else (first if start else max(years))
    return str(first) if first == last else f"{first}—{last}"


def circular_title(report, start, end) -> str:
    return gettext(
        "Circular on the progress of the main tasks of rule-of-law government "
        "building in %(year)s"
    ) % {"year": circular_year(report, start, end)}


def circular_filename(report, start, end) -> tuple[str, str]:
    """The download's name (the title) and its ASCII fallback."""
    with translation.override(settings.LANGUAGE_CODE):
        title = circular_title(report, start, end)
    year = circular_year(report, start, end).replace("—", "-")
    return f"{title}.docx", f"circular-{year}.docx"


def _period(start, end, today) -> str:
    if start and end:
        return gettext("%(start)s to %(end)s") % {
            "start": _day(start),
            "end": _day(end),
        }
    if start:
        return gettext("since %(start)s") % {"start": _day(start)}
    return gettext("up to %(end)s") % {"end": _day(end or today)}


def _rate(value) -> str:
    return "—" if value is None else f"{value:g}%"


def _overall(rows) -> dict:
    """The period's figures over every department (the table's rows summed)."""
    totals = {
        name: sum(getattr(row, name) for row in rows)
        for name in (
            "assigned",
            "finished",
            "on_time",
            "overdue",
            "yellow_notices",
            "red_notices",
        )
    }
    due = totals["finished"] + totals["overdue"]
    totals.update(
        departments=sum(1 for row in rows if row.assigned),
        finished_rate=_rate(percent(totals["finished"], totals["assigned"])),
        due=due,
        on_time_rate=_rate(percent(totals["on_time"], due)),
    )
    return totals


def _ratings_sentence(rows) -> str:
    counts = {
        value: sum(row.ratings.get(value, 0) for row in rows)
        for value in Obligation.Rating.values
    }
    if not any(counts.values()):
        return ""
    parts = "、".join(
        gettext("%(rating)s %(count)s") % {"rating": label, "count": counts[value]}
        for value, label in Obligation.Rating.choices
    )
    return gettext("Of the finished items, rated: %(ratings)s.") % {"ratings": parts}


# Each header on at most two lines of at least two characters (小四, 1 mm padding):
# at 12 mm "名次" was set one character a line.
RANKING_WIDTHS_MM = (12, 36, 15, 15, 17, 14, 15, 20, 12)


def _ranking_table(document, rows, *, unit=None):
    header = (
        gettext("Rank"),
        unit or gettext("Responsible department"),
        gettext("Assigned items"),
        gettext("Finished"),
        gettext("On-time rate"),
        gettext("Overdue now"),
        gettext("Return rate"),
        gettext("Notices (yellow/red)"),
        gettext("Score"),
    )
    document.table(
        header,
        [
            (
                row.rank if row.rank is not None else "—",
                row.department.name,
                row.assigned,
                row.finished,
                _rate(row.on_time_rate),
                row.overdue,
                _rate(row.return_rate),
                f"{row.yellow_notices}/{row.red_notices}",
                "—" if row.score is None else f"{row.score:g}",
            )
            for row in rows
        ],
        widths_mm=RANKING_WIDTHS_MM,
    )


def _flagged_item(obligation, today) -> str:
    marks = []
    if obligation.is_overdue(today):
        marks.append(
            gettext("due %(day)s, overdue") % {"day": _day(obligation.due_date)}
        )
    if obligation.supervision_level == Obligation.SupervisionLevel.RED:
        marks.append(str(Obligation.SupervisionLevel.RED.label))
    return f"{_quoted(f'{obligation.code} {obligation.title}')}（{'；'.join(marks)}）"


def circular_docx(*, report, start, end, rows, flagged, today: date) -> bytes:
    """The 通报 of ``report``'s departments (a report, or a list of the reports
    ranked together) over the period ``start``–``end``:
    ``rows`` are ``selectors.assessment.department_indicators``' (ordered by rank), one
    table row each; ``flagged`` is [(department, [obligation …])] of the departments
    with overdue or red-supervised items (``selectors.assessment.circular_flagged``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _write_circular(
            report=report, start=start, end=end, rows=rows, flagged=flagged, today=today
        )


def _write_circular(*, report, start, end, rows, flagged, today):
    title = circular_title(report, start, end)
    period = _period(start, end, today)
    totals = _overall(rows)
    document = OfficialDocument(title_for_properties=title)
    # GB/T 9704's 发文字号, a placeholder until the office numbers the document.
    document.document_number(
        gettext("【Issuer's code】〔%(year)s〕【No.】") % {"year": today.year}
    )
    document.title(title)
    document.paragraph(gettext("All departments concerned:"), indent=False)
    document.paragraph(
        gettext(
            "To carry out the tasks set in “%(report)s”, the progress of the items "
            "assigned to each department over %(period)s was followed, supervised "
            "and assessed. The results are announced as follows."
        )
        # Several reports read “A”, “B” (《A》、《B》) inside the sentence's quotes.
        % {
            "report": pgettext("between report titles in quotes", "”, “").join(
                each.title for each in _circular_reports(report)
            ),
            "period": period,
        }
    )

    document.heading(chapter_heading(1, gettext("Overall")))
    overall = gettext(
        "Over %(period)s, %(departments)s departments were assigned %(assigned)s "
        "items and finished %(finished)s (%(finished_rate)s); of the %(due)s items "
        "due, %(on_time)s were finished on time (on-time rate %(on_time_rate)s); "
        "%(overdue)s are overdue now; %(yellow_notices)s yellow and "
        "%(red_notices)s red supervision notices were issued."
    ) % {"period": period, **totals}
    document.paragraph(overall + _ratings_sentence(rows))

    document.heading(chapter_heading(2, gettext("Ranking")))
    document.paragraph(
        gettext(
            "The departments are ranked by a composite score of the on-time rate, "
            "the rating of finished work, the return rate and the supervision "
            "notices received (departments with nothing yet to assess are listed "
            "unranked):"
        )
    )
    # Addressed to the departments concerned: one with nothing assigned in the
    # period has no place in the table (the ranking page still lists it).
    _ranking_table(document, [row for row in rows if row.assigned])

    document.heading(chapter_heading(3, gettext("Overdue and red-supervised items")))
    if not flagged:
        document.paragraph(gettext("No item is overdue or under red supervision."))
    for department, obligations in flagged:
        items = "；".join(_flagged_item(o, today) for o in obligations)
        document.paragraph(f"{department.name}：{items}。")

    document.heading(chapter_heading(4, gettext("Requirements")))
    document.paragraph(
        gettext(
            "Every department is to study the problems this circular names and "
            "report in writing on what it has done about them to 【the office "
            "responsible】 by 【date】. Items overdue or under red supervision are to "
            "be 【followed up by the department's principal leader and finished "
            "within a set time】. 【Other requirements】"
        )
    )
    document.signature(gettext("【Issuer】"), gettext("【Date】"))
    return document.to_bytes()


# --- The city's 通报 on its counties -------------------------------------------------


def city_circular_title(year: int) -> str:
    return gettext(
        "Circular on the progress of the counties' rule-of-law government "
        "building tasks in %(year)s"
    ) % {"year": year}


def city_circular_filename(year: int) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        title = city_circular_title(year)
    return f"{title}.docx", f"city-circular-{year}.docx"


def city_circular_docx(*, organization, year: int, ranked, today: date) -> bytes:
    """The city's 通报 of its counties' reports of ``year``, in the department
    通报's official layout and ranking table: ``ranked`` are
    ``selectors.assessment.organization_indicators``' rows, in rank order."""
    with translation.override(settings.LANGUAGE_CODE):
        return _write_city_circular(
            organization=organization, year=year, ranked=ranked, today=today
        )


def _write_city_circular(*, organization, year, ranked, today):
    title = city_circular_title(year)
    document = OfficialDocument(title_for_properties=title)
    document.document_number(
        gettext("【Issuer's code】〔%(year)s〕【No.】") % {"year": today.year}
    )
    document.title(title)
    document.paragraph(gettext("All counties and districts:"), indent=False)
    total = sum(row.assigned for row in ranked)
    done = sum(row.finished for row in ranked)
    document.heading(chapter_heading(1, gettext("Overall")))
    document.paragraph(
        gettext(
            "The reports of %(count)s counties for %(year)s set %(total)s items, of "
            "which %(done)s are finished (%(rate)s); %(overdue)s are overdue, and "
            "%(yellow)s yellow and %(red)s red supervision notices were issued."
        )
        % {
            "count": len(ranked),
            "year": year,
            "total": total,
            "done": done,
            "rate": _rate(percent(done, total)),
            "overdue": sum(row.overdue for row in ranked),
            "red": sum(row.red_notices for row in ranked),
            "yellow": sum(row.yellow_notices for row in ranked),
        }
    )
    document.heading(chapter_heading(2, gettext("Ranking")))
    document.paragraph(
        gettext(
            "The counties are ranked by the department ranking's score: on-time "
            "rate, result rating, returns, supervision notices and chases:"
        )
    )
    _ranking_table(document, ranked, unit=gettext("County"))
    document.heading(chapter_heading(3, gettext("Requirements")))
    document.paragraph(
        gettext(
            "Every county is to report in writing on its overdue and red-supervised "
            "items to 【the office responsible】 by 【date】. 【Other requirements】"
        )
    )
    document.signature(
        organization.name if organization else gettext("【Issuer】"),
        gettext("【Date】"),
    )
    return document.to_bytes()

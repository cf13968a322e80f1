"""Writing a report's 一事一档 archive (the package's docstring says what is in it)."""

import dataclasses
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..exports import csv_chunks, print_setup, spreadsheet_text
from ..models import Evidence, Instruction, Obligation, ProgressUpdate, display_name
from .manifest import (
    ARCHIVE_FORMAT,
    CHUNK,
    FORMAT_VERSION,
    MANIFEST_NAME,
    manifest_digest,
    sign,
)

# Fixed, not translated: the name a browser or a file manager opens first.
INDEX_NAME = "index.html"
# Obligations read (with their evidence, timeline and history) per batch.
BATCH = 100
# Windows Explorer extracts into paths of at most 260 characters: a folder of 60
# and a file of 80 leave room for where the user extracts it.
FOLDER_MAX = 60
FILE_MAX = 80

# Characters Windows refuses in a file name, and the names it reserves for devices
# (with any extension: "CON.txt" is the console too).
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)


def windows_safe_name(name: str, *, limit: int, folder: bool = False) -> str:
    """``name`` as a file or folder name Windows accepts: forbidden and control
    characters become "_", trailing dots and spaces go (Windows drops them), a
    device name gets a "_" in front, and the whole is at most ``limit``
    characters, a file's extension kept (a folder has none: "1.2 推进" is not
    "1" with the extension ".2 推进")."""
    name = unicodedata.normalize("NFC", _FORBIDDEN.sub("_", name or "")).strip()
    stem, suffix = (name, "") if folder else _split_suffix(name)
    stem = stem[: max(1, limit - len(suffix))].rstrip(". ")
    if not stem:
        stem = "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem[: max(1, limit - len(suffix)) - 1]
    return (stem + suffix).rstrip(". ") or "_"


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")


def _split_suffix(name):
    suffix = PurePosixPath(name).suffix
    if not _EXTENSION.fullmatch(suffix) or suffix == name:
        return name, ""
    return name[: -len(suffix)], suffix


class NameBook:
    """Hands out names unique within one folder as Windows compares them (case
    does not count): a second "会议纪要.pdf" becomes "会议纪要 (2).pdf"."""

    def __init__(self, taken=(), *, folders=False):
        self._taken = {name.casefold() for name in taken}
        self._folders = folders

    def take(self, name: str, *, limit: int) -> str:
        name = windows_safe_name(name, limit=limit, folder=self._folders)
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            stem, suffix = (name, "") if self._folders else _split_suffix(name)
            tail = f" ({number})"
            stem = stem[: max(1, limit - len(suffix) - len(tail))].rstrip(". ")
            candidate = f"{stem}{tail}{suffix}"
        self._taken.add(candidate.casefold())
        return candidate


@dataclasses.dataclass
class ArchiveResult:
    """What ``write_archive`` wrote: the number of files, the manifest's digest,
    and the problems (evidence missing from storage or changed there), each a dict
    as in the manifest."""

    files: int
    digest: str
    problems: list


def _names():
    """The archive's fixed names, in the record language (call inside it)."""
    return {
        "report_text": gettext("Report text") + ".txt",
        "summary": pgettext("archive", "Summary") + ".xlsx",
        "text": pgettext("archive", "Obligation") + ".txt",
        "record": gettext("Record") + ".html",
        "timeline": pgettext("archive", "Timeline") + ".csv",
        "history": pgettext("archive", "History") + ".csv",
        "evidence": gettext("Evidence"),
        "withdrawn": pgettext("archive", "Withdrawn"),
    }


class _Zip:
    """A zip being written, with the manifest's list of its files."""

    def __init__(self, output, when):
        self.zip = zipfile.ZipFile(output, "w", allowZip64=True)
        self.date_time = timezone.localtime(
            when, timezone.get_default_timezone()
        ).timetuple()[:6]
        self.files = []

    def _info(self, path, compress):
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        # Python sets the UTF-8 flag (0x800) itself for a name that is not ASCII,
        # so Windows Explorer shows Chinese names as they are.
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def write_bytes(self, path, data: bytes):
        with self.zip.open(self._info(path, True), "w") as member:
            member.write(data)
        self._add(path, len(data), hashlib.sha256(data).hexdigest())

    def write_stream(self, path, source, *, size_hint, extra=None):
        """Copy ``source`` into the zip in CHUNK reads, hashing as it goes; stored,
        not compressed (evidence is mostly PDF, images and Office files, already
        compressed). Returns (size, sha256)."""
        digest, size = hashlib.sha256(), 0
        info = self._info(path, False)
        with self.zip.open(info, "w", force_zip64=size_hint > 2**30) as member:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                member.write(chunk)
                size += len(chunk)
        self._add(path, size, digest.hexdigest(), extra)
        return size, digest.hexdigest()

    def _add(self, path, size, sha256, extra=None):
        self.files.append(
            {"path": path, "size": size, "sha256": sha256, **(extra or {})}
        )


def _local(value):
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).replace(
        tzinfo=None, microsecond=0
    )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _csv_bytes(rows):
    """The list export's CSV (``csv_chunks``: UTF-8 with a byte order mark), every
    cell written as text in the report's time zone and neutralised."""
    cells = ([spreadsheet_text(_text(value)) for value in row] for row in rows)
    return "".join(csv_chunks(cells)).encode("utf-8")


def _person(user):
    return display_name(user) if user is not None else ""


def _history_rows(records):
    header = (
        _("Time"),
        _("By"),
        _("Change"),
        _("Reason"),
        _("Status"),
        _("Responsible department"),
        _("Responsible person"),
        _("Due date"),
        _("Supervision level"),
        _("Title"),
        _("Version"),
    )
    kinds = {"+": gettext("Created"), "~": gettext("Changed"), "-": gettext("Deleted")}
    yield [str(label) for label in header]
    for record in records:
        yield [
            record.history_date,
            _person(record.history_user),
            kinds.get(record.history_type, record.history_type),
            record.history_change_reason or "",
            Obligation.Status(record.status).label,
            record.department.name if record.department_id else "",
            _person(record.owner) if record.owner_id else "",
            record.due_date.isoformat() if record.due_date else "",
            Obligation.SupervisionLevel(record.supervision_level).label,
            record.title,
            record.version,
        ]


def _timeline_rows(updates):
    header = (
        _("Time"),
        _("By"),
        _("Action"),
        _("From status"),
        _("To status"),
        _("Text"),
        _("Evidence"),
    )
    yield [str(label) for label in header]
    for update in updates:
        yield [
            update.created_at,
            _person(update.author),
            update.get_action_display(),
            update.get_from_status_display() if update.from_status else "",
            update.get_to_status_display() if update.to_status else "",
            update.text,
            update.evidence.original_name if update.evidence_id else "",
        ]


def _batches(report):
    """The report's obligations in document order, BATCH at a time, each with its
    evidence (oldest first), timeline and history (oldest first) attached."""
    pks = list(
        report.obligations.order_by("position", "pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        obligations = list(
            Obligation.objects.filter(pk__in=chunk)
            .select_related("section", "department", "owner", "acknowledged_by")
            .order_by("position", "pk")
        )
        by_pk = {o.pk: o for o in obligations}
        for obligation in obligations:
            obligation.archive_evidence = []
            obligation.archive_timeline = []
            obligation.archive_history = []
            obligation.archive_instructions = []
        for evidence in (
            Evidence.objects.filter(obligation__in=chunk)
            .select_related("uploaded_by", "withdrawn_by")
            .order_by("uploaded_at", "pk")
        ):
            by_pk[evidence.obligation_id].archive_evidence.append(evidence)
        for update in (
            ProgressUpdate.objects.filter(obligation__in=chunk)
            .select_related("author", "evidence")
            .order_by("created_at", "pk")
        ):
            by_pk[update.obligation_id].archive_timeline.append(update)
        # 批示 are part of the item's record (issue 23), with the unit's reply.
        for instruction in (
            Instruction.objects.filter(obligation__in=chunk)
            .select_related("author", "replied_by")
            .order_by("created_at", "pk")
        ):
            by_pk[instruction.obligation_id].archive_instructions.append(instruction)
        for record in (
            Obligation.history.filter(id__in=chunk)
            .select_related("history_user", "department", "owner")
            .order_by("history_date", "history_id")
        ):
            by_pk[record.id].archive_history.append(record)
        yield from obligations


def _obligation_text(obligation, report):
    passage = ""
    if obligation.source_end > obligation.source_start:
        passage = report.source_text[obligation.source_start : obligation.source_end]
    lines = [
        f"{obligation.code} {obligation.title}",
        f"{gettext('Kind')}: {obligation.get_kind_display()}",
        f"{gettext('Section')}: {obligation.section}",
        "",
        f"【{gettext('Text')}】",
        obligation.body,
        "",
        f"【{gettext('Passage in the report')}】",
        passage
        or gettext(
            "No longer in the report's text; the text above is as last imported."
        ),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _write_obligation(archive, obligation, report, folder, names, problems):
    """One obligation's folder; returns its summary row's evidence figures."""
    book = NameBook(taken=[names["withdrawn"]])
    withdrawn_book = NameBook()
    shown = []  # (evidence, path in the zip or None, problem or None)
    for evidence in obligation.archive_evidence:
        if evidence.is_withdrawn:
            sub = f"{names['evidence']}/{names['withdrawn']}"
            name = withdrawn_book.take(evidence.original_name, limit=FILE_MAX)
        else:
            sub = names["evidence"]
            name = book.take(evidence.original_name, limit=FILE_MAX)
        path = f"{folder}/{sub}/{name}"
        problem = _write_evidence(archive, evidence, path, obligation)
        if problem is not None:
            problems.append(problem)
        shown.append((evidence, path, problem))
    archive.write_bytes(
        f"{folder}/{names['text']}", _obligation_text(obligation, report)
    )
    archive.write_bytes(
        f"{folder}/{names['timeline']}",
        _csv_bytes(_timeline_rows(obligation.archive_timeline)),
    )
    archive.write_bytes(
        f"{folder}/{names['history']}",
        _csv_bytes(_history_rows(obligation.archive_history)),
    )
    page = render_to_string(
        "tracker/archive/record.html",
        {
            "report": report,
            "obligation": obligation,
            "passage": report.source_text[
                obligation.source_start : obligation.source_end
            ],
            "evidence": [
                {
                    "evidence": evidence,
                    "href": path[len(folder) + 1 :],
                    "problem": problem,
                }
                for evidence, path, problem in shown
            ],
            "index_href": f"../{INDEX_NAME}",
            "timeline": obligation.archive_timeline,
            "instructions": obligation.archive_instructions,
            "history": [
                [_text(value) for value in row]
                for row in _history_rows(obligation.archive_history)
            ],
        },
    )
    archive.write_bytes(f"{folder}/{names['record']}", page.encode("utf-8"))
    live = sum(
        1 for evidence in obligation.archive_evidence if not evidence.is_withdrawn
    )
    missing = [p for _e, _p, p in shown if p is not None]
    return live, len(obligation.archive_evidence) - live, missing


def _problem(kind, evidence, path, obligation, detail):
    return {
        "kind": kind,
        "path": path,
        "obligation": obligation.code,
        "evidence_id": evidence.pk,
        "original_name": evidence.original_name,
        "stored_as": evidence.file.name,
        "recorded_size": evidence.size,
        "recorded_sha256": evidence.sha256,
        "detail": detail,
    }


def _write_evidence(archive, evidence, path, obligation):
    """Copy one evidence file into the zip; a problem dict when it is missing
    from storage (nothing written) or its content is not what was uploaded
    (written as it is now, and said)."""
    try:
        source = evidence.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        return _problem(
            "missing",
            evidence,
            path,
            obligation,
            gettext("The file is missing from storage."),
        )
    with source:
        size, sha256 = archive.write_stream(
            path,
            source,
            size_hint=evidence.size,
            extra={"evidence_id": evidence.pk, "withdrawn": evidence.is_withdrawn},
        )
    if sha256 != evidence.sha256:
        return _problem(
            "changed",
            evidence,
            path,
            obligation,
            gettext(
                "The stored file is not the one uploaded: its SHA-256 is %(sha256)s."
            )
            % {"sha256": sha256},
        )
    return None


_BOLD = Font(bold=True)


def _summary_xlsx(report, rows, problems, *, when, user):
    """The summary sheet: the report and the archive, then a row per obligation,
    then the problems (missing or changed evidence). Every text cell passes
    ``spreadsheet_text``."""
    book = Workbook(write_only=True)

    def sheet(title, widths):
        each = book.create_sheet(title[:31])
        each.freeze_panes = "A2"
        print_setup(each, header_row=1)
        for letter, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
            each.column_dimensions[letter].width = width
        return each

    def header(each, labels):
        cells = [WriteOnlyCell(each, spreadsheet_text(str(label))) for label in labels]
        for cell in cells:
            cell.font = _BOLD
        each.append(cells)

    def append(each, values):
        each.append([spreadsheet_text(value) for value in values])

    about = sheet(gettext("Report"), [22, 60])
    header(about, [pgettext("archive", "Item"), gettext("Value")])
    for label, value in (
        (gettext("Title"), report.title),
        (gettext("Organization"), report.organization),
        (gettext("Year"), report.year),
        (gettext("Obligations"), len(rows)),
        (gettext("Archived at"), _text(when)),
        (gettext("Archived by"), _person(user)),
        (gettext("Closed at"), _text(report.closed_at) or gettext("Not closed")),
        (gettext("Closed by"), _person(report.closed_by)),
        (pgettext("archive", "Problems"), len(problems)),
    ):
        append(about, [label, value])

    obligations = sheet(
        pgettext("archive", "Obligations"),
        [10, 10, 50, 30, 10, 24, 12, 12, 12, 10, 30, 10, 10, 30, 40],
    )
    header(
        obligations,
        [
            _("Code"),
            _("Kind"),
            _("Title"),
            _("Section"),
            _("Status"),
            _("Responsible department"),
            _("Responsible person"),
            _("Due date"),
            _("Supervision level"),
            _("Rating"),
            _("Rating comment"),
            _("Evidence"),
            pgettext_lazy("archive", "Withdrawn"),
            _("Missing files"),
            _("Folder"),
        ],
    )
    for row in rows:
        append(obligations, row)

    problem_sheet = sheet(pgettext("archive", "Problems"), [10, 10, 30, 60, 70, 12, 66])
    header(
        problem_sheet,
        [
            _("Code"),
            pgettext_lazy("archive", "Problem"),
            _("File name"),
            _("Path in the archive"),
            _("Detail"),
            _("Size"),
            _("SHA-256 when uploaded"),
        ],
    )
    labels = {"missing": gettext("Missing"), "changed": gettext("Changed")}
    for problem in problems:
        append(
            problem_sheet,
            [
                problem["obligation"],
                labels[problem["kind"]],
                problem["original_name"],
                problem["path"],
                problem["detail"],
                problem["recorded_size"],
                problem["recorded_sha256"],
            ],
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def write_archive(report, output, *, user, progress=None) -> ArchiveResult:
    """Write ``report``'s archive as a zip to ``output`` (a binary file object;
    a file on disk, so each member's size goes in its header), made by ``user``.
    Only reads: the caller records the archive
    (``services.reports.report_archived``). ``progress(done, total)``, when
    given, hears of each obligation written (the job's page shows it; it may
    raise to stop the archive past the job's time limit)."""
    when = timezone.now()
    total = report.obligations.count() if progress else 0
    with translation.override(settings.LANGUAGE_CODE):
        names = _names()
        archive = _Zip(output, when)
        archive.write_bytes(names["report_text"], report.source_text.encode("utf-8"))
        # Folder names are unique among themselves and the files at the top.
        folders = NameBook(
            taken=[names["report_text"], names["summary"], MANIFEST_NAME, INDEX_NAME],
            folders=True,
        )
        rows, problems, index = [], [], []
        for done, obligation in enumerate(_batches(report)):
            if progress:
                progress(done, total)
            folder = folders.take(
                f"{obligation.code} {obligation.title}", limit=FOLDER_MAX
            )
            live, withdrawn, missing = _write_obligation(
                archive, obligation, report, folder, names, problems
            )
            index.append(
                {
                    "code": obligation.code,
                    "title": obligation.title,
                    "status": obligation.get_status_display(),
                    "department": obligation.department.name
                    if obligation.department
                    else "",
                    "href": f"{folder}/{names['record']}",
                    "evidence": live,
                    "missing": len(missing),
                }
            )
            rows.append(
                [
                    obligation.code,
                    obligation.get_kind_display(),
                    obligation.title,
                    str(obligation.section),
                    obligation.get_status_display(),
                    obligation.department.name if obligation.department else "",
                    _person(obligation.owner),
                    obligation.due_date,
                    obligation.get_supervision_level_display(),
                    obligation.get_rating_display(),
                    obligation.rating_comment,
                    live,
                    withdrawn,
                    "\n".join(p["original_name"] for p in missing),
                    folder,
                ]
            )
        archive.write_bytes(
            names["summary"],
            _summary_xlsx(report, rows, problems, when=when, user=user),
        )
        archive.write_bytes(
            INDEX_NAME,
            render_to_string(
                "tracker/archive/index.html",
                {
                    "report": report,
                    "rows": index,
                    "when": when,
                    "user": _person(user),
                    "names": names,
                    "problems": len(problems),
                },
            ).encode("utf-8"),
        )
        manifest = {
            "format": ARCHIVE_FORMAT,
            "format_version": FORMAT_VERSION,
            "report": {
                "id": report.pk,
                "organization": report.organization,
                "year": report.year,
                "title": report.title,
                "closed_at": report.closed_at.isoformat() if report.closed_at else None,
                "closed_by": _person(report.closed_by) or None,
            },
            "archived_at": when.isoformat(),
            "archived_by": {"username": user.get_username(), "name": _person(user)},
            "files": archive.files,
            "problems": problems,
        }
        manifest["digest"] = manifest_digest(manifest)
        manifest["signature"] = sign(manifest["digest"])
        archive.zip.writestr(
            archive._info(MANIFEST_NAME, True),
            json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
        )
        archive.zip.close()
    return ArchiveResult(
        files=len(archive.files), digest=manifest["digest"], problems=problems
    )


def archive_note(result):
    """What the report's log says of an archive."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(
            "Manifest %(digest)s: %(files)d files, %(problems)d problems."
        ) % {
            "digest": result.digest,
            "files": result.files,
            "problems": len(result.problems),
        }


def archive_filename(report, today):
    """The download name, ``巫溪县2022年一事一档-2026-11-28.zip``, and its ASCII
    fallback for old clients."""
    # In the record's language, like the names inside: the zip is a record.
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("%(organization)s %(year)s archive") % {
            "organization": report.organization,
            "year": report.year,
        }
    return f"{name}-{today:%Y-%m-%d}.zip", f"archive-{report.pk}-{today:%Y-%m-%d}.zip"

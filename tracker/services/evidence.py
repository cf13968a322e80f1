"""佐证材料: uploading, withdrawing and annotating evidence files."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..evidence_files import (
    EvidenceFileError,
    sanitize_file_name,
    validate_evidence_file,
)
from ..models import (
    Evidence,
    Obligation,
    ProgressUpdate,
)
from ..recording import change_line
from .common import (
    ServiceError,
    lock_open_obligation,
    log_action,
    refuse_if_carried,
    refuse_if_closed,
    refuse_unless,
    save_recorded,
    sync_saved,
)

# PostgreSQL advisory lock key of evidence storage (any constant no other code uses).
EVIDENCE_STORAGE_LOCK = 7_370_001


def evidence_storage_lock(*, exclusive: bool) -> None:
    """Hold the evidence storage lock until the current transaction ends.

    An upload writes its file before its row commits, so a file that no row
    refers to may belong to an upload still in its transaction. Uploads hold this
    lock shared from before they write the file; the orphan sweep
    (``manage.py evidence_orphans``) holds it exclusively while it lists and
    deletes, so it waits until every open upload has committed or rolled back, and
    no upload starts meanwhile. On SQLite the database's write lock, taken at BEGIN
    (``transaction_mode`` IMMEDIATE in settings), already serialises the two."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("evidence_storage_lock needs a transaction")
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        function = (
            "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [EVIDENCE_STORAGE_LOCK])


# How many files one upload may carry: a day's photos of a site visit, not an
# archive (the archive has its own import).
EVIDENCE_FILES_PER_UPLOAD = 20


def evidence_upload(*, obligation, user, file, note: str = "", part=None) -> Evidence:
    """Attach one supporting document (佐证材料): ``evidence_upload_many`` with
    one file."""
    return evidence_upload_many(
        obligation=obligation, user=user, files=[file], note=note, part=part
    )[0]


def evidence_upload_many(
    *, obligation, user, files, note: str = "", part=None
) -> list[Evidence]:
    """Attach supporting documents (佐证材料) to an obligation, all or nothing.

    Every file is checked by content before any is stored; when one is refused,
    none is stored and the ``ServiceError`` names each refused file with its
    reason (one file: the reason alone), so the user fixes them and sends the
    batch again instead of working out which half arrived. Each file is stored
    under a generated name (``models.evidence_upload_to``), recorded with its
    sha256 and gets its own timeline entry with ``note``. If anything fails
    after a file was written, including the commit itself, the files written
    are removed, so a refused or rolled-back upload leaves neither rows nor
    files. (When a caller wraps this in its own transaction that later rolls
    back, the files stay behind: ``manage.py evidence_orphans --delete`` is the
    safety net for that, and ``evidence_storage_lock`` keeps it away from
    uploads still in a transaction.) With ``part``, the files are a co-operating
    unit's for its part (分办事项).
    """
    if part is not None:
        refuse_unless(
            part.obligation_id == obligation.pk
            and permissions.can_work_on_part(user, part)
        )
        if part.is_settled:
            raise ServiceError(_("This part is already accepted or waived."))
    else:
        refuse_unless(permissions.can_work_on(user, obligation))
    files = [each for each in files if each is not None]
    if len(files) > EVIDENCE_FILES_PER_UPLOAD:
        raise ServiceError(
            _("At most %(count)d files can be uploaded at once.")
            % {"count": EVIDENCE_FILES_PER_UPLOAD}
        )
    checked, refusals = [], []
    for file in files or [None]:
        try:
            checked.append((file, validate_evidence_file(file)))
        except EvidenceFileError as error:
            refusals.append((file, error.message))
    if refusals:
        if len(files) <= 1:
            raise ServiceError(refusals[0][1])
        raise ServiceError(
            _("Nothing was uploaded. %(refusals)s")
            % {
                "refusals": " ".join(
                    str(
                        _("“%(name)s”: %(reason)s")
                        % {"name": sanitize_file_name(file.name), "reason": reason}
                    )
                    for file, reason in refusals
                )
            }
        )
    note = (note or "").strip()
    created, stored = [], []
    try:
        with transaction.atomic():
            evidence_storage_lock(exclusive=False)  # before the files are written
            lock_open_obligation(obligation)
            for file, (name, content_type, size, sha256) in checked:
                evidence = Evidence(
                    obligation=obligation,
                    part=part,
                    original_name=name,
                    size=size,
                    sha256=sha256,
                    content_type=content_type,
                    uploaded_by=user,
                    note=note,
                )
                file.seek(0)
                # The field's upload_to (models.evidence_upload_to) names the file.
                evidence.file.save(name, file, save=False)
                stored.append(evidence.file)
                save_recorded(evidence, user=user, reason=_("Evidence uploaded"))
                log_action(
                    obligation,
                    user=user,
                    action=ProgressUpdate.Action.EVIDENCE_UPLOAD,
                    text=note,
                    evidence=evidence,
                    part=part,
                )
                created.append(evidence)
    except BaseException:
        for written in stored:
            written.storage.delete(written.name)
        raise
    return created


@transaction.atomic
def evidence_withdraw(*, evidence, user, reason: str) -> Evidence:
    """Withdraw a piece of evidence: it stays in storage and in the timeline (struck
    through, with the reason), but no longer counts for submitting.

    The last live evidence of an obligation awaiting review or done is refused, for
    every role: finished work keeps its proof for an inspection (督察). Upload the
    replacement first, or have a supervisor return or reopen the obligation.
    """
    reason = (reason or "").strip()
    # The obligation row first, as every obligation service locks it: two
    # withdrawals of its last two pieces, or a withdrawal racing a submission,
    # queue here, and the second one counts what the first one left.
    obligation = Obligation.objects.select_for_update().get(pk=evidence.obligation_id)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    current.obligation = obligation
    refuse_unless(permissions.can_work_on(user, obligation))
    refuse_if_closed(obligation.report_id)
    refuse_if_carried(obligation)
    if not reason:
        raise ServiceError(_("A reason is required."))
    if current.is_withdrawn:
        raise ServiceError(_("This evidence has already been withdrawn."))
    _refuse_withdrawing_last_proof(obligation, current)
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = user
    current.withdraw_reason = reason
    save_recorded(current, user=user, reason=_("Evidence withdrawn"))
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.EVIDENCE_WITHDRAW,
        text=reason,
        evidence=current,
    )
    sync_saved(evidence, current)
    return current


@transaction.atomic
def evidence_edit_note(*, evidence, user, note: str) -> Evidence:
    """Correct the note of a piece of evidence (an admin's job, in the admin). One
    timeline entry says what changed and the history row names the admin; nothing
    changed writes nothing."""
    refuse_unless(permissions.can_edit_evidence_note(user))
    note = (note or "").strip()
    # The obligation row first, as evidence_withdraw locks them.
    lock_open_obligation(evidence.obligation)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if current.note != note:
        log_action(
            current.obligation,
            user=user,
            action=ProgressUpdate.Action.EDIT,
            text=change_line(_("Note"), current.note, note),
            evidence=current,
        )
        current.note = note
        save_recorded(current, user=user, reason=_("Text edited"))
    sync_saved(evidence, current)
    return current


def _refuse_withdrawing_last_proof(obligation, evidence):
    Status = Obligation.Status
    if obligation.status not in (Status.SUBMITTED, Status.DONE):
        return
    others = obligation.evidence.filter(withdrawn_at__isnull=True).exclude(
        pk=evidence.pk
    )
    if others.exists():
        return
    if obligation.status == Status.DONE:
        raise ServiceError(
            _(
                "This is the only evidence of a finished obligation, so it cannot be "
                "withdrawn. Upload the replacement first, or ask a supervisor to "
                "reopen the obligation."
            )
        )
    raise ServiceError(
        _(
            "This is the only evidence of an obligation awaiting review, so it cannot "
            "be withdrawn. Upload the replacement first, or ask a supervisor to "
            "return the obligation."
        )
    )

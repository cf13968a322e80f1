"""Small builders shared by the workflow tests, services and views alike (not
fixtures: each test says which state it starts from)."""

import threading
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tracker.models import Obligation, ProgressUpdate
from tracker.services.evidence import evidence_upload
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import extension_request, obligation_transition

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def set_status(obligation, status):
    # Tests start from a status without walking the workflow; the version stays.
    Obligation.objects.filter(pk=obligation.pk).update(status=status)
    obligation.refresh_from_db()
    return obligation


def approve(obligation, supervisor, rating=Obligation.Rating.GOOD, comment="", **kw):
    """The supervisor's approval through the service, rating the result."""
    return obligation_transition(
        obligation=obligation,
        user=supervisor,
        to_status=Obligation.Status.DONE,
        rating=rating,
        rating_comment=comment,
        **kw,
    )


def rename_in_admin(administrator, department, name):
    """Rename ``department`` the way an administrator does, through the admin's
    change form (whose save invalidates every report's cached parts); the response."""
    admin = Client()
    admin.force_login(administrator)
    return admin.post(
        reverse("admin:tracker_department_change", args=[department.pk]),
        {
            "name": name,
            "short_name": department.short_name,
            "is_active": "on",
            "kind": department.kind,
        },
    )


def status_url(obligation):
    return reverse("tracker:obligation_status", args=[obligation.pk])


def post_status(client, obligation, **data):
    """The obligation page's status form posted in English, with the version the
    page carried."""
    payload = {"version": obligation.version, "note": "", **data}
    return in_english(client).post(status_url(obligation), payload)


def upload(obligation, user, name="整改报告.pdf", content=PDF, note=""):
    """Evidence written the real way (service, file in MEDIA_ROOT)."""
    return evidence_upload(
        obligation=obligation,
        user=user,
        file=SimpleUploadedFile(name, content),
        note=note,
    )


def return_for_rework(obligation, supervisor, reason="材料不全"):
    """From submitted (set directly) to returned by the supervisor's service call."""
    set_status(obligation, Obligation.Status.SUBMITTED)
    return obligation_transition(
        obligation=obligation,
        user=supervisor,
        to_status=Obligation.Status.RETURNED,
        note=reason,
    )


def submit_and_return(obligation, staff, supervisor, reason="材料不全"):
    """Submitted the real way (evidence, then the staff's submit), then returned."""
    upload(obligation, staff)
    set_status(obligation, Obligation.Status.IN_PROGRESS)
    obligation_transition(
        obligation=obligation,
        user=staff,
        to_status=Obligation.Status.SUBMITTED,
        note="已完成",
    )
    return obligation_transition(
        obligation=obligation,
        user=supervisor,
        to_status=Obligation.Status.RETURNED,
        note=reason,
    )


def assignment_trail(obligation):
    """What assigning left on the record: the authors of the assignment's timeline
    entries (one per changed field) and the user of the latest history row."""
    entries = obligation.updates.filter(action=ProgressUpdate.Action.ASSIGN)
    return [entry.author for entry in entries], obligation.history.latest().history_user


def files_on_disk(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file())


def simultaneously(items, act, *, load=lambda item: item, refusals=None, timeout=30):
    """Race: for each item, on its own thread and database connection, load(item),
    then wait until every thread has loaded, then act(loaded) all at once.

    Returns one outcome per item, in order: what act returned, the label
    ``refusals`` gives the exception type it raised (e.g. {ServiceError:
    "refused"}), or any other exception itself, so that the test's assertion shows
    it instead of the thread swallowing it."""
    refusals = refusals or {}
    barrier = threading.Barrier(len(items))
    outcomes = [None] * len(items)

    def run(index, item):
        try:
            loaded = load(item)
            barrier.wait(timeout=10)
            outcomes[index] = act(loaded)
        except tuple(refusals) as error:
            outcomes[index] = next(
                label for kind, label in refusals.items() if isinstance(error, kind)
            )
        except Exception as error:  # noqa: BLE001 - the caller asserts on outcomes
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, item))
        for index, item in enumerate(items)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def every_write_scene(obligation, staff, supervisor):
    """The obligation with what each of its write paths needs, for tests that try
    them all: a due date, an assignment to acknowledge, a problem of its report to
    link, evidence, an unanswered supervision notice and a pending extension
    request. Returns them by name."""
    due = timezone.localdate() + timedelta(days=20)
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=due, department_assigned_at=timezone.now()
    )
    problem = ObligationFactory(
        report=obligation.report,
        section=obligation.section,
        kind=Obligation.Kind.PROBLEM,
    )
    evidence = upload(obligation, staff)
    notice = obligation_set_supervision(
        obligation=obligation, user=supervisor, level="yellow", note="进度滞后"
    ).new_notice
    extension = extension_request(
        obligation=obligation,
        user=staff,
        requested_due_date=due + timedelta(days=30),
        reason="需要补充调研",
    )
    obligation.refresh_from_db()
    return {
        "obligation": obligation,
        "problem": problem,
        "evidence": evidence,
        "notice": notice,
        "extension": extension,
    }

"""The obligation's page and the plumbing its forms share: every form on the page
posts to its own URL and, when refused, the page is drawn again with that form
bound and its error.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_safe,
)

from .. import permissions
from ..evidence_files import EVIDENCE_CONTENT_TYPES
from ..forms import (
    AcknowledgeForm,
    AssignForm,
    ConfirmLinkForm,
    EvidenceForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FollowUpChoiceForm,
    FollowUpForm,
    FollowUpWithdrawForm,
    NoteForm,
    NoticeReplyForm,
    OwnerByDepartmentMixin,
    StatusForm,
    SupervisionForm,
    WithdrawEvidenceForm,
    owner_choices,
)
from ..models import (
    Obligation,
    ProgressUpdate,
    display_name,
)
from ..organised_work_forms import (
    ChaseAnswerForm,
    ChaseForm,
    InstructionForm,
    InstructionReplyForm,
    NoticeApproveForm,
    NoticeSignatureForm,
    PartAddForm,
    PartNoteForm,
    PartStatusForm,
    PartWaiveForm,
    ProgressReportForm,
)
from ..selectors.followups import cached_obligation_followup
from ..selectors.obligations import obligation_page_lists, review_material
from ..selectors.reports import (
    neighbour_reports,
    next_of_neighbours,
    suggested_report_wording,
)
from ..selectors.worklists import next_to_review
from ..services.common import ServiceError, StaleVersionError
from ..year_forms import CarryOverForm, ReportWordingForm
from .obligation_cache import (
    class_media,
    content_html,
    content_key,
    evidence_pieces,
    obligation_for_page,
    shared_fragments,
)

# DOM ids of the obligation page's forms: several forms share field names (note,
# version), so each gets its own auto_id prefix to keep labels and errors tied to
# the right field.
FORM_IDS = {
    "status": "status-%s",
    "note": "note-%s",
    "evidence": "evidence-%s",
    "supervision": "supervision-%s",
    "assign": "assign-%s",
    "acknowledge": "acknowledge-%s",
    "extension": "extension-%s",
    "extension_decide": "extension-decide-%s",
    "confirm_link": "confirm-link-%s",
    "followup": "followup-%s",
    "part_add": "part-add-%s",
    "chase": "chase-%s",
    "instruction": "instruction-%s",
    "progress_report": "progress-report-%s",
    "carry_over": "carry-over-%s",
    "report_wording": "report-wording-%s",
}

# What the download may be served as: the types evidence_upload stores. Anything
# else (including an old row saying text/html) goes out as opaque bytes.
DOWNLOAD_CONTENT_TYPES = frozenset(
    content_type.split(";")[0] for content_type in EVIDENCE_CONTENT_TYPES.values()
)


def _scope_departments(form, organization_id):
    """Offer only the units of ``organization_id`` (an item's organization) in the
    form's department fields, and the people of those units as owners. Nothing
    to do for a deployment's items without an organization."""
    if form is None or organization_id is None:
        return form
    for name in ("department",):
        field = form.fields.get(name)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = field.queryset.filter(organization_id=organization_id)
    if isinstance(form, OwnerByDepartmentMixin):
        owner = form.fields["owner"]
        owner.choices = owner_choices(form.fields["department"].queryset, owner)
    return form


def _carry_target(obligation, neighbours):
    """The open report this item would be carried into (the nearest later year
    of ``neighbours``, ``neighbour_reports``), else None."""
    later = next_of_neighbours(obligation.report, neighbours)
    return later if later is not None and not later.is_closed else None


def _breadcrumb_sections(section):
    """The chapter, then the group, the obligation sits in (as printed)."""
    chain = [section]
    if section.parent_id is not None:
        chain.insert(0, section.parent)
    return chain


def _obligation_page(request, obligation, *, bound=None, changes=None, status=200):
    """Render the obligation page with the forms this user may use.

    ``bound`` maps a form name ("status", "withdraw-<evidence pk>" …) to the bound form
    that failed, so its errors appear next to it; every other form starts fresh with
    the obligation's current ``version``. The number of queries does not depend on
    how many evidence rows or timeline entries there are.
    """
    user = request.user
    bound = bound or {}
    may_work = permissions.can_work_on(user, obligation)
    can_download = may_work or permissions.can_read_all(user)
    today = timezone.localdate()
    # With obligation_page_related's relations.
    shared = shared_fragments(obligation, can_download=can_download, today=today)
    # A closed report is read-only for everyone: no form at all, downloads stay.
    # A closed report is read-only for everyone, and so is another organization's
    # item for a city's supervisors (acts_in) and an item carried over into the
    # next report (结转).
    writable = (
        permissions.is_writable(obligation.report)
        and permissions.acts_in_obligation(user, obligation)
        and obligation.carried_into_id is None
    )
    can_work = writable and may_work
    can_review = writable and permissions.can_review(user)
    # The co-operating units' parts show their own files and timeline, and the
    # reviewer's panel what was submitted: those read the rows themselves.
    if not hasattr(obligation, "timeline") and (
        obligation.part_list
        or (can_review and obligation.status == Obligation.Status.SUBMITTED)
    ):
        obligation_page_lists(obligation)
    version = {"version": obligation.version}

    def form(name, form_class, *, allowed, initial=None):
        if not allowed:
            return None
        if name in bound:
            return bound[name]
        # Built when drawn: the content kept for this reader's rights (below)
        # draws none of them, and the assignment's reads every unit's people.
        return SimpleLazyObject(
            lambda: _scope_departments(
                form_class(
                    initial={**version, **(initial or {})}, auto_id=FORM_IDS[name]
                ),
                obligation.report.organization_unit_id,
            )
        )

    open_return = shared["open_return"]
    # The year before and the later ones (one query, when a miss or the
    # carry-over needs them): the follow-up across years and where the item
    # would be carried over.
    neighbours = SimpleLazyObject(lambda: neighbour_reports(obligation.report))
    transitions = permissions.transition_choices(
        user,
        obligation,
        # The co-operating units' files are theirs: the lead's submission needs
        # one of its own.
        has_evidence=any(
            not withdrawn and part_id is None
            for _pk, withdrawn, part_id in shared["files"]
        ),
        parts_settled=all(part.is_settled for part in obligation.part_list),
        reworked=can_work and shared["reworked"],
    )
    if not writable:
        transitions = []
    approving = any(t.rating_required for t in transitions)
    status_form = form(
        "status",
        StatusForm,
        allowed=bool(transitions),
        # The supervisor accepts or rewrites the suggested 报告用语 (one query,
        # for the page that offers approving only).
        initial={
            "report_wording": obligation.report_wording
            or suggested_report_wording(obligation)
        }
        if approving
        else None,
    )
    if status_form is not None and not approving:
        status_form.without_rating()
    context_forms = {
        "status": status_form,
        "note": form("note", NoteForm, allowed=can_work),
        "evidence": form("evidence", EvidenceForm, allowed=can_work),
        "supervision": form(
            "supervision",
            SupervisionForm,
            allowed=can_review,
            initial={"level": obligation.supervision_level},
        ),
        "assign": form(
            "assign",
            AssignForm,
            allowed=writable and permissions.can_assign(user),
            initial={
                "department": obligation.department_id,
                "owner": obligation.owner_id,
                "due_date": obligation.due_date,
            },
        ),
    }
    pending_extension = next(
        (each for each in obligation.extension_list if each.is_pending), None
    )
    context_forms.update(
        acknowledge=form(
            "acknowledge",
            AcknowledgeForm,
            allowed=permissions.can_acknowledge_now(user, obligation),
        ),
        extension=form(
            "extension",
            ExtensionRequestForm,
            allowed=permissions.can_request_extension_now(
                user, obligation, has_pending_request=pending_extension is not None
            ),
        ),
        extension_decide=form(
            "extension_decide",
            ExtensionDecisionForm,
            allowed=can_review and pending_extension is not None,
        ),
        part_add=form(
            "part_add",
            PartAddForm,
            allowed=writable and permissions.can_add_part(user),
        ),
        chase=form(
            "chase",
            ChaseForm,
            allowed=writable
            and permissions.can_chase(user)
            and obligation.department_id is not None
            and obligation.status != Obligation.Status.DONE,
        ),
    )
    context_forms.update(
        carry_over=form(
            "carry_over",
            CarryOverForm,
            allowed=writable
            and permissions.can_carry_over(user)
            and obligation.status != Obligation.Status.DONE
            and _carry_target(obligation, neighbours) is not None,
        ),
        report_wording=form(
            "report_wording",
            ReportWordingForm,
            # Written at approval; corrected later: once there is something to
            # report (done) or to correct.
            allowed=writable
            and permissions.can_write_report_wording(user)
            and (
                obligation.status == Obligation.Status.DONE
                or bool(obligation.report_wording)
            ),
            initial={"text": obligation.report_wording},
        ),
    )
    context_forms["instruction"] = form(
        "instruction",
        InstructionForm,
        allowed=writable and permissions.can_write_instruction(user),
    )
    shown_parts = _part_forms(user, obligation, bound, writable=writable)
    shown_parts |= _leader_forms(user, obligation, bound, writable=writable)
    progress = shared["progress"]
    context_forms["progress_report"] = form(
        "progress_report",
        ProgressReportForm,
        allowed=can_work
        and progress.period is not None
        and obligation.status != Obligation.Status.DONE
        and not progress.item_filed,
    )
    for part in obligation.part_list:
        key = f"progress-part-{part.pk}"
        part.progress_form = None
        part.progress_form_error_id = f"{key}-errors"
        if (
            writable
            and progress.period is not None
            and not part.is_settled
            and part.pk not in progress.parts_filed
            and permissions.can_work_on_part(user, part)
        ):
            part.progress_form = bound.get(key) or ProgressReportForm(
                initial={"part": part.pk}, auto_id=f"{key}-%s"
            )
            shown_parts.add(key)
    withdraw_forms = {}
    if can_work:
        for pk, withdrawn, _part_id in shared["files"]:
            if not withdrawn:
                key = f"withdraw-{pk}"
                withdraw_forms[pk] = bound.get(key) or WithdrawEvidenceForm(
                    auto_id=f"{key}-%s"
                )
    for notice in obligation.notice_list:
        notice.obligation = obligation
        notice.reply_form = None
        if permissions.can_reply_to_notice_now(user, notice):
            key = f"reply-{notice.pk}"
            notice.reply_form = bound.get(key) or NoticeReplyForm(auto_id=f"{key}-%s")
            notice.reply_error_id = f"{key}-errors"
    refused_anchor = None
    for name, bound_form in bound.items():
        refused_anchor = focus_first_error(bound_form, name)
    suggestions = shared["suggestions"]
    may_confirm_links = writable and permissions.can_confirm_links(user)
    if may_confirm_links:
        for suggestion in suggestions:
            suggestion.confirm_form = ConfirmLinkForm(
                initial={**version, "problem": suggestion.problem.pk},
                auto_id=f"confirm-{suggestion.problem.pk}-%s",
            )
    followup = cached_obligation_followup(obligation, neighbours)
    # The earlier year may be closed; the later one, where the follow-up is
    # recorded, may not (services.followups._lock_followup_pair).
    may_decide_followups = (
        permissions.can_confirm_followups(user) and followup.later_is_writable
    )
    if may_decide_followups:
        for suggestion in followup.suggestions:
            for verb in ("confirm", "reject"):
                setattr(
                    suggestion,
                    f"{verb}_form",
                    FollowUpForm(
                        initial={"later": suggestion.later.pk},
                        auto_id=f"followup-{verb}-{suggestion.later.pk}-%s",
                    ),
                )
        for confirmed in followup.confirmed:
            key = f"followup-withdraw-{confirmed.pk}"
            confirmed.withdraw_form = bound.get(key) or FollowUpWithdrawForm(
                auto_id=f"{key}-%s"
            )
            confirmed.withdraw_error_id = f"{key}-errors"
        if followup.later_report is not None:
            followup.choice_form = FollowUpChoiceForm(
                later_report=followup.later_report, auto_id="followup-choice-%s"
            )
    shown = {f"withdraw-{pk}" for pk in withdraw_forms}
    shown.update(f"reply-{n.pk}" for n in obligation.notice_list if n.reply_form)
    shown.update(
        f"followup-withdraw-{each.pk}"
        for each in followup.confirmed
        if getattr(each, "withdraw_form", None)
    )
    shown.update(name for name in FORM_IDS if context_forms.get(name) is not None)
    shown.update(shown_parts)
    # A refused form with no place on the page any more (withdrawing evidence that
    # someone withdrew meanwhile) still has its say, at the top of the page.
    orphan_errors = [
        error
        for name, bound_form in bound.items()
        if name not in shown
        for error in bound_form.non_field_errors()
    ]
    review = _review_context(
        user, obligation, status_form, shared["latest"], can_review=can_review
    )
    context = {
        **review,
        "now_actions": _now_actions(
            context_forms,
            transitions,
            obligation.notice_list,
            reviewing=review.get("review") is not None,
        )
        + _leader_actions(context_forms, obligation),
        **{f"{name}_form": each for name, each in context_forms.items()},
        "orphan_errors": orphan_errors,
        "refused_anchor": None if orphan_errors else refused_anchor,
        "obligation": obligation,
        "report": obligation.report,
        "sections": _breadcrumb_sections(obligation.section),
        "today": today,
        "evidence_pieces": evidence_pieces(shared, withdraw_forms),
        "notices": obligation.notice_list,
        "timeline_html": mark_safe(shared["timeline"]),  # noqa: S308 - our HTML
        "texts_html": mark_safe(shared["texts"]),  # noqa: S308 - our HTML
        "extension_list": obligation.extension_list,
        "parts": obligation.part_list,
        "chases": obligation.chase_list,
        # 批示 not yet replied to stand at the top of the page.
        "open_instructions": [
            each for each in obligation.instruction_list if not each.is_replied
        ],
        "instructions": obligation.instruction_list,
        "progress": progress,
        "last_chase": obligation.chase_list[0] if obligation.chase_list else None,
        "pending_extension": pending_extension,
        # (decision, button label, reason required) for the decision form.
        "extension_decisions": [
            ("approve", gettext("Approve the extension"), False),
            ("refuse", gettext("Refuse the extension"), True),
        ],
        "transitions": transitions,
        "suggestions": suggestions,
        "followup": followup,
        "open_return": open_return,
        "can_work": can_work,
        "can_download": can_download,
        "conflict_changes": changes,
        # Folded sections open when they hold a refused form, or a decision
        # waiting for this user (a suggested link or follow-up to confirm).
        "unfold_links": "confirm_link" in bound
        or any(getattr(each, "confirm_form", None) for each in suggestions),
        "unfold_followup": any(name.startswith("followup") for name in bound)
        or any(getattr(each, "confirm_form", None) for each in followup.suggestions),
    }
    # The assignment's script, known from its widgets without building it.
    context["assign_media"] = (
        class_media(AssignForm) if context_forms["assign"] is not None else None
    )
    # What differs between readers is what they may do: the forms shown and the
    # buttons offered, all decided above. A refused form, a conflict and the
    # review panel (its "next" link follows the queue) are drawn for this
    # request only.
    key = None
    if not bound and changes is None and not review:
        key = content_key(
            obligation,
            neighbours,
            can_download=can_download,
            today=today,
            decisions=(
                sorted(shown),
                transitions,
                [(p.pk, p.transitions, p.may_download) for p in obligation.part_list],
                can_work,
                writable,
                may_confirm_links,
                may_decide_followups,
                context["now_actions"],
            ),
        )
    context["content_html"] = content_html(request, context, key=key)
    return render(request, "tracker/obligation_detail.html", context, status=status)


def _now_actions(forms, transitions, notices, *, reviewing):
    """What this user may do now on the item, as (anchor, label) for the action
    bar that comes first on the page (sticky on phones): 签收, the status
    transitions (开始, 提交 …) or 审核, 上传 and 反馈督办单. The forms decided it
    already (each through ``permissions``); this only names them."""
    actions = []
    if forms.get("acknowledge") is not None:
        actions.append(("acknowledge", gettext("Acknowledge (签收)")))
    if reviewing:
        actions.append(("status", gettext("Review")))
    elif forms.get("status") is not None:
        actions.extend(
            ("status", choice.label) for choice in transitions if not choice.blocked
        )
    if forms.get("evidence") is not None:
        actions.append(("evidence-upload", gettext("Upload evidence")))
    actions.extend(
        (
            f"notice-{notice.pk}",
            gettext("Reply to notice %(code)s") % {"code": notice.code},
        )
        for notice in notices
        if notice.reply_form is not None
    )
    return actions


def _leader_actions(forms, obligation):
    """The action bar's entries of issue 23: the unit's reply to a 批示, the
    leader's 批示 and their approval of a 督办单 of their level."""
    actions = [
        (f"instruction-{each.pk}", gettext("Reply to the instruction"))
        for each in obligation.instruction_list
        if each.reply_form is not None
    ]
    if forms.get("instruction") is not None:
        actions.append(("instructions", gettext("Write an instruction (批示)")))
    actions.extend(
        (
            f"notice-{notice.pk}",
            gettext("Approve notice %(code)s") % {"code": notice.code},
        )
        for notice in obligation.notice_list
        if notice.approve_form is not None
    )
    return actions


def _review_context(user, obligation, status_form, latest, *, can_review):
    """The review panel (``review``: what was submitted, beside the decision)
    while the item waits for this reviewer, and where "审核下一项" leads
    (``review_next``, None for an empty queue) while it waits and right after
    this reviewer decided it (``latest``, the newest timeline entry as
    ``shared_fragments`` keeps it, is their decision)."""
    if not can_review:
        return {}
    waiting = (
        obligation.status == Obligation.Status.SUBMITTED and status_form is not None
    )
    just_decided = (
        latest is not None
        and latest["author_id"] == user.pk
        and latest["action"] == ProgressUpdate.Action.STATUS
        and latest["from_status"] == Obligation.Status.SUBMITTED
        and latest["part_id"] is None
    )
    if not (waiting or just_decided):
        return {}
    return {
        "review": review_material(obligation) if waiting else None,
        "review_offered": True,
        "review_next": next_to_review(
            Obligation.objects.visible_to(user), after=obligation
        ),
    }


def _part_forms(user, obligation, bound, *, writable):
    """Give each part (``obligation.part_list``) its own timeline and evidence and
    the forms this user may use on it: its status buttons, a note, a waiver and a
    chase; each chase the unit's answer form. Returns the keys of the forms shown
    (``part-<pk>``, ``part-note-<pk>`` …), which ``bound`` uses too."""
    shown = set()

    def attach(owner, attribute, key, form_class, *, allowed, initial=None):
        form = None
        if allowed:
            form = bound.get(key) or form_class(initial=initial, auto_id=f"{key}-%s")
            shown.add(key)
        setattr(owner, attribute, form)
        setattr(owner, f"{attribute}_error_id", f"{key}-errors")

    lead_may_work = permissions.can_work_on(user, obligation)
    for part in obligation.part_list:
        part.obligation = obligation
        part.timeline = [u for u in obligation.timeline if u.part_id == part.pk]
        part.evidence_files = [
            e for e in obligation.evidence_list if e.part_id == part.pk
        ]
        part.transitions = (
            [
                (to_status, transition.label, transition.note_required)
                for to_status, transition in permissions.part_transition_choices(
                    user, part
                )
            ]
            if writable
            else []
        )
        may_work = writable and permissions.can_work_on_part(user, part)
        version = {"version": part.version}
        attach(
            part,
            "status_form",
            f"part-{part.pk}",
            PartStatusForm,
            allowed=bool(part.transitions),
            initial=version,
        )
        attach(
            part,
            "note_form",
            f"part-note-{part.pk}",
            PartNoteForm,
            allowed=may_work and not part.is_settled,
        )
        attach(
            part,
            "evidence_form",
            f"part-evidence-{part.pk}",
            EvidenceForm,
            allowed=may_work and not part.is_settled,
        )
        attach(
            part,
            "waive_form",
            f"part-waive-{part.pk}",
            PartWaiveForm,
            allowed=writable
            and permissions.can_waive_part(user)
            and permissions.part_waiver_refusal(part) is None,
            initial=version,
        )
        attach(
            part,
            "chase_form",
            f"chase-part-{part.pk}",
            ChaseForm,
            allowed=writable and permissions.can_chase(user) and not part.is_settled,
            initial={"part": part.pk},
        )
        part.may_download = lead_may_work or permissions.can_work_on_part(user, part)
    for chase in obligation.chase_list:
        chase.obligation = obligation
        attach(
            chase,
            "answer_form",
            f"chase-answer-{chase.pk}",
            ChaseAnswerForm,
            allowed=writable
            and not chase.is_answered
            and permissions.can_answer_chase(user, chase),
        )
    return shown


def _leader_forms(user, obligation, bound, *, writable):
    """The unit's reply form on each 批示 not yet replied to, and on each 督办单 not
    yet signed, the leader's approval or the supervisors' paper-signature form.
    Returns the keys of the forms shown."""
    shown = set()

    def attach(owner, attribute, key, form_class, *, allowed):
        form = None
        if allowed:
            form = bound.get(key) or form_class(auto_id=f"{key}-%s")
            shown.add(key)
        setattr(owner, attribute, form)
        setattr(owner, f"{attribute}_error_id", f"{key}-errors")

    for instruction in obligation.instruction_list:
        attach(
            instruction,
            "reply_form",
            f"instruction-reply-{instruction.pk}",
            InstructionReplyForm,
            allowed=writable
            and not instruction.is_replied
            and permissions.can_reply_to_instruction(user, instruction),
        )
    for notice in obligation.notice_list:
        unsigned = writable and permissions.notice_signing_refusal(notice) is None
        attach(
            notice,
            "approve_form",
            f"notice-approve-{notice.pk}",
            NoticeApproveForm,
            allowed=unsigned and permissions.can_approve_notice(user, notice),
        )
        attach(
            notice,
            "signature_form",
            f"notice-signature-{notice.pk}",
            NoticeSignatureForm,
            allowed=unsigned and permissions.can_record_notice_signature(user),
        )
    return shown


_BUTTON_FIELDS = frozenset({"status", "decision"})


def focus_first_error(form, name):
    """Make the page open at what refused ``form``: its first invalid field gets
    ``autofocus`` (the browser scrolls it into view, the typed text stays), or,
    when the whole form was refused (a service's reason, a stale version), its
    error block does (_form_errors.html). Returns the element's id, for the
    summary at the top of the page to link to. A 400 is a re-render of the page,
    not a redirect, so there is no #fragment to scroll to."""
    if not form.errors:
        return None
    # The transition and the extension decision are chosen with buttons
    # (_action_form.html): no field of theirs to focus.
    invalid = [
        field
        for field in form.visible_fields()
        if field.errors and field.name not in _BUTTON_FIELDS
    ]
    if invalid and not form.non_field_errors() and "version" not in form.errors:
        invalid[0].field.widget.attrs["autofocus"] = True
        return invalid[0].id_for_label
    form.focus_errors = True
    return f"{name.replace('_', '-')}-errors"


def refused(request, obligation_pk, name, form, error, *, status=400):
    """Re-render the page with ``form`` showing why nothing was saved.

    The obligation is read again: a refused service left the database unchanged, and
    the page must show that state, not the half-changed instance.
    """
    obligation = permissions.get_obligation_or_404(request, obligation_pk)
    if error is not None:
        form.add_error(None, str(error))
    return _obligation_page(request, obligation, bound={name: form}, status=status)


def _conflict(request, name, form, error):
    """409: someone saved first. Show who changed what; the user's input stays in
    the form, now carrying the current version, so sending it again is a
    deliberate choice made after reading the changes."""
    obligation = permissions.get_obligation_or_404(request, error.obligation.pk)
    data = form.data.copy()
    data["version"] = obligation.version
    fresh = type(form)(data, auto_id=form.auto_id)
    fresh.is_valid()
    fresh.add_error(None, str(error))
    changes = [
        {"author": display_name(author), "when": when, "text": text}
        for author, when, text in error.changes
    ]
    return _obligation_page(
        request, obligation, bound={name: fresh}, changes=changes, status=409
    )


def post_obligation_form(
    request, obligation, name, form, write, done, *, follow_next=False
):
    """How every form of the obligation page is handled: validate ``form``, run
    ``write(cleaned_data)`` (a service call), let ``done(result)`` say what happened
    (a message) and go back to the obligation, or to ``next`` with
    ``follow_next``. Bad input or a domain refusal re-renders the page with the
    form (400), a stale version with the changes made meanwhile (409). Only the
    obligation's own organization acts on it: a city's supervisors read and rank
    a county's items but answer 403 here (``permissions.acts_in``)."""
    if not permissions.acts_in_obligation(request.user, obligation):
        raise PermissionDenied
    if not form.is_valid():
        return refused(request, obligation.pk, name, form, None)
    try:
        result = write(form.cleaned_data)
    except StaleVersionError as error:
        return _conflict(request, name, form, error)
    except ServiceError as error:
        return refused(request, obligation.pk, name, form, error)
    done(result)
    if follow_next:
        return _next_or(request, obligation)
    return redirect(obligation)


def _next_or(request, default):
    """Back to the page the form was on (``next``, e.g. /my/) when it is ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_safe
def obligation_detail(request, pk):
    obligation = obligation_for_page(request, pk)
    return _obligation_page(request, obligation)

"""Who may do what: the one place views, templates and the admin ask.

Roles: ``staff`` (经办人员, members of departments), ``supervisor`` (督查人员),
``leader`` (县领导, with a level on their profile) and admins (superusers, or Django
staff users with the ``tracker.change_obligation`` permission). Groups are created by
data migrations.

Leaders read everything of their organization (``can_read_all``: the one rule that
will scope it by organization) but do none of the staff workflow and no review: every
write row below is "no" for them except the leaders' own rows at the end.

The permission matrix of the staff workflow (issue 3). "Working staff" are the members
of the obligation's department and the obligation's owner; "other staff" is everybody
else in the staff group. Every cell is enforced by the helpers below; the status
rows come from the ``TRANSITIONS`` table, which the transition service also reads.

=====================================================  =======  =====  ==========  =====
action                                                 working  other  supervisor  admin
=====================================================  =======  =====  ==========  =====
view lists, dashboard, obligation detail               yes      yes    yes         yes
download or preview (images, PDF) evidence             yes      403    yes         yes
post a progress update, upload or withdraw evidence    yes      no     no          yes
start: not_started/returned -> in_progress             yes      no     no          yes
submit: in_progress -> submitted (evidence + note)     yes      no     no          yes
resubmit: returned -> submitted (+ rework since)       yes      no     no          yes
approve: submitted -> done (with a rating)            no       no     yes         yes
return: submitted -> returned (reason)                 no       no     yes         yes
reopen: done -> in_progress (reason; clears rating)    no       no     yes         yes
set supervision level (reason), assign dept/owner/due  no       no     yes         yes
view and print a supervision notice                    yes      yes    yes         yes
reply to a supervision notice (department members)     yes      no     no          no
supervision notice register and its export             no       no     yes         yes
edit an obligation's text, its task -> problem links   no       no     no          yes
confirm a suggested task -> problem link               no       no     yes         yes
confirm, reject or withdraw a follow-up across years   no       no     yes         yes
acknowledge (签收) an assignment to the department     member   no     no          no
request an extension (延期申请)                        yes      no     no          yes
approve or refuse an extension request                 no       no     yes         yes
department ranking and its exports                     no       no     yes         yes
add a co-operating unit's part (配合单位)               no       no     yes         yes
acknowledge (签收) a part                               (the part's unit: members)
work on a part: notes, files, submit to the lead unit  (its members, owner, admin)
accept or return a part (the lead unit)                yes      no     no          yes
waive a part so the lead unit may submit (reason)      no       no     yes         yes
sign off a submission (单位审核): the unit's heads       (heads, admin)
chase (催办) an item or a part                          no       no     yes         yes
answer a chase: the chased unit's members              (members only)
file a progress report (调度) for the current period    yes      no     no          yes
the 调度表 (/schedule/) and its export                  no       no     yes         yes
download the Word draft of next year's report          no       no     yes         yes
download a report's archive (一事一档 zip)               no       no     yes         yes
close a report; reopen it (reason)                     no       no     yes         yes
carry items over (结转), write their 报告用语           no       no     yes         yes
=====================================================  =======  =====  ==========  =====

Leaders (县领导): every reading row above is "yes" (lists, obligation pages, evidence,
notices and their register, departments, the ranking, the 调度表, the draft and the
archive), every other row "no"; and:

=====================================================  =======  =====  ==========  =====
action                                                 working  other  supervisor  admin
=====================================================  =======  =====  ==========  =====
the cockpit (/cockpit/): yes for leaders              no       no     yes         yes
write a 批示 on an item: leaders only                  no       no     no          no
reply to a 批示 (the unit's members)                   member   no     no          no
approve a prepared 督办单: a leader of its level       no       no     no          no
record a leader's paper signature on a 督办单          no       no     yes         yes
=====================================================  =======  =====  ==========  =====

A closed report (``Report.is_closed``) is read-only for everyone: every "yes" above
that writes becomes "no" for its obligations (``is_writable``), which the services
enforce (``services.common.ReportClosedError``) and the pages follow by hiding the
forms. Reading, downloading evidence and the archive stay as they are.

签收 is the department's own act: only a member of the responsible department (not
an owner from elsewhere, nor an admin on its behalf) acknowledges.

Reviewing is deliberately separate from working: a supervisor who is not a member of
the department cannot start or submit, and working staff cannot approve their own work.
"""

from .administration import (
    SUPERVISING_KINDS,
    can_delete_department,
    can_delete_user,
    can_edit_thesaurus,
    can_import_accounts,
    can_import_report,
    can_set_assessment_weights,
    can_view_organizations,
    can_view_ranking,
)
from .lookups import (
    get_chase_or_404,
    get_department_or_404,
    get_evidence_or_404,
    get_followup_or_404,
    get_instruction_or_404,
    get_job_or_404,
    get_notice_or_404,
    get_notification_or_404,
    get_obligation_or_404,
    get_part_or_404,
    get_report_or_404,
)
from .roles import (
    ADMIN_PERMISSION,
    ADMIN_ROLE,
    HEAD_ROLE,
    LEADER_GROUP,
    ROLE_GROUPS,
    STAFF_GROUP,
    SUPERVISOR_GROUP,
    acts_in,
    acts_in_obligation,
    can_assign,
    can_read_all,
    can_review,
    group_label,
    group_names_known,
    is_admin,
    is_department_staff,
    is_leader,
    is_supervisor,
    lands_on_my_work,
    remember_group_names,
    role_choices,
    role_label,
    supervisors,
    supervisors_of,
    user_organization,
)
from .workflow import (
    NOTICE_LEADER_LEVELS,
    PART_TRANSITIONS,
    TRANSITIONS,
    PartTransition,
    Transition,
    TransitionChoice,
    acknowledgement_refusal,
    allowed_transitions,
    can_acknowledge,
    can_acknowledge_now,
    can_acknowledge_part_now,
    can_add_part,
    can_answer_chase,
    can_approve_notice,
    can_archive_report,
    can_carry_over,
    can_chase,
    can_close_report,
    can_confirm_followups,
    can_confirm_links,
    can_decide_part,
    can_download,
    can_draft_documents,
    can_edit_evidence_note,
    can_edit_obligation,
    can_record_notice_signature,
    can_reply_to_instruction,
    can_reply_to_notice,
    can_reply_to_notice_now,
    can_request_extension_now,
    can_view_cockpit,
    can_view_notice_register,
    can_view_reminder_gaps,
    can_view_schedule,
    can_waive_part,
    can_work_on,
    can_work_on_part,
    can_write_instruction,
    can_write_report_wording,
    extension_request_refusal,
    is_department_head,
    is_department_member,
    is_part_member,
    is_working_staff,
    is_writable,
    leader_level,
    needs_signoff,
    notice_reply_refusal,
    notice_signing_refusal,
    part_transition_choices,
    part_waiver_refusal,
    transition_checklist,
    transition_choices,
)

__all__ = [
    "ADMIN_ROLE",
    "HEAD_ROLE",
    "get_job_or_404",
    "STAFF_GROUP",
    "SUPERVISOR_GROUP",
    "LEADER_GROUP",
    "ADMIN_PERMISSION",
    "supervisors",
    "supervisors_of",
    "user_organization",
    "acts_in",
    "acts_in_obligation",
    "group_names_known",
    "remember_group_names",
    "is_admin",
    "is_supervisor",
    "is_department_staff",
    "is_leader",
    "can_read_all",
    "ROLE_GROUPS",
    "role_choices",
    "group_label",
    "lands_on_my_work",
    "role_label",
    "can_review",
    "can_assign",
    "is_working_staff",
    "can_work_on",
    "is_department_member",
    "can_acknowledge",
    "acknowledgement_refusal",
    "can_acknowledge_now",
    "extension_request_refusal",
    "can_request_extension_now",
    "can_reply_to_notice",
    "notice_reply_refusal",
    "can_reply_to_notice_now",
    "can_view_cockpit",
    "can_write_instruction",
    "can_reply_to_instruction",
    "NOTICE_LEADER_LEVELS",
    "leader_level",
    "notice_signing_refusal",
    "can_approve_notice",
    "can_record_notice_signature",
    "can_view_reminder_gaps",
    "can_view_notice_register",
    "can_edit_obligation",
    "can_edit_evidence_note",
    "can_confirm_links",
    "is_writable",
    "can_close_report",
    "can_carry_over",
    "can_write_report_wording",
    "can_archive_report",
    "can_confirm_followups",
    "can_draft_documents",
    "can_download",
    "is_part_member",
    "can_work_on_part",
    "can_decide_part",
    "can_add_part",
    "can_waive_part",
    "can_acknowledge_part_now",
    "part_waiver_refusal",
    "PartTransition",
    "PART_TRANSITIONS",
    "part_transition_choices",
    "is_department_head",
    "needs_signoff",
    "can_view_schedule",
    "can_chase",
    "can_answer_chase",
    "Transition",
    "TRANSITIONS",
    "allowed_transitions",
    "TransitionChoice",
    "transition_checklist",
    "transition_choices",
    "get_part_or_404",
    "get_instruction_or_404",
    "get_chase_or_404",
    "get_obligation_or_404",
    "get_evidence_or_404",
    "get_notice_or_404",
    "get_notification_or_404",
    "get_report_or_404",
    "get_department_or_404",
    "get_followup_or_404",
    "can_delete_user",
    "can_delete_department",
    "SUPERVISING_KINDS",
    "can_view_organizations",
    "can_view_ranking",
    "can_set_assessment_weights",
    "can_edit_thesaurus",
    "can_import_accounts",
    "can_import_report",
]

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

A city's (or province's) supervisors and leaders read every county below them
(``organization_scope_q``) and act on a county only as a whole
(``can_supervise_organization``): 催办 and numbered 督办单 addressed to the county,
which its own supervisors and leaders read and answer
(``can_answer_organization_supervision``); inside a county's workflow they answer
403 (``acts_in``). Another organization's objects answer 404 to everyone.

A closed report (``Report.is_closed``) is read-only for everyone: every "yes" above
that writes becomes "no" for its obligations (``is_writable``), which the services
enforce (``services.common.ReportClosedError``) and the pages follow by hiding the
forms. Reading, downloading evidence and the archive stay as they are.

签收 is the department's own act: only a member of the responsible department (not
an owner from elsewhere, nor an admin on its behalf) acknowledges.

Reviewing is deliberately separate from working: a supervisor who is not a member of
the department cannot start or submit, and working staff cannot approve their own work.
"""

# Each room lists what it offers in its own ``__all__``; the rest of the app calls
# them as ``permissions.NAME`` (Django's db.models package does the same).
from . import administration, lookups, roles, workflow
from .administration import *  # noqa: F403
from .lookups import *  # noqa: F403
from .roles import *  # noqa: F403
from .workflow import *  # noqa: F403

__all__ = [
    *roles.__all__,
    *workflow.__all__,
    *lookups.__all__,
    *administration.__all__,
]

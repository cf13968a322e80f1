"""The domain: a report, its sections, and the obligations it promises.

Nothing here is ever hard-deleted: foreign keys between domain rows are PROTECT, and
the timeline (ProgressUpdate) refuses deletion outright. Every write goes through
``tracker.services``; models hold fields, querysets and small read-only helpers.

The models live in one module per domain; Django finds them here, so this module
names them all (``from tracker.models import Obligation`` is the one way to import a
model, as in every Django app).
"""

from .accounts import AccountProfile, LeaderLevel
from .assessment import AssessmentWeights
from .chases import Chase
from .departments import Department, DepartmentQuerySet, Holiday
from .evidence import Evidence, evidence_upload_to
from .followups import FollowUp, FollowUpQuerySet, FollowUpRejection
from .instructions import Instruction
from .jobs import Job, JobQuerySet, job_upload_to
from .notifications import (
    Notification,
    NotificationPreference,
    NotificationQuerySet,
    OutboundMessage,
    Reminder,
    ReminderTier,
)
from .obligations import (
    DUE_SOON_DAYS,
    Countdown,
    Obligation,
    ObligationQuerySet,
    StatusSnapshot,
    countdown,
    due_within_q,
    due_within_range,
    not_done_q,
    open_work_q,
    open_work_years,
    overdue_in_python,
    overdue_q,
    unacknowledged_q,
)
from .organization_supervision import OrganizationSupervision
from .organizations import (
    Organization,
    only_organization,
    organization_scope_q,
    several_organizations,
    subtree_ids_q,
)
from .parts import Part, PartQuerySet, unsettled_q
from .queue import RobotWindow, WorkerHeartbeat
from .reports import (
    ImportDraft,
    ProtectedReportLogError,
    Report,
    ReportEvent,
    ReportEventQuerySet,
    ReportQuerySet,
    ReportRevision,
    Section,
    display_name,
    display_name_expression,
    neighbours_stamp,
    neighbours_stamp_subquery,
)
from .schedules import Period, ProgressReport, Schedule
from .supervision import EscalationRule, NoticeCounter, SupervisionNotice
from .thesaurus import ThesaurusEntry, ThesaurusEntryQuerySet
from .workflow import (
    ExtensionRequest,
    ProgressUpdate,
    ProgressUpdateQuerySet,
    ProtectedTimelineError,
)

__all__ = [
    "AccountProfile",
    "AssessmentWeights",
    "Chase",
    "Countdown",
    "DUE_SOON_DAYS",
    "Department",
    "DepartmentQuerySet",
    "EscalationRule",
    "Evidence",
    "ExtensionRequest",
    "FollowUp",
    "FollowUpQuerySet",
    "FollowUpRejection",
    "Holiday",
    "ImportDraft",
    "Job",
    "JobQuerySet",
    "job_upload_to",
    "Instruction",
    "LeaderLevel",
    "NoticeCounter",
    "Notification",
    "NotificationPreference",
    "NotificationQuerySet",
    "Obligation",
    "ObligationQuerySet",
    "Organization",
    "OrganizationSupervision",
    "OutboundMessage",
    "Part",
    "PartQuerySet",
    "Period",
    "ProgressReport",
    "ProgressUpdate",
    "ProgressUpdateQuerySet",
    "ProtectedReportLogError",
    "ProtectedTimelineError",
    "Reminder",
    "ReminderTier",
    "RobotWindow",
    "WorkerHeartbeat",
    "Report",
    "ReportEvent",
    "ReportEventQuerySet",
    "ReportQuerySet",
    "ReportRevision",
    "Section",
    "StatusSnapshot",
    "Schedule",
    "SupervisionNotice",
    "ThesaurusEntry",
    "ThesaurusEntryQuerySet",
    "countdown",
    "display_name",
    "display_name_expression",
    "due_within_q",
    "due_within_range",
    "evidence_upload_to",
    "neighbours_stamp",
    "neighbours_stamp_subquery",
    "not_done_q",
    "open_work_q",
    "open_work_years",
    "overdue_in_python",
    "only_organization",
    "organization_scope_q",
    "several_organizations",
    "overdue_q",
    "unacknowledged_q",
    "subtree_ids_q",
    "unsettled_q",
]

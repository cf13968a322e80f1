from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    accounts,
    assessment,
    chases,
    cockpit,
    dashboard,
    departments,
    evidence,
    followups,
    inbox,
    instructions,
    jobs,
    obligation_page,
    obligations,
    operations,
    organizations,
    parts,
    reports,
    schedules,
    supervision,
    workflow,
    worklists,
    years,
)

app_name = "tracker"

# Where the obligation page's forms post, below obligations/<pk>/.
obligation_forms = [
    path("status/", workflow.obligation_status, name="obligation_status"),
    path("evidence/", evidence.evidence_upload, name="evidence_upload"),
    path(
        "supervision/",
        supervision.obligation_supervision,
        name="obligation_supervision",
    ),
    path("assign/", workflow.obligation_assign, name="obligation_assign"),
    path("notes/", workflow.obligation_add_note, name="obligation_add_note"),
    path(
        "links/confirm/",
        workflow.obligation_confirm_link,
        name="obligation_confirm_link",
    ),
    path("follow-up/confirm/", followups.followup_confirm, name="followup_confirm"),
    path("follow-up/reject/", followups.followup_reject, name="followup_reject"),
    path(
        "acknowledge/", workflow.obligation_acknowledge, name="obligation_acknowledge"
    ),
    path("extension/", workflow.extension_request, name="extension_request"),
    path("parts/", parts.part_add, name="part_add"),
    path("chase/", chases.obligation_chase, name="obligation_chase"),
    path(
        "instruction/",
        instructions.obligation_instruction,
        name="obligation_instruction",
    ),
    path(
        "progress-reports/",
        schedules.progress_report_file,
        name="progress_report_file",
    ),
]

urlpatterns = [
    # Progress pages
    path("", dashboard.dashboard, name="dashboard"),
    path("cockpit/", cockpit.cockpit, name="cockpit"),
    path(
        "obligations/", obligations.ObligationListView.as_view(), name="obligation_list"
    ),
    path(
        "obligations/export/",
        obligations.obligation_export_job,
        name="obligation_export_job",
    ),
    path("departments/", departments.department_list, name="department_list"),
    path(
        "departments/ranking/", assessment.department_ranking, name="department_ranking"
    ),
    path(
        "departments/<int:pk>/", departments.department_detail, name="department_detail"
    ),
    # The city's pages: the organizations below the user's
    path("organizations/", organizations.organization_list, name="organization_list"),
    path(
        "organizations/ranking/",
        organizations.organization_ranking,
        name="organization_ranking",
    ),
    path(
        "organizations/reports/",
        organizations.organization_reports,
        name="organization_reports",
    ),
    # The city's 催办 and 督办单 to a county as a whole, and the county's answer
    path(
        "organizations/<int:pk>/chase/",
        organizations.organization_chase,
        name="organization_chase",
    ),
    path(
        "organizations/<int:pk>/notice/",
        organizations.organization_notice,
        name="organization_notice",
    ),
    path(
        "organizations/supervision/",
        organizations.organization_supervision_list,
        name="organization_supervision_list",
    ),
    path(
        "organizations/supervision/<int:pk>/",
        organizations.organization_supervision_detail,
        name="organization_supervision_detail",
    ),
    path(
        "organizations/supervision/<int:pk>/answer/",
        organizations.organization_supervision_answer,
        name="organization_supervision_answer",
    ),
    # Reports
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/draft/", reports.report_draft, name="report_draft"),
    path("reports/<int:pk>/archive/", reports.report_archive, name="report_archive"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
    path("reports/<int:pk>/close/", reports.report_close, name="report_close"),
    path("reports/<int:pk>/reopen/", reports.report_reopen, name="report_reopen"),
    path(
        "reports/<int:pk>/followups/",
        years.report_followups_decide,
        name="report_followups_decide",
    ),
    path(
        "reports/<int:pk>/carry-over/",
        years.report_carry_over,
        name="report_carry_over",
    ),
    path(
        "obligations/<int:pk>/carry-over/",
        years.obligation_carry_over,
        name="obligation_carry_over",
    ),
    path(
        "obligations/<int:pk>/report-wording/",
        years.obligation_report_wording,
        name="obligation_report_wording",
    ),
    # Staff workflow
    path("my/", worklists.my_work, name="my_work"),
    path(
        "obligations/<int:pk>/",
        obligation_page.obligation_detail,
        name="obligation_detail",
    ),
    path("obligations/<int:pk>/", include(obligation_forms)),
    path(
        "extensions/<int:pk>/decide/",
        workflow.extension_decide,
        name="extension_decide",
    ),
    # Co-operating units' parts (分办事项) and chases (催办)
    path("parts/<int:pk>/status/", parts.part_status, name="part_status"),
    path("parts/<int:pk>/waive/", parts.part_waive, name="part_waive"),
    path("parts/<int:pk>/notes/", parts.part_add_note, name="part_add_note"),
    path(
        "parts/<int:pk>/evidence/",
        parts.part_evidence_upload,
        name="part_evidence_upload",
    ),
    path("chases/<int:pk>/answer/", chases.chase_answer, name="chase_answer"),
    path(
        "instructions/<int:pk>/reply/",
        instructions.instruction_reply,
        name="instruction_reply",
    ),
    path(
        "follow-ups/<int:pk>/withdraw/",
        followups.followup_withdraw,
        name="followup_withdraw",
    ),
    path(
        "evidence/<int:pk>/withdraw/",
        evidence.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        "evidence/<int:pk>/download/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<int:pk>/preview/", evidence.evidence_preview, name="evidence_preview"
    ),
    # 调度: the schedule of progress reports
    path("schedule/", schedules.schedule, name="schedule"),
    # Supervision notices (督办单)
    path("notices/", supervision.notice_register, name="notice_register"),
    path("notices/<int:pk>/", supervision.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/reply/", supervision.notice_reply, name="notice_reply"),
    path(
        "notices/<int:pk>/approve/", supervision.notice_approve, name="notice_approve"
    ),
    path(
        "notices/<int:pk>/signature/",
        supervision.notice_signature,
        name="notice_signature",
    ),
    # Notifications
    path("notifications/", inbox.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", inbox.notification_open, name="notification_open"),
    path(
        "notifications/read-all/",
        inbox.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/preferences/",
        inbox.notification_preferences,
        name="notification_preferences",
    ),
    # The user's own account
    path(
        "accounts/password_change/",
        accounts.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Operations
    path("healthz/", operations.health, name="health"),
]

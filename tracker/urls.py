from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "tracker"

# Where the obligation page's forms post, below obligations/<pk>/.
obligation_forms = [
    path("status/", views.obligation_status, name="obligation_status"),
    path("evidence/", views.evidence_upload, name="evidence_upload"),
    path("supervision/", views.obligation_supervision, name="obligation_supervision"),
    path("assign/", views.obligation_assign, name="obligation_assign"),
    path("notes/", views.obligation_add_note, name="obligation_add_note"),
    path(
        "links/confirm/", views.obligation_confirm_link, name="obligation_confirm_link"
    ),
    path("follow-up/confirm/", views.followup_confirm, name="followup_confirm"),
    path("follow-up/reject/", views.followup_reject, name="followup_reject"),
    path("acknowledge/", views.obligation_acknowledge, name="obligation_acknowledge"),
    path("extension/", views.extension_request, name="extension_request"),
]

urlpatterns = [
    # Progress pages
    path("", views.dashboard, name="dashboard"),
    path("obligations/", views.ObligationListView.as_view(), name="obligation_list"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/ranking/", views.department_ranking, name="department_ranking"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    # Reports
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/draft/", views.report_draft, name="report_draft"),
    path("reports/<int:pk>/archive/", views.report_archive, name="report_archive"),
    path("reports/<int:pk>/close/", views.report_close, name="report_close"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    # Staff workflow
    path("my/", views.my_work, name="my_work"),
    path("obligations/<int:pk>/", views.obligation_detail, name="obligation_detail"),
    path("obligations/<int:pk>/", include(obligation_forms)),
    path(
        "extensions/<int:pk>/decide/",
        views.extension_decide,
        name="extension_decide",
    ),
    path(
        "follow-ups/<int:pk>/withdraw/",
        views.followup_withdraw,
        name="followup_withdraw",
    ),
    path(
        "evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence_withdraw"
    ),
    path(
        "evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"
    ),
    path("evidence/<int:pk>/preview/", views.evidence_preview, name="evidence_preview"),
    # Supervision notices (督办单)
    path("notices/", views.notice_register, name="notice_register"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    # Notifications
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "notifications/read-all/",
        views.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    # The user's own account
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Operations
    path("healthz/", views.health, name="health"),
]

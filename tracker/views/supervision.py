"""三色督办: the supervision level, the 督办单 and its reply, the notice register."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from .. import permissions
from ..exports import (
    EXPORT_FORMATS,
    NOTICE_LAYOUT,
    export_title,
    notice_export_rows,
    rows_response,
)
from ..forms import (
    NoticeReplyForm,
    SupervisionForm,
)
from ..models import (
    Obligation,
)
from ..organised_work_forms import NoticeApproveForm, NoticeSignatureForm
from ..selectors import supervision as supervision_selectors
from ..selectors.obligations import co_operating_unit_names
from ..services import supervision as supervision_services
from ..services.supervision import NOTICE_REPLY_WORKDAYS, obligation_set_supervision
from ..tables import PER_PAGE
from .obligation_page import FORM_IDS, post_obligation_form, refused


@require_POST
def obligation_supervision(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_review(request.user):
        raise PermissionDenied

    def write(data):
        return obligation_set_supervision(
            obligation=obligation,
            user=request.user,
            level=data["level"],
            note=data["note"],
            version=data["version"],
        )

    def done(result):
        message = gettext("Supervision level set to “%(level)s”.") % {
            "level": result.get_supervision_level_display()
        }
        if result.new_notice is not None:
            message += " " + gettext("Supervision notice %(code)s issued.") % {
                "code": result.new_notice.code
            }
        messages.success(request, message)

    form = SupervisionForm(request.POST, auto_id=FORM_IDS["supervision"])
    return post_obligation_form(request, obligation, "supervision", form, write, done)


@require_safe
def notice_detail(request, pk):
    """The printable notice: an A4 page in the layout of an official document."""
    notice = permissions.get_notice_or_404(request, pk)
    return render(
        request,
        "tracker/notice_detail.html",
        {
            "notice": notice,
            "obligation": notice.obligation,
            "report": notice.obligation.report,
            "reply_workdays": NOTICE_REPLY_WORKDAYS,
            "co_operating_units": co_operating_unit_names(notice.obligation),
            "office": settings.NOTICE_ISSUING_OFFICE
            or gettext("%(organization)s rule-of-law supervision office")
            % {"organization": notice.obligation.report.organization},
            "contact": settings.NOTICE_CONTACT,
            "phone": settings.NOTICE_PHONE,
            "copied_to": settings.NOTICE_CC,
            # The leader of the notice's level signs it from here too.
            "may_approve": permissions.is_writable(notice.obligation.report)
            and permissions.can_approve_notice(request.user, notice),
        },
    )


@require_POST
def notice_reply(request, pk):
    notice = permissions.get_notice_or_404(request, pk)
    obligation = notice.obligation
    name = f"reply-{notice.pk}"
    form = NoticeReplyForm(request.POST, auto_id=f"{name}-%s")
    if not permissions.can_reply_to_notice(request.user, notice):
        # Refused with the reason on the page, not a bare 403: staff of another
        # department may well have opened the wrong notice.
        form.is_valid()
        error = gettext(
            "Only a member of the obligation's responsible department can reply to "
            "supervision notice %(code)s."
        ) % {"code": notice.code}
        return refused(request, obligation.pk, name, form, error, status=403)
    return post_obligation_form(
        request,
        obligation,
        name,
        form,
        write=lambda data: supervision_services.notice_reply(
            notice=notice, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request,
            gettext("Reply to supervision notice %(code)s recorded.")
            % {"code": notice.code},
        ),
    )


@require_safe
def notice_register(request):
    """The register (台账) of every notice, newest first; ?_export=csv|xlsx."""
    if not permissions.can_view_notice_register(request.user):
        raise PermissionDenied
    notices = supervision_selectors.notice_register(
        Obligation.objects.visible_to(request.user)
    )
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        today = timezone.localdate()
        return rows_response(
            notice_export_rows(notices),
            export_format,
            f"{gettext('Supervision notices')}-{today:%Y-%m-%d}.{export_format}",
            fallback=f"notices-{today:%Y-%m-%d}.{export_format}",
            sheet_title=gettext("Supervision notices"),
            layout=NOTICE_LAYOUT,
            title=export_title(gettext("Register of supervision notices")),
        )
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/notice_register.html",
        {"page": page, "today": timezone.localdate()},
    )


@require_POST
def notice_approve(request, pk):
    """A leader of the notice's level issues the prepared notice in their name."""
    notice = permissions.get_notice_or_404(request, pk)
    if not permissions.can_approve_notice(request.user, notice):
        raise PermissionDenied
    name = f"notice-approve-{notice.pk}"
    return post_obligation_form(
        request,
        notice.obligation,
        name,
        NoticeApproveForm(request.POST, auto_id=f"{name}-%s"),
        write=lambda _data: supervision_services.notice_approve(
            notice=notice, user=request.user
        ),
        done=lambda result: messages.success(
            request,
            gettext("Supervision notice %(code)s is issued in your name.")
            % {"code": result.code},
        ),
    )


@require_POST
def notice_signature(request, pk):
    """A supervisor records the leader's paper signature (name and date)."""
    notice = permissions.get_notice_or_404(request, pk)
    if not permissions.can_record_notice_signature(request.user):
        raise PermissionDenied
    name = f"notice-signature-{notice.pk}"
    return post_obligation_form(
        request,
        notice.obligation,
        name,
        NoticeSignatureForm(request.POST, auto_id=f"{name}-%s"),
        write=lambda data: supervision_services.notice_record_signature(
            notice=notice,
            user=request.user,
            leader_name=data["leader_name"],
            signed_on=data["signed_on"],
        ),
        done=lambda result: messages.success(
            request,
            gettext("The signature of %(leader)s on %(code)s is recorded.")
            % {"leader": result.leader_name, "code": result.code},
        ),
    )

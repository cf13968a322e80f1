"""Users and groups."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..forms import (
    TemporaryPasswordForm,
)
from ..models import AccountProfile
from ..services.accounts import account_send_password_reset
from ..services.common import (
    ServiceError,
)
from .mixins import (
    CleanInputAdminMixin,
    DeactivateNotDeleteMixin,
    InvalidatesDashboardsMixin,
)

User = get_user_model()
admin.site.unregister(User)
# Groups' names are typed in the admin too: the same cleaning as every other text.
admin.site.unregister(Group)


class AccountProfileInline(CleanInputAdminMixin, admin.StackedInline):
    """The mobile number group robots @mention the person by; the rest of the
    profile (the temporary-password flag) is the services' to set."""

    model = AccountProfile
    fields = ("mobile",)
    can_delete = False
    max_num = 1
    extra = 1


@admin.register(User)
class TrackerUserAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    DeactivateNotDeleteMixin,
    UserAdmin,
):
    actions = ("deactivate_selected", "send_password_reset")
    inlines = (AccountProfileInline,)

    def get_inlines(self, request, obj):
        # Not on the "add user" page, whose two steps are Django's own.
        return self.inlines if obj is not None else ()

    may_delete = staticmethod(permissions.can_delete_user)
    # The "set password" page: what an administrator types is temporary.
    change_password_form = TemporaryPasswordForm

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not settings.EMAIL_ENABLED:
            # No mail server: offering the action would only fail.
            actions.pop("send_password_reset", None)
        return actions

    @admin.action(description=_("Email a password reset link"), permissions=["change"])
    def send_password_reset(self, request, queryset):
        sent = 0
        for user in queryset:
            try:
                account_send_password_reset(user=user)
            except ServiceError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                gettext("Password reset links sent: %(count)d.") % {"count": sent},
                messages.SUCCESS,
            )


@admin.register(Group)
class TrackerGroupAdmin(CleanInputAdminMixin, GroupAdmin):
    pass

"""Users and groups. A new user is made in one screen: name, address, role and
department(s) on the add form, the password temporary."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..forms import (
    TemporaryPasswordForm,
)
from ..models import AccountProfile, Department
from ..services.accounts import (
    account_create,
    account_create_check,
    account_send_password_reset,
)
from ..services.common import (
    ServiceError,
)
from ..text import CleanCharField
from .account_import import AccountImportAdminMixin
from .mixins import (
    CleanInputAdminMixin,
    DeactivateNotDeleteMixin,
    InvalidatesDashboardsMixin,
)

User = get_user_model()

# Permission names are stored in English ("Can add obligation"); shown in the
# reader's language from the codename's action and the model's verbose name.
_PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission):
    """「可以修改 事项」 for tracker.change_obligation; a custom permission's name
    through gettext."""
    action = permission.codename.split("_", 1)[0]
    model = permission.content_type.model_class()
    if action in _PERMISSION_ACTIONS and model is not None:
        text = _PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        text = gettext(permission.name)
    app = permission.content_type.app_label
    return f"{app} | {text}"


class PermissionField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class GroupField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(permissions.group_label(obj.name))


def _translated_m2m(db_field, kwargs):
    """The permission and group pickers in the reader's language."""
    if db_field.name in ("permissions", "user_permissions"):
        kwargs["form_class"] = PermissionField
        kwargs.setdefault(
            "queryset",
            db_field.remote_field.model.objects.select_related("content_type"),
        )
    elif db_field.name == "groups":
        kwargs["form_class"] = GroupField
    return kwargs


class NewUserForm(AdminUserCreationForm):
    """The add-user form: who the person is, their role and department(s), and a
    password that is temporary (``services.accounts.account_create``)."""

    first_name = CleanCharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The departments whose obligations this person works on."),
    )

    def __init__(self, *args, role_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "---------"), *role_choices]
        self.fields["password1"].help_text = _(
            "A temporary password: the user must choose their own at the next login."
        )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("role"):
            try:
                account_create_check(
                    role=cleaned_data["role"],
                    departments=cleaned_data.get("departments") or (),
                )
            except ServiceError as error:
                self.add_error("departments", str(error))
        return cleaned_data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.first_name = self.cleaned_data["first_name"]
        user.email = self.cleaned_data["email"]
        return user


admin.site.unregister(User)
# Groups' names are typed in the admin too: the same cleaning as every other text.
admin.site.unregister(Group)


class AccountProfileInline(CleanInputAdminMixin, admin.StackedInline):
    """The organization the person works for (what they see), the mobile number
    group robots @mention the person by and a county leader's level (which colour
    of 督办单 they sign); the rest of the profile (the temporary-password flag) is
    the services' to set."""

    model = AccountProfile
    fields = ("organization", "mobile", "leader_level")
    can_delete = False
    max_num = 1
    extra = 1


@admin.register(User)
class TrackerUserAdmin(
    AccountImportAdminMixin,
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
    add_form = NewUserForm
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        (_("Person"), {"fields": ("first_name", "email")}),
        (_("Role and departments"), {"fields": ("role", "departments")}),
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form
        choices = permissions.role_choices(request.user)

        class BoundNewUserForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, role_choices=choices, **inner)

        return BoundNewUserForm

    def get_changeform_initial_data(self, request):
        # "Add a member" on a department's page: ?departments=<pk>.
        initial = super().get_changeform_initial_data(request)
        if "departments" in initial:
            initial["departments"] = str(initial["departments"]).split(",")
        return initial

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **_translated_m2m(db_field, kwargs)
        )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        account_create(
            user=obj,
            role=form.cleaned_data["role"],
            departments=form.cleaned_data["departments"],
            temporary_password=True,
        )
        return None

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
    list_display = ("role_name", "name")

    @admin.display(description=_("Role"), ordering="name")
    def role_name(self, group):
        return permissions.group_label(group.name)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **_translated_m2m(db_field, kwargs)
        )

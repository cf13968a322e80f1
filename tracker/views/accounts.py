"""Signing in and changing or resetting a password."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator

from .. import permissions
from ..auth import MUST_CHANGE_PASSWORD, login_refusal
from ..selectors.reports import organization_name
from ..services.accounts import account_password_changed


def landing_url(user):
    """Where a user lands after signing in (when no ?next= says otherwise): the
    supervisors and the heads on their queue (/my/), the leaders on the cockpit,
    everyone else on the dashboard."""
    if permissions.lands_on_my_work(user):
        return reverse("tracker:my_work")
    if permissions.is_leader(user):
        return reverse("tracker:cockpit")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginForm(AuthenticationForm):
    """Django's login form, saying why the directory refused someone whose
    password it accepted (tracker.directory) rather than "wrong password"."""

    refusal = None  # the template shows it in place of "didn't match"

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            self.refusal = login_refusal(self.request)
            if self.refusal:
                raise ValidationError(self.refusal, code="refused") from None
            raise


class LoginView(auth_views.LoginView):
    """Django's login, naming the system and the organization it serves."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=organization_name(), **kwargs)

    def get_default_redirect_url(self):
        if self.next_page:
            return super().get_default_redirect_url()
        return landing_url(self.request.user)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user chooses their own password: it replaces a temporary one."""

    success_url = reverse_lazy("tracker:password_change_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            must_change_password=self.request.session.get(MUST_CHANGE_PASSWORD),
            **kwargs,
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        account_password_changed(user=form.user)
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link an administrator sent: the password chosen here is the user's own."""

    def form_valid(self, form):
        response = super().form_valid(form)
        account_password_changed(user=form.user)
        return response

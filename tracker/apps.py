from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    # Chosen for "tracker" in INSTALLED_APPS: this module holds two configs.
    default = True
    name = "tracker"
    verbose_name = _("Rule-of-law checklist")

    def ready(self):
        from . import auth

        user_logged_in.connect(
            auth.remember_temporary_password, dispatch_uid="temporary_password"
        )


class LoginThrottlingConfig(AxesAppConfig):
    """django-axes under a translated name in the admin (it ships none, and no
    Chinese catalogue: its models' names are translated in ours, see
    tracker/axes_messages.py)."""

    verbose_name = _("Login throttling")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Rule-of-law checklist")

    def ready(self):
        from . import notifications

        notifications.connect_signals()

"""The admin site's titles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The site's name in the admin's header, title bar and first page.
admin.site.site_header = _("Rule-of-law checklist administration")
admin.site.site_title = _("Rule-of-law checklist administration")
admin.site.index_title = _("Administration home")

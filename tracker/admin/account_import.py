"""The admin's account import: the accounts sheet (``account_sheet``) uploaded on
the users' list, checked row by row, and its template to download."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..account_sheet import AccountSheetError, read_account_rows, template_xlsx
from ..services.accounts import AccountImportError, accounts_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A province's staff in one sheet is under a few MB.
MAX_SHEET_BYTES = 10 * 1024 * 1024


class AccountSheetForm(forms.Form):
    sheet = forms.FileField(label=_("Accounts sheet (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, create nothing"), required=False)

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > MAX_SHEET_BYTES:
            raise forms.ValidationError(gettext("The file is too large."))
        try:
            return read_account_rows(sheet.read())
        except AccountSheetError as error:
            raise forms.ValidationError(str(error)) from error


class AccountImportAdminMixin:
    """On the users' admin: /admin/auth/user/import/ and its template."""

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.account_import_view),
                name="auth_user_import",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.account_template_view),
                name="auth_user_import_template",
            ),
        ]
        # Before the default URLs: "<path:object_id>/" would otherwise take them.
        return [*urls, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_accounts": permissions.can_import_accounts(request.user),
        }
        return super().changelist_view(request, extra_context)

    def account_template_view(self, request):
        if not permissions.can_import_accounts(request.user):
            raise PermissionDenied
        response = HttpResponse(template_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="accounts.xlsx"'
        return response

    def account_import_view(self, request):
        """Every row checked before anything is written; the errors per row, or
        the logins and their temporary passwords, shown once."""
        if not permissions.can_import_accounts(request.user):
            raise PermissionDenied
        form = AccountSheetForm(request.POST or None, request.FILES or None)
        errors, created, checked = [], [], None
        if form.is_bound and form.is_valid():
            rows = form.cleaned_data["sheet"]
            try:
                created = accounts_import(
                    rows=rows, dry_run=form.cleaned_data["dry_run"]
                )
            except AccountImportError as error:
                errors = error.errors
                form.add_error(None, str(error))
            else:
                if form.cleaned_data["dry_run"]:
                    checked = len(rows)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import accounts"),
            "opts": self.model._meta,
            "form": form,
            "row_errors": errors,
            "created": created,
            "checked": checked,
        }
        return TemplateResponse(
            request,
            "admin/auth/user/import.html",
            context,
            status=400 if form.errors else 200,
        )

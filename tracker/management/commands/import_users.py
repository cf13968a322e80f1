"""``python manage.py import_users FILE.xlsx [--dry-run]``: accounts from a sheet
(组织, 部门, 姓名, 登录名, 手机, 邮箱, 角色; ``--template OUT.xlsx`` writes the empty
sheet). Every row is checked before anything is written: errors are listed per row
on stderr with a non-zero exit and no account created. Otherwise each login and
its temporary password (changed at the first login) is printed, one a line, for
the administrator to hand out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.account_sheet import AccountSheetError, read_account_rows, template_xlsx
from tracker.services.accounts import AccountImportError, accounts_import


class Command(BaseCommand):
    help = "Create accounts from an XLSX sheet, each with a temporary password."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the accounts sheet (.xlsx)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and write nothing",
        )
        parser.add_argument(
            "--template", metavar="OUT", help="write the empty sheet to OUT and stop"
        )

    def handle(self, *args, path=None, dry_run=False, template=None, **options):
        if template:
            Path(template).write_bytes(template_xlsx())
            self.stdout.write(f"Wrote {template}.")
            return
        if not path:
            raise CommandError("Name the accounts sheet (.xlsx), or --template OUT.")
        try:
            rows = read_account_rows(Path(path).read_bytes())
            created = accounts_import(rows=rows, dry_run=dry_run)
        except OSError as error:
            raise CommandError(str(error)) from error
        except AccountSheetError as error:
            raise CommandError(str(error)) from error
        except AccountImportError as error:
            for number, message in error.errors:
                self.stderr.write(f"row {number}: {message}")
            raise CommandError(str(error)) from error
        if dry_run:
            self.stdout.write(f"{len(rows)} rows checked; nothing written.")
            return
        for username, password in created:
            self.stdout.write(f"{username}\t{password}")
        self.stderr.write(
            f"{len(created)} accounts created; each must change its password at "
            "the first login."
        )

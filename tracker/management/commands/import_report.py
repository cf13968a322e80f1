"""``python manage.py import_report PATH``: read a county's report into obligations.

A thin wrapper: ``tracker.importing`` parses,
``tracker.services.importing.report_import`` writes (one transaction). Bad input ends
with one line on stderr naming the problem and a non-zero exit, with nothing written.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from tracker import importing
from tracker.services.common import ServiceError
from tracker.services.importing import report_import, report_import_check


class Command(BaseCommand):
    help = (
        "Import an annual rule-of-law report (.txt in UTF-8/GB18030, .docx, a web "
        "page saved as .html/.htm, or a PDF with a text layer) as obligations. "
        "Re-importing the same organization and year updates the texts and keeps "
        "everyone's work."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the report: .txt, .docx, .html/.htm or .pdf")
        parser.add_argument(
            "--organization", help="overrides the organization read from the title"
        )
        parser.add_argument(
            "--year", type=int, help="overrides the year read from the title"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print the parsed tree (codes, kinds, titles) and write nothing",
        )
        parser.add_argument(
            "--user", help="user name recorded as the author of the history rows"
        )
        parser.add_argument(
            "--links",
            help="JSON file linking tasks to the problems they address",
        )

    def handle(self, *args, path, organization, year, dry_run, user, links, **options):
        try:
            tree = importing.parse_report_file(
                path, organization=organization, year=year
            )
            link_map = importing.read_links(links) if links else None
        except importing.ReportFormatError as error:
            raise CommandError(str(error)) from None
        if not (organization or tree.organization) or not (year or tree.year):
            raise CommandError(
                gettext(
                    "The title line does not name the organization and year (e.g. "
                    "巫溪县2022年法治政府建设情况报告); give --organization and --year."
                )
            )
        try:
            # Everything checked before the dry run prints or the import writes.
            report_import_check(tree=tree, organization=organization, year=year)
        except ServiceError as error:
            raise CommandError(str(error)) from None

        if dry_run:
            self.stdout.write(importing.format_tree(tree))
            self.stdout.write(gettext("Dry run: nothing was written."))
            return

        acting_user = None
        if user:
            try:
                acting_user = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(
                    gettext("No such user: %(user)s") % {"user": user}
                ) from None
        try:
            result = report_import(
                tree=tree,
                user=acting_user,
                organization=organization,
                year=year,
                links=link_map,
            )
        except ServiceError as error:
            raise CommandError(str(error)) from None

        report = result.report
        done = (
            gettext("Imported %(title)s (%(organization)s %(year)s)")
            if result.report_created
            else gettext("Re-imported %(title)s (%(organization)s %(year)s)")
        )
        self.stdout.write(
            done
            % {
                "title": report.title,
                "organization": report.organization,
                "year": report.year,
            }
        )
        for message, codes in (
            (gettext("created: %(count)d %(codes)s"), result.created),
            (gettext("updated: %(count)d %(codes)s"), result.updated),
        ):
            self.stdout.write(
                (message % {"count": len(codes), "codes": " ".join(codes)}).rstrip()
            )
        self.stdout.write(
            gettext("unchanged: %(count)d") % {"count": len(result.unchanged)}
        )
        if link_map is not None:
            self.stdout.write(
                gettext("links added: %(count)d") % {"count": result.links_added}
            )
        if result.missing:
            self.stdout.write(
                self.style.WARNING(
                    gettext(
                        "missing: %(count)d %(codes)s (no longer in the text; kept, "
                        "not deleted)"
                    )
                    % {"count": len(result.missing), "codes": " ".join(result.missing)}
                )
            )
        else:
            self.stdout.write(gettext("missing: %(count)d") % {"count": 0})
        if result.previous_report is not None:
            previous = result.previous_report
            self.stdout.write(
                gettext(
                    "follow-up of %(title)s: %(count)d suggested, to confirm on "
                    "%(url)s#follow-up"
                )
                % {
                    "title": previous.title,
                    "count": len(result.followups),
                    "url": previous.get_absolute_url(),
                }
            )
            for each in result.followups:
                recurring = " " + gettext("recurring") if each.is_recurring else ""
                self.stdout.write(
                    f"  {each.earlier.code} -> {each.later.code}{recurring} "
                    f"({each.score:.2f}: {'、'.join(each.terms)})"
                )

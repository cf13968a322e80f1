"""``python manage.py build_fixture``: regenerate fixtures/wuxi_2022.json.

The fixture is what the importer makes of the seed report plus the declared
task -> problem links, nothing edited by hand: the import runs in a throwaway
in-memory SQLite database (a child process, so the real database is never read or
written), and the rows are dumped with primary keys numbered in document order and
fixed timestamps, so two runs give the same file and a test can compare the
committed fixture with what the importer produces today.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from tracker import importing
from tracker.services.common import ServiceError
from tracker.services.importing import report_import

FIXED_TIME = "2023-01-01T00:00:00+08:00"
IN_MEMORY_URL = "sqlite://:memory:"


def default_paths():
    fixtures = Path(settings.BASE_DIR) / "fixtures"
    return {
        "source": fixtures / "source" / "wuxi-2022-rule-of-law-report.txt",
        "links": fixtures / "source" / "wuxi-2022-links.json",
        "output": fixtures / "wuxi_2022.json",
    }


def fixture_objects(source, links) -> list[dict]:
    """Import ``source`` with ``links`` into the current (empty) database and return
    the report, its sections and obligations as fixture objects. Rolled back:
    nothing stays in the database."""
    tree = importing.parse_report_file(source)
    link_map = importing.read_links(links)
    with transaction.atomic():
        result = report_import(tree=tree, links=link_map)
        objects = _serialise(result.report)
        transaction.set_rollback(True)
    return objects


def _serialise(report):
    sections = list(report.sections.order_by("position"))
    obligations = list(
        report.obligations.order_by("position").prefetch_related("addresses")
    )
    section_pk = {section.pk: n for n, section in enumerate(sections, start=1)}
    obligation_pk = {o.pk: n for n, o in enumerate(obligations, start=1)}
    rows = serializers.serialize("python", [report, *sections, *obligations])
    for row in rows:
        fields = row["fields"]
        if row["model"] == "tracker.report":
            row["pk"] = 1
            fields["imported_at"] = FIXED_TIME
        elif row["model"] == "tracker.section":
            row["pk"] = section_pk[row["pk"]]
            fields["report"] = 1
            fields["parent"] = section_pk.get(fields["parent"])
        else:
            row["pk"] = obligation_pk[row["pk"]]
            fields["report"] = 1
            fields["section"] = section_pk[fields["section"]]
            addresses = fields["addresses"]
            fields["addresses"] = sorted(obligation_pk[pk] for pk in addresses)
            fields["created_at"] = fields["updated_at"] = FIXED_TIME
    return rows


def dumps(objects) -> str:
    return (
        json.dumps(objects, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"
    )


class Command(BaseCommand):
    help = (
        "Regenerate fixtures/wuxi_2022.json from the seed report and its links file, "
        "in a throwaway in-memory database."
    )

    def add_arguments(self, parser):
        paths = default_paths()
        parser.add_argument("--source", default=str(paths["source"]))
        parser.add_argument("--links", default=str(paths["links"]))
        parser.add_argument("--output", default=str(paths["output"]))

    def handle(self, *args, source, links, output, **options):
        if connection.settings_dict["NAME"] != ":memory:":
            self._run_in_memory(source, links, output)
            return
        call_command("migrate", verbosity=0, interactive=False)
        try:
            objects = fixture_objects(source, links)
        except importing.ReportFormatError as error:
            raise CommandError(str(error)) from None
        except ServiceError as error:
            raise CommandError(str(error)) from None
        Path(output).write_text(dumps(objects), encoding="utf-8")
        counts = {}
        for row in objects:
            counts[row["model"]] = counts.get(row["model"], 0) + 1
        summary = ", ".join(f"{n} {model}" for model, n in counts.items())
        self.stdout.write(f"Wrote {output}: {summary}")

    def _run_in_memory(self, source, links, output):
        env = {**os.environ, "DATABASE_URL": IN_MEMORY_URL}
        manage = Path(settings.BASE_DIR) / "manage.py"
        command = [sys.executable, str(manage), "build_fixture"]
        command += ["--source", source, "--links", links, "--output", output]
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
        self.stdout.write(completed.stdout, ending="")
        if completed.returncode != 0:
            lines = completed.stderr.strip().splitlines() or ["build_fixture failed"]
            raise CommandError(lines[-1].removeprefix("CommandError: "))

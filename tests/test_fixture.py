"""fixtures/wuxi_2022.json: loadable, and exactly what the importer makes of the
seed text."""

import json

from django.core.management import call_command
from django.db.models import Count

from devtools.management.commands.build_fixture import (
    default_paths,
    dumps,
    fixture_objects,
)
from tracker.models import Obligation, Report

PATHS = default_paths()


def test_fixture_loads_on_a_fresh_database_with_25_obligations(db):
    call_command("loaddata", "wuxi_2022", verbosity=0)

    report = Report.objects.get()
    assert (report.organization, report.year) == ("巫溪县", 2022)
    counts = dict(
        Obligation.objects.values_list("kind").annotate(n=Count("pk")).order_by()
    )
    assert counts == {"work_item": 18, "problem": 3, "task": 4}


def test_fixture_equals_what_the_importer_produces_from_the_source_text(db):
    generated = fixture_objects(PATHS["source"], PATHS["links"])

    committed = json.loads(PATHS["output"].read_text(encoding="utf-8"))
    assert committed == json.loads(dumps(generated)), (
        "fixtures/wuxi_2022.json is stale: run `python manage.py build_fixture`"
    )


def test_generating_the_fixture_leaves_the_database_empty(db):
    fixture_objects(PATHS["source"], PATHS["links"])

    assert not Report.objects.exists()


def test_every_problem_is_addressed_by_at_least_one_task(db):
    call_command("loaddata", "wuxi_2022", verbosity=0)

    problems = Obligation.objects.filter(kind="problem").annotate(
        tasks=Count("addressed_by")
    )
    assert len(problems) == 3
    assert all(problem.tasks >= 1 for problem in problems)
    linking = Obligation.objects.filter(addresses__isnull=False)
    assert set(linking.values_list("kind", flat=True)) == {"task"}


def test_fixture_has_no_history_rows(db):
    call_command("loaddata", "wuxi_2022", verbosity=0)

    assert not Obligation.history.exists()

"""The Wuxi reports of two following years, for the follow-up across years: the
2022 seed report and tests/data/wuxi-2023-report.txt, written for these tests in
the genre (each 2022 task reported on in other words, one 2022 problem again), with
its gold standard tests/data/wuxi-2023-followups.json."""

import json

from django.conf import settings

from tests.seed_report import SEED_TEXT
from tracker import importing
from tracker.models import Obligation
from tracker.services.importing import report_import

DATA = settings.BASE_DIR / "tests" / "data"
WUXI_2023 = DATA / "wuxi-2023-report.txt"
GOLD = DATA / "wuxi-2023-followups.json"


def gold_followups():
    """{(2022 code, 2023 code)}: which 2023 items report on which 2022 task or
    problem, by editorial judgement."""
    data = json.loads(GOLD.read_text(encoding="utf-8"))
    return {(each["earlier"], each["later"]) for each in data["followups"]}


def import_2022():
    """The 2022 report imported; its obligations by code."""
    report_import(tree=importing.parse_report(SEED_TEXT))
    return _by_code(2022)


def import_2023(**options):
    """The 2023 report imported (the ImportResult) and its obligations by code."""
    result = report_import(tree=importing.parse_report_file(WUXI_2023), **options)
    return result, _by_code(2023)


def _by_code(year):
    return {o.code: o for o in Obligation.objects.filter(report__year=year)}

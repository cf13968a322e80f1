"""An obligation's timeline is read through the index that fits its filter and its
order (issue 27), and the benchmark's bulk load leaves the planner statistics that
the load test's pages are planned with. PostgreSQL only: the plans are its."""

import pytest
from django.core.management import call_command
from django.db import connection

from tracker.models import Obligation, ProgressUpdate

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans"
)


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # The test tables are tiny: a sequential or bitmap scan and a sort would
        # win on cost alone; at 100,000 entries the plain index scan does.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_timeline_is_read_in_page_order_from_its_index(db):
    call_command("bench_data", obligations=30)
    obligation = Obligation.objects.order_by("pk").first()
    plan = _plan(ProgressUpdate.objects.filter(obligation=obligation))
    assert "upd_obl_timeline_idx" in plan
    assert "Sort" not in plan
    entries = list(obligation.updates.all())
    assert entries == sorted(entries, key=lambda u: (u.created_at, u.pk), reverse=True)


def test_bench_data_leaves_planner_statistics(db):
    call_command("bench_data", obligations=30)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = 'tracker_evidence'"
        )
        assert cursor.fetchone()[0] == 30 * 3

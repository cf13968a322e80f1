"""bench_data writes the promised numbers of rows (a small N; never timed)."""

from django.core.management import call_command

from tracker.models import Department, Evidence, Obligation, ProgressUpdate, Report


def test_bench_data_creates_the_requested_rows(db):
    call_command("bench_data", obligations=30)
    report = Report.objects.get()
    obligations = Obligation.objects.filter(report=report)
    assert obligations.count() == 30
    assert Evidence.objects.filter(obligation__report=report).count() == 30 * 3
    assert ProgressUpdate.objects.filter(obligation__report=report).count() == 30 * 10
    assert Department.objects.count() == 20
    assert report.sections.filter(parent=None).count() == 6


def test_bench_data_timeline_agrees_with_each_status(db):
    call_command("bench_data", obligations=40)
    done = Obligation.objects.filter(status=Obligation.Status.DONE)
    assert (
        ProgressUpdate.objects.filter(to_status=Obligation.Status.DONE).count()
        == done.count()
    )
    not_started = Obligation.objects.filter(status=Obligation.Status.NOT_STARTED)
    assert not ProgressUpdate.objects.filter(
        obligation__in=not_started, action=ProgressUpdate.Action.STATUS
    ).exists()


def test_bench_data_rates_every_approval_and_only_approvals(db):
    call_command("bench_data", obligations=200)
    done = Obligation.objects.filter(status=Obligation.Status.DONE)
    ratings = set(done.values_list("rating", flat=True))
    assert ratings == set(Obligation.Rating.values)
    assert not Obligation.objects.exclude(status=Obligation.Status.DONE).exclude(
        rating=""
    )
    # Fair and poor say why, as the approval form requires.
    assert not done.filter(
        rating__in=[Obligation.Rating.FAIR, Obligation.Rating.POOR], rating_comment=""
    )
    approval = ProgressUpdate.objects.filter(
        to_status=Obligation.Status.DONE, obligation__rating=Obligation.Rating.GOOD
    ).first()
    assert approval.text == "考评结果：良好"


def test_bench_data_can_run_twice_for_a_second_report(db):
    call_command("bench_data", obligations=5)
    call_command("bench_data", obligations=5)
    assert Report.objects.count() == 2
    assert Obligation.objects.count() == 10
    assert Department.objects.count() == 20

"""``python manage.py purge_jobs``: daily (cron or a systemd timer, docs/deploy.md).

Removes the files of finished jobs once they are past ``JOB_KEEP_DAYS`` (an
archive, an export: kept 7 days by default; the job rows stay, marked "file
removed"), marks failed the jobs a stopped worker left running (removing the report
file an import among them had kept for reading), and the task
queue's results of finished tasks older than that
(django-tasks-db's ``prune_db_task_results``: the queue's table otherwise grows by
a row for every email, robot post and job).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from tracker.services.jobs import job_fail_abandoned, job_purge_expired


class Command(BaseCommand):
    help = (
        "Remove the files of jobs past their keeping time, and the finished task "
        "results older than JOB_KEEP_DAYS."
    )

    def handle(self, *args, **options):
        purged = job_purge_expired()
        self.stdout.write(f"Job files removed: {purged}")
        abandoned = job_fail_abandoned()
        self.stdout.write(f"Jobs left running by a stopped worker: {abandoned}")
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            return  # a queue that keeps no results (the tests' immediate one)
        call_command(
            "prune_db_task_results",
            queue_name="*",
            min_age_days=settings.JOB_KEEP_DAYS,
            verbosity=options["verbosity"],
            stdout=self.stdout,
        )

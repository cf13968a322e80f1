"""``manage.py worker``: one worker of the task queue (docs/deploy.md).

django-tasks-db's ``db_worker`` underneath (several workers claim tasks safely,
on SQLite and PostgreSQL), plus the tracker's heartbeat: the dashboard warns the
administrators when no worker was seen for five minutes, and the outbox rows
whose task was lost are handed over again. Every email and group-chat post is
sent here, never by a web process.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ...notifications import heartbeat


class Command(DbWorkerCommand):
    help = (
        "Run one worker: sends the outbox's email and group-chat posts and runs "
        "the other queued tasks. Ctrl-C (SIGINT) or SIGTERM stops it after the "
        "task it is running."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Reloading on code changes would stop a send half-way: off unless asked.
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        stop = heartbeat.start(options["worker_id"])
        try:
            super().handle(*args, **options)
        finally:
            stop.set()

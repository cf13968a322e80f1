"""Queries scoped to the reader, compiled once per process.

Building and compiling a queryset scoped by ``organization_scope_q`` (subqueries
on the reader's account profile and the organizations) took as long as running
it, on every request of the pages read most (issue 27). The SQL of such a query
depends on the reader only through their id, a parameter, and whether they are a
superuser, a branch in ``organization_scope_q``: it is compiled once for each
kind of reader with a placeholder in place of the id, and run with the reader's.
"""

import functools
from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet

# No account has a negative id, so the parameter that equals it is the reader's.
_READER = -918_273_645


class _ReaderPlaceholder:
    pk = _READER
    id = _READER
    is_authenticated = True

    def __init__(self, is_superuser):
        self.is_superuser = is_superuser


@functools.cache
def _compiled(
    build: Callable[[object], QuerySet], vendor: str, is_superuser: bool
) -> tuple[str, tuple]:
    return build(_ReaderPlaceholder(is_superuser)).query.sql_with_params()


def compiled_for_reader(build: Callable[[object], QuerySet], user) -> tuple[str, list]:
    """The SQL and parameters of ``build(user)``, compiled once per process for
    every reader of ``user``'s kind. ``build`` is a module-level function (it is
    the cache's key) whose queryset depends on the reader only through
    ``user.pk`` / ``user.id`` and ``user.is_superuser``. Run the SQL with
    ``Model.objects.raw`` or a cursor."""
    sql, params = _compiled(build, connection.vendor, user.is_superuser)
    return sql, [user.pk if param == _READER else param for param in params]

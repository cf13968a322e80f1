"""The admin, one module per group of models. Importing them registers them."""

from . import (  # noqa: F401
    accounts,
    assessment,
    calendar,
    departments,
    evidence,
    followups,
    notifications,
    obligations,
    organizations,
    reports,
    schedules,
    site,
    supervision,
    thesaurus,
)

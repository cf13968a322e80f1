"""Shared users and objects. Roles follow the permission matrix of the staff workflow:
two departments, a staff member in each, a supervisor and an admin."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.utils import timezone, translation
from hypothesis import settings as hypothesis_settings

from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tracker.models import AccountProfile, LeaderLevel, Obligation, Organization

# Property tests check what is true, not how fast: hypothesis' per-example deadline
# (200 ms) fails them on a loaded machine. Speed is measured by `make bench`.
hypothesis_settings.register_profile("tracker", deadline=None)
hypothesis_settings.load_profile("tracker")


def _restore_data_migrations(sender, using="default", **kwargs):
    # Transactional tests (transaction=True, live_server) end with a flush that empties
    # every table. The flush re-creates content types and permissions (post_migrate)
    # but not what the data migrations wrote, so every later test, transactional or
    # not, would find no role groups, reminder tiers or system user. Re-run those
    # migrations' own (idempotent) functions; connected here, not in a sub-folder's
    # conftest, so any subset of the suite in any order gets them.
    for module, function in (
        ("0002_roles", "create_roles"),
        ("0006_supervision_defaults", "create_defaults"),
        ("0019_leaders_instructions_notice_signatures", "create_leader_group"),
    ):
        migration = importlib.import_module(f"tracker.migrations.{module}")
        getattr(migration, function)(apps, None)


post_migrate.connect(
    _restore_data_migrations,
    sender=apps.get_app_config("tracker"),
    dispatch_uid="tests.restore_data_migrations",
)


@pytest.fixture(autouse=True)
def _no_language_left_active():
    # The language middleware activates the request's language for the thread and
    # nothing deactivates it, so after a client request in English, text rendered
    # outside a request (the 500 page, a service's messages) would come out in
    # English in the next test. Each test starts as a fresh process does: in
    # LANGUAGE_CODE.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard's cache key holds the report's pk and revision, which start
    # again from the same numbers in every test's rolled-back database: a figure
    # cached by an earlier test must not answer for this one.
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Evidence written by a test goes to a throwaway folder, never the real MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for hundreds of test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # In production the worker (`manage.py worker`) runs the queued tasks; here a
    # task runs where it is queued (after the commit), so a test that expects a mail
    # after a request still reads it. The tests of the worker itself
    # (tests/test_worker.py) put the database queue back and run a real worker.
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def department_a(db):
    return DepartmentFactory(name="县司法局", short_name="司法局")


@pytest.fixture
def department_b(db):
    return DepartmentFactory(name="县政务服务管理办公室", short_name="政务办")


@pytest.fixture
def staff_a(db, department_a):
    user = UserFactory(username="staff_a", first_name="张三", groups=["staff"])
    department_a.members.add(user)
    return user


@pytest.fixture
def staff_b(db, department_b):
    user = UserFactory(username="staff_b", first_name="李四", groups=["staff"])
    department_b.members.add(user)
    return user


@pytest.fixture
def supervisor(db):
    return UserFactory(
        username="supervisor", first_name="王督查", groups=["supervisor"]
    )


@pytest.fixture
def leader(db):
    """A county leader (县领导) of the principal level (主要领导): signs red notices."""
    user = UserFactory(username="leader", first_name="赵书记", groups=["leader"])
    AccountProfile.objects.update_or_create(
        user=user, defaults={"leader_level": LeaderLevel.PRINCIPAL}
    )
    return user


@pytest.fixture
def tracker_admin(db):
    """The county's administrator: a superuser with a Chinese name. Named apart from
    pytest-django's ``tracker_admin`` (a bare superuser), which tests do not use."""
    return UserFactory(
        username="admin", first_name="管理员", is_staff=True, is_superuser=True
    )


@pytest.fixture
def county(db):
    """An organization with one department, as the accounts sheet names them."""
    county = Organization.objects.add_root({"name": "巫溪县"})
    DepartmentFactory(name="县司法局", organization=county)
    return county


@pytest.fixture
def obligation(db, department_a):
    """An obligation of department A, not started."""
    return ObligationFactory(department=department_a)


@pytest.fixture
def due(obligation):
    """The obligation is due in 10 days; returns that day."""
    day = timezone.localdate() + timedelta(days=10)
    Obligation.objects.filter(pk=obligation.pk).update(due_date=day)
    obligation.refresh_from_db()
    return day


def in_english(client):
    """The client has chosen English with the language switch (its cookie): the
    browser's Accept-Language is ignored, Chinese is everyone's default."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _in_english(client, user):
    client.force_login(user)
    return in_english(client)


@pytest.fixture
def sv_client(client, supervisor):
    """A supervisor's client reading the English interface, for tests that assert
    on labels and messages."""
    return _in_english(client, supervisor)


@pytest.fixture
def tracker_admin_client(client, tracker_admin):
    """The administrator's client reading the English interface (named apart from
    pytest-django's ``tracker_admin_client``)."""
    return _in_english(client, tracker_admin)


@pytest.fixture
def english():
    """Messages raised or rendered outside a request come out in English, for tests
    that match on them; use it with ``pytest.mark.usefixtures("english")``."""
    with translation.override("en"):
        yield


@pytest.fixture
def today_is(monkeypatch):
    """``today_is(date)`` makes ``timezone.localdate()`` (the report's "today")
    answer that day, for tests of working-day counts on known holidays."""

    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    return set_today

"""Shared users and objects. Roles follow the permission matrix of the staff workflow:
two departments, a staff member in each, a supervisor and an admin."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tracker.models import Obligation


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
def tracker_admin(db):
    """The county's administrator: a superuser with a Chinese name. Named apart from
    pytest-django's ``tracker_admin`` (a bare superuser), which tests do not use."""
    return UserFactory(
        username="admin", first_name="管理员", is_staff=True, is_superuser=True
    )


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


def _in_english(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


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

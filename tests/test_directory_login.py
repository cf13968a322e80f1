"""Login through the government directory (LDAP) against a real slapd: through
the login form, with organization, department and role mapped from the
directory at every login; local accounts keep signing in; django-axes counts the
directory's wrong passwords; whoever the directory places in an organization or
department unknown here is refused with the reason."""

import html
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config import settings as project_settings
from tests.conftest import in_english
from tests.factories import DepartmentFactory, UserFactory
from tests.ldap_server import (
    PEOPLE,
    ROOT_DN,
    ROOT_PASSWORD,
    group_dn,
    person_dn,
    require_slapd,
    start_slapd,
)
from tracker.models import Department, Organization

User = get_user_model()
PASSWORD = "directory-pass-1"
LOCAL_PASSWORD = "demo-pass-123"  # the factories' users'

PEOPLE_IN_DIRECTORY = {
    uid: {"cn": name, "userPassword": PASSWORD, **attributes}
    for uid, name, attributes in [
        (
            "lisi",
            "李四",
            {
                "o": "巫溪县",
                "ou": "县司法局",
                "mail": "lisi@wx.invalid",
                "mobile": "13800000001",
            },
        ),
        ("wanghead", "王局长", {"o": "巫溪县", "ou": "县司法局"}),
        ("zhaosup", "赵督查", {"o": "巫溪县"}),
        ("qianlead", "钱县长", {"o": "巫溪县"}),
        ("sunadmin", "孙管理", {"o": "巫溪县", "ou": "县司法局"}),
        ("wushan", "巫山经办", {"o": "巫山县", "ou": "县司法局"}),
        ("zhounew", "周新", {"o": "巫溪县", "ou": "县不存在局"}),
        ("wuother", "吴外", {"o": "外省某县", "ou": "县司法局"}),
        ("nobody", "郑无组", {"o": "巫溪县", "ou": "县司法局"}),
        ("mover", "冯调动", {"o": "巫溪县", "ou": "县司法局"}),
        ("clerk", "同名人", {"o": "巫溪县", "ou": "县司法局"}),
        (
            "chen",
            "Chen",
            {"displayName": "陈科员", "o": "500238", "departmentNumber": "县财政局"},
        ),
    ]
}
GROUPS_IN_DIRECTORY = {
    "fz-staff": [
        "lisi",
        "sunadmin",
        "wushan",
        "zhounew",
        "wuother",
        "mover",
        "clerk",
        "chen",
    ],
    "fz-heads": ["wanghead"],
    "fz-supervisors": ["zhaosup"],
    "fz-leaders": ["qianlead"],
    "fz-admins": ["sunadmin"],
}


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    require_slapd()
    server = start_slapd(
        tmp_path_factory.mktemp("slapd"),
        people=PEOPLE_IN_DIRECTORY,
        groups=GROUPS_IN_DIRECTORY,
    )
    yield server
    server.stop()


def environment(uri, **changes):
    variables = {
        "LDAP_SERVER_URI": uri,
        "LDAP_BIND_DN": ROOT_DN,
        "LDAP_BIND_PASSWORD": ROOT_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_GROUP_SEARCH_BASE": group_dn("x").split(",", 1)[1],
        "LDAP_GROUP_STAFF": group_dn("fz-staff"),
        "LDAP_GROUP_HEAD": group_dn("fz-heads"),
        "LDAP_GROUP_SUPERVISOR": group_dn("fz-supervisors"),
        "LDAP_GROUP_LEADER": group_dn("fz-leaders"),
        "LDAP_TIMEOUT_SECONDS": "2",
    }
    variables.update(changes)
    return {key: value for key, value in variables.items() if value is not None}


@pytest.fixture
def configure(settings, monkeypatch):
    """Turn the directory login on as a deployment would: LDAP_* variables, read
    by the settings' own ``env_ldap``."""

    def configure(uri, **changes):
        for name in list(project_settings.LDAP_ROLE_VARIABLES.values()):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment(uri, **changes).items():
            monkeypatch.setenv(name, value)
        for name, value in project_settings.env_ldap().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            *project_settings.AUTHENTICATION_BACKENDS,
            "tracker.directory.DirectoryBackend",
        ]

    return configure


@pytest.fixture
def counties(db):
    wuxi = Organization.objects.add_root({"name": "巫溪县"})
    wushan = Organization.objects.add_root({"name": "巫山县"})
    return {
        "wuxi_justice": DepartmentFactory(name="县司法局", organization=wuxi),
        "wuxi_finance": DepartmentFactory(name="县财政局", organization=wuxi),
        # Every county has its 县司法局 (the factory would find 巫溪县's).
        "wushan_justice": Department.objects.create(
            name="县司法局", organization=wushan
        ),
    }


@pytest.fixture
def ldap_on(directory, configure, counties):
    configure(directory.uri)
    return directory


@pytest.fixture
def browser():
    return in_english(Client(enforce_csrf_checks=True))


def log_in(client, username, password):
    form = client.get("/accounts/login/")
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()
    ).group(1)
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
    )


def refusal(response):
    """The error the login form shows."""
    assert response.status_code == 200
    error = re.search(
        r'<p class="error" role="alert">(.*?)</p>', response.content.decode(), re.S
    )
    assert error, "the login form shows no error"
    return html.unescape(error.group(1)).strip()


def test_directory_staff_signs_in_through_the_form_with_name_email_and_mobile(
    ldap_on, browser, counties
):
    response = log_in(browser, "lisi", PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(username="lisi")
    assert (user.first_name, user.email) == ("李四", "lisi@wx.invalid")
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    assert user.account_profile.mobile == "13800000001"
    assert user.account_profile.organization.name == "巫溪县"
    assert list(user.departments.all()) == [counties["wuxi_justice"]]
    assert set(user.groups.values_list("name", flat=True)) == {"staff"}
    dashboard = browser.get("/")
    assert dashboard.status_code == 200
    # Their password is the directory's: nothing here can change it.
    assert "Change password" not in dashboard.content.decode()


@pytest.mark.parametrize(
    "uid, landing, group",
    [
        ("wanghead", "/my/", "staff"),
        ("zhaosup", "/my/", "supervisor"),
        ("qianlead", "/cockpit/", "leader"),
    ],
)
def test_each_role_from_the_directory_groups_lands_on_its_page(
    ldap_on, browser, uid, landing, group
):
    response = log_in(browser, uid, PASSWORD)

    assert response.status_code == 302
    assert response.url == landing
    user = User.objects.get(username=uid)
    assert set(user.groups.values_list("name", flat=True)) == {group}
    assert user.account_profile.organization.name == "巫溪县"
    assert browser.get(landing).status_code == 200


def test_a_head_heads_the_department_the_directory_names(ldap_on, browser, counties):
    log_in(browser, "wanghead", PASSWORD)

    head = User.objects.get(username="wanghead")
    assert list(head.headed_departments.all()) == [counties["wuxi_justice"]]


def test_the_organization_decides_which_county_department_a_person_joins(
    ldap_on, browser, counties
):
    log_in(browser, "wushan", PASSWORD)

    user = User.objects.get(username="wushan")
    assert user.account_profile.organization.name == "巫山县"
    assert list(user.departments.all()) == [counties["wushan_justice"]]


def test_the_attribute_map_and_organization_codes_are_the_deployments_choice(
    directory, configure, counties, browser
):
    configure(
        directory.uri,
        LDAP_ATTR_NAME="displayName",
        LDAP_ATTR_DEPARTMENT="departmentNumber",
        LDAP_ORGANIZATION_CODES="500237=巫山县, 500238=巫溪县",
    )

    assert log_in(browser, "chen", PASSWORD).status_code == 302

    user = User.objects.get(username="chen")
    assert user.first_name == "陈科员"
    assert user.account_profile.organization.name == "巫溪县"
    assert list(user.departments.all()) == [counties["wuxi_finance"]]


def test_the_admins_group_gives_nothing_while_it_is_not_configured(ldap_on, browser):
    log_in(browser, "sunadmin", PASSWORD)

    user = User.objects.get(username="sunadmin")
    assert not user.is_superuser and not user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"staff"}
    assert browser.get("/admin/").status_code == 302


def test_the_configured_admins_group_makes_an_administrator(
    directory, configure, counties, browser
):
    configure(directory.uri, LDAP_GROUP_ADMIN=group_dn("fz-admins"))

    log_in(browser, "sunadmin", PASSWORD)

    user = User.objects.get(username="sunadmin")
    assert user.is_superuser and user.is_staff
    assert browser.get("/admin/").status_code == 200


def test_an_administrator_who_leaves_the_admins_group_is_one_no_longer(
    directory, configure, counties, browser
):
    configure(directory.uri, LDAP_GROUP_ADMIN=group_dn("fz-admins"))
    log_in(browser, "sunadmin", PASSWORD)
    browser.logout()
    try:
        directory.move_member("sunadmin", from_group="fz-admins")

        log_in(browser, "sunadmin", PASSWORD)
    finally:
        directory.move_member("sunadmin", to_group="fz-admins")

    user = User.objects.get(username="sunadmin")
    assert not user.is_superuser and not user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"staff"}
    assert browser.get("/admin/").status_code == 302


def test_a_wrong_directory_password_is_refused_and_counted_by_axes(ldap_on, browser):
    response = log_in(browser, "lisi", "not-the-password")

    assert "user name and password didn't match" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()
    attempt = AccessAttempt.objects.get(username="lisi")
    assert attempt.failures_since_start == 1


def test_local_accounts_still_sign_in_with_the_directory_on(ldap_on, browser):
    UserFactory(username="localstaff", groups=["staff"])

    response = log_in(browser, "localstaff", LOCAL_PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    assert "Change password" in browser.get("/").content.decode()


def test_the_directory_never_takes_over_a_local_account_of_the_same_login(
    ldap_on, browser
):
    clerk = UserFactory(
        username="clerk",
        first_name="本地",
        groups=["supervisor"],
    )

    response = log_in(browser, "clerk", PASSWORD)

    assert "is an account of this system with its own password" in refusal(response)
    clerk.refresh_from_db()
    assert clerk.first_name == "本地"
    assert set(clerk.groups.values_list("name", flat=True)) == {"supervisor"}
    assert log_in(browser, "clerk", LOCAL_PASSWORD).status_code == 302


def test_a_local_account_whose_password_was_disabled_passes_to_the_directory(
    ldap_on, browser, counties
):
    clerk = UserFactory(username="clerk", first_name="本地", groups=["supervisor"])
    clerk.set_unusable_password()
    clerk.save()

    assert log_in(browser, "clerk", PASSWORD).status_code == 302

    clerk.refresh_from_db()
    assert clerk.first_name == "同名人"
    assert set(clerk.groups.values_list("name", flat=True)) == {"staff"}
    assert list(clerk.departments.all()) == [counties["wuxi_justice"]]


def test_an_account_deactivated_here_stays_out_whatever_the_directory_says(
    ldap_on, browser
):
    log_in(browser, "lisi", PASSWORD)
    browser.logout()
    User.objects.filter(username="lisi").update(is_active=False)

    response = log_in(browser, "lisi", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert not User.objects.get(username="lisi").is_active


def test_an_unknown_department_is_refused_with_the_reason_and_makes_no_account(
    ldap_on, browser
):
    response = log_in(browser, "zhounew", PASSWORD)

    message = refusal(response)
    assert "department “县不存在局” of 巫溪县" in message
    assert "which this system does not know" in message
    assert not User.objects.filter(username="zhounew").exists()


def test_an_unknown_organization_is_refused_with_the_reason(ldap_on, browser):
    response = log_in(browser, "wuother", PASSWORD)

    assert "“外省某县”, an organization this system does not know" in refusal(response)
    assert not User.objects.filter(username="wuother").exists()


def test_the_refusal_is_in_chinese_by_default(ldap_on):
    response = log_in(Client(enforce_csrf_checks=True), "zhounew", PASSWORD)

    assert "县不存在局" in refusal(response)
    assert "目录" in refusal(response)


def test_someone_in_none_of_the_role_groups_is_refused(ldap_on, browser):
    response = log_in(browser, "nobody", PASSWORD)

    assert "in none of the groups that give a role" in refusal(response)
    assert not User.objects.filter(username="nobody").exists()


def test_a_move_in_the_directory_moves_the_account_at_the_next_login(
    ldap_on, browser, counties
):
    log_in(browser, "mover", PASSWORD)
    browser.logout()
    try:
        ldap_on.replace(person_dn("mover"), ou="县财政局", mobile="13900000009")
        ldap_on.move_member("mover", from_group="fz-staff", to_group="fz-supervisors")

        response = log_in(browser, "mover", PASSWORD)
    finally:
        ldap_on.replace(person_dn("mover"), ou="县司法局", mobile="13900000000")
        ldap_on.move_member("mover", from_group="fz-supervisors", to_group="fz-staff")

    assert response.url == "/my/"
    mover = User.objects.get(username="mover")
    assert list(mover.departments.all()) == [counties["wuxi_finance"]]
    assert set(mover.groups.values_list("name", flat=True)) == {"supervisor"}
    assert mover.account_profile.mobile == "13900000009"


def test_an_unreachable_directory_says_so_and_local_accounts_still_sign_in(
    directory, configure, counties, browser
):
    # A loopback port nobody listens on: the directory is down.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    configure(f"ldap://127.0.0.1:{closed_port}/")
    UserFactory(username="localstaff", groups=["staff"])

    response = log_in(browser, "lisi", PASSWORD)

    assert "directory could not be reached" in refusal(response)
    assert log_in(browser, "localstaff", LOCAL_PASSWORD).status_code == 302


def test_without_ldap_server_uri_the_directory_is_off(monkeypatch):
    monkeypatch.delenv("LDAP_SERVER_URI", raising=False)

    assert project_settings.env_ldap() == {}
    assert "tracker.directory.DirectoryBackend" not in (
        project_settings.AUTHENTICATION_BACKENDS
    )


@pytest.mark.parametrize(
    "changes, complaint",
    [
        ({"LDAP_USER_SEARCH_BASE": None}, "LDAP_USER_SEARCH_BASE must be"),
        (
            {
                "LDAP_GROUP_STAFF": None,
                "LDAP_GROUP_HEAD": None,
                "LDAP_GROUP_SUPERVISOR": None,
                "LDAP_GROUP_LEADER": None,
                "LDAP_GROUP_ADMIN": group_dn("fz-admins"),
            },
            "name the directory groups of the roles",
        ),
        ({"LDAP_GROUP_TYPE": "memberOf"}, "LDAP_GROUP_TYPE='memberOf'"),
        ({"LDAP_ORGANIZATION_CODES": "500238"}, "'500238' is not CODE=NAME"),
    ],
)
def test_an_incomplete_directory_configuration_stops_the_process(
    monkeypatch, changes, complaint
):
    for name in project_settings.LDAP_ROLE_VARIABLES.values():
        monkeypatch.delenv(name, raising=False)
    for name, value in environment("ldap://127.0.0.1:1/", **changes).items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=re.escape(complaint)):
        project_settings.env_ldap()


def _revisions():
    from django.db.models import Sum

    from tracker.models import ReportRevision

    return ReportRevision.objects.aggregate(total=Sum("number"))["total"] or 0


def test_a_login_that_changes_nothing_keeps_the_pages_caches_and_a_move_renews_them(
    ldap_on, browser, counties
):
    """The pages' caches are keyed on the reports' revisions, which a change of
    who belongs where bumps (the dashboard's "Nobody to remind"); a login that
    changes nothing must not empty them all."""
    from tests.factories import ReportFactory

    ReportFactory()
    log_in(browser, "mover", PASSWORD)  # the account is made: a change
    browser.logout()
    made = _revisions()
    assert made > 0

    log_in(browser, "mover", PASSWORD)
    browser.logout()
    assert _revisions() == made

    try:
        ldap_on.replace(person_dn("mover"), ou="县财政局", mobile="13900000009")
        log_in(browser, "mover", PASSWORD)
    finally:
        ldap_on.replace(person_dn("mover"), ou="县司法局", mobile="13900000000")
    assert _revisions() > made

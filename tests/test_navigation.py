"""The header's links: each reader's own, on every page, in their language, with
the current page marked, although their HTML is drawn once and reused
(``tracker_tags.nav_links``)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COCKPIT = reverse("tracker:cockpit")
NOTICES = reverse("tracker:notice_register")


def header(client, url):
    html = client.get(url).content.decode()
    return html[html.index('<ul class="nav-links">') : html.index("</ul>")]


def signed_in(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def current(nav):
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', nav)


def test_each_role_keeps_its_own_links_whoever_drew_them_first():
    staff = signed_in(UserFactory(username="staff_nav", groups=["staff"]))
    supervisor = signed_in(UserFactory(username="sv_nav", groups=["supervisor"]))
    leader = signed_in(UserFactory(username="leader_nav", groups=["leader"]))

    for _ in range(2):  # the second round reads what the first one drew
        staff_nav = header(staff, reverse("tracker:my_work"))
        supervisor_nav = header(supervisor, reverse("tracker:my_work"))
        leader_nav = header(leader, reverse("tracker:my_work"))

        assert COCKPIT not in staff_nav and NOTICES not in staff_nav
        assert COCKPIT in supervisor_nav and NOTICES in supervisor_nav
        assert COCKPIT in leader_nav


def test_the_current_page_is_marked_on_each_page():
    client = signed_in(UserFactory(username="sv_nav", groups=["supervisor"]))
    for url_name in ("dashboard", "obligation_list", "my_work", "cockpit"):
        url = reverse(f"tracker:{url_name}")
        assert current(header(client, url)) == [url]
    # A page without a link of its own marks none of them.
    assert current(header(client, reverse("tracker:schedule"))) == []


def test_the_links_follow_the_readers_language():
    user = UserFactory(username="sv_nav", groups=["supervisor"])
    chinese, english = signed_in(user), signed_in(user, "en")

    assert "我的工作" in header(chinese, reverse("tracker:dashboard"))
    assert "My work" in header(english, reverse("tracker:dashboard"))
    assert "我的工作" in header(chinese, reverse("tracker:dashboard"))

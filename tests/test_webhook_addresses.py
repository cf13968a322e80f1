"""Where a group robot may be: https to a public host, checked in the admin when the
address is saved and again when a message is sent; the error kept from a robot's
answer is its code and message only."""

import ipaddress
import socket

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import test_webhook_delivery
from tests.test_webhook_delivery import with_webhook
from tests.workflow_helpers import return_for_rework
from tracker.models import Department, OutboundMessage
from tracker.notifications.addresses import (
    RefusedDestination,
    check_webhook_destination,
    validate_webhook_url,
)

# The local robot and the tests' allowance for it (http, 127.0.0.1), which the
# tests of the refusals take back.
robot = test_webhook_delivery.robot
_short_timeout = test_webhook_delivery._short_timeout

PUBLIC = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"


@pytest.fixture
def strict(settings):
    """Production's rules: no http, no listed hosts."""
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []


def _save_in_admin(client, department, url):
    return client.post(
        reverse("admin:tracker_department_change", args=[department.pk]),
        {
            "name": department.name,
            "short_name": department.short_name,
            "kind": department.kind,
            "is_active": "on",
            "webhook_url": url,
        },
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://169.254.169.254/"])
def test_the_admin_refuses_loopback_and_metadata_addresses(
    client, tracker_admin, department_a, strict, url
):
    client.force_login(tracker_admin)
    response = _save_in_admin(client, department_a, url)
    assert response.status_code == 200
    assert "https://" in response.content.decode()  # http is refused first
    assert Department.objects.get(pk=department_a.pk).webhook_url == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:9/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/robot",
        "https://192.168.1.1/robot",
        "https://[::1]/robot",
        "https://[::ffff:127.0.0.1]/robot",
        "https://2130706433/robot",
        "https://127.1/robot",
        "https://0.0.0.0/robot",
        "https://localhost/robot",
        "https://robot.localhost/robot",
    ],
)
def test_private_and_local_hosts_are_refused_when_saved(
    client, tracker_admin, department_a, strict, url
):
    client.force_login(tracker_admin)
    response = _save_in_admin(client, department_a, url)
    assert response.status_code == 200
    assert "群机器人应为公网地址" in response.content.decode()
    assert Department.objects.get(pk=department_a.pk).webhook_url == ""


def test_a_public_https_robot_is_saved(client, tracker_admin, department_a, strict):
    client.force_login(tracker_admin)
    response = _save_in_admin(client, department_a, PUBLIC)
    assert response.status_code == 302
    assert Department.objects.get(pk=department_a.pk).webhook_url == PUBLIC


def test_http_is_refused_unless_allowed(settings, strict):
    with pytest.raises(ValidationError) as refused:
        validate_webhook_url(PUBLIC.replace("https", "http"))
    assert refused.value.code == "webhook_scheme"
    settings.WEBHOOK_ALLOW_HTTP = True
    validate_webhook_url(PUBLIC.replace("https", "http"))


def test_a_listed_intranet_relay_is_allowed(settings, strict):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.1.2.3"]
    validate_webhook_url("https://10.1.2.3/robot")
    check_webhook_destination("https://10.1.2.3/robot")
    with pytest.raises(ValidationError):
        validate_webhook_url("https://10.1.2.4/robot")


def test_a_name_resolving_to_this_machine_is_refused_at_send_time(strict):
    host = socket.gethostname()
    addresses = {
        ipaddress.ip_address(found[4][0].split("%")[0])
        for found in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    }
    if any(address.is_global for address in addresses):
        pytest.skip(f"{host} resolves to a public address here")
    validate_webhook_url(f"https://{host}/robot")  # a name is not resolved when saved
    with pytest.raises(RefusedDestination, match="not public"):
        check_webhook_destination(f"https://{host}/robot?key=secret")


def test_a_stored_loopback_address_is_not_posted_to(
    obligation,
    department_a,
    supervisor,
    robot,
    settings,
    django_capture_on_commit_callbacks,
):
    # Saved before the rules, or straight into the database.
    with_webhook(department_a, robot.url)
    settings.WEBHOOK_ALLOWED_HOSTS = []

    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor)

    assert robot.received == []
    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert "127.0.0.1 resolves to 127.0.0.1, not public" in message.last_error
    assert "key=k" not in message.last_error


def test_the_error_kept_is_the_robots_code_and_message_only(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.mode = "talkative"
    with_webhook(department_a, robot.url)

    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor)

    message = OutboundMessage.objects.get()
    assert message.last_error.endswith("errcode 40001: badkey")
    # What the admin shows of the answer is the vendor's code and message only.
    assert message.answer == "errcode 40001: badkey"
    assert "s3cr3t" not in message.last_error + message.answer

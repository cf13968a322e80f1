"""Email and notification settings from the environment: none set means no email
(the inbox only); a malformed value stops the process with a message."""

import json

import pytest

from tests.test_deploy_settings import production_env, run_python

READ = """
import json
import django
from django.conf import settings
django.setup()
names = ["EMAIL_ENABLED", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS",
         "EMAIL_BACKEND", "DEFAULT_FROM_EMAIL", "SITE_URL", "WEBHOOK_TIMEOUT"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def email_settings(**variables):
    result = run_python(READ, production_env(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_mail_server_means_no_email():
    assert email_settings()["EMAIL_ENABLED"] is False


def test_a_mail_server_from_the_environment_turns_email_on():
    values = email_settings(
        EMAIL_HOST="smtp.county.gov.cn",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="法治清单 <fazhi@county.gov.cn>",
    )

    assert values["EMAIL_ENABLED"] is True
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.county.gov.cn", 587)
    assert values["EMAIL_USE_TLS"] is True
    assert values["DEFAULT_FROM_EMAIL"] == "法治清单 <fazhi@county.gov.cn>"


def test_the_console_backend_prints_mails_without_a_mail_server():
    values = email_settings(
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
    )

    assert values["EMAIL_ENABLED"] is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("EMAIL_PORT", "smtp", "EMAIL_PORT='smtp' is not an integer"),
        ("EMAIL_USE_TLS", "maybe", "EMAIL_USE_TLS='maybe' is not a boolean"),
        ("WEBHOOK_TIMEOUT", "5s", "WEBHOOK_TIMEOUT='5s' is not an integer"),
        ("SITE_URL", "fazhi.county.gov.cn", "must start with http(s)://"),
    ],
)
def test_a_malformed_value_refuses_to_start(variable, value, message):
    result = run_python(READ, production_env(**{variable: value}))

    assert result.returncode != 0
    assert message in result.stderr

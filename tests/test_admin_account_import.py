"""The admin's account import: the accounts sheet uploaded on the users' list."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory, accounts_sheet
from tracker.account_sheet import COLUMNS

pytestmark = pytest.mark.django_db
User = get_user_model()


def _upload(rows):
    return SimpleUploadedFile("accounts.xlsx", accounts_sheet(rows))


GOOD = ("巫溪县", "县司法局", "张三", "zhangsan", "13800000000", "", "经办人员")


def test_admin_imports_a_sheet_and_sees_each_temporary_password_once(
    tracker_admin_client, county
):
    response = tracker_admin_client.post(
        reverse("admin:auth_user_import"), {"sheet": _upload([GOOD])}
    )

    assert response.status_code == 200
    login, password = response.context["created"][0]
    assert User.objects.get(username=login).check_password(password)


def test_admin_sees_errors_per_row_and_nothing_is_created(tracker_admin_client, county):
    bad = ("巫山县", "县司法局", "李四", "lisi", "", "", "经办人员")

    response = tracker_admin_client.post(
        reverse("admin:auth_user_import"), {"sheet": _upload([GOOD, bad])}
    )

    assert response.status_code == 400
    assert [number for number, _message in response.context["row_errors"]] == [3]
    assert not User.objects.filter(username__in=["zhangsan", "lisi"]).exists()


def test_template_downloads_with_the_columns(tracker_admin_client):
    response = tracker_admin_client.get(reverse("admin:auth_user_import_template"))

    header = next(
        load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert header == COLUMNS


def test_staff_without_the_add_user_permission_may_not_import(client):
    client.force_login(UserFactory(username="clerk", is_staff=True))

    assert client.get(reverse("admin:auth_user_import")).status_code == 403

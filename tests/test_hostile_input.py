"""Bad input still gets what it got: a 400 (or 403/404/409) with a message in the
user's language, nothing written, no file left behind, never a 500 — with DEBUG on
as well as off.

The test client re-raises a view's exception, so a 500 fails these tests loudly."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import in_english
from tests.workflow_helpers import PDF, files_on_disk, set_status, upload
from tracker.models import Evidence, Obligation, ProgressUpdate

S = Obligation.Status
TOO_MANY = 1100  # DATA_UPLOAD_MAX_NUMBER_FIELDS is Django's 1,000
HUGE = str(10**30)


@pytest.fixture(params=[False, True], ids=["DEBUG=0", "DEBUG=1"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def staff_client(staff_a):
    client = Client()
    client.force_login(staff_a)
    return client


def assert_friendly_400(response, *, english=False):
    assert response.status_code == 400
    page = response.content.decode()
    if english:
        assert "Request refused" in page
        assert "nothing was saved" in page
    else:
        assert "请求被拒绝" in page
    assert "Traceback" not in page


def many_parameters():
    return "&".join(f"p{n}=1" for n in range(TOO_MANY))


def nothing_written(obligation):
    return (
        not ProgressUpdate.objects.exists()
        and not Evidence.objects.exists()
        and Obligation.objects.get(pk=obligation.pk).version == obligation.version
    )


# --- Requests too big to parse ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/obligations/",
        "/obligations/{pk}/",
        "/departments/",
        "/my/",
        "/obligations/?_export=xlsx&",
        "/admin/tracker/obligation/",
    ],
)
def test_more_than_a_thousand_query_parameters_answer_the_400_page(
    debug, client, admin_user, obligation, path
):
    client.force_login(admin_user)
    separator = "" if path.endswith("&") else "?"
    url = path.format(pk=obligation.pk) + separator + many_parameters()

    assert_friendly_400(client.get(url))


def test_the_login_page_with_too_many_parameters_answers_400_signed_out(debug, db):
    assert_friendly_400(Client().get(f"/accounts/login/?{many_parameters()}"))


def test_the_400_page_is_in_the_users_language(debug, staff_client):
    response = in_english(staff_client).get(f"/obligations/?{many_parameters()}")
    assert_friendly_400(response, english=True)


def test_more_than_a_thousand_form_fields_answer_400_and_write_nothing(
    debug, staff_client, obligation
):
    data = {f"p{n}": "1" for n in range(TOO_MANY)} | {"text": "进展"}

    response = staff_client.post(f"/obligations/{obligation.pk}/notes/", data)

    assert_friendly_400(response)
    assert nothing_written(obligation)


def test_too_many_files_answer_400_and_leave_no_file_behind(
    debug, settings, tmp_path, staff_client, obligation, _media_root
):
    # Every uploaded file goes through a temporary file on disk, to see them all go.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    files = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(120)]

    response = staff_client.post(
        f"/obligations/{obligation.pk}/evidence/", {"file": files}
    )

    assert_friendly_400(response)
    assert nothing_written(obligation)
    assert files_on_disk(_media_root) == []
    assert list((tmp_path / "uploads").iterdir()) == []


def test_a_form_body_over_the_size_limit_answers_400(
    debug, settings, staff_client, obligation
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = staff_client.post(
        f"/obligations/{obligation.pk}/notes/", {"text": "进" * 2000}
    )

    assert_friendly_400(response)
    assert nothing_written(obligation)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("", "multipart/form-data; boundary=xyz"),
        ("garbage", "multipart/form-data"),
        ("--xyz\r\ngarbage", "multipart/form-data; boundary=xyz"),
        ("--xyz\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data"),
    ],
    ids=["empty", "no boundary", "truncated", "no name"],
)
def test_a_malformed_upload_answers_400_and_writes_nothing(
    debug, staff_client, obligation, body, content_type, _media_root
):
    response = staff_client.post(
        f"/obligations/{obligation.pk}/evidence/", body, content_type=content_type
    )

    assert response.status_code == 400
    assert nothing_written(obligation)
    assert files_on_disk(_media_root) == []


# --- Hostile values in the app's forms -------------------------------------------

HOSTILE_POSTS = {
    "huge version": ("status", {"status": S.IN_PROGRESS, "version": HUGE}),
    "negative version": ("status", {"status": S.IN_PROGRESS, "version": "-1"}),
    "text version": ("status", {"status": S.IN_PROGRESS, "version": "1e3"}),
    "unknown status": ("status", {"status": "archived", "version": "1"}),
    "10,000-character note": (
        "status",
        {"status": S.IN_PROGRESS, "version": "1", "note": "注" * 10000},
    ),
    "10,000-character comment": ("notes", {"text": "注" * 10000}),
    "invalid date": ("assign", {"version": "1", "due_date": "2023-02-30"}),
    "year 99999": ("assign", {"version": "1", "due_date": "99999-01-01"}),
    "huge owner pk": ("assign", {"version": "1", "owner": HUGE}),
    "text department pk": ("assign", {"version": "1", "department": "abc"}),
    "unknown supervision level": (
        "supervision",
        {"version": "1", "level": "purple", "note": "x"},
    ),
    "huge version on supervision": (
        "supervision",
        {"version": HUGE, "level": "red", "note": "x"},
    ),
    "no file": ("evidence", {"note": "x"}),
    "empty file": ("evidence", {"file": SimpleUploadedFile("a.pdf", b"")}),
}


@pytest.mark.parametrize("case", HOSTILE_POSTS, ids=str)
def test_hostile_values_are_refused_without_a_500_and_write_nothing(
    debug, client, admin_user, obligation, case, _media_root
):
    action, data = HOSTILE_POSTS[case]
    client.force_login(admin_user)

    response = client.post(f"/obligations/{obligation.pk}/{action}/", data)

    assert response.status_code in (400, 409)
    assert nothing_written(obligation)
    assert files_on_disk(_media_root) == []


@pytest.mark.parametrize("pk", ["0", HUGE])
@pytest.mark.parametrize(
    "path",
    [
        "/obligations/{pk}/",
        "/departments/{pk}/",
        "/reports/{pk}/",
        "/evidence/{pk}/download/",
    ],
)
def test_unknown_or_huge_primary_keys_in_urls_are_404(debug, staff_client, path, pk):
    assert staff_client.get(path.format(pk=pk)).status_code == 404


def test_withdrawing_unknown_evidence_is_404(debug, staff_client):
    response = staff_client.post(f"/evidence/{HUGE}/withdraw/", {"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        f"report={HUGE}",
        "report=abc",
        "report=%00",
        f"department={HUGE}",
        f"owner={HUGE}",
        "section=-1",
        "due_after=2023-02-30",
        "due_before=99999-01-01",
        "status=archived",
        "q=%00",
        "sort=-nonexistent",
        f"page={HUGE}",
        "page=abc",
        "_export=xlsx&report=abc",
        f"_export=csv&department={HUGE}",
    ],
)
def test_hostile_filters_show_the_page_or_an_empty_export(debug, staff_client, query):
    for path in ("/", "/obligations/", "/departments/"):
        assert staff_client.get(f"{path}?{query}").status_code == 200


# --- The admin ----------------------------------------------------------------------


@pytest.mark.parametrize("selected", [["abc"], [HUGE], [""], ["1", "-1e3"]])
@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/admin/tracker/obligation/", "assign_selected"),
        ("/admin/tracker/obligation/", "set_supervision_selected"),
        ("/admin/tracker/department/", "delete_selected"),
        ("/admin/auth/user/", "delete_selected"),
    ],
)
def test_an_admin_action_on_rows_that_are_not_primary_keys_answers_400(
    debug, client, admin_user, obligation, path, action, selected
):
    client.force_login(admin_user)

    response = client.post(
        path,
        {
            "action": action,
            "_selected_action": selected,
            "apply": "1",
            "due_date": "2023-01-01",
            "level": "red",
            "note": "x",
        },
    )

    assert_friendly_400(response)
    assert nothing_written(obligation)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tracker/obligation/abc/history/",
        f"/admin/tracker/obligation/{HUGE}/history/",
        "/admin/tracker/obligation/{pk}/history/abc/",
        f"/admin/tracker/obligation/{{pk}}/history/{HUGE}/",
        "/admin/tracker/evidence/abc/history/",
    ],
)
def test_admin_history_pages_of_what_is_not_a_primary_key_are_404(
    debug, client, admin_user, obligation, path
):
    client.force_login(admin_user)
    assert client.get(path.format(pk=obligation.pk)).status_code == 404


def test_withdrawing_twice_is_refused_with_a_400(
    debug, staff_client, obligation, staff_a
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    url = f"/evidence/{evidence.pk}/withdraw/"
    assert staff_client.post(url, {"reason": "传错了"}).status_code == 302

    response = staff_client.post(url, {"reason": "再撤一次"})

    assert response.status_code == 400
    assert (
        ProgressUpdate.objects.filter(
            action=ProgressUpdate.Action.EVIDENCE_WITHDRAW
        ).count()
        == 1
    )

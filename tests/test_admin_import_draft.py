"""The admin's import Preview keeps the file: Import needs no second choice of it,
only by the admin who previewed it and only for a while. The preview also shows the
suggested task -> problem links, which importing does not make."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import UserFactory
from tests.pages import parse, text
from tests.seed_report import SEED_TEXT
from tracker.models import ImportDraft, Obligation, Report
from tracker.services.importing import IMPORT_DRAFT_MINUTES

URL = reverse("admin:tracker_report_import")


def _preview(client):
    upload = SimpleUploadedFile("巫溪县报告.txt", SEED_TEXT.encode())
    response = client.post(URL, {"file": upload, "preview": "1"})
    assert response.status_code == 200
    token = parse(response).xpath("//input[@name='draft']/@value")
    return response, token[0]


def test_import_after_preview_needs_no_second_choice_of_the_file(
    tracker_admin_client,
):
    response, token = _preview(tracker_admin_client)
    assert "巫溪县报告.txt is kept for 30 minutes" in text(parse(response))

    imported = tracker_admin_client.post(URL, {"draft": token, "import": "1"})

    assert imported.status_code == 302
    assert Obligation.objects.count() == 25
    assert Report.objects.get().organization == "巫溪县"
    # Imported, the draft is gone: the same token cannot import twice.
    assert not ImportDraft.objects.exists()


def test_another_admin_cannot_import_with_someone_elses_token(
    client, tracker_admin_client
):
    _response, token = _preview(tracker_admin_client)
    other = UserFactory(username="admin2", is_staff=True, is_superuser=True)
    client.force_login(other)
    in_english(client)

    response = client.post(URL, {"draft": token, "import": "1"})

    assert response.status_code == 400
    assert "The previewed file is no longer kept" in text(parse(response))
    assert not Report.objects.exists()
    assert ImportDraft.objects.count() == 1


def test_an_expired_preview_is_refused_with_a_message_to_choose_the_file_again(
    tracker_admin_client,
):
    _response, token = _preview(tracker_admin_client)
    ImportDraft.objects.update(
        created_at=timezone.now() - timedelta(minutes=IMPORT_DRAFT_MINUTES + 1)
    )

    response = tracker_admin_client.post(URL, {"draft": token, "import": "1"})

    assert response.status_code == 400
    assert "choose the file again" in text(parse(response))
    assert not Report.objects.exists()


def test_import_without_a_file_or_a_preview_asks_for_the_file(tracker_admin_client):
    response = tracker_admin_client.post(URL, {"import": "1"})

    assert response.status_code == 400
    assert "Choose the report file." in text(parse(response))


def test_a_newly_chosen_file_wins_over_the_previewed_one(tracker_admin_client):
    _response, token = _preview(tracker_admin_client)
    other = SEED_TEXT.replace("巫溪县2022年", "巫山县2022年", 1)
    upload = SimpleUploadedFile("巫山县.txt", other.encode())

    response = tracker_admin_client.post(
        URL, {"draft": token, "file": upload, "import": "1"}
    )

    assert response.status_code == 302
    assert Report.objects.get().organization == "巫山县"


def test_preview_shows_suggested_links_and_import_does_not_make_them(
    tracker_admin_client,
):
    response, token = _preview(tracker_admin_client)

    page = parse(response)
    rows = page.xpath("//h3[@id='suggested-links']/following-sibling::table[1]//tr")
    cells = [[text(cell) for cell in row.xpath("td")] for row in rows[1:]]
    pairs = {(row[0].split()[0], row[1].split()[0]) for row in cells}
    assert pairs == {
        ("4.1", "3.1"),
        ("4.3", "3.2"),
        ("4.4", "3.1"),
        ("4.4", "3.2"),
        ("4.4", "3.3"),
    }
    by_pair = {(row[0].split()[0], row[1].split()[0]): row for row in cells}
    assert by_pair[("4.4", "3.1")][0] == "4.4 进一步加强法治队伍建设"
    assert by_pair[("4.4", "3.1")][3].startswith("执法人员")

    tracker_admin_client.post(URL, {"draft": token, "import": "1"})

    assert not Obligation.objects.filter(addresses__isnull=False).exists()

"""POST /obligations/<pk>/instruction/ (批示, issue 23): a leader's instruction
notifies the unit and the supervisors, stands at the top of the item until the unit
replies, and is in the timeline, the history, the archive and the draft."""

import io
import zipfile

from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.document_helpers import draft_report_data, paragraphs
from tests.pages import parse, text
from tracker import archive
from tracker.models import Instruction, Notification, ProgressUpdate


def _url(obligation):
    return reverse("tracker:obligation_instruction", args=[obligation.pk])


def _reply_url(instruction):
    return reverse("tracker:instruction_reply", args=[instruction.pk])


def _write(client, leader, obligation, text="请本月底前完成整改"):
    client.force_login(leader)
    return client.post(_url(obligation), {"text": text})


def test_a_leaders_instruction_notifies_the_units_members_and_the_supervisors(
    client, leader, obligation, staff_a, staff_b, supervisor
):
    response = _write(client, leader, obligation)

    assert response.status_code == 302
    told = set(
        Notification.objects.filter(kind=Notification.Kind.INSTRUCTION).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"staff_a", "supervisor"}
    assert "请本月底前完成整改" in Notification.objects.first().text


def test_an_empty_instruction_is_refused_with_a_message_and_nothing_is_written(
    client, leader, obligation
):
    response = _write(client, leader, obligation, text="   ")

    assert response.status_code == 400
    assert not Instruction.objects.exists()
    assert not Notification.objects.exists()
    assert not ProgressUpdate.objects.filter(obligation=obligation).exists()


def test_supervisors_and_staff_cannot_write_an_instruction(
    client, obligation, supervisor, staff_a, tracker_admin
):
    for user in (supervisor, staff_a, tracker_admin):
        client.force_login(user)
        assert client.post(_url(obligation), {"text": "批示"}).status_code == 403
    assert not Instruction.objects.exists()


def test_the_instruction_stands_at_the_top_of_the_item_until_the_unit_replies(
    client, leader, obligation, staff_a
):
    _write(client, leader, obligation)
    instruction = Instruction.objects.get()
    client.force_login(staff_a)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    first_card = page.xpath("//article/section[contains(@class, 'card')]")[0]
    assert first_card.get("id") == "instructions"
    assert "请本月底前完成整改" in text(first_card)
    assert page.xpath("//form[@action=$url]", url=_reply_url(instruction))

    response = client.post(_reply_url(instruction), {"text": "已部署整改，月底完成"})

    assert response.status_code == 302
    instruction.refresh_from_db()
    assert instruction.is_replied
    assert instruction.replied_by == staff_a
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    first_card = page.xpath("//article/section[contains(@class, 'card')]")[0]
    assert first_card.get("id") != "instructions"
    assert "已部署整改，月底完成" in text(page.xpath("//*[@id='instructions']")[0])


def test_the_leader_hears_the_units_reply(client, leader, obligation, staff_a):
    _write(client, leader, obligation)
    client.force_login(staff_a)
    client.post(_reply_url(Instruction.objects.get()), {"text": "已落实"})

    assert Notification.objects.filter(
        recipient=leader, kind=Notification.Kind.INSTRUCTION, text__contains="已落实"
    ).exists()


def test_staff_of_another_unit_cannot_reply(client, leader, obligation, staff_b):
    _write(client, leader, obligation)
    instruction = Instruction.objects.get()
    client.force_login(staff_b)

    assert client.post(_reply_url(instruction), {"text": "x"}).status_code == 403
    instruction.refresh_from_db()
    assert not instruction.is_replied


def test_an_instruction_is_replied_to_once(client, leader, obligation, staff_a):
    _write(client, leader, obligation)
    instruction = Instruction.objects.get()
    client.force_login(staff_a)
    client.post(_reply_url(instruction), {"text": "第一次"})

    response = client.post(_reply_url(instruction), {"text": "第二次"})

    assert response.status_code == 400
    instruction.refresh_from_db()
    assert instruction.reply == "第一次"


def test_the_instruction_is_on_the_timeline_and_in_the_history(
    client, leader, obligation
):
    _write(client, leader, obligation)

    entry = ProgressUpdate.objects.get(
        obligation=obligation, action=ProgressUpdate.Action.INSTRUCTION
    )
    assert entry.author == leader
    assert "请本月底前完成整改" in entry.text
    record = Instruction.history.get()
    assert record.history_user == leader
    assert record.history_change_reason


def test_the_instruction_is_in_the_archive_record(client, leader, obligation):
    _write(client, leader, obligation)
    output = io.BytesIO()

    archive.write_archive(obligation.report, output, user=leader)

    with zipfile.ZipFile(output) as zipped:
        records = [
            zipped.read(name).decode()
            for name in zipped.namelist()
            if name.endswith(".html")
            and "请本月底前完成整改" in zipped.read(name).decode()
        ]
    assert records


def test_the_instruction_is_in_the_drafts_material(
    client, leader, department_a, staff_a
):
    data = draft_report_data(department_a, staff_a)
    _write(client, leader, data.unfinished_task, text="要确保年底前完成")

    response = client.get(reverse("tracker:report_draft", args=[data.report.pk]))

    assert response.status_code == 200
    (material,) = [p for p in paragraphs(response.content) if "要确保年底前完成" in p]
    assert "批示" in material
    assert "赵书记" in material


def test_no_instruction_on_a_closed_report(client, leader, obligation, supervisor):
    obligation.report.closed_at = timezone.now()
    obligation.report.closed_by = supervisor
    obligation.report.save()

    response = _write(client, leader, obligation)

    assert response.status_code in (400, 403)
    assert not Instruction.objects.exists()

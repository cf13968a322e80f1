"""督办单 issued in a leader's name (交办领导, issue 23): the seed's rule, white by a
分管负责人, yellow by a 县委副书记·常务副县长, red by a 主要领导. A leader of the level
approves the prepared notice in the app, or a supervisor records the paper signature;
the notice page, the register and its export show who. White notices are numbered and
answered like the others."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import UserFactory
from tests.pages import parse, text
from tracker.models import (
    AccountProfile,
    LeaderLevel,
    Obligation,
    ProgressUpdate,
    SupervisionNotice,
)
from tracker.services.supervision import obligation_set_supervision

Level = Obligation.SupervisionLevel
AWAITING = "Awaiting the leader's signature"


def escalate(obligation, user, level=Level.RED):
    return obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=user,
        level=level,
        note="逾期未办",
    ).new_notice


@pytest.fixture
def notice(obligation, supervisor):
    return escalate(obligation, supervisor)


def _approve_url(notice):
    return reverse("tracker:notice_approve", args=[notice.pk])


def _signature_url(notice):
    return reverse("tracker:notice_signature", args=[notice.pk])


def _leader_of(level, username):
    user = UserFactory(username=username, first_name=username, groups=["leader"])
    AccountProfile.objects.create(user=user, leader_level=level)
    return user


def test_a_prepared_notice_says_it_awaits_the_leaders_signature(sv_client, notice):
    page = parse(sv_client.get(notice.get_absolute_url()))
    assert "awaiting the leader's signature" in text(page.xpath("//*[@data-leader]")[0])
    register = parse(sv_client.get(reverse("tracker:notice_register")))
    assert AWAITING in text(register.xpath("//td[@data-leader]")[0])


def test_the_principal_leader_approves_a_red_notice_in_the_app(client, leader, notice):
    client.force_login(leader)
    page = parse(in_english(client).get(notice.obligation.get_absolute_url()))
    assert page.xpath("//form[@action=$url]", url=_approve_url(notice))

    response = client.post(_approve_url(notice))

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.leader == leader
    assert notice.signed_on == timezone.localdate()
    entry = ProgressUpdate.objects.get(action=ProgressUpdate.Action.NOTICE_SIGNED)
    assert entry.author == leader
    assert notice.code in entry.text and "赵书记" in entry.text
    page = parse(client.get(notice.get_absolute_url()))
    assert text(page.xpath("//*[@data-leader]")[0]).endswith("赵书记")


def test_a_leader_of_another_level_cannot_approve_a_red_notice(
    client, supervisor, notice
):
    deputy = _leader_of(LeaderLevel.DEPUTY, "常务副县长")
    client.force_login(deputy)

    assert client.post(_approve_url(notice)).status_code == 403
    notice.refresh_from_db()
    assert not notice.is_signed


@pytest.mark.parametrize(
    ("level", "leader_level"),
    [
        (Level.WHITE, LeaderLevel.IN_CHARGE),
        (Level.YELLOW, LeaderLevel.DEPUTY),
        (Level.RED, LeaderLevel.PRINCIPAL),
    ],
)
def test_each_colour_is_approved_by_its_leaders_level(
    client, obligation, supervisor, level, leader_level
):
    notice = escalate(obligation, supervisor, level)
    client.force_login(_leader_of(leader_level, "领导"))

    assert client.post(_approve_url(notice)).status_code == 302
    notice.refresh_from_db()
    assert notice.is_signed


def test_a_signed_notice_is_not_signed_again(client, leader, notice):
    client.force_login(leader)
    client.post(_approve_url(notice))

    assert client.post(_approve_url(notice)).status_code == 403
    assert (
        ProgressUpdate.objects.filter(
            action=ProgressUpdate.Action.NOTICE_SIGNED
        ).count()
        == 1
    )


def test_a_supervisor_records_the_leaders_paper_signature(sv_client, notice):
    day = timezone.localdate()

    response = sv_client.post(
        _signature_url(notice), {"leader_name": "钱县长", "signed_on": day.isoformat()}
    )

    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.leader, notice.leader_name, notice.signed_on) == (
        None,
        "钱县长",
        day,
    )
    page = parse(sv_client.get(notice.obligation.get_absolute_url()))
    assert "signed on paper" in text(page.xpath("//*[@id='notices']")[0])
    register = parse(sv_client.get(reverse("tracker:notice_register")))
    assert text(register.xpath("//td[@data-leader]")[0]) == "钱县长"


def test_a_signature_dated_in_the_future_is_refused_and_nothing_changes(
    sv_client, notice
):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = sv_client.post(
        _signature_url(notice),
        {"leader_name": "钱县长", "signed_on": tomorrow.isoformat()},
    )

    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    notice.refresh_from_db()
    assert not notice.is_signed


def test_a_signature_without_the_leaders_name_is_refused(sv_client, notice):
    response = sv_client.post(
        _signature_url(notice),
        {"leader_name": "", "signed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    notice.refresh_from_db()
    assert not notice.is_signed


def test_staff_cannot_record_a_signature(client, staff_a, notice):
    client.force_login(staff_a)
    response = client.post(
        _signature_url(notice),
        {"leader_name": "钱县长", "signed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403


def test_the_register_export_names_the_issuing_leader(sv_client, leader, notice):
    sv_client.post(
        _signature_url(notice),
        {"leader_name": "钱县长", "signed_on": timezone.localdate().isoformat()},
    )

    response = sv_client.get(reverse("tracker:notice_register") + "?_export=csv")

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(content)))
    assert header[-2:] == ["Issuing leader (交办领导)", "Signed on"]
    assert row[-2:] == ["钱县长", timezone.localdate().isoformat()]


def test_raising_to_white_issues_a_notice_the_unit_answers(
    client, obligation, supervisor, staff_a
):
    notice = escalate(obligation, supervisor, Level.WHITE)
    client.force_login(staff_a)

    response = client.post(
        reverse("tracker:notice_reply", args=[notice.pk]), {"text": "已整改"}
    )

    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    assert notice.level == Level.WHITE
    assert notice.reply == "已整改"


def test_the_leader_of_the_level_finds_the_approval_on_the_notice_page(
    client, leader, sv_client, notice
):
    url = _approve_url(notice)
    assert not parse(sv_client.get(notice.get_absolute_url())).xpath(
        "//form[@action=$url]", url=url
    )
    client.force_login(leader)
    assert parse(client.get(notice.get_absolute_url())).xpath(
        "//form[@action=$url]", url=url
    )

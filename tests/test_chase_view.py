"""POST /obligations/<pk>/chase/ (催办): the supervisors' chase, shown on the item
with how many times and when; the unit answers from the item's page."""

from django.urls import reverse

from tests.conftest import in_english
from tests.pages import parse
from tracker.models import Chase, Notification


def _chase_url(obligation):
    return reverse("tracker:obligation_chase", args=[obligation.pk])


def test_supervisors_chase_notifies_the_unit_and_shows_on_the_item(
    sv_client, obligation, staff_a
):
    response = sv_client.post(_chase_url(obligation), {"note": "请本周内报送进展"})

    assert response.status_code == 302
    assert Notification.objects.filter(
        recipient=staff_a, kind=Notification.Kind.CHASED
    ).exists()
    page = parse(sv_client.get(obligation.get_absolute_url()))
    summary = page.xpath("//*[@data-chase-count]")[0]
    assert summary.get("data-chase-count") == "1"
    assert "Chased 1 time, last on" in summary.text_content()
    assert "请本周内报送进展" in page.xpath("//section[@id='chases']")[0].text_content()


def test_staff_get_403_and_nothing_is_chased(client, obligation, staff_a):
    client.force_login(staff_a)
    response = client.post(_chase_url(obligation), {"note": "催一下"})
    assert response.status_code == 403
    assert not Chase.objects.exists()


def test_a_chase_without_a_note_is_refused_with_a_message(sv_client, obligation):
    response = sv_client.post(_chase_url(obligation), {"note": ""})
    assert response.status_code == 400
    assert not Chase.objects.exists()


def test_the_unit_answers_the_chase_on_the_items_page(
    client, sv_client, obligation, staff_a
):
    sv_client.post(_chase_url(obligation), {"note": "请加快进度"})
    chase = Chase.objects.get()
    client.force_login(staff_a)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    assert page.xpath(
        "//form[@action=$url]", url=reverse("tracker:chase_answer", args=[chase.pk])
    )

    response = client.post(
        reverse("tracker:chase_answer", args=[chase.pk]), {"answer": "周五前完成"}
    )

    assert response.status_code == 302
    chase.refresh_from_db()
    assert chase.answer == "周五前完成" and chase.answered_by == staff_a

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.pages import parse, text


def _heading_and_way_back(response):
    page = parse(response)
    (back,) = page.xpath("//main//a[@href=$url]", url=reverse("tracker:dashboard"))
    return text(page.find(".//h1")), text(back)


def test_unknown_obligation_answers_a_friendly_404(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/obligations/999999/")
    assert response.status_code == 404
    assert _heading_and_way_back(response) == ("页面不存在", "返回看板")


def test_refused_action_answers_a_friendly_403(client, obligation, staff_b):
    client.force_login(staff_b)
    response = client.post(
        reverse("tracker:obligation_status", args=[obligation.pk]),
        {"status": "in_progress", "version": obligation.version},
    )
    assert response.status_code == 403
    assert _heading_and_way_back(response) == ("无权操作", "返回看板")
    assert "您的角色无权执行此操作。" in text(response)


def test_server_error_page_renders_without_a_request_context():
    # In the language of the request that failed; an earlier test's request may
    # have left another one active in this thread, so name it.
    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert "服务器错误" in html
    assert "app.css" in html

def test_unknown_obligation_answers_a_friendly_404(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/obligations/999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务器错误" in html
    assert "app.css" in html

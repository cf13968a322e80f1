def test_health_answers_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get("/obligations/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")

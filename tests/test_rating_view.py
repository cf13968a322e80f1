"""The rating on the obligation page: the approve form's radio group and comment,
the message after approving, the rating shown, and bad input that changes
nothing."""

import pytest

from tests.conftest import in_english
from tests.pages import description, form, parse, spoken, text
from tests.workflow_helpers import approve, post_status, set_status, status_url
from tracker.models import Obligation, ProgressUpdate

S = Obligation.Status
R = Obligation.Rating


@pytest.fixture
def submitted(obligation):
    return set_status(obligation, S.SUBMITTED)


def _rating_group(response, obligation):
    (group,) = form(response, status_url(obligation)).xpath(".//fieldset[legend]")
    return group


def test_approve_form_offers_the_four_ratings_as_a_named_radio_group(
    sv_client, submitted
):
    response = sv_client.get(submitted.get_absolute_url())

    group = _rating_group(response, submitted)
    assert text(group.xpath("./legend")[0]) == "Rating of the result (when approving)"
    radios = group.xpath(".//input[@type='radio'][@name='rating']")
    labels = [spoken(radio.getparent()) for radio in radios]
    assert labels == ["Excellent", "Good", "Fair", "Poor"]
    (comment,) = form(response, status_url(submitted)).xpath(
        ".//textarea[@name='rating_comment']"
    )
    assert "Required for “Fair” and “Poor”" in description(comment)


def test_the_form_is_in_chinese_by_default(client, supervisor, submitted):
    client.force_login(supervisor)

    group = _rating_group(client.get(submitted.get_absolute_url()), submitted)

    assert text(group).startswith("结果考评（办结时填写）")
    assert [spoken(label) for label in group.xpath(".//label")] == [
        "优秀",
        "良好",
        "一般",
        "较差",
    ]


@pytest.mark.parametrize("status", [S.NOT_STARTED, S.DONE])
def test_no_rating_fields_where_approving_is_not_offered(sv_client, obligation, status):
    set_status(obligation, status)

    page = parse(sv_client.get(obligation.get_absolute_url()))

    assert not page.xpath("//*[@name='rating' or @name='rating_comment']")


def test_working_staff_see_no_rating_fields_on_their_submission(
    client, staff_a, submitted
):
    client.force_login(staff_a)

    page = parse(client.get(submitted.get_absolute_url()))

    assert not page.xpath("//*[@name='rating' or @name='rating_comment']")


def test_approving_with_a_rating_says_so_and_the_page_shows_it(
    client, supervisor, submitted
):
    client.force_login(supervisor)

    response = post_status(
        client, submitted, status=S.DONE, rating=R.FAIR, rating_comment="进度偏慢"
    )

    assert response.status_code == 302
    page = in_english(client).get(response["Location"])
    assert "The obligation is now “Done”, rated “Fair”." in text(page)
    (facts,) = parse(page).xpath("//dl[contains(@class, 'facts')]")
    assert "Rating Fair" in text(facts)
    (comment,) = facts.xpath(".//*[contains(@class, 'rating-comment')]")
    assert text(comment) == "进度偏慢"
    timeline = text(parse(page).xpath("//*[@id='timeline']")[0])
    assert "考评结果：一般" in timeline and "考评意见：进度偏慢" in timeline


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": S.DONE}, "Rate the result"),
        ({"status": S.DONE, "rating": R.POOR}, "why the result is “Poor”"),
        ({"status": S.DONE, "rating": "superb"}, "Select a valid choice."),
        (
            {"status": S.DONE, "rating": R.POOR, "rating_comment": "差" * 10_000},
            "at most 2000 characters (it has 10000)",
        ),
        (
            {"status": S.RETURNED, "note": "材料不全", "rating": R.GOOD},
            "A rating is given only when approving",
        ),
    ],
)
def test_bad_rating_input_is_refused_with_the_reason_and_changes_nothing(
    client, supervisor, submitted, data, message
):
    client.force_login(supervisor)

    response = post_status(client, submitted, **data)

    assert response.status_code == 400
    assert message in text(form(response, status_url(submitted)))
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version, submitted.rating) == (
        S.SUBMITTED,
        1,
        "",
    )
    assert not ProgressUpdate.objects.exists()


def test_a_refused_rating_keeps_what_was_typed(client, supervisor, submitted):
    client.force_login(supervisor)

    response = post_status(
        client,
        submitted,
        status=S.DONE,
        rating=R.POOR,
        note="请注意",
        rating_comment="",
    )

    page = form(response, status_url(submitted))
    (checked,) = page.xpath(".//input[@name='rating'][@checked]")
    assert checked.get("value") == R.POOR
    assert page.xpath(".//textarea[@name='note']")[0].text.strip() == "请注意"


def test_reopening_from_the_page_clears_the_rating_and_the_timeline_says_so(
    client, supervisor, submitted
):
    approve(submitted, supervisor, R.GOOD)
    client.force_login(supervisor)

    response = post_status(client, submitted, status=S.IN_PROGRESS, note="复查发现问题")

    assert response.status_code == 302
    page = in_english(client).get(response["Location"])
    (facts,) = parse(page).xpath("//dl[contains(@class, 'facts')]")
    assert "Rating" not in text(facts)
    assert "已清除考评结果“良好”" in text(page)

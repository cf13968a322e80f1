"""services.common.typed_text: what every service stores of a user's typing."""

import pytest
from django.utils import translation

from tracker.services.common import ServiceError, typed_text


def test_control_characters_go_line_breaks_stay_ends_are_trimmed():
    assert typed_text("  第一行\x07\n第二行\x00  ") == "第一行\n第二行"


def test_nothing_typed_is_allowed_unless_a_message_says_it_is_needed():
    assert typed_text(None) == ""
    with pytest.raises(ServiceError) as refused:
        typed_text(" \n\t", empty_message="写上理由。")
    assert str(refused.value) == "写上理由。"


def test_too_long_says_the_limit_in_the_users_language():
    with translation.override("zh-hans"):
        with pytest.raises(ServiceError) as refused:
            typed_text("字" * 11, max_length=10)
    assert str(refused.value) == "内容过长：最多 10 个字。"
    assert typed_text("字" * 10, max_length=10) == "字" * 10

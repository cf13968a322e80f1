"""tracker/static/tracker/app.css: the focus ring stays visible for keyboard users."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "tracker/static/tracker/app.css").read_text()


def _colour(name):
    """The custom property ``--name`` of app.css as six hex digits."""
    digits = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{3,6}});", CSS).group(1)
    return digits if len(digits) == 6 else "".join(d * 2 for d in digits)


def _luminance(hex_digits):
    # WCAG 2.x relative luminance of an sRGB colour.
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_focus_outline_uses_the_focus_colour_everywhere():
    rule = re.search(r"a:focus, button:focus[^{]*\{([^}]*)\}", CSS).group(1)
    assert "var(--focus)" in rule
    assert "#f2cc60" not in rule
    assert re.search(
        r"\.topbar :focus\s*\{\s*outline-color: var\(--focus-on-accent\)", CSS
    )


@pytest.mark.parametrize("background", ["card", "bg"])
def test_focus_ring_has_at_least_3_to_1_contrast_on_cards_and_page(background):
    assert _contrast(_colour("focus"), _colour(background)) >= 3
    assert _contrast(_colour("focus"), "ffffff") >= 3


def test_focus_ring_on_the_red_top_bar_has_at_least_3_to_1_contrast():
    assert _contrast(_colour("focus-on-accent"), _colour("accent")) >= 3

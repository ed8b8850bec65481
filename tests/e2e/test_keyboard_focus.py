"""The keyboard focus ring is visible wherever focus goes: on the blue navigation bar and on
the white page (WCAG 2.2 SC 2.4.7, with the 3:1 contrast of SC 1.4.11)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory

from .helpers import sign_in

# The focused element's ring and the background behind it, as the browser computed them.
RING = """(el) => {
    const style = getComputedStyle(el);
    let behind = el, background = "rgba(0, 0, 0, 0)";
    while (behind && /rgba\\(.*, 0\\)|transparent/.test(background)) {
        background = getComputedStyle(behind).backgroundColor;
        behind = behind.parentElement;
    }
    return {
        outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, outlineColor: style.outlineColor,
        boxShadow: style.boxShadow, background: background === "rgba(0, 0, 0, 0)" ? "rgb(255, 255, 255)" : background,
    };
}"""


def _luminance(rgb: str) -> float:
    """WCAG 2.x relative luminance of a computed `rgb(r, g, b)` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _tab_to(page, locator, presses: int = 30) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def assert_ring_visible(ring: dict) -> None:
    assert ring["outlineStyle"] != "none" and float(ring["outlineWidth"].removesuffix("px")) >= 2, ring
    assert contrast(ring["outlineColor"], ring["background"]) >= 3, f"the ring is lost on its background: {ring}"


@pytest.mark.django_db(transaction=True)
def test_a_keyboard_user_sees_where_focus_is_on_the_navigation_bar_and_the_page(desktop):
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)
    sign_in(desktop, "alma@example.org")
    expect(desktop.get_by_role("heading", level=1)).to_be_visible()

    nav_link = desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programs")
    _tab_to(desktop, nav_link)
    ring = nav_link.evaluate(RING)
    assert ring["background"] == "rgb(10, 88, 202)", ring  # the navigation bar's blue
    assert_ring_visible(ring)
    # The white band inside the outline is as plain on the blue bar.
    assert re.search(r"rgb\(255, 255, 255\) 0px 0px 0px 2px", ring["boxShadow"]), ring
    assert contrast("rgb(255, 255, 255)", ring["background"]) >= 3

    on_page = desktop.get_by_role("main").get_by_role("link").first
    _tab_to(desktop, on_page, presses=60)
    ring = on_page.evaluate(RING)
    assert_ring_visible(ring)

"""What every browser journey does: sign in through the real form, and check the page fits."""

from accounts.tests.factories import PASSWORD


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assert_fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


# For page.wait_for_function(CHART_DRAWN, arg=canvas_id): Chart.js (loaded with `defer`) has
# drawn on that canvas. `window.Chart` first: before the script arrives, `Chart` is undefined.
CHART_DRAWN = """(id) => {
    const canvas = document.getElementById(id);
    return Boolean(window.Chart && canvas && Chart.getChart(canvas) && canvas.width > 0 && canvas.height > 0);
}"""

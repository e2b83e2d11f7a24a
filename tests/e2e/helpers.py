"""Browser steps shared by the journeys."""

from tests.factories import totp_code

PASSWORD = "a-Strong-pass-42"


def sign_in(page, base_url: str, email: str, *, prefix: str = "", password: str = PASSWORD, totp_secret=None):
    """Sign in through the real form; answer the two-factor step when the account has one."""
    page.goto(f"{base_url}{prefix}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    if "/2fa/authenticate/" in page.url:
        assert totp_secret, "this account asks for a two-factor code"
        page.fill("input[name=code]", totp_code(totp_secret))
        with page.expect_navigation():
            page.locator("form.stack-form button[type=submit]:not([form])").click()  # not "Cancel"

"""Refusals that views raise and the accounts middleware answers, the same way everywhere."""


class TwoFactorRequired(Exception):
    """The person may use this only after setting up two-factor sign-in.

    Raised by the access decision (``courses.selectors.Access.enforce``) and answered by
    ``lms.accounts.middleware.TwoFactorRequiredMiddleware``: a page view is sent to the set-up
    page (coming back afterwards), anything else gets a 403 that says why; nothing is changed.
    """

"""The refusals club delivery answers with: a readable message and an HTTP status."""

from django.utils.translation import gettext_lazy as _


class DeliveryError(Exception):
    """An action that cannot be done as asked; nothing was written."""

    status = 400
    message = _("This action is not possible.")

    def __init__(self, message=None, *, field: str | None = None):
        if message is not None:
            self.message = message
        self.field = field  # the form field the message belongs to, if one
        super().__init__(str(self.message))


class NotFound(DeliveryError):
    """Not there, or not this person's: the same answer (a facilitator never learns of other clubs)."""

    status = 404
    message = _("Page not found.")


class NotAllowed(DeliveryError):
    status = 403
    message = _("You may not do this.")


class Conflict(DeliveryError):
    """The request is fine but the state forbids it (a meeting that took place, a duplicate)."""

    status = 409

"""What the views share: turning a refusal into a form error with its HTTP status."""

from __future__ import annotations

from django.http import Http404

from ..errors import DeliveryError, NotFound


def apply_error(form, error: DeliveryError) -> int:
    """Show a service's refusal on the form (on its field when it names one); returns the status."""
    if isinstance(error, NotFound):
        raise Http404(str(error.message))
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
    return error.status

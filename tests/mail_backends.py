"""Email backends for tests: Django's own in-memory backend, watched."""

from __future__ import annotations

from django.core.mail.backends import locmem


class StateRecordingBackend(locmem.EmailBackend):
    """Django's locmem backend that, as each message is handed over, records what ``probe()``
    (set by the test) reads from the database at that very moment."""

    probe = staticmethod(lambda: None)
    seen: list = []

    def send_messages(self, messages):
        for _message in messages:
            type(self).seen.append(type(self).probe())
        return super().send_messages(messages)

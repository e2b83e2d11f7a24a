"""Wagtail's admin messages in Mongolian keep a space and quotes around the name they mention."""

from django.utils import translation
from django.utils.translation import gettext


def test_created_updated_deleted_messages_do_not_run_words_together():
    with translation.override("mn"):
        for english in ("created", "updated", "deleted"):
            message = gettext(f"%(model_name)s '%(object)s' {english}.") % {
                "model_name": "H5P дасгал",
                "object": "Arithmetic Quiz",
            }
            assert message.startswith("H5P дасгал “Arithmetic Quiz” "), message
        assert gettext("%(objects)s documents selected") % {"objects": 3} == "3 документ сонгогдсон"

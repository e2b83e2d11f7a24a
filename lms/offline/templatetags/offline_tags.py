"""What every page gives the offline script: whose device it is, where to sync, and its words."""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _

from lms.offline.app import user_key

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_body_attributes(context):
    request = context.get("request")
    if request is None:
        return ""
    user = getattr(request, "user", None)
    key = user_key(user)
    # With H5P_ORIGIN, the page of that origin that keeps (and forgets) downloaded activities.
    h5p = (
        format_html(' data-offline-h5p="{}"', settings.H5P_ORIGIN + reverse("assessments:h5p_offline_helper"))
        if settings.H5P_ORIGIN
        else ""
    )
    if not key:
        return format_html('data-offline-user="{}"{}', "", h5p)
    return format_html(
        'data-offline-user="{}" data-offline-csrf="{}" data-offline-sync="{}" data-offline-status="{}"{}',
        key,
        get_token(request),
        reverse("offline:sync"),
        reverse("offline:status"),
        h5p,
    )


@register.simple_tag
def offline_texts():
    texts = {
        "offline": _("You are offline."),
        "waiting": _("{count} waiting to be sent"),
        "lastSync": _("Last sent {time}"),
        "synced": _("Sent from this phone:"),
        "seeResult": _("See the result"),
        "dismiss": _("OK, hide this"),
        "reload": _("Show my progress now"),
        "failed": _("The download did not work. Check your connection and try again."),
        "fileFailed": _("A file could not be downloaded ({url}): please download the course again."),
        "full": _("There is not enough space on this phone for this course. Free some space and try again."),
        "size": _("{lessons} lessons, about {size} MB. Download them now?"),
        "onlineOnlyOne": _("1 interactive activity needs a connection and is not downloaded."),
        "h5pFailed": _(
            "The interactive activities could not be downloaded: please download the course again."
        ),
        "onlineOnly": _("{count} interactive activities need a connection and are not downloaded."),
        "progress": _("{done} of {total} files · {size} MB"),
        "downloaded": _("Downloaded. This course now opens without a connection."),
        "onDevice": _("On this phone: {size} MB, version {version}, downloaded {time}."),
        "updating": _("Your version of the course changed: updating the copy on this phone…"),
        "updated": _("The copy on this phone is up to date."),
        "removed": _("Removed from this phone."),
        "needOnline": _("Connect to the internet to download this course."),
        "completeQueued": _("Marked complete on this phone. It will be sent when you are online."),
        "quizOnline": _("This quiz needs a connection (it has a time limit, or it was not downloaded)."),
        "signOutPending": _(
            "{count} things you did offline have not been sent yet and will be lost if you sign out now. Sign out anyway?"
        ),
    }
    return json_script(texts, "offline-texts")

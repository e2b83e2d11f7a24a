"""The home page of the site, in each language."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from courses.routing import WholePathRouteMixin


class HomePage(WholePathRouteMixin, Page):
    """The front door: what CPC Learn is, and the way into the catalogue."""

    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul", "ol"])

    content_panels = Page.content_panels + [FieldPanel("tagline"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count_per_parent = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses.models import CourseIndexPage
        from courses.selectors import catalogue_for_user

        context = super().get_context(request, *args, **kwargs)
        catalogue = CourseIndexPage.objects.live().child_of(self).first()
        context["catalogue"] = catalogue
        context["courses"] = catalogue_for_user(index_page=catalogue, user=request.user) if catalogue else []
        return context

"""Template tags for the site shell: the language switcher and page links."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Page

register = template.Library()

CATALOGUE_URL_SECONDS = 300


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this page in every language: the page's translation, or the same view."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    urls = {}
    translations = context.get("page_translations")
    if translations is None and isinstance(page, Page) and page.pk:
        translations = {
            translated.locale.language_code: translated
            for translated in Page.objects.live()
            .filter(translation_key=page.translation_key)
            .select_related("locale")
        }
    for code, translated in (translations or {}).items():
        urls[code] = translated.get_url(request)
    links = []
    for code, name in settings.LANGUAGES:
        url = urls.get(code)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}


@register.simple_tag(takes_context=True)
def catalogue_url(context):
    """The catalogue's address in the active language, cached briefly (it is on every page)."""
    language = translation.get_language()
    url = cache.get(f"catalogue_url:{language}")
    if url is None:
        from courses.models import CourseIndexPage

        page = CourseIndexPage.objects.live().filter(locale__language_code=language).first()
        url = page.get_url(context.get("request")) if page else "/"
        cache.set(f"catalogue_url:{language}", url, CATALOGUE_URL_SECONDS)
    return url

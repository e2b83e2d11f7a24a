"""Page routing in a constant number of queries, however deep the page.

Wagtail routes a URL one level at a time (two queries per level). A lesson lives five levels
down, so the home page resolves the whole path at once by ``url_path`` instead, remembers the
pages on the way (for breadcrumbs and view restrictions), and falls back to Wagtail's own
routing for anything it does not recognise (such as a routable page's sub-URL).
"""

from __future__ import annotations

from wagtail.models import Page, PageViewRestriction


class WholePathRouteMixin:
    """For the site root page: find the page at the end of the path in one query."""

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        paths = [
            self.url_path + "/".join(path_components[: i + 1]) + "/" for i in range(len(path_components))
        ]
        found = {
            page.url_path: page
            for page in Page.objects.filter(url_path__in=paths, path__startswith=self.path).only(
                "id",
                "path",
                "depth",
                "url_path",
                "title",
                "slug",
                "live",
                "locale_id",
                "translation_key",
                "content_type_id",
                "alias_of_id",
                "numchild",
            )
        }
        if len(found) != len(paths):
            return super().route(request, path_components)
        chain = [self] + [found[path] for path in paths]
        target = chain[-1].specific
        target._route_chain = chain
        return target.route(request, [])


class RouteChainMixin:
    """For pages below the root: ancestors and view restrictions from the route, without queries."""

    def route_ancestors(self) -> list[Page]:
        """The pages above this one, from the site root down (the root node itself excluded)."""
        chain = getattr(self, "_route_chain", None)
        if chain is not None:
            return chain[:-1]
        return list(self.get_ancestors().filter(depth__gt=1))

    def get_view_restrictions(self):
        chain = getattr(self, "_route_chain", None)
        if chain is None or any(page.alias_of_id for page in chain):
            return super().get_view_restrictions()
        # The root node (depth 1) cannot carry a view restriction, so the chain covers them all.
        return PageViewRestriction.objects.filter(page_id__in=[page.pk for page in chain])

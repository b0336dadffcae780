"""The sitemap and the feed: public records only, whoever asks (the public viewer, always)."""

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Page

from testimonies.access import (
    PUBLIC_VIEWER,
    excerpts_visible_to,
    testimonies_visible_to,
    witnesses_visible_to,
)
from testimonies.models import Theme

from .public import SITE_NAME, timecode


class WagtailPagesSitemap(Sitemap):
    """Live Wagtail pages without view restrictions (home, about…)."""

    def items(self):
        return Page.objects.live().public().filter(depth__gt=1).order_by("path")

    def location(self, item):
        return item.url or "/"

    def lastmod(self, item):
        return item.last_published_at


class ExcerptSitemap(Sitemap):
    def items(self):
        return excerpts_visible_to(PUBLIC_VIEWER).order_by("pk").only("public_id", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class TestimonySitemap(Sitemap):
    def items(self):
        return testimonies_visible_to(PUBLIC_VIEWER).order_by("pk").only("public_id", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class WitnessSitemap(Sitemap):
    def items(self):
        return witnesses_visible_to(PUBLIC_VIEWER).order_by("pk").only("public_id")


class ThemeSitemap(Sitemap):
    def items(self):
        return Theme.objects.order_by("slug").only("slug")

    def location(self, item):
        return reverse("archive:theme", args=[item.slug])


class ListingSitemap(Sitemap):
    def items(self):
        return ["archive:theme_index", "archive:sources"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": WagtailPagesSitemap,
    "listings": ListingSitemap,
    "themes": ThemeSitemap,
    "excerpts": ExcerptSitemap,
    "testimonies": TestimonySitemap,
    "witnesses": WitnessSitemap,
}


class NewExcerptsFeed(Feed):
    """Newly approved public excerpts, newest first."""

    feed_type = Atom1Feed
    title = f"{SITE_NAME}: newly approved excerpts"
    subtitle = "Excerpts of testimony newly approved for public reading."
    limit = 50

    def link(self):
        return reverse("archive:feed")

    def items(self):
        return (
            excerpts_visible_to(PUBLIC_VIEWER)
            .select_related("testimony__witness")
            .annotate(approved_at=Coalesce("first_published_at", "created_at"))
            .order_by("-approved_at", "-pk")[: self.limit]
        )

    def item_title(self, item):
        return f"{item.testimony.witness.pseudonym}: {item.testimony.title}"

    def item_description(self, item):
        prefix = f"Content warning: {item.content_warning}. " if item.content_warning else ""
        at = f" (at {timecode(item.start_ms)})" if item.start_ms is not None else ""
        return f"{prefix}{item.public_text}{at}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.approved_at

    def item_updateddate(self, item):
        return item.approved_at

    def item_author_name(self, item):
        return item.testimony.witness.pseudonym

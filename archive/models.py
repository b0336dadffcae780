"""The public site's Wagtail pages."""

from django.db import models
from django.db.models import F
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from testimonies.access import PUBLIC_VIEWER, excerpts_visible_to, viewer_for


class HomePage(Page):
    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from . import structured
        from .public import (
            annotated_tree,
            chart_rows,
            collection_numbers,
            collection_stats,
            countries_chart,
        )

        context = super().get_context(request, *args, **kwargs)
        visible = excerpts_visible_to(request.user)
        # Featured: the newest approved excerpts that need no content warning.
        # Every approved excerpt is dated (Excerpt.save), so the newest come from the index
        # on first_published_at, however large the collection.
        context["featured_excerpts"] = list(
            visible.filter(content_warning="", first_published_at__isnull=False)
            .select_related("testimony__witness")
            .annotate(approved_at=F("first_published_at"))
            .order_by("-first_published_at", "-pk")[:4]
        )
        # The figures once per request (each lookup asks the database for the version).
        stats = collection_stats(request.user)
        numbers = stats["numbers"]
        context["numbers"] = numbers
        context["public_excerpt_count"] = numbers["excerpts"]
        roots = annotated_tree(request.user, stats)
        context["roots"] = roots
        context["chart"] = chart_rows(roots)
        context["chart_height"] = len(context["chart"]) * 34
        context["countries"] = countries_chart(request.user, stats)
        context["about_page"] = (
            StaticContentPage.objects.live().public().filter(slug="about").first()
        )
        context["canonical_url"] = request.build_absolute_uri("/")
        context["indexable"] = True
        # Structured data speaks for the public, whoever is signed in.
        context["viewer_is_public"] = viewer_for(request.user) == PUBLIC_VIEWER
        public_numbers = (
            numbers if context["viewer_is_public"] else collection_numbers(PUBLIC_VIEWER)
        )
        context["jsonld"] = structured.home(public_numbers, request)
        context["og"] = {
            "type": "website",
            "title": self.title,
            "description": "Testimony of North Korean workers sent abroad by their state.",
            "url": context["canonical_url"],
        }
        return context

    class Meta:
        verbose_name = "home page"


class StaticContentPage(Page):
    """About, ethics and other pages of plain prose."""

    body = RichTextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["archive.HomePage"]
    subpage_types: list = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["canonical_url"] = request.build_absolute_uri(self.url or "/")
        context["indexable"] = True
        context["og"] = {
            "type": "article",
            "title": self.title,
            "description": self.search_description,
            "url": context["canonical_url"],
        }
        context["jsonld"] = {
            "@context": "https://schema.org",
            "@type": "WebPage",
            "name": self.title,
            "url": context["canonical_url"],
        }
        return context


__all__ = ["HomePage", "StaticContentPage", "models"]

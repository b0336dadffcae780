"""The public site's Wagtail pages."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from testimonies.access import excerpts_visible_to


class HomePage(Page):
    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        visible = excerpts_visible_to(request.user)
        context["featured_excerpts"] = visible.select_related("testimony__witness").order_by(
            "-first_published_at", "pk"
        )[:6]
        context["public_excerpt_count"] = visible.count()
        return context

    class Meta:
        verbose_name = "home page"


class StaticContentPage(Page):
    """About, ethics and other pages of plain prose."""

    body = RichTextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["archive.HomePage"]
    subpage_types: list = []


__all__ = ["HomePage", "StaticContentPage", "models"]

"""Facets and filters of research search (django-filter), applied to querysets that the
access policy has already limited. The same filter names work on excerpts and on testimonies
(transcript hits)."""

import django_filters
from django import forms
from django.db.models import Q

from testimonies.access import excerpts_visible_to, witnesses_visible_to
from testimonies.models import Country, Excerpt, Sector, Source, Testimony, Theme


def _visible_witnesses(request):
    return witnesses_visible_to(request.user if request else None)


class _Facets(django_filters.FilterSet):
    """Filters shared by excerpts and testimonies; `testimony_path` reaches the testimony."""

    testimony_path = ""

    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.all(), to_field_name="slug", method="filter_theme", label="Theme"
    )
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        method="filter_testimony",
        label="Country",
    )
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_testimony",
        label="Sector",
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.all(),
        to_field_name="public_id",
        method="filter_testimony",
        label="Source",
    )
    witness = django_filters.ModelChoiceFilter(
        queryset=_visible_witnesses,
        to_field_name="public_id",
        method="filter_testimony",
        label="Witness",
        # A box for the witness identifier, not a list of every witness: tens of thousands of
        # options made the page megabytes long (the facets below link to each witness found).
        widget=forms.TextInput(attrs={"size": 12}),
    )
    period_from = django_filters.NumberFilter(
        method="filter_period_from",
        label="Period from (year)",
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2100}),
    )
    period_to = django_filters.NumberFilter(
        method="filter_period_to",
        label="Period to (year)",
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2100}),
    )

    FIELD_FOR = {"country": "countries", "sector": "sectors", "source": "sources"}

    def _path(self, name):
        return f"{self.testimony_path}{name}"

    def filter_testimony(self, queryset, name, value):
        return queryset.filter(**{self._path(self.FIELD_FOR.get(name, name)): value}).distinct()

    def filter_period_from(self, queryset, name, value):
        # Periods overlap: the testimony's period ends on or after the year asked for.
        end = self._path("period_to")
        start = self._path("period_from")
        return queryset.filter(
            Q(**{f"{end}__gte": value}) | Q(**{f"{end}__isnull": True, f"{start}__gte": value})
        )

    def filter_period_to(self, queryset, name, value):
        start = self._path("period_from")
        return queryset.filter(**{f"{start}__lte": value})


class ExcerptFacets(_Facets):
    class Meta:
        model = Excerpt
        fields: list = []

    def filter_theme(self, queryset, name, value):
        return queryset.filter(themes__in=value.descendant_ids()).distinct()


class TestimonyFacets(_Facets):
    class Meta:
        model = Testimony
        fields: list = []

    def filter_theme(self, queryset, name, value):
        # A testimony is "about" a theme when an excerpt this user may see is tagged with it
        # (or a narrower theme); hidden excerpts never count.
        user = self.request.user if self.request else None
        tagged = excerpts_visible_to(user).filter(themes__in=value.descendant_ids())
        return queryset.filter(pk__in=tagged.values("testimony_id"))


ExcerptFacets.testimony_path = "testimony__"
FILTER_NAMES = ("theme", "country", "sector", "source", "witness", "period_from", "period_to")

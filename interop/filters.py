"""Search and filters for the API, applied to querysets the access policy has already limited.

Every filter that reaches across records (an excerpt's themes for a testimony, a testimony's
countries for a witness) goes through the records visible to the same caller, so a filter
never reveals anything about a hidden record.
"""

import re

from django.db.models import Case, IntegerField, Q, When
from wagtail.search.backends import get_search_backend

from testimonies.access import excerpts_visible_to, testimonies_visible_to
from testimonies.models import Country, Sector, Theme

PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
MAX_SEARCH_RESULTS = 1000


class FilterError(ValueError):
    """A filter value that cannot be understood; the message names the parameter."""


def parse_period(text):
    match = PERIOD.match(text)
    if not match:
        raise FilterError(f"period: {text!r} is not a year (YYYY) or a range of years (YYYY-YYYY)")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if end < start:
        raise FilterError(f"period: {text!r} ends before it starts")
    return start, end


def theme_ids(slug):
    theme = Theme.objects.filter(slug=slug).first()
    return theme.descendant_ids() if theme else []


def search(queryset, q):
    """`queryset` limited to what the site's search backend finds for `q`, best first.

    The search index holds only redacted text, so no search matches a redacted word. Only the
    query's words reach the backend (as on the site's search): no backend's operators or
    quoting, which a hostile query could otherwise break."""
    from archive.search import query_terms

    terms = query_terms(q)
    if not terms:
        return queryset.none()
    backend = get_search_backend()
    model = queryset.model
    hits = backend.search(" ".join(terms), model.objects.all())[:MAX_SEARCH_RESULTS]
    ids = [hit.pk for hit in hits]
    if not ids:
        return queryset.none()
    order = Case(
        *[When(pk=pk, then=rank) for rank, pk in enumerate(ids)], output_field=IntegerField()
    )
    return queryset.filter(pk__in=ids).order_by(order, "pk")


def _testimony_conditions(params, prefix=""):
    """Conditions on testimony fields (country, sector, period, source) as one Q."""
    cond = Q()
    if params.get("country"):
        country = Country.objects.filter(code__iexact=params["country"]).first()
        cond &= Q(**{f"{prefix}countries": country}) if country else Q(pk__in=[])
    if params.get("sector"):
        sector = Sector.objects.filter(slug=params["sector"]).first()
        cond &= Q(**{f"{prefix}sectors": sector}) if sector else Q(pk__in=[])
    if params.get("period"):
        start, end = parse_period(params["period"])
        cond &= Q(**{f"{prefix}period_from__lte": end}) | Q(
            **{f"{prefix}period_from__isnull": True}
        )
        cond &= Q(**{f"{prefix}period_to__gte": start}) | Q(**{f"{prefix}period_to__isnull": True})
        cond &= Q(**{f"{prefix}period_from__isnull": False}) | Q(
            **{f"{prefix}period_to__isnull": False}
        )
    if params.get("source"):
        cond &= Q(**{f"{prefix}sources__public_id": params["source"]})
    return cond


def filter_excerpts(user, queryset, params):
    """Excerpts (already visible to `user`) filtered by q, theme, country, sector, period and
    source."""
    if params.get("theme"):
        queryset = queryset.filter(themes__in=theme_ids(params["theme"]))
    testimony_cond = _testimony_conditions(params)
    if testimony_cond:
        testimonies = testimonies_visible_to(user).filter(testimony_cond)
        queryset = queryset.filter(testimony__in=testimonies.values("pk"))
    queryset = queryset.distinct()
    if params.get("q"):
        queryset = search(queryset, params["q"])
    return queryset


def filter_testimonies(user, queryset, params):
    if params.get("theme"):
        excerpts = excerpts_visible_to(user).filter(themes__in=theme_ids(params["theme"]))
        queryset = queryset.filter(pk__in=excerpts.values("testimony_id"))
    testimony_cond = _testimony_conditions(params)
    if testimony_cond:
        queryset = queryset.filter(
            pk__in=testimonies_visible_to(user).filter(testimony_cond).values("pk")
        )
    queryset = queryset.distinct()
    if params.get("q"):
        queryset = search(queryset, params["q"])
    return queryset


def filter_witnesses(user, queryset, params):
    if any(params.get(k) for k in ("theme", "country", "sector", "period", "source")):
        testimonies = filter_testimonies(
            user, testimonies_visible_to(user), {k: v for k, v in params.items() if k != "q"}
        )
        queryset = queryset.filter(pk__in=testimonies.values("witness_id"))
    queryset = queryset.distinct()
    if params.get("q"):
        queryset = search(queryset, params["q"])
    return queryset

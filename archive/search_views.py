"""The public search page: validates input with a form, then asks archive.search."""

import logging

from django.shortcuts import render
from django.utils.http import urlencode

from .search import (
    FACETS,
    InvalidSearch,
    SearchForm,
    SearchUnavailable,
    form_messages,
    search_public,
)

logger = logging.getLogger(__name__)

FACET_TITLES = {
    "theme": "Theme",
    "country": "Country of work",
    "sector": "Sector",
    "period": "Years abroad",
    "source": "Source",
}


def _link(params, **changes):
    """The search URL for the current parameters with `changes` (None removes a parameter)."""
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "errors": [], "outcome": None, "facet_groups": []}
    status = 200
    if not form.is_valid():
        context["errors"] = form_messages(form)
        status = 400
    else:
        data = form.cleaned_data
        filters = {name: data.get(name) or "" for name in FACETS}
        if filters["country"]:
            filters["country"] = filters["country"].upper()
        try:
            outcome = search_public(request.user, data["q"], filters, data.get("page") or 1)
        except InvalidSearch as exc:
            context["errors"] = exc.messages
            status = 400
        except SearchUnavailable as exc:
            # Logged without the query or the backend's message, which may repeat it: a
            # visitor may have typed anything, a name included.
            logger.error("The search backend failed: %s", type(exc.__cause__).__name__)
            context["unavailable"] = True
            status = 503
        else:
            params = {"q": data["q"], **{k: v for k, v in filters.items() if v}}
            context["outcome"] = outcome
            context["facet_groups"] = [
                {
                    "name": name,
                    "title": FACET_TITLES[name],
                    "selected": filters[name],
                    "clear_url": _link(params, **{name: None}),
                    "values": [
                        {
                            "value": value,
                            "url": _link(params, **{name: None if value.selected else value.value}),
                        }
                        for value in outcome.facets.get(name, [])
                    ],
                }
                for name in FACETS
            ]
            context["previous_url"] = _link(params, page=outcome.page_number - 1)
            context["next_url"] = _link(params, page=outcome.page_number + 1)
    return render(request, "archive/search.html", context, status=status)

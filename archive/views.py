"""The public archive's pages: excerpts, testimonies, witnesses, themes, sources, citations,
sitemap and feed. Every record is fetched through `testimonies.access`; anything the viewer may
not see answers 404, exactly as if it did not exist."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from testimonies.access import (
    excerpt_text_for,
    excerpts_visible_to,
    get_visible_or_404,
    testimonies_visible_to,
)
from testimonies.models import Excerpt, Testimony, Theme, Witness

from . import citations, structured
from .public import (
    annotated_tree,
    excerpt_cards,
    is_public_for,
    period_label,
    subtree_ids,
    theme_counts,
    theme_tree,
    visible_sources,
)

EXCERPTS_PER_PAGE = 20
TESTIMONY_EXCERPTS_PER_PAGE = 100


class KnownCountPaginator(Paginator):
    """A paginator told its count instead of counting the rows again."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def _excerpt_for(request, public_id):
    queryset = Excerpt.objects.select_related("testimony__witness").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name")),
        "testimony__countries",
        "testimony__sectors",
        "testimony__sources",
    )
    return get_visible_or_404(queryset, request.user, public_id=public_id)


def excerpt(request, public_id):
    item = _excerpt_for(request, public_id)
    testimony = item.testimony
    url = request.build_absolute_uri(item.get_absolute_url())
    sources = list(testimony.sources.all())
    public = is_public_for(request.user, item)
    context = {
        "excerpt": item,
        "text": excerpt_text_for(request.user, item),
        "testimony": testimony,
        "witness": testimony.witness,
        "themes": list(item.themes.all()),
        "countries": list(testimony.countries.all()),
        "sectors": list(testimony.sectors.all()),
        "period": period_label(testimony),
        "sources": [(s, citations.source_reference(s)) for s in sources],
        "reference": citations.excerpt_reference(item, url, timezone.localdate()),
        "canonical_url": url,
        "indexable": public,
        "jsonld": structured.excerpt(item, url, request) if public else None,
        "og": structured.excerpt_og(item, url) if public else None,
    }
    return render(request, "archive/excerpt.html", context)


def _citation(request, public_id, builder, content_type, extension):
    item = _excerpt_for(request, public_id)
    url = request.build_absolute_uri(item.get_absolute_url())
    body = builder(item, url, timezone.localdate(), list(item.testimony.sources.all()))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="excerpt-{item.public_id}.{extension}"'
    return response


def excerpt_csl(request, public_id):
    return _citation(
        request,
        public_id,
        citations.excerpt_csl,
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        "json",
    )


def excerpt_bibtex(request, public_id):
    return _citation(
        request, public_id, citations.excerpt_bibtex, "application/x-bibtex; charset=utf-8", "bib"
    )


def testimony(request, public_id):
    item = get_visible_or_404(
        Testimony.objects.select_related("witness").prefetch_related(
            "countries", "sectors", "sources"
        ),
        request.user,
        public_id=public_id,
    )
    excerpts = excerpts_visible_to(request.user, item.excerpts.all()).order_by(
        "position", "start_ms", "pk"
    )
    # Long testimonies are read a page at a time: the page costs the same for 10 or 500.
    page = Paginator(excerpts, TESTIMONY_EXCERPTS_PER_PAGE).get_page(request.GET.get("page"))
    url = request.build_absolute_uri(item.get_absolute_url())
    public = is_public_for(request.user, item)
    context = {
        "testimony": item,
        "witness": item.witness,
        "excerpts": list(page.object_list),
        "page_obj": page,
        "first_number": page.start_index(),
        "countries": list(item.countries.all()),
        "sectors": list(item.sectors.all()),
        "period": period_label(item),
        "sources": [(s, citations.source_reference(s)) for s in item.sources.all()],
        "canonical_url": url,
        "indexable": public,
        "jsonld": structured.testimony(item, url, request) if public else None,
        "og": structured.testimony_og(item, url) if public else None,
    }
    return render(request, "archive/testimony.html", context)


def witness(request, public_id):
    item = get_visible_or_404(Witness.objects.all(), request.user, public_id=public_id)
    testimonies = list(
        testimonies_visible_to(request.user, item.testimonies.all())
        .prefetch_related("countries")
        .order_by("recorded_on", "title")
    )
    counts = {}
    for testimony_id in excerpts_visible_to(
        request.user, Excerpt.objects.filter(testimony__in=[t.pk for t in testimonies])
    ).values_list("testimony_id", flat=True):
        counts[testimony_id] = counts.get(testimony_id, 0) + 1
    for t in testimonies:
        t.excerpt_count = counts.get(t.pk, 0)
    url = request.build_absolute_uri(item.get_absolute_url())
    public = is_public_for(request.user, item)
    context = {
        "witness": item,
        "testimonies": testimonies,
        "canonical_url": url,
        "indexable": public,
        "jsonld": structured.witness(item, url, request) if public else None,
        "og": structured.witness_og(item, url) if public else None,
    }
    return render(request, "archive/witness.html", context)


def theme_index(request):
    roots = annotated_tree(request.user)
    url = request.build_absolute_uri(reverse("archive:theme_index"))
    context = {
        "roots": roots,
        "canonical_url": url,
        "indexable": True,
        "jsonld": structured.theme_index(roots, url, request),
        "og": {"title": "Themes", "description": "The themes of the testimonies.", "url": url},
    }
    return render(request, "archive/theme_index.html", context)


def theme(request, slug):
    roots, children, by_id = theme_tree()
    item = next((t for t in by_id.values() if t.slug == slug), None)
    if item is None:
        raise Http404("No such theme.")
    counts = theme_counts(request.user, children, by_id)
    subthemes = children.get(item.pk, [])
    for t in subthemes:
        t.count = counts[t.pk]
    ancestors = []
    node = item
    while node.parent_id:
        node = by_id[node.parent_id]
        ancestors.insert(0, node)
    visible = excerpts_visible_to(
        request.user,
        Excerpt.objects.filter(
            pk__in=Excerpt.themes.through.objects.filter(
                theme_id__in=subtree_ids(item.pk, children)
            ).values("excerpt_id")
        ),
    )
    # The theme's count is already known (cached with the collection's figures): counting the
    # excerpts of a broad theme again cost over a second at two million excerpts.
    paginator = KnownCountPaginator(
        # Newest first, along an index (sorting a broad theme's excerpts by their testimony's
        # title took 0.4 s at 400,000 excerpts).
        excerpt_cards(visible).order_by(Coalesce("first_published_at", "created_at").desc(), "-pk"),
        EXCERPTS_PER_PAGE,
        count=counts[item.pk],
    )
    page = paginator.get_page(request.GET.get("page"))
    url = request.build_absolute_uri(reverse("archive:theme", args=[item.slug]))
    context = {
        "theme": item,
        "ancestors": ancestors,
        "subthemes": subthemes,
        "count": counts[item.pk],
        "page_obj": page,
        "excerpts": list(page.object_list),
        "canonical_url": url,
        "indexable": True,
        "jsonld": structured.theme(item, url, request),
        "og": {"title": item.name, "description": item.description, "url": url},
    }
    return render(request, "archive/theme.html", context)


def sources(request):
    url = request.build_absolute_uri(reverse("archive:sources"))
    items = [(s, citations.source_reference(s)) for s in visible_sources(request.user)]
    context = {
        "sources": items,
        "canonical_url": url,
        "indexable": True,
        "og": {
            "title": "Sources",
            "description": "The documents the collection draws on, with full citations.",
            "url": url,
        },
    }
    return render(request, "archive/sources.html", context)

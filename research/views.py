"""The research area. Everything here answers 404 to anyone without research access (a
current grant, or archive staff), except the application form, which any signed-in user
may fill in. What each user sees comes from `testimonies.access`; every restricted read is
appended to the access record."""

import json
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from archive.search import CONTROL
from testimonies.access import (
    can_view_transcript,
    excerpt_text_for,
    excerpts_visible_to,
    get_visible_or_404,
    testimonies_with_transcripts_for,
    viewer_for,
)
from testimonies.levels import format_timecode, level_name
from testimonies.models import ResearchGrant, Testimony
from testimonies.services import access_record_add

from . import exports
from .filters import FILTER_NAMES, ExcerptFacets, TestimonyFacets
from .forms import ApplicationForm
from .models import ResearchApplication, TermsOfUse
from .search import (
    EXCERPT_LIMIT,
    TRANSCRIPT_LIMIT,
    QueryError,
    highlight,
    indexed_matches,
    matching_excerpts,
    matching_transcripts,
    parse_query,
    passages,
)
from .services import application_submit

MAX_SHOWN = 50


def has_research_access(user):
    """A current research grant (with the Researchers role), or archive staff."""
    return viewer_for(user).is_researcher


def research_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_research_access(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def level_label(user, excerpt):
    if not excerpt.live:
        return "draft"
    label = level_name(excerpt.level)
    if excerpt.embargo_lifts_on and excerpt.embargo_lifts_on > timezone.localdate():
        label += f", embargoed until {excerpt.embargo_lifts_on:%Y-%m-%d}"
    return label


def _decorate(user, excerpts, terms=()):
    user = viewer_for(user)  # once, not once per excerpt (two queries each)
    for excerpt in excerpts:
        excerpt.display_text = excerpt_text_for(user, excerpt)
        excerpt.display_html = highlight(excerpt.display_text, terms)
        excerpt.level_label = level_label(user, excerpt)
        excerpt.timecode = format_timecode(excerpt.start_ms)
    return excerpts


# --- Home and application ---------------------------------------------------------------------


@research_only
@require_GET
def home(request):
    user = request.user
    grant = (
        ResearchGrant.objects.filter(
            user=user,
            revoked_at__isnull=True,
            starts_on__lte=timezone.localdate(),
            expires_on__gte=timezone.localdate(),
        )
        .order_by("-expires_on")
        .first()
    )
    transcripts = testimonies_with_transcripts_for(user).select_related("witness")
    return render(
        request,
        "research/home.html",
        {"grant": grant, "transcripts": transcripts, "staff": viewer_for(user).is_staff},
    )


@require_http_methods(["GET", "POST"])
def apply(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {"has_access": has_research_access(user)}
    pending = ResearchApplication.objects.filter(
        user=user, status=ResearchApplication.PENDING
    ).first()
    terms = TermsOfUse.current()
    context.update(pending=pending, terms=terms)
    if context["has_access"] or pending or terms is None:
        return render(request, "research/apply.html", context)
    form = ApplicationForm(request.POST or None, initial={"terms_version": terms.version})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["terms_version"] != terms.version:
            form.add_error(
                None,
                "The terms of use changed while you were applying: read the new version below "
                "and accept it.",
            )
        else:
            try:
                application_submit(
                    user=user,
                    full_name=form.cleaned_data["full_name"],
                    institution=form.cleaned_data["institution"],
                    purpose=form.cleaned_data["purpose"],
                    terms=terms,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, "Thank you: your application is waiting for an archivist's decision."
                )
                return redirect("research:apply")
    context["form"] = form
    return render(request, "research/apply.html", context, status=400 if form.errors else 200)


# --- Search -----------------------------------------------------------------------------------


class Search:
    """One research search: the query, the filters and what this user may see of the results."""

    def __init__(self, request):
        self.request = request
        self.user = request.user
        params = request.GET
        self.error = None
        self.terms = []
        if any(
            CONTROL.search(key) or any(CONTROL.search(value) for value in values)
            for key, values in params.lists()
        ):
            # Never sent on to the database (PostgreSQL refuses NUL in text).
            self.error = "The search contains control characters; please type it again."
            params = QueryDict()
        self.q = params.get("q", "")
        try:
            self.terms = parse_query(self.q)
        except QueryError as exc:
            self.error = self.error or str(exc)
        excerpt_ids = transcript_ids = None
        if self.error is None:
            excerpt_ids = indexed_matches("research_excerpt", self.user, self.terms, EXCERPT_LIMIT)
            transcript_ids = indexed_matches(
                "research_transcript", self.user, self.terms, TRANSCRIPT_LIMIT
            )
        # More matches than are listed: the page says so (exports hold the listed ones).
        self.truncated = (excerpt_ids is not None and len(excerpt_ids) > EXCERPT_LIMIT) or (
            transcript_ids is not None and len(transcript_ids) > TRANSCRIPT_LIMIT
        )
        self.excerpt_facets = ExcerptFacets(
            params,
            queryset=matching_excerpts(self.user, self.terms, ids=excerpt_ids),
            request=request,
        )
        self.testimony_facets = TestimonyFacets(
            params,
            queryset=matching_transcripts(self.user, self.terms, ids=transcript_ids),
            request=request,
        )
        self.filters = {
            name: params.get(name) for name in FILTER_NAMES if params.get(name, "").strip()
        }
        self.valid = self.error is None and self.excerpt_facets.is_valid()
        self.testimony_facets.is_valid()
        self.searched = self.valid and bool(self.terms or self.filters)
        self.excerpts, self.transcript_hits = [], []
        if self.searched:
            self.excerpts = _decorate(
                self.user,
                list(
                    self.excerpt_facets.qs.select_related("testimony__witness")
                    .prefetch_related(
                        "themes__parent",
                        "testimony__countries",
                        "testimony__sectors",
                        "testimony__sources",
                    )
                    .order_by("testimony__title", "position", "pk")
                ),
                self.terms,
            )
            for testimony in (
                self.testimony_facets.qs.select_related("witness")
                .prefetch_related("countries", "sectors", "sources")
                .order_by("title", "pk")
            ):
                found = passages(testimony.transcript, self.terms)
                if found:
                    self.transcript_hits.append((testimony, found))

    @property
    def record_query(self):
        return {
            "q": self.q,
            "filters": self.filters,
            "excerpts": len(self.excerpts),
            "transcripts": len(self.transcript_hits),
        }

    def facets(self):
        """Counts of each value among the results: the facets, over the visible results."""
        counts = {
            name: {} for name in ("theme", "country", "sector", "period", "source", "witness")
        }

        def add(name, value, label):
            slot = counts[name].setdefault(value, [label, 0])
            slot[1] += 1

        def add_testimony(testimony):
            for country in testimony.countries.all():
                add("country", country.code, country.name)
            for sector in testimony.sectors.all():
                add("sector", sector.slug, sector.name)
            for source in testimony.sources.all():
                add("source", source.public_id, source.title)
            add("witness", testimony.witness.public_id, testimony.witness.pseudonym)
            if testimony.period_from or testimony.period_to:
                first = testimony.period_from or testimony.period_to
                last = testimony.period_to or testimony.period_from
                for decade in range(first // 10 * 10, last // 10 * 10 + 1, 10):
                    add("period", decade, f"{decade}s")

        for excerpt in self.excerpts:
            for theme in excerpt.themes.all():
                add("theme", theme.slug, theme.name)
            add_testimony(excerpt.testimony)
        for testimony, _ in self.transcript_hits:
            add_testimony(testimony)

        out = []
        for name, label in (
            ("theme", "Theme"),
            ("country", "Country"),
            ("sector", "Sector"),
            ("period", "Period"),
            ("source", "Source"),
            ("witness", "Witness"),
        ):
            values = []
            for value, (text, count) in sorted(counts[name].items(), key=lambda i: i[1][0]):
                params = {k: v for k, v in self.request.GET.items() if v}
                if name == "period":
                    params.update(period_from=value, period_to=value + 9)
                    active = self.filters.get("period_from") == str(value)
                else:
                    params[name] = value
                    active = self.filters.get(name) == str(value)
                values.append(
                    {
                        "label": text,
                        "count": count,
                        "url": "?" + urlencode(params),
                        "active": active,
                    }
                )
            if values:
                out.append({"name": name, "label": label, "values": values})
        return out

    def rows(self):
        rows = [exports.excerpt_row(self.user, e) for e in self.excerpts]
        for testimony, found in self.transcript_hits:
            rows.extend(exports.passage_row(testimony, p) for p in found)
        return rows


@research_only
@require_GET
def search(request):
    result = Search(request)
    if result.searched:
        access_record_add(
            user=request.user,
            action="research.search",
            query=result.record_query,
            request=request,
        )
    params = request.GET.urlencode()
    return render(
        request,
        "research/search.html",
        {
            "search": result,
            "form": result.excerpt_facets.form,
            "excerpts": result.excerpts[:MAX_SHOWN],
            "more_excerpts": max(0, len(result.excerpts) - MAX_SHOWN),
            "transcript_hits": result.transcript_hits[:MAX_SHOWN],
            "facets": result.facets() if result.searched else [],
            "export_query": params,
        },
        status=200 if result.error is None and result.excerpt_facets.is_valid() else 400,
    )


def _export_response(fmt, rows, document, filename, meta):
    if fmt == "csv":
        response = HttpResponse(exports.csv_text(rows), content_type="text/csv; charset=utf-8")
    else:
        body = {
            "exported_at": timezone.now().isoformat(),
            **meta,
            "rows": rows,
            "document": document,
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@research_only
@require_GET
def search_export(request, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("No such export format.")
    result = Search(request)
    if not result.searched:
        return render(
            request,
            "research/search.html",
            {"search": result, "form": result.excerpt_facets.form, "export_refused": True},
            status=400,
        )
    access_record_add(
        user=request.user,
        action="research.export.search",
        query={**result.record_query, "format": fmt},
        request=request,
    )
    document = None
    if fmt == "json":
        document = exports.interchange_document(
            request.user,
            [t for t, _ in result.transcript_hits],
            result.excerpts,
            with_transcripts=False,  # the passages are in the rows; whole transcripts are not
        )
    return _export_response(
        fmt,
        result.rows(),
        document,
        "research-search",
        {"query": {"q": result.q, "filters": result.filters}},
    )


# --- One testimony ----------------------------------------------------------------------------


def _testimony_for(request, public_id):
    return get_visible_or_404(
        Testimony.objects.select_related("witness").prefetch_related(
            "countries", "sectors", "sources"
        ),
        request.user,
        public_id=public_id,
    )


def _visible_excerpts(user, testimony):
    return _decorate(
        user,
        list(
            excerpts_visible_to(user, testimony.excerpts.all())
            .select_related("testimony__witness")
            .prefetch_related("themes__parent")
            .order_by("position", "start_ms", "pk")
        ),
    )


@research_only
@require_GET
def testimony(request, public_id):
    record = _testimony_for(request, public_id)
    access_record_add(
        user=request.user, action="research.testimony.view", obj=record, request=request
    )
    show_transcript = can_view_transcript(request.user, record)
    return render(
        request,
        "research/testimony.html",
        {
            "testimony": record,
            "level": level_name(record.level),
            "transcript": record.transcript if show_transcript else "",
            "excerpts": _visible_excerpts(request.user, record),
            "citation": exports.citation(record),
            "staff": viewer_for(request.user).is_staff,
        },
    )


@research_only
@require_GET
def testimony_export(request, public_id, fmt):
    if fmt not in ("csv", "json"):
        raise Http404("No such export format.")
    record = _testimony_for(request, public_id)
    access_record_add(
        user=request.user,
        action="research.export.testimony",
        obj=record,
        query={"format": fmt},
        request=request,
    )
    excerpts = _visible_excerpts(request.user, record)
    rows = []
    if can_view_transcript(request.user, record) and record.transcript:
        rows.append(exports.transcript_row(record))
    rows.extend(exports.excerpt_row(request.user, e) for e in excerpts)
    document = None
    if fmt == "json":
        document = exports.interchange_document(
            request.user, [record], excerpts, with_transcripts=True
        )
    return _export_response(
        fmt, rows, document, f"testimony-{record.public_id}", {"testimony": record.public_id}
    )

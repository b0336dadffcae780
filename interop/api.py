"""The read-only JSON API at /api/v1/ (django-ninja, which also writes the OpenAPI schema).

Every answer is what `testimonies.access` allows the caller: anonymous callers get the public
collection; signed-in users (session) and holders of a personal API token (`Authorization:
Bearer …`) get what their user may see at the moment of the request. Hidden and missing
records alike answer 404. Objects are named by their opaque `public_id`.
"""

import math
from typing import Annotated

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field, StringConstraints

from testimonies import access
from testimonies.levels import format_timecode, level_name
from testimonies.models import Source, Theme, Witness

from .filters import FilterError, filter_excerpts, filter_testimonies, filter_witnesses
from .models import ApiToken

# --- Callers ----------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, looked up on every request."""

    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is None:
            raise AuthenticationError("Unknown or revoked API token.")
        request.api_user = user
        request.api_token_used = True
        return user


def session_or_anonymous(request):
    """No token: the signed-in user of the session, or the public."""
    request.api_user = getattr(request, "user", None) or AnonymousUser()
    return True


def caller(request):
    return getattr(request, "api_user", None) or AnonymousUser()


class ArchiveAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        patch_vary_headers(response, ["Authorization", "Cookie"])
        user = getattr(request, "api_user", None)
        if getattr(request, "api_token_used", False) or (user and user.is_authenticated):
            # Made for one user: no shared cache may keep it.
            patch_cache_control(response, private=True, no_store=True)
        return response


api = ArchiveAPI(
    title="Testimony Archive API",
    version="1",
    description=(
        "Read-only access to the archive. Anonymous callers see the public collection; "
        "researchers and archive staff authenticate with their session or a personal API "
        "token (`Authorization: Bearer <token>`) and see what their role allows at the "
        "moment of the request. Hidden records answer 404. Witnesses appear under pseudonyms "
        "only: identities are never served."
    ),
    openapi_url="/schema/",
    docs_url=None,
    urls_namespace="api-v1",
    auth=[TokenAuth(), session_or_anonymous],
)


class Error(Schema):
    detail: str | list


ERRORS = {400: Error, 401: Error, 404: Error}


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    # Bad input is a 400 that says which parameter and why.
    details = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        details.append(f"{where}: {err.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(details)}, status=400)


@api.exception_handler(FilterError)
def filter_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(request, {"detail": "Unknown or revoked API token."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# --- Parameters -------------------------------------------------------------------------------

# Printable text only: no control characters (PostgreSQL refuses NUL), bounded length.
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
PublicId = Annotated[str, StringConstraints(max_length=32)]


class Paging(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=100, description="Results per page (at most 100).")


class Filters(Schema):
    q: Text | None = Field(None, description="Words to search for (redacted words never match).")
    theme: Text | None = Field(None, description="Theme slug; includes its narrower themes.")
    country: Text | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    sector: Text | None = Field(None, description="Sector slug.")
    period: Text | None = Field(
        None, description="A year (2015) or a range of years (2014-2017) the testimony covers."
    )
    source: Text | None = Field(None, description="A source's id.")


def _valid_public_id(value):
    # Opaque ids are short strings of lower-case letters and digits; anything else is not one.
    if not value or len(value) > 16 or not value.isascii() or not value.isalnum():
        raise Http404
    return value


def paginate(request, queryset, paging, serialize):
    total = queryset.count()
    start = (paging.page - 1) * paging.page_size
    items = list(queryset[start : start + paging.page_size])
    pages = max(1, math.ceil(total / paging.page_size))

    def link(page):
        params = request.GET.copy()
        params["page"] = page
        return request.build_absolute_uri(request.path + "?" + params.urlencode())

    return {
        "count": total,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": pages,
        "next": link(paging.page + 1) if paging.page < pages else None,
        "previous": link(paging.page - 1) if 1 < paging.page <= pages else None,
        "results": [serialize(request, item) for item in items],
    }


class PageMeta(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None


# --- Schemas ----------------------------------------------------------------------------------


class Ref(Schema):
    id: str
    name: str


class ThemeRef(Schema):
    id: str
    slug: str
    name: str


class ExcerptOut(Schema):
    id: str
    text: str = Field(description="Redacted ranges read [redacted] for everyone but staff.")
    translation_of: str | None = Field(
        None, description="The original-language text, when the text is a translation."
    )
    start: str | None = Field(None, description="Timecode HH:MM:SS[.mmm] in the recording.")
    end: str | None = None
    content_warning: str
    level: str
    approved: bool
    themes: list[ThemeRef]
    testimony: Ref
    witness: Ref


class ExcerptPage(PageMeta):
    results: list[ExcerptOut]


class CountryOut(Schema):
    code: str
    name: str


class TestimonyOut(Schema):
    id: str
    title: str
    summary: str
    recorded_on: str
    language: str
    period_from: int | None
    period_to: int | None
    level: str
    countries: list[CountryOut]
    sectors: list[str]
    witness: Ref
    sources: list[Ref]


class TestimonyDetail(TestimonyOut):
    excerpts: list[str] = Field(description="Ids of the excerpts the caller may see.")
    transcript: str | None = Field(
        None, description="Only for researchers and staff whose access covers the testimony."
    )


class TestimonyPage(PageMeta):
    results: list[TestimonyOut]


class WitnessOut(Schema):
    id: str
    pseudonym: str
    gender: str
    birth_decade: str
    home_region: str
    occupation: str


class WitnessDetail(WitnessOut):
    testimonies: list[Ref]


class WitnessPage(PageMeta):
    results: list[WitnessOut]


class ThemeOut(Schema):
    id: str
    slug: str
    name: str
    description: str
    parent: str | None = Field(None, description="The broader theme's slug.")


class ThemePage(PageMeta):
    results: list[ThemeOut]


class SourceOut(Schema):
    id: str
    title: str
    kind: str
    publisher: str
    author: str
    published: str
    url: str


class SourcePage(PageMeta):
    results: list[SourceOut]


# --- Serialisers ------------------------------------------------------------------------------


def excerpt_out(request, excerpt):
    user = caller(request)
    staff = access.is_archive_staff(user)
    # The original-language text is not covered by the redaction ranges (which refer to the
    # text): only staff get it for a redacted excerpt.
    translation = excerpt.translation_of or None
    if excerpt.redactions and not staff:
        translation = None
    testimony = excerpt.testimony
    return {
        "id": excerpt.public_id,
        "text": access.excerpt_text_for(user, excerpt),
        "translation_of": translation,
        "start": format_timecode(excerpt.start_ms),
        "end": format_timecode(excerpt.end_ms),
        "content_warning": excerpt.content_warning,
        "level": level_name(excerpt.level),
        "approved": excerpt.live,
        "themes": [
            {"id": t.public_id, "slug": t.slug, "name": t.name} for t in excerpt.themes.all()
        ],
        "testimony": {"id": testimony.public_id, "name": testimony.title},
        "witness": {"id": testimony.witness.public_id, "name": testimony.witness.pseudonym},
    }


def testimony_out(request, testimony):
    return {
        "id": testimony.public_id,
        "title": testimony.title,
        "summary": testimony.summary,
        "recorded_on": testimony.recorded_on,
        "language": testimony.language,
        "period_from": testimony.period_from,
        "period_to": testimony.period_to,
        "level": level_name(testimony.level),
        "countries": [{"code": c.code, "name": c.name} for c in testimony.countries.all()],
        "sectors": [s.slug for s in testimony.sectors.all()],
        "witness": {"id": testimony.witness.public_id, "name": testimony.witness.pseudonym},
        "sources": [{"id": s.public_id, "name": s.title} for s in testimony.sources.all()],
    }


def witness_out(request, witness):
    return {
        "id": witness.public_id,
        "pseudonym": witness.pseudonym,
        "gender": witness.gender,
        "birth_decade": witness.birth_decade,
        "home_region": witness.home_region,
        "occupation": witness.occupation,
    }


def theme_out(request, theme):
    return {
        "id": theme.public_id,
        "slug": theme.slug,
        "name": theme.name,
        "description": theme.description,
        "parent": theme.parent.slug if theme.parent_id else None,
    }


def source_out(request, source):
    return {
        "id": source.public_id,
        "title": source.title,
        "kind": source.kind,
        "publisher": source.publisher,
        "author": source.author,
        "published": source.published,
        "url": source.url,
    }


# --- Querysets --------------------------------------------------------------------------------


def excerpts_for(user):
    return (
        access.excerpts_visible_to(user)
        .select_related("testimony__witness")
        .prefetch_related("themes")
    )


def testimonies_for(user):
    return (
        access.testimonies_visible_to(user)
        .select_related("witness")
        .prefetch_related("countries", "sectors", "sources")
    )


def sources_for(user):
    """Sources cited by at least one testimony the caller may see."""
    visible = access.testimonies_visible_to(user).values("pk")
    return Source.objects.filter(testimonies__in=visible).distinct()


# --- Endpoints --------------------------------------------------------------------------------


@api.get("/excerpts/", response={200: ExcerptPage, **ERRORS}, tags=["excerpts"])
def list_excerpts(request, filters: Query[Filters], paging: Query[Paging]):
    """Excerpts the caller may see, filtered and searched like the site."""
    user = caller(request)
    queryset = filter_excerpts(user, excerpts_for(user), filters.dict())
    return paginate(request, queryset, paging, excerpt_out)


@api.get("/excerpts/{public_id}/", response={200: ExcerptOut, **ERRORS}, tags=["excerpts"])
def get_excerpt(request, public_id: PublicId):
    user = caller(request)
    excerpt = access.get_visible_or_404(
        excerpts_for(user), user, public_id=_valid_public_id(public_id)
    )
    return excerpt_out(request, excerpt)


@api.get("/testimonies/", response={200: TestimonyPage, **ERRORS}, tags=["testimonies"])
def list_testimonies(request, filters: Query[Filters], paging: Query[Paging]):
    user = caller(request)
    queryset = filter_testimonies(user, testimonies_for(user), filters.dict())
    return paginate(request, queryset, paging, testimony_out)


@api.get(
    "/testimonies/{public_id}/", response={200: TestimonyDetail, **ERRORS}, tags=["testimonies"]
)
def get_testimony(request, public_id: PublicId):
    """One testimony; its transcript only for callers who may read it."""
    user = caller(request)
    testimony = access.get_visible_or_404(
        testimonies_for(user), user, public_id=_valid_public_id(public_id)
    )
    data = testimony_out(request, testimony)
    data["excerpts"] = list(
        access.excerpts_visible_to(user)
        .filter(testimony=testimony)
        .values_list("public_id", flat=True)
    )
    data["transcript"] = (
        testimony.transcript
        if testimony.transcript and access.can_view_transcript(user, testimony)
        else None
    )
    return data


@api.get("/witnesses/", response={200: WitnessPage, **ERRORS}, tags=["witnesses"])
def list_witnesses(request, filters: Query[Filters], paging: Query[Paging]):
    """Witnesses under their pseudonyms. Identities are never served."""
    user = caller(request)
    queryset = filter_witnesses(user, access.witnesses_visible_to(user), filters.dict())
    return paginate(request, queryset, paging, witness_out)


@api.get("/witnesses/{public_id}/", response={200: WitnessDetail, **ERRORS}, tags=["witnesses"])
def get_witness(request, public_id: PublicId):
    user = caller(request)
    witness = access.get_visible_or_404(
        Witness.objects.all(), user, public_id=_valid_public_id(public_id)
    )
    data = witness_out(request, witness)
    data["testimonies"] = [
        {"id": t.public_id, "name": t.title}
        for t in access.testimonies_visible_to(user).filter(witness=witness)
    ]
    return data


@api.get("/themes/", response={200: ThemePage, **ERRORS}, tags=["themes"])
def list_themes(
    request,
    paging: Query[Paging],
    q: Annotated[Text | None, Query(description="Name contains")] = None,
):
    """The theme vocabulary (public)."""
    queryset = Theme.objects.select_related("parent")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    return paginate(request, queryset, paging, theme_out)


@api.get("/themes/{public_id}/", response={200: ThemeOut, **ERRORS}, tags=["themes"])
def get_theme(request, public_id: PublicId):
    theme = Theme.objects.select_related("parent").filter(public_id=_valid_public_id(public_id))
    theme = theme.first()
    if theme is None:
        raise Http404
    return theme_out(request, theme)


@api.get("/sources/", response={200: SourcePage, **ERRORS}, tags=["sources"])
def list_sources(
    request,
    paging: Query[Paging],
    q: Annotated[Text | None, Query(description="Title contains")] = None,
):
    """Sources cited by testimonies the caller may see."""
    queryset = sources_for(caller(request))
    if q:
        queryset = queryset.filter(title__icontains=q)
    return paginate(request, queryset, paging, source_out)


@api.get("/sources/{public_id}/", response={200: SourceOut, **ERRORS}, tags=["sources"])
def get_source(request, public_id: PublicId):
    source = sources_for(caller(request)).filter(public_id=_valid_public_id(public_id)).first()
    if source is None:
        raise Http404
    return source_out(request, source)

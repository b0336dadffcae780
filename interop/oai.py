"""OAI-PMH 2.0 at /oai/: the public collection (what an anonymous visitor may see) for
harvesters, as `oai_dc` records of excerpts and testimonies, with themes as sets.

What is exposed is decided by `testimonies.access` (anonymous caller) and nothing else.
`OaiRecord` remembers every record ever exposed: `sync_records()`, run at the start of every
request, compares what is public now with what was published, so that a record that stops
being public (withdrawal, unapproval, consent change, embargo) is reported as deleted — header
only, no content — and a record whose public metadata changed gets a new datestamp.
"""

import datetime as dt
import hashlib
import json
import re
import xml.etree.ElementTree as ET  # nosec B405 - builds responses, never parses input

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from testimonies.access import excerpts_visible_to, testimonies_visible_to
from testimonies.levels import format_timecode
from testimonies.models import Theme

from .models import OaiRecord

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

for prefix, uri in (("", OAI_NS), ("oai_dc", OAI_DC_NS), ("dc", DC_NS), ("xsi", XSI_NS)):
    ET.register_namespace(prefix, uri)

METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)
TOKEN_SALT = "interop.oai.resumption"  # noqa: S105  # nosec B105 - a salt name
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Characters XML 1.0 cannot carry at all.
NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

VERB_ARGUMENTS = {
    # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
}


def repository_identifier():
    return getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "") or "testimony-archive.localhost"


def page_size():
    return int(getattr(settings, "OAI_PAGE_SIZE", 100) or 100)


def token_max_age():
    return int(getattr(settings, "OAI_RESUMPTION_TOKEN_MAX_AGE", 86400))


def site_url():
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def oai_identifier(kind, public_id):
    return f"oai:{repository_identifier()}:{kind}:{public_id}"


def utc(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean(text):
    return NOT_XML.sub("", str(text))


class OaiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# --- What is public, as oai_dc --------------------------------------------------------------


class ThemePaths:
    """setSpecs of themes: their slugs from the top of the hierarchy, joined with ':'."""

    def __init__(self):
        self.themes = {t.pk: t for t in Theme.objects.all()}
        self._paths = {}

    def path(self, pk):
        if pk not in self._paths:
            theme = self.themes[pk]
            parent = self.path(theme.parent_id) if theme.parent_id in self.themes else ""
            self._paths[pk] = f"{parent}:{theme.slug}" if parent else theme.slug
        return self._paths[pk]

    def specs(self, theme_pks):
        """The setSpecs a record with these themes belongs to: each theme's and its ancestors'."""
        out = set()
        for pk in theme_pks:
            parts = self.path(pk).split(":")
            out.update(":".join(parts[: i + 1]) for i in range(len(parts)))
        return out


def _period(testimony):
    if (
        testimony.period_from
        and testimony.period_to
        and testimony.period_from != testimony.period_to
    ):
        return f"{testimony.period_from}–{testimony.period_to}"
    year = testimony.period_from or testimony.period_to
    return str(year) if year else ""


def _common(testimony):
    return {
        "creator": [testimony.witness.pseudonym],
        "date": [testimony.recorded_on] if testimony.recorded_on else [],
        "language": [testimony.language] if testimony.language else [],
        "coverage": [c.name for c in testimony.countries.all()]
        + ([_period(testimony)] if _period(testimony) else []),
        "source": [s.title for s in testimony.sources.all()],
        "publisher": [getattr(settings, "WAGTAIL_SITE_NAME", "Testimony Archive")],
        "type": ["Text"],
    }


def public_records():
    """{identifier: (kind, public_id, metadata, sets)} for everything anonymous may see now."""
    anonymous = AnonymousUser()
    paths = ThemePaths()
    out = {}
    testimony_themes = {}
    excerpts = (
        excerpts_visible_to(anonymous)
        .select_related("testimony__witness")
        .prefetch_related("themes", "testimony__countries", "testimony__sources")
    )
    public_testimonies = set(testimonies_visible_to(anonymous).values_list("public_id", flat=True))
    for excerpt in excerpts:
        testimony = excerpt.testimony
        themes = list(excerpt.themes.all())
        testimony_themes.setdefault(testimony.pk, set()).update(t.pk for t in themes)
        at = f" at {format_timecode(excerpt.start_ms)}" if excerpt.start_ms is not None else ""
        metadata = _common(testimony) | {
            "title": [f"Excerpt from “{testimony.title}”{at}"],
            "description": [excerpt.public_text],
            "subject": [t.name for t in themes],
            "identifier": [f"{site_url()}/api/v1/excerpts/{excerpt.public_id}/"],
            "relation": (
                [f"{site_url()}/api/v1/testimonies/{testimony.public_id}/"]
                if testimony.public_id in public_testimonies
                else []
            ),
        }
        if excerpt.content_warning:
            metadata["description"].append(f"Content warning: {excerpt.content_warning}")
        ident = oai_identifier("excerpt", excerpt.public_id)
        out[ident] = ("excerpt", excerpt.public_id, metadata, paths.specs(t.pk for t in themes))
    testimonies = (
        testimonies_visible_to(anonymous)
        .select_related("witness")
        .prefetch_related("countries", "sources")
    )
    for testimony in testimonies:
        theme_pks = testimony_themes.get(testimony.pk, set())
        metadata = _common(testimony) | {
            "title": [testimony.title],
            "description": [testimony.summary] if testimony.summary else [],
            "subject": sorted(paths.themes[pk].name for pk in theme_pks),
            "identifier": [f"{site_url()}/api/v1/testimonies/{testimony.public_id}/"],
        }
        ident = oai_identifier("testimony", testimony.public_id)
        out[ident] = ("testimony", testimony.public_id, metadata, paths.specs(theme_pks))
    return out


def fingerprint(metadata, sets):
    text = json.dumps([metadata, sorted(sets)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _next_datestamp(old, now):
    """Now, but always later than the previous datestamp, so every change is harvestable."""
    if old is not None and now <= old:
        return old + dt.timedelta(seconds=1)
    return now


def sync_records(now=None):
    """Bring OaiRecord in step with what is public now; returns the public records."""
    now = (now or timezone.now()).replace(microsecond=0)
    public = public_records()
    with transaction.atomic():
        known = {r.identifier: r for r in OaiRecord.objects.select_for_update()}
        new = []
        for ident, (kind, public_id, metadata, sets) in public.items():
            digest = fingerprint(metadata, sets)
            record = known.get(ident)
            if record is None:
                new.append(
                    OaiRecord(
                        identifier=ident,
                        kind=kind,
                        public_id=public_id,
                        datestamp=now,
                        sets=OaiRecord.join_sets(sets),
                        fingerprint=digest,
                    )
                )
            elif record.deleted or record.fingerprint != digest:
                record.deleted = False
                record.fingerprint = digest
                record.sets = OaiRecord.join_sets(sets)
                record.datestamp = _next_datestamp(record.datestamp, now)
                record.save()
        for ident, record in known.items():
            if ident not in public and not record.deleted:
                # Reported as deleted from now on; its sets stay so set harvests learn of it.
                record.deleted = True
                record.fingerprint = ""
                record.datestamp = _next_datestamp(record.datestamp, now)
                record.save()
        OaiRecord.objects.bulk_create(new, ignore_conflicts=True)
    return public


# --- XML --------------------------------------------------------------------------------------


def q(tag, ns=OAI_NS):
    return f"{{{ns}}}{tag}"


def sub(parent, tag, text=None, ns=OAI_NS, **attrs):
    element = ET.SubElement(parent, q(tag, ns), {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def header(parent, record):
    element = sub(parent, "header", **({"status": "deleted"} if record.deleted else {}))
    sub(element, "identifier", record.identifier)
    sub(element, "datestamp", utc(record.datestamp))
    for spec in record.set_specs:
        sub(element, "setSpec", spec)
    return element


def dc_metadata(parent, metadata):
    container = sub(parent, "metadata")
    dc = ET.SubElement(
        container,
        q("dc", OAI_DC_NS),
        {q("schemaLocation", XSI_NS): f"{OAI_DC_NS} {OAI_DC_SCHEMA}"},
    )
    for name in DC_ELEMENTS:
        for value in metadata.get(name, []):
            if value:
                sub(dc, name, value, ns=DC_NS)


def record_element(parent, record, public):
    element = sub(parent, "record")
    entry = None if record.deleted else public.get(record.identifier)
    if entry is None:
        # Not public (any more): header only, marked deleted; never any content.
        record.deleted = True
        header(element, record)
    else:
        header(element, record)
        dc_metadata(element, entry[2])
    return element


# --- Arguments --------------------------------------------------------------------------------


def parse_datestamp(value, name, end=False):
    if DAY.match(value):
        fmt, granularity = "%Y-%m-%d", "day"
    elif SECOND.match(value):
        fmt, granularity = "%Y-%m-%dT%H:%M:%SZ", "second"
    else:
        raise OaiError(
            "badArgument",
            f"{name}: {value!r} is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)",
        )
    try:
        moment = dt.datetime.strptime(value, fmt).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise OaiError("badArgument", f"{name}: {value!r} is not a valid date") from exc
    if granularity == "day" and end:
        moment = moment + dt.timedelta(days=1) - dt.timedelta(seconds=1)
    return moment, granularity


def check_arguments(verb, args):
    required, optional, exclusive = VERB_ARGUMENTS[verb]
    given = set(args) - {"verb"}
    unknown = given - required - optional - ({exclusive} if exclusive else set())
    if unknown:
        raise OaiError("badArgument", f"{verb} does not take: {', '.join(sorted(unknown))}")
    if exclusive and exclusive in given:
        if given != {exclusive}:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
        return
    missing = required - given
    if missing:
        raise OaiError("badArgument", f"{verb} needs: {', '.join(sorted(missing))}")


def check_prefix(prefix):
    if prefix not in METADATA_FORMATS:
        raise OaiError(
            "cannotDisseminateFormat", f"The metadata format {prefix!r} is not supported"
        )


# --- Verbs ------------------------------------------------------------------------------------


def identify(root, args, request, public):
    element = sub(root, "Identify")
    sub(element, "repositoryName", getattr(settings, "WAGTAIL_SITE_NAME", "Testimony Archive"))
    sub(element, "baseURL", base_url(request))
    sub(element, "protocolVersion", "2.0")
    sub(element, "adminEmail", getattr(settings, "OAI_ADMIN_EMAIL", "") or "archive@example.org")
    first = OaiRecord.objects.order_by("datestamp").values_list("datestamp", flat=True).first()
    sub(element, "earliestDatestamp", utc(first or timezone.now()))
    sub(element, "deletedRecord", "persistent")
    sub(element, "granularity", GRANULARITY)
    description = sub(element, "description")
    ident = ET.SubElement(
        description,
        q("oai-identifier", ID_NS),
        {q("schemaLocation", XSI_NS): f"{ID_NS} {ID_SCHEMA}"},
    )
    for tag, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_identifier()),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier("excerpt", "bcdfghjkmn")),
    ):
        sub(ident, tag, text, ns=ID_NS)


def list_metadata_formats(root, args, request, public):
    if (
        "identifier" in args
        and not OaiRecord.objects.filter(identifier=args["identifier"]).exists()
    ):
        raise OaiError("idDoesNotExist", f"No record has the identifier {args['identifier']!r}")
    element = sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in METADATA_FORMATS.items():
        fmt = sub(element, "metadataFormat")
        sub(fmt, "metadataPrefix", prefix)
        sub(fmt, "schema", schema)
        sub(fmt, "metadataNamespace", namespace)


def get_record(root, args, request, public):
    check_prefix(args["metadataPrefix"])
    record = OaiRecord.objects.filter(identifier=args["identifier"]).first()
    if record is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier {args['identifier']!r}")
    record_element(sub(root, "GetRecord"), record, public)


def _load_token(verb, token):
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=token_max_age())
    except signing.SignatureExpired as exc:
        raise OaiError("badResumptionToken", "The resumptionToken has expired") from exc
    except signing.BadSignature as exc:
        raise OaiError("badResumptionToken", "The resumptionToken is not valid") from exc
    if not isinstance(state, dict) or state.get("verb") != verb:
        raise OaiError("badResumptionToken", f"The resumptionToken is not one for {verb}")
    return state


def _token_element(parent, state, complete_size, cursor, more):
    attrs = {"completeListSize": str(complete_size), "cursor": str(cursor)}
    if more:
        expires = timezone.now() + dt.timedelta(seconds=token_max_age())
        attrs["expirationDate"] = utc(expires)
        token = signing.dumps(state, salt=TOKEN_SALT, compress=True)
        sub(parent, "resumptionToken", token, **attrs)
    else:
        sub(parent, "resumptionToken", "", **attrs)


def list_sets(root, args, request, public):
    paths = ThemePaths()
    specs = sorted(
        ((paths.path(pk), theme) for pk, theme in paths.themes.items()), key=lambda x: x[0]
    )
    if not specs:
        raise OaiError("noSetHierarchy", "This repository has no sets")
    if "resumptionToken" in args:
        state = _load_token("ListSets", args["resumptionToken"])
        offset = state.get("offset")
        if not isinstance(offset, int) or not 0 < offset < len(specs):
            raise OaiError("badResumptionToken", "The resumptionToken is not valid any more")
    else:
        state, offset = {"verb": "ListSets"}, 0
    size = page_size()
    element = sub(root, "ListSets")
    for spec, theme in specs[offset : offset + size]:
        item = sub(element, "set")
        sub(item, "setSpec", spec)
        sub(item, "setName", theme.name)
        if theme.description:
            desc = sub(item, "setDescription")
            dc_metadata_in = ET.SubElement(
                desc,
                q("dc", OAI_DC_NS),
                {q("schemaLocation", XSI_NS): f"{OAI_DC_NS} {OAI_DC_SCHEMA}"},
            )
            sub(dc_metadata_in, "description", theme.description, ns=DC_NS)
    more = offset + size < len(specs)
    if more or offset:
        _token_element(element, state | {"offset": offset + size}, len(specs), offset, more)


def list_headers_or_records(verb, root, args, request, public):
    if "resumptionToken" in args:
        state = _load_token(verb, args["resumptionToken"])
        try:
            prefix, set_spec = state["prefix"], state["set"]
            after, cursor, total = int(state["after"]), int(state["cursor"]), int(state["total"])
            start = dt.datetime.fromisoformat(state["from"]) if state["from"] else None
            end = dt.datetime.fromisoformat(state["until"]) if state["until"] else None
        except (KeyError, TypeError, ValueError) as exc:
            raise OaiError("badResumptionToken", "The resumptionToken is not valid") from exc
    else:
        prefix, set_spec = args["metadataPrefix"], args.get("set")
        check_prefix(prefix)
        start = end = None
        granularities = set()
        if "from" in args:
            start, g = parse_datestamp(args["from"], "from")
            granularities.add(g)
        if "until" in args:
            end, g = parse_datestamp(args["until"], "until", end=True)
            granularities.add(g)
        if len(granularities) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if start and end and start > end:
            raise OaiError("badArgument", "from is later than until")
        after, cursor, total = 0, 0, None

    records = OaiRecord.objects.order_by("pk")
    if set_spec:
        records = records.filter(sets__contains=f"\n{set_spec}\n")
    if start:
        records = records.filter(datestamp__gte=start)
    if end:
        records = records.filter(datestamp__lte=end)
    if total is None:
        total = records.count()
        if not total:
            raise OaiError("noRecordsMatch", "No records match the request")
    size = page_size()
    page = list(records.filter(pk__gt=after)[: size + 1])
    more = len(page) > size
    page = page[:size]
    if not page and after:
        raise OaiError("badResumptionToken", "The resumptionToken is not valid any more")
    element = sub(root, verb)
    for record in page:
        if verb == "ListIdentifiers":
            if not record.deleted and record.identifier not in public:
                record.deleted = True
            header(element, record)
        else:
            record_element(element, record, public)
    if more or after:
        state = {
            "verb": verb,
            "prefix": prefix,
            "set": set_spec,
            "from": start.isoformat() if start else None,
            "until": end.isoformat() if end else None,
            "after": page[-1].pk,
            "cursor": cursor + len(page),
            "total": total,
        }
        _token_element(element, state, total, cursor, more)


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": lambda *a: list_headers_or_records("ListIdentifiers", *a),
    "ListRecords": lambda *a: list_headers_or_records("ListRecords", *a),
    "GetRecord": get_record,
}


def base_url(request):
    return request.build_absolute_uri(request.path)


@csrf_exempt
def endpoint(request):
    """The OAI-PMH base URL: GET or POST (application/x-www-form-urlencoded)."""
    if request.method not in ("GET", "POST", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, POST, HEAD"
        return response
    params = request.POST if request.method == "POST" else request.GET
    root = ET.Element(q("OAI-PMH"), {q("schemaLocation", XSI_NS): f"{OAI_NS} {OAI_SCHEMA}"})
    sub(root, "responseDate", utc(timezone.now()))
    request_element = sub(root, "request", base_url(request))
    verbs = params.getlist("verb")
    try:
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb")
        verb = verbs[0]
        repeated = sorted(k for k in params if len(params.getlist(k)) > 1)
        if repeated:
            raise OaiError("badArgument", f"Repeated argument: {', '.join(repeated)}")
        args = {k: params[k] for k in params}
        check_arguments(verb, args)
        for key, value in args.items():
            if NOT_XML.search(value) or len(value) > 2000:
                raise OaiError("badArgument", f"{key}: not a valid value")
        # Only a valid request is echoed in the request element.
        for key, value in args.items():
            request_element.set(key, clean(value))
        public = sync_records()
        VERBS[verb](root, args, request, public)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request_element.attrib.clear()
        sub(root, "error", error.message, code=error.code)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")

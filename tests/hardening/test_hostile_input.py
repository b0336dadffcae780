"""Hostile input on every search surface, the API and OAI-PMH: never a 500, never a database
error, a clear message for what is refused, and a 10,000-character query refused quickly."""

import string

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_excerpt, make_user, sign_in

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
) | st.sampled_from(
    [
        "' OR 1=1 --",
        '"unterminated',
        "a & b | !c",
        "<script>alert(1)</script>",
        "\x00\x01\x02",
        "프로그램 ★ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "%" * 50,
        "(" * 100,
        "\\",
    ]
)
SURFACES = {
    "public search": ("/search/", "q", None),
    "research search": ("/research/search/", "q", "researcher"),
    "api excerpts": ("/api/v1/excerpts/", "q", None),
    "api testimonies": ("/api/v1/testimonies/", "q", None),
}
FILTERS = ["theme", "country", "sector", "period", "source", "witness", "page", "page_size"]
OAI_ARGS = ["verb", "metadataPrefix", "identifier", "set", "from", "until", "resumptionToken"]
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def clients(db):
    make_excerpt(text="A public excerpt about wages and phones.")
    anonymous = Client(raise_request_exception=False)
    researcher = Client(raise_request_exception=False)
    sign_in(researcher, make_user("researcher"))
    return {None: anonymous, "researcher": researcher}


@pytest.mark.parametrize("surface", list(SURFACES))
@SETTINGS
@given(query=TEXT, name=st.sampled_from(FILTERS), value=TEXT)
def test_search_surfaces_never_fail(clients, surface, query, name, value):
    path, param, role = SURFACES[surface]
    response = clients[role].get(path, {param: query, name: value})
    assert response.status_code < 500, (surface, query, name, value)


@SETTINGS
@given(args=st.dictionaries(st.sampled_from(OAI_ARGS), TEXT, max_size=4))
def test_oai_arguments_never_fail(clients, args):
    response = clients[None].get("/oai/", args)
    assert response.status_code == 200  # OAI-PMH reports errors inside a 200 response
    body = response.content.decode()
    assert "<OAI-PMH" in body
    if "verb" not in args or args.get("verb") not in (
        "Identify",
        "ListMetadataFormats",
        "ListSets",
        "ListIdentifiers",
        "ListRecords",
        "GetRecord",
    ):
        assert 'code="badVerb"' in body or 'code="badArgument"' in body


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_ten_thousand_character_query_gets_a_clear_refusal(clients, surface):
    path, param, role = SURFACES[surface]
    query = "".join(string.ascii_lowercase[i % 26] for i in range(10_000))
    response = clients[role].get(path, {param: query})
    assert 400 <= response.status_code < 500, surface
    text = response.content.decode().lower()
    assert "long" in text or "characters" in text, (surface, text[:300])


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name", ["q", "theme", "country"])
def test_nul_and_control_characters_never_reach_the_database(clients, surface, name):
    """PostgreSQL refuses NUL in text: found by the property test above on /research/search/."""
    path, _, role = SURFACES[surface]
    for value in ("\x00", "wages\x00", "\x1b[2J"):
        response = clients[role].get(path, {name: value})
        assert response.status_code < 500, (surface, name, repr(value))

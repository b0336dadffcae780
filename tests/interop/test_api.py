"""The JSON API answers exactly what the access policy allows the caller, by session or token."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from interop.models import ApiToken, token_digest
from testimonies.models import ResearchGrant
from testimonies.services import role_revoke
from tests.factories import make_user, sign_in

from .conftest import (
    LEGAL_NAME,
    PUBLIC,
    REDACTED,
    RESEARCH_TRANSCRIPT,
    RESEARCHERS,
    RESTRICTED_WORDS,
    SEES,
    TRANSCRIPT,
)

ROLES = list(SEES)
LISTS = ["excerpts", "testimonies", "witnesses", "themes", "sources"]


def token_client(user):
    client = Client()
    if user is not None and user.is_authenticated:
        _, raw = ApiToken.issue(user, "tests")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def session_client(user):
    client = Client()
    if user.is_authenticated:
        sign_in(client, user)
    return client


def everything(client):
    """Every list of the API, every page, and the detail of every object listed: one text."""
    out = []
    for name in LISTS:
        url = f"/api/v1/{name}/?page_size=100"
        while url:
            response = client.get(url)
            assert response.status_code == 200, (url, response.content)
            data = response.json()
            out.append(response.content.decode())
            for item in data["results"]:
                detail = client.get(f"/api/v1/{name}/{item['id']}/")
                assert detail.status_code == 200, (name, item["id"])
                out.append(detail.content.decode())
            url = data["next"]
    return "\n".join(json.dumps(json.loads(chunk), ensure_ascii=False) for chunk in out)


@pytest.mark.parametrize("role", ROLES)
def test_access_rows_by_token(collection, role_users, role):
    text = everything(token_client(role_users[role]))
    assert PUBLIC in text
    assert LEGAL_NAME not in text
    for word in RESTRICTED_WORDS:
        assert (word in text) == (word in SEES[role]), (role, word)
    if role not in ("archivist", "custodian"):
        assert "[redacted]" in text


@pytest.mark.parametrize("role", ["anonymous", "signed_in", "researcher", "archivist"])
def test_access_rows_by_session(collection, role_users, role):
    text = everything(session_client(role_users[role]))
    assert PUBLIC in text and LEGAL_NAME not in text
    for word in RESTRICTED_WORDS:
        assert (word in text) == (word in SEES[role]), (role, word)


@pytest.mark.parametrize("role", ROLES)
def test_hidden_records_answer_404(collection, role_users, role):
    client = token_client(role_users[role])
    staff = role in ("archivist", "custodian")
    for name, excerpt in collection.restricted.items():
        visible = staff or (role == "researcher" and name in ("researchers", "research_testimony"))
        response = client.get(f"/api/v1/excerpts/{excerpt.public_id}/")
        assert response.status_code == (200 if visible else 404), (role, name)
        if not visible:
            assert response.json() == {"detail": "Not found."}
    hidden_testimony = client.get(
        f"/api/v1/testimonies/{collection.withdrawn_testimony.public_id}/"
    )
    assert hidden_testimony.status_code == (200 if staff else 404)
    hidden_witness = client.get(f"/api/v1/witnesses/{collection.withdrawn_witness.public_id}/")
    assert hidden_witness.status_code == (200 if staff else 404)
    # A record that does not exist answers exactly like a hidden one.
    assert client.get("/api/v1/excerpts/nosuchthing/").json() == {"detail": "Not found."}


def test_excerpt_text_is_redacted_for_all_but_staff(collection, role_users):
    url = f"/api/v1/excerpts/{collection.redacted.public_id}/"
    for role in ("anonymous", "signed_in", "researcher"):
        data = token_client(role_users[role]).get(url).json()
        assert data["text"] == "We worked near [redacted] all winter"
        assert data["translation_of"] is None  # the original text is not covered by the ranges
    data = token_client(role_users["archivist"]).get(url).json()
    assert REDACTED in data["text"] and REDACTED in data["translation_of"]


def test_transcripts_only_on_detail_and_only_when_allowed(collection, role_users):
    public_url = f"/api/v1/testimonies/{collection.public_testimony.public_id}/"
    research_url = f"/api/v1/testimonies/{collection.research_testimony.public_id}/"
    for role in ("anonymous", "signed_in", "researcher_expired"):
        client = token_client(role_users[role])
        assert client.get(public_url).json()["transcript"] is None
        assert client.get(research_url).status_code == 404
    researcher = token_client(role_users["researcher"])
    assert TRANSCRIPT in researcher.get(public_url).json()["transcript"]
    assert RESEARCH_TRANSCRIPT in researcher.get(research_url).json()["transcript"]
    listing = researcher.get("/api/v1/testimonies/?page_size=100").content.decode()
    assert TRANSCRIPT not in listing and "transcript" not in listing


def test_grant_revoked_or_expired_takes_effect_at_once(collection):
    user = make_user("researcher")
    client = token_client(user)
    url = f"/api/v1/excerpts/{collection.restricted['researchers'].public_id}/"
    assert client.get(url).status_code == 200
    ResearchGrant.objects.filter(user=user).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(url).status_code == 404
    ResearchGrant.objects.filter(user=user).update(expires_on=timezone.localdate())
    assert client.get(url).status_code == 200
    role_revoke(user=user, role="researcher")
    assert client.get(url).status_code == 404
    # Still a valid token: the public collection.
    assert client.get(f"/api/v1/excerpts/{collection.public.public_id}/").status_code == 200


def test_revoked_or_unknown_token_is_refused(collection):
    user = make_user("archivist")
    token, raw = ApiToken.issue(user, "laptop")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/excerpts/").status_code == 200
    token.revoke()
    response = client.get("/api/v1/excerpts/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert (
        Client(HTTP_AUTHORIZATION="Bearer ta_not-a-token").get("/api/v1/themes/").status_code == 401
    )
    user.is_active = False
    user.save()
    _, raw2 = ApiToken.issue(user, "another")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw2}").get("/api/v1/themes/").status_code == 401


def test_tokens_are_stored_hashed(db):
    user = make_user("researcher")
    token, raw = ApiToken.issue(user, "script")
    assert raw.startswith("ta_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == token_digest(raw)
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert ApiToken.user_for(raw) == user


def test_answers_for_one_user_are_never_cached_by_shared_caches(collection, role_users):
    response = token_client(role_users["researcher"]).get("/api/v1/excerpts/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]
    anonymous = Client().get("/api/v1/excerpts/")
    assert "private" not in anonymous.get("Cache-Control", "")


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_filters_and_search(collection, role_users):
    c = collection
    client = Client()
    assert ids(client.get("/api/v1/excerpts/?theme=wages-withheld")) == {
        c.public.public_id,
        c.redacted.public_id,
    }
    # A broader theme includes its narrower ones.
    assert c.public.public_id in ids(client.get("/api/v1/excerpts/?theme=conditions"))
    assert ids(client.get("/api/v1/excerpts/?theme=no-such-theme")) == set()
    assert c.public.public_id in ids(client.get("/api/v1/excerpts/?country=ru"))
    assert ids(client.get("/api/v1/excerpts/?country=CN")) == set()
    assert c.public.public_id in ids(client.get("/api/v1/excerpts/?sector=construction"))
    assert c.public.public_id in ids(client.get("/api/v1/excerpts/?period=2016"))
    assert c.public.public_id in ids(client.get("/api/v1/excerpts/?period=2010-2015"))
    assert ids(client.get("/api/v1/excerpts/?period=2018-2020")) == set()
    assert c.public.public_id in ids(client.get(f"/api/v1/excerpts/?source={c.source.public_id}"))
    assert ids(client.get(f"/api/v1/excerpts/?q={PUBLIC}")) == {c.public.public_id}
    # No search matches a word inside a redaction, for anyone.
    assert ids(client.get(f"/api/v1/excerpts/?q={REDACTED}")) == set()
    # Search never finds what the caller may not see.
    assert ids(client.get(f"/api/v1/excerpts/?q={RESEARCHERS}")) == set()
    researcher = token_client(role_users["researcher"])
    assert ids(researcher.get(f"/api/v1/excerpts/?q={RESEARCHERS}")) == {
        c.restricted["researchers"].public_id
    }
    assert ids(client.get("/api/v1/testimonies/?theme=wages-withheld")) == {
        c.public_testimony.public_id
    }
    assert ids(client.get("/api/v1/witnesses/?country=RU")) == {c.public_witness.public_id}
    assert ids(client.get("/api/v1/witnesses/?q=Alder")) == {c.public_witness.public_id}


def test_a_filter_never_reveals_hidden_records(collection):
    """The withdrawn witness's testimony has the theme too, but only through hidden excerpts."""
    client = Client()
    found = ids(client.get("/api/v1/testimonies/?theme=wages-withheld"))
    assert collection.withdrawn_testimony.public_id not in found
    assert collection.research_testimony.public_id not in found


@pytest.mark.parametrize(
    "query, where",
    [
        ("period=last-year", "period"),
        ("period=2020-2010", "period"),
        ("page=0", "page"),
        ("page_size=1000", "page_size"),
        ("q=%00", "q"),
        ("page=abc", "page"),
    ],
)
def test_bad_input_is_a_400_that_says_where(db, query, where):
    response = Client().get(f"/api/v1/excerpts/?{query}")
    assert response.status_code == 400
    assert where in response.json()["detail"]


def test_pagination(collection):
    client = Client()
    first = client.get("/api/v1/excerpts/?page_size=1").json()
    assert first["count"] == 2 and first["pages"] == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["next"] is None and second["previous"]
    assert {first["results"][0]["id"], second["results"][0]["id"]} == {
        collection.public.public_id,
        collection.redacted.public_id,
    }
    assert client.get("/api/v1/excerpts/?page=99").json()["results"] == []


def test_schema_is_served(db):
    schema = Client().get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/excerpts/", "/api/v1/testimonies/{public_id}/", "/api/v1/witnesses/"):
        assert path in schema["paths"]
    # No database ids or keys: objects are named by public_id.
    text = json.dumps(schema)
    assert '"key"' not in text and '"pk"' not in text


def test_token_page_creates_and_revokes(db, collection):
    user = make_user("researcher")
    client = Client()
    assert client.get("/api/tokens/").status_code == 302  # sign in first
    sign_in(client, user)
    page = client.get("/api/tokens/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    response = client.post("/api/tokens/", {"name": "my notebook"})
    raw = response.context["new_token"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "my notebook"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (
        api.get(f"/api/v1/excerpts/{collection.restricted['researchers'].public_id}/").status_code
        == 200
    )
    # The token is shown only once.
    assert raw not in client.get("/api/tokens/").content.decode()
    assert client.post("/api/tokens/", {"name": ""}).status_code == 400
    # Someone else cannot revoke it.
    other = Client()
    sign_in(other, make_user("signed_in"))
    assert other.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/themes/").status_code == 401


def test_token_command(db):
    user = make_user("archivist", username="ana")
    out = io.StringIO()
    call_command("api_token", "create", "ana", "--name", "harvester", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.user_for(raw) == user
    out = io.StringIO()
    call_command("api_token", "list", "ana", stdout=out)
    assert "harvester" in out.getvalue() and raw not in out.getvalue()
    call_command("api_token", "revoke", "ana", raw[:10], stdout=io.StringIO())
    assert ApiToken.user_for(raw) is None


def test_a_researcher_signs_in_and_reaches_the_token_page(db):
    make_user("researcher", username="rhea")
    client = Client()
    response = client.get("/api/tokens/")
    assert response.status_code == 302 and "next=/api/tokens/" in response["Location"]
    response = client.post(
        response["Location"], {"username": "rhea", "password": "pw-for-tests"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/api/tokens/"
    assert b"Your API tokens" in response.content

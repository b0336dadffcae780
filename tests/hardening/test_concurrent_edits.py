"""Two archivists, one excerpt: the second save of a stale form is refused with a message; and
an edit or approval never undoes a consent withdrawal made meanwhile."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from testimonies.access import can_view_excerpt, excerpts_visible_to
from testimonies.concurrency import CONFLICT_MESSAGE
from testimonies.levels import Level
from testimonies.models import ConsentEntry, Excerpt
from tests.factories import make_excerpt, make_user, sign_in

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_testimonies_excerpt:edit"


def archivist_client(name):
    client = Client()
    sign_in(client, make_user("archivist", username=name))
    return client


def open_form(client, excerpt):
    """GET the edit form as a browser would; return the hidden revision fields it carries."""
    response = client.get(reverse(EDIT, args=[excerpt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    fields = {}
    for name in ("archive_loaded_revision", "loaded_revision_id", "loaded_revision_created_at"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        if match:
            fields[name] = match.group(1)
    assert "archive_loaded_revision" in fields, "the edit form says which revision it opened"
    return fields


def form_data(excerpt, text, loaded, publish=False):
    data = {
        "key": excerpt.key,
        "testimony": excerpt.testimony_id,
        "text": text,
        "translation_of": "",
        "start_ms": "",
        "end_ms": "",
        "position": excerpt.position,
        "access": excerpt.access,
        "embargo_until": "",
        "content_warning": "",
        "redactions": "[]",
        **loaded,
    }
    if publish:
        data["action-publish"] = "action-publish"
    return data


def messages_of(response):
    return [str(m).strip() for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("with_earlier_revision", [False, True])
def test_the_second_save_of_the_same_loaded_revision_is_refused_visibly(with_earlier_revision):
    excerpt = make_excerpt(text="The original sentence.")
    if with_earlier_revision:
        excerpt.save_revision()
    first, second = archivist_client("archivist-a"), archivist_client("archivist-b")
    loaded_a = open_form(first, excerpt)
    loaded_b = open_form(second, excerpt)
    assert loaded_a == loaded_b  # both opened the same version

    saved = first.post(reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "A's edit.", loaded_a))
    assert saved.status_code == 302
    refused = second.post(
        reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "B's edit.", loaded_b)
    )
    assert refused.status_code == 200
    expected = CONFLICT_MESSAGE % {"model_name": "excerpt"}
    assert expected in messages_of(refused)
    assert "someone else saved a newer version" in refused.content.decode()
    assert "B&#x27;s edit." in refused.content.decode() or "B's edit." in refused.content.decode()

    excerpt.refresh_from_db()
    assert excerpt.get_latest_revision_as_object().text == "A's edit."
    texts = [r.content["text"] for r in excerpt.revisions.order_by("created_at", "pk")]
    assert "B's edit." not in texts


def test_publishing_from_a_stale_form_is_refused_too():
    excerpt = make_excerpt(text="Before.")
    excerpt.save_revision()
    first, second = archivist_client("archivist-c"), archivist_client("archivist-d")
    loaded = open_form(first, excerpt)
    assert open_form(second, excerpt) == loaded
    first.post(reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "First draft.", loaded))
    refused = second.post(
        reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "Stale publish.", loaded, True)
    )
    assert refused.status_code == 200
    excerpt.refresh_from_db()
    assert excerpt.text == "Before."  # the live version was not replaced


def test_a_fresh_form_still_saves():
    excerpt = make_excerpt(text="Before.")
    client = archivist_client("archivist-e")
    loaded = open_form(client, excerpt)
    client.post(reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "One.", loaded))
    loaded = open_form(client, excerpt)
    response = client.post(reverse(EDIT, args=[excerpt.pk]), form_data(excerpt, "Two.", loaded))
    assert response.status_code == 302
    excerpt.refresh_from_db()
    assert excerpt.get_latest_revision_as_object().text == "Two."


def withdraw(witness):
    ConsentEntry(witness=witness, level=Level.WITHDRAWN, recorded_on="2026-11-23").save()


def test_publishing_an_edit_after_a_withdrawal_keeps_the_excerpt_hidden():
    excerpt = make_excerpt(text="Public before the withdrawal.")
    assert can_view_excerpt(None, excerpt)
    client = archivist_client("archivist-f")
    loaded = open_form(client, excerpt)  # the archivist opens the form: level is public here

    withdraw(excerpt.testimony.witness)  # meanwhile the witness withdraws

    response = client.post(
        reverse(EDIT, args=[excerpt.pk]),
        form_data(excerpt, "Edited and published after it.", loaded, publish=True),
    )
    assert response.status_code == 302
    excerpt.refresh_from_db()
    assert excerpt.text == "Edited and published after it."  # the publish happened
    assert excerpt.level == Level.WITHDRAWN
    assert not excerpts_visible_to(None).filter(pk=excerpt.pk).exists()
    assert not excerpts_visible_to(make_user("researcher")).filter(pk=excerpt.pk).exists()
    assert not can_view_excerpt(None, excerpt)


def test_approving_a_revision_made_before_the_withdrawal_keeps_the_excerpt_hidden():
    excerpt = make_excerpt(text="Public text.")
    excerpt.text = "A draft saved while consent was public."
    revision = excerpt.save_revision()  # its content records the public level of that moment
    assert revision.content["level"] == Level.PUBLIC

    withdraw(excerpt.testimony.witness)
    revision.publish()  # approved later, from the stale revision

    excerpt.refresh_from_db()
    assert excerpt.text == "A draft saved while consent was public."
    assert excerpt.level == Level.WITHDRAWN
    assert not excerpts_visible_to(None).filter(pk=excerpt.pk).exists()
    assert Excerpt.objects.get(pk=excerpt.pk).live  # approved, and still hidden

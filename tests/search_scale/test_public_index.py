"""The public search index holds exactly what the public may see, kept current by the database
on every write path, and answers Wagtail's search API."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend
from wagtail.search.query import Phrase

from archive.search import search_public
from search_scale import public_index
from testimonies import access
from testimonies.levels import Level
from testimonies.models import Excerpt, Testimony
from testimonies.services import consent_record, consent_withdraw
from tests.factories import FUTURE, PAST, make_excerpt, make_testimony, make_witness

pytestmark = pytest.mark.django_db

LATER = dt.date(2100, 1, 1)


def index_matches_policy(on=None):
    """The index's ids are the public records, the embargo aside (a date checked per query)."""
    excerpts = set(
        Excerpt.objects.filter(live=True, level=Level.PUBLIC).values_list("pk", flat=True)
    )
    testimonies = set(Testimony.objects.filter(level=Level.PUBLIC).values_list("pk", flat=True))
    assert public_index.indexed_ids("excerpt") == excerpts
    assert public_index.indexed_ids("testimony") == testimonies
    # With the embargo applied, what can match is what the policy shows the public.
    visible = set(access.excerpts_visible_to(AnonymousUser(), on=on).values_list("pk", flat=True))
    assert visible <= excerpts


def ids(kind, text, **kwargs):
    kwargs.setdefault("on", dt.date.today())
    return public_index.match(kind, public_index.terms_of(text), limit=100, **kwargs)


def test_saving_a_public_excerpt_makes_it_searchable_and_restricted_ones_never():
    public = make_excerpt(text="The overseer kept every passport in a locked drawer.")
    researchers = make_excerpt(text="The overseer counted passports.", access=Level.RESEARCHERS)
    draft = make_excerpt(text="The overseer had a draft.", approved=False)
    assert ids("excerpt", "overseer") == [public.pk]
    assert researchers.pk not in public_index.indexed_ids("excerpt")
    assert draft.pk not in public_index.indexed_ids("excerpt")
    index_matches_policy()


def test_a_word_inside_a_redaction_never_matches():
    text = "My supervisor Kim Sokchol took the wages."
    start = text.index("Kim")
    excerpt = make_excerpt(
        text=text,
        redactions=[{"start": start, "end": start + len("Kim Sokchol"), "reason": "name"}],
    )
    assert ids("excerpt", "Sokchol") == []
    assert ids("excerpt", "supervisor") == [excerpt.pk]


def test_every_change_of_visibility_reaches_the_index_in_the_same_transaction():
    witness = make_witness()
    testimony = make_testimony(witness=witness, summary="Logging camp near the border.")
    excerpt = make_excerpt(testimony=testimony, text="We felled larch trees all winter.")
    assert ids("excerpt", "larch") == [excerpt.pk]
    assert ids("testimony", "logging") == [testimony.pk]

    # Unpublishing (approval withdrawn) hides it; publishing again shows it.
    excerpt.unpublish()
    assert ids("excerpt", "larch") == []
    excerpt.refresh_from_db()
    excerpt.live = True
    excerpt.save()
    assert ids("excerpt", "larch") == [excerpt.pk]

    # The witness's consent narrows to researchers: a bulk update of derived columns.
    consent_record(witness=witness, level=Level.RESEARCHERS)
    assert ids("excerpt", "larch") == [] and ids("testimony", "logging") == []
    index_matches_policy()
    consent_record(witness=witness, level=Level.PUBLIC)
    assert ids("excerpt", "larch") == [excerpt.pk]

    # Withdrawal hides everything, deleting nothing.
    consent_withdraw(witness=witness, reason="asked to withdraw")
    assert ids("excerpt", "larch") == [] and ids("testimony", "logging") == []
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()
    index_matches_policy()


def test_an_edit_of_the_text_replaces_the_old_words():
    excerpt = make_excerpt(text="The foreman shouted.")
    excerpt.text = "The manager whispered."
    excerpt.save()
    assert ids("excerpt", "foreman") == [] and ids("excerpt", "manager") == [excerpt.pk]


def test_an_embargo_hides_until_its_date_then_lifts_by_itself():
    witness = make_witness(embargo_until=FUTURE)
    excerpt = make_excerpt(testimony=make_testimony(witness=witness), text="Quotas doubled.")
    assert excerpt.pk in public_index.indexed_ids("excerpt")
    assert ids("excerpt", "quotas") == []
    assert ids("excerpt", "quotas", on=LATER) == [excerpt.pk]
    lifted = make_excerpt(
        testimony=make_testimony(witness=make_witness(embargo_until=PAST)), text="Quotas rose."
    )
    assert ids("excerpt", "quotas") == [lifted.pk]


def test_deleting_a_record_removes_its_row():
    excerpt = make_excerpt(text="Brickworks in Tomsk.")
    Excerpt.objects.filter(pk=excerpt.pk).delete()
    assert ids("excerpt", "brickworks") == []


def test_rebuild_gives_what_the_triggers_kept():
    for n in range(5):
        make_excerpt(text=f"Shift number {n} at the sawmill.", access=Level(n % 3))
    make_testimony(access=Level.RESEARCHERS, summary="Not public.")
    before = (public_index.indexed_ids("excerpt"), public_index.indexed_ids("testimony"))
    public_index.rebuild()
    assert (public_index.indexed_ids("excerpt"), public_index.indexed_ids("testimony")) == before
    index_matches_policy()


def test_phrase_prefix_and_ranking():
    near = make_excerpt(text="Wages withheld. Wages withheld again, wages withheld every month.")
    far = make_excerpt(text="Withheld were the letters; wages came late.")
    assert ids("excerpt", "wages withheld")[0] == near.pk
    assert set(ids("excerpt", "wages withheld")) == {near.pk, far.pk}
    assert ids("excerpt", "wages withheld", phrase=True) == [near.pk]
    korean = make_excerpt(text="보위부 요원이 프로그램을 감시했습니다.")
    assert ids("excerpt", "프로그램") == []
    assert ids("excerpt", "프로그램", prefix=True) == [korean.pk]


def test_the_backend_answers_wagtails_search_api_within_the_queryset():
    backend = get_search_backend("public")
    a = make_excerpt(text="Dormitory doors were locked at night.")
    b = make_excerpt(text="Dormitory rules were strict.")
    results = backend.search("dormitory", Excerpt.objects.all())
    assert {e.pk for e in results} == {a.pk, b.pk}
    assert [e.pk for e in backend.search("dormitory", Excerpt.objects.exclude(pk=a.pk))] == [b.pk]
    assert list(backend.search(Phrase("doors were locked"), Excerpt)) == [a]
    assert backend.search("dormitory", Excerpt)[:1].count() == 1
    # A restricted record is not in this index, whatever queryset asks.
    hidden = make_excerpt(text="Dormitory guard's name.", access=Level.ARCHIVE)
    assert hidden.pk not in {e.pk for e in backend.search("dormitory", Excerpt.objects.all())}
    # Models outside the public index find nothing here.
    from testimonies.models import Witness

    assert list(backend.search("Witness", Witness)) == []


def test_public_search_goes_through_the_public_backend():
    excerpt = make_excerpt(text="Remittance quota of the month.")
    with CaptureQueriesContext(connection) as captured:
        outcome = search_public(AnonymousUser(), "remittance")
    assert [r.obj.pk for r in outcome.results] == [excerpt.pk]
    assert any(public_index.EXCERPT_INDEX in q["sql"] for q in captured.captured_queries)
    # A quoted query is a phrase.
    make_excerpt(text="The quota of remittance.")
    assert search_public(AnonymousUser(), '"remittance quota"').total == 1
    assert search_public(AnonymousUser(), "remittance quota").total == 2


def test_a_save_does_not_touch_the_whole_index():
    """No per-save statement over the whole index: neither Wagtail's title-norm refresh nor
    anything else that reads every row."""
    make_excerpt(text="Seed row.")
    excerpt = make_excerpt(text="The cook worked sixteen hours.")
    excerpt.text = "The cook worked eighteen hours."
    with CaptureQueriesContext(connection) as captured:
        excerpt.save()
    sqls = [q["sql"] for q in captured.captured_queries]
    whole_index = [
        sql
        for sql in sqls
        if "AVG(" in sql.upper()
        or (sql.lstrip().upper().startswith("UPDATE") and "title_norm" in sql)
    ]
    assert whole_index == []
    assert ids("excerpt", "eighteen") == [excerpt.pk]


def test_testimony_title_weighs_more_than_summary():
    in_summary = make_testimony(title="Work abroad", summary="A sawmill in the taiga.")
    in_title = make_testimony(title="Sawmill in Tynda", summary="Work abroad.")
    assert ids("testimony", "sawmill") == [in_title.pk, in_summary.pk]
    assert set(access.testimonies_visible_to(AnonymousUser()).values_list("pk", flat=True)) >= {
        in_title.pk,
        in_summary.pk,
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers on table rebuild")
def test_missing_triggers_are_restored_and_the_index_refilled_after_migrate():
    from search_scale.apps import ensure_public_index

    excerpt = make_excerpt(text="Coal mine in Mongolia.")
    public_index.set_triggers(False)
    Excerpt.objects.filter(pk=excerpt.pk).update(public_text="Copper mine in Mongolia.")
    assert ids("excerpt", "copper") == []
    ensure_public_index(using="default")
    assert public_index.triggers_present()
    assert ids("excerpt", "copper") == [excerpt.pk]


def test_an_import_writes_in_bulk_and_every_index_finds_it():
    from testimonies.interchange import import_document
    from testimonies.models import Theme

    doc = {
        "format": "testimony-archive/v1",
        "themes": [{"slug": "wages", "name": "Wages"}],
        "witnesses": [
            {
                "key": "imp-w",
                "pseudonym": "Imported witness",
                "consent": [{"level": "public", "recorded_on": "2024-01-01"}],
            }
        ],
        "testimonies": [
            {
                "key": "imp-t",
                "witness": "imp-w",
                "title": "Imported",
                "access": "public",
                "excerpts": [
                    {
                        "key": f"imp-e{i}",
                        "text": f"Stevedore shift {i} in the port of Nakhodka.",
                        "access": "public" if i % 2 == 0 else "researchers",
                        "approved": True,
                        "themes": ["wages"],
                    }
                    for i in range(6)
                ],
            }
        ],
    }
    with CaptureQueriesContext(connection) as captured:
        report = import_document(doc)
    assert report.total("created") >= 6
    # In bulk: the statement count does not grow with one statement per excerpt and field.
    inserts = [
        q for q in captured.captured_queries if 'INSERT INTO "testimonies_excerpt"' in q["sql"]
    ]
    assert len(inserts) == 1
    public = set(
        Excerpt.objects.filter(key__in=["imp-e0", "imp-e2", "imp-e4"]).values_list("pk", flat=True)
    )
    assert set(ids("excerpt", "stevedore")) == public
    assert Theme.objects.get(slug="wages").excerpts.count() == 6
    admin = get_search_backend("default").search("stevedore", Excerpt)
    assert len(list(admin)) == 6
    # Importing the same file again changes nothing.
    again = import_document(doc)
    assert again.total("created") == 0 and again.total("updated") == 0


def test_the_triggers_are_in_place_after_migrate():
    """The test database was made by migrate: on SQLite a later migration that rebuilds the
    excerpt table drops its triggers, and post_migrate must have put them back."""
    assert public_index.triggers_present()


def test_a_slice_beyond_what_a_narrow_queryset_keeps_asks_for_every_candidate():
    backend = get_search_backend("public")
    made = [make_excerpt(text=f"Timber quota {n}.") for n in range(6)]
    keep = [e.pk for e in made[3:]]
    narrow = Excerpt.objects.filter(pk__in=keep)
    # The first three ranked are outside the queryset: the slice still fills from the rest.
    assert {e.pk for e in backend.search("timber", narrow)[:3]} == set(keep)
    assert len(list(backend.search("timber", Excerpt)[:4])) == 4

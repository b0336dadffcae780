"""The access policy as a matrix: every role × every combination of consent (and its embargo),
testimony access, excerpt access, approval and excerpt embargo. The expected answer is written
here from the interchange README's rules, independently of testimonies.access; the queryset
answer and the per-object answer must both equal it."""

import datetime as dt
import itertools

from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from testimonies import access
from testimonies.levels import Level
from testimonies.models import Excerpt, Testimony, Witness
from tests.factories import (
    FUTURE,
    PAST,
    ROLES,
    make_excerpt,
    make_testimony,
    make_user,
    make_witness,
)

CONSENTS = [Level.PUBLIC, Level.RESEARCHERS, Level.ARCHIVE, Level.WITHDRAWN]
ACCESS = [Level.PUBLIC, Level.RESEARCHERS, Level.ARCHIVE]
EMBARGOES = {"none": "", "past": PAST, "future": FUTURE}
STAFF_ROLES = {"archivist", "custodian"}
ROLE_RANK = {"anonymous": 0, "signed_in": 0, "researcher_expired": 0, "researcher": 1}


def expected_excerpt(role, consent, consent_embargo, t_access, e_access, approved, e_embargo):
    if role in STAFF_ROLES:
        return True
    level = max(consent, t_access, e_access)
    embargoed = "future" in (consent_embargo, e_embargo)
    return approved and not embargoed and level <= ROLE_RANK[role]


def expected_testimony(role, consent, consent_embargo, t_access):
    if role in STAFF_ROLES:
        return True
    return max(consent, t_access) <= ROLE_RANK[role] and consent_embargo != "future"


class AccessMatrixTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = {role: make_user(role) for role in ROLES}
        cls.excerpt_cases = {}
        cls.testimony_cases = {}
        cls.witness_cases = {}
        for consent, c_emb in itertools.product(CONSENTS, EMBARGOES):
            witness = make_witness(consent=consent, embargo_until=EMBARGOES[c_emb])
            cls.witness_cases[witness.pk] = (consent, c_emb)
            for t_access in ACCESS:
                testimony = make_testimony(witness, access=t_access, transcript="Full words.")
                cls.testimony_cases[testimony.pk] = (consent, c_emb, t_access)
                for e_access, approved, e_emb in itertools.product(
                    ACCESS, (True, False), EMBARGOES
                ):
                    excerpt = make_excerpt(
                        testimony,
                        access=e_access,
                        approved=approved,
                        embargo_until=EMBARGOES[e_emb],
                    )
                    cls.excerpt_cases[excerpt.pk] = (
                        consent,
                        c_emb,
                        t_access,
                        e_access,
                        approved,
                        e_emb,
                    )

    def test_matrix_covers_every_combination(self):
        self.assertEqual(len(self.excerpt_cases), 4 * 3 * 3 * 3 * 2 * 3)

    def test_excerpts_queryset_and_object_checks_agree_with_the_rules(self):
        excerpts = list(Excerpt.objects.select_related("testimony__witness"))
        for role, user in self.users.items():
            with self.subTest(role=role):
                visible = set(access.excerpts_visible_to(user).values_list("pk", flat=True))
                for excerpt in excerpts:
                    case = self.excerpt_cases[excerpt.pk]
                    want = expected_excerpt(role, *case)
                    self.assertEqual(excerpt.pk in visible, want, (role, case, "queryset"))
                    self.assertEqual(access.can_view_excerpt(user, excerpt), want, (role, case))

    def test_testimonies_and_transcripts(self):
        testimonies = list(Testimony.objects.select_related("witness"))
        for role, user in self.users.items():
            with self.subTest(role=role):
                visible = set(access.testimonies_visible_to(user).values_list("pk", flat=True))
                transcripts = set(
                    access.testimonies_with_transcripts_for(user).values_list("pk", flat=True)
                )
                for testimony in testimonies:
                    case = self.testimony_cases[testimony.pk]
                    want = expected_testimony(role, *case)
                    self.assertEqual(testimony.pk in visible, want, (role, case))
                    self.assertEqual(access.can_view_testimony(user, testimony), want, (role, case))
                    may_read = want and (role in STAFF_ROLES or role == "researcher")
                    self.assertEqual(testimony.pk in transcripts, may_read, (role, case))
                    self.assertEqual(access.can_view_transcript(user, testimony), may_read)
                    if role in ("anonymous", "signed_in", "researcher_expired"):
                        self.assertFalse(access.can_view_transcript(user, testimony))

    def test_witnesses(self):
        for role, user in self.users.items():
            visible = set(access.witnesses_visible_to(user).values_list("pk", flat=True))
            for witness in Witness.objects.all():
                consent, c_emb = self.witness_cases[witness.pk]
                want = role in STAFF_ROLES or (consent <= ROLE_RANK[role] and c_emb != "future")
                self.assertEqual(witness.pk in visible, want, (role, consent, c_emb))
                self.assertEqual(access.can_view_witness(user, witness), want)

    def test_identity_is_for_custodians_only(self):
        superuser = make_user("superuser")
        allowed = {role for role, user in self.users.items() if access.can_view_identity(user)}
        self.assertEqual(allowed, {"custodian"})
        self.assertTrue(access.can_view_identity(superuser))


class EmbargoAndChangesTest(TestCase):
    def test_embargo_lifts_by_itself_the_day_after_its_date(self):
        excerpt = make_excerpt(embargo_until="2030-06-01")
        public = make_user("anonymous")
        on = dt.date(2030, 6, 1)
        self.assertFalse(access.excerpts_visible_to(public, on=on).filter(pk=excerpt.pk).exists())
        self.assertFalse(access.can_view_excerpt(public, excerpt, on=on))
        after = on + dt.timedelta(days=1)
        self.assertTrue(access.excerpts_visible_to(public, on=after).filter(pk=excerpt.pk).exists())
        self.assertTrue(access.can_view_excerpt(public, excerpt, on=after))

    def test_partial_date_embargo_covers_the_whole_period(self):
        excerpt = make_excerpt(embargo_until="2030")
        self.assertFalse(access.can_view_excerpt(None, excerpt, on=dt.date(2030, 12, 31)))
        self.assertTrue(access.can_view_excerpt(None, excerpt, on=dt.date(2031, 1, 1)))

    def test_consent_change_takes_effect_at_once_and_keeps_history(self):
        from testimonies.services import consent_withdraw

        excerpt = make_excerpt()
        witness = excerpt.testimony.witness
        self.assertTrue(access.excerpts_visible_to(None).filter(pk=excerpt.pk).exists())
        consent_withdraw(witness=witness, reason="asked by the witness")
        self.assertFalse(access.excerpts_visible_to(None).filter(pk=excerpt.pk).exists())
        self.assertFalse(
            access.testimonies_visible_to(None).filter(pk=excerpt.testimony_id).exists()
        )
        self.assertTrue(Excerpt.objects.filter(pk=excerpt.pk).exists(), "nothing is deleted")
        self.assertEqual(witness.consent_entries.count(), 2)

    def test_testimony_access_change_reaches_its_excerpts(self):
        excerpt = make_excerpt()
        testimony = excerpt.testimony
        testimony.access = Level.ARCHIVE
        testimony.save()
        self.assertFalse(access.excerpts_visible_to(None).filter(pk=excerpt.pk).exists())

    def test_redacted_text_for_everyone_but_staff(self):
        excerpt = make_excerpt(
            text="Officer Pak took our phones.", redactions=[{"start": 8, "end": 11}]
        )
        for role in ("anonymous", "signed_in", "researcher"):
            self.assertEqual(
                access.excerpt_text_for(make_user(role), excerpt),
                "Officer [redacted] took our phones.",
            )
        self.assertEqual(access.excerpt_text_for(make_user("archivist"), excerpt), excerpt.text)

    def test_get_visible_or_404_does_not_reveal_existence(self):
        from django.http import Http404

        hidden = make_excerpt(access=Level.ARCHIVE)
        with self.assertRaises(Http404):
            access.get_visible_or_404(Excerpt.objects.all(), None, public_id=hidden.public_id)
        with self.assertRaises(Http404):
            access.get_visible_or_404(Excerpt.objects.all(), None, public_id="no-such-id")

    def test_revoked_grant_is_the_public(self):
        from testimonies.services import role_revoke

        researcher = make_user("researcher")
        excerpt = make_excerpt(access=Level.RESEARCHERS)
        self.assertTrue(access.can_view_excerpt(researcher, excerpt))
        role_revoke(user=researcher, role="researcher")
        self.assertFalse(access.can_view_excerpt(researcher, excerpt))


class RandomCombinationsTest(HypothesisTestCase):
    """Random combinations on top of the table, including consent changes over time."""

    @settings(max_examples=40, deadline=None)
    @given(
        consents=st.lists(st.sampled_from(CONSENTS), min_size=1, max_size=3),
        c_emb=st.sampled_from(list(EMBARGOES)),
        t_access=st.sampled_from(ACCESS),
        e_access=st.sampled_from(ACCESS),
        approved=st.booleans(),
        e_emb=st.sampled_from(list(EMBARGOES)),
        role=st.sampled_from(ROLES),
    )
    def test_random_combination(self, consents, c_emb, t_access, e_access, approved, e_emb, role):
        from testimonies.services import consent_record

        witness = make_witness(consent=consents[0])
        for level in consents[1:]:
            consent_record(witness=witness, level=level, note="change")
        consent_record(witness=witness, level=consents[-1], embargo_until=EMBARGOES[c_emb])
        testimony = make_testimony(witness, access=t_access)
        excerpt = make_excerpt(
            testimony, access=e_access, approved=approved, embargo_until=EMBARGOES[e_emb]
        )
        user = make_user(role)
        want = expected_excerpt(role, consents[-1], c_emb, t_access, e_access, approved, e_emb)
        in_queryset = access.excerpts_visible_to(user).filter(pk=excerpt.pk).exists()
        self.assertEqual(in_queryset, want)
        self.assertEqual(access.can_view_excerpt(user, Excerpt.objects.get(pk=excerpt.pk)), want)

"""The archive's one access policy.

Every read path (pages, listings, search, facet counts, feeds, sitemap, API, OAI-PMH, exports,
media) asks this module what a user may see, either as a queryset that filters in the database
or as a check on one object. The rules are those of the interchange README:

* levels `public` < `researchers` < `archive`; archive staff see everything;
* an excerpt's effective level is the most closed of its own access, its testimony's access and
  its witness's consent in force; consent `withdrawn` is staff-only;
* until an embargo date (on the consent in force or on the excerpt) has passed, the record is
  archive-only; the date is compared with today on every request, so embargoes lift by
  themselves;
* an unapproved excerpt (not live) is staff-only; the public and researchers see the approved
  (live) version only;
* transcripts are never public: researchers and staff, when the testimony's level allows;
* identities: custodians only;
* redacted ranges are replaced by `[redacted]` for everyone but archive staff.

The per-object checks compute the level from the underlying records (testimony, consent
ledger), while the querysets use the derived columns; tests prove the two agree.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .levels import STAFF_RANK, Level, embargo_lifts_on
from .models import Excerpt, ResearchGrant, Testimony, Witness

RESEARCHERS_GROUP = "Researchers"
ARCHIVISTS_GROUP = "Archivists"
CUSTODIANS_GROUP = "Custodians"
ROLE_GROUPS = (RESEARCHERS_GROUP, ARCHIVISTS_GROUP, CUSTODIANS_GROUP)


@dataclass(frozen=True)
class Viewer:
    """What the policy knows about whoever is asking."""

    rank: int  # Level.PUBLIC, Level.RESEARCHERS or STAFF_RANK
    is_custodian: bool = False

    @property
    def is_staff(self):
        return self.rank >= STAFF_RANK

    @property
    def is_researcher(self):
        return self.rank >= Level.RESEARCHERS


PUBLIC_VIEWER = Viewer(rank=Level.PUBLIC)


def today():
    return timezone.localdate()


def has_current_grant(user, on=None):
    on = on or today()
    return ResearchGrant.objects.filter(
        user=user, revoked_at__isnull=True, starts_on__lte=on, expires_on__gte=on
    ).exists()


def viewer_for(user):
    """The access a user has right now. Anonymous and inactive users are the public."""
    if isinstance(user, Viewer):
        return user
    if user is None or not user.is_authenticated or not user.is_active:
        return PUBLIC_VIEWER
    if user.is_superuser:
        return Viewer(rank=STAFF_RANK, is_custodian=True)
    groups = set(user.groups.values_list("name", flat=True))
    is_custodian = CUSTODIANS_GROUP in groups
    if is_custodian or ARCHIVISTS_GROUP in groups:
        return Viewer(rank=STAFF_RANK, is_custodian=is_custodian)
    if RESEARCHERS_GROUP in groups and has_current_grant(user):
        return Viewer(rank=Level.RESEARCHERS)
    return PUBLIC_VIEWER


def is_archive_staff(user):
    return viewer_for(user).is_staff


# --- Querysets -------------------------------------------------------------------------------


def _not_embargoed(field, on):
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": on})


def excerpt_filter(user, on=None):
    """The condition on Excerpt rows that a user may see (a Q; None for staff: everything)."""
    viewer = viewer_for(user)
    if viewer.is_staff:
        return None
    return Q(live=True, level__lte=viewer.rank) & _not_embargoed("embargo_lifts_on", on or today())


def excerpts_visible_to(user, queryset=None, on=None):
    queryset = Excerpt.objects.all() if queryset is None else queryset
    condition = excerpt_filter(user, on)
    return queryset if condition is None else queryset.filter(condition)


def testimony_filter(user, on=None):
    viewer = viewer_for(user)
    if viewer.is_staff:
        return None
    return Q(level__lte=viewer.rank) & _not_embargoed("embargo_lifts_on", on or today())


def testimonies_visible_to(user, queryset=None, on=None):
    queryset = Testimony.objects.all() if queryset is None else queryset
    condition = testimony_filter(user, on)
    return queryset if condition is None else queryset.filter(condition)


def witnesses_visible_to(user, queryset=None, on=None):
    """Witnesses whose consent in force lets this user see them (pseudonym and descriptors)."""
    queryset = Witness.objects.all() if queryset is None else queryset
    viewer = viewer_for(user)
    if viewer.is_staff:
        return queryset
    return queryset.filter(
        Q(consent_level__lte=viewer.rank)
        & _not_embargoed("consent_embargo_lifts_on", on or today())
    )


def testimonies_with_transcripts_for(user, queryset=None, on=None):
    """Testimonies whose full transcript this user may read."""
    viewer = viewer_for(user)
    if not viewer.is_researcher:
        return Testimony.objects.none()
    return testimonies_visible_to(viewer, queryset, on).exclude(transcript="")


# --- Per-object checks, computed from the underlying records ---------------------------------


def _embargoed(lifts_on, on):
    return lifts_on is not None and on < lifts_on


def consent_in_force(witness):
    entry = witness.current_consent()
    if entry is None:
        return Level.ARCHIVE, None
    return entry.level, embargo_lifts_on(entry.embargo_until)


def testimony_effective(testimony):
    """(level, embargo lifts on) computed from the testimony and its witness's ledger."""
    consent, consent_embargo = consent_in_force(testimony.witness)
    return max(testimony.access, consent), consent_embargo


def excerpt_effective(excerpt):
    level, consent_embargo = testimony_effective(excerpt.testimony)
    dates = [d for d in (embargo_lifts_on(excerpt.embargo_until), consent_embargo) if d]
    return max(excerpt.access, level), (max(dates) if dates else None)


def can_view_excerpt(user, excerpt, on=None):
    viewer = viewer_for(user)
    if viewer.is_staff:
        return True
    level, lifts_on = excerpt_effective(excerpt)
    return excerpt.live and level <= viewer.rank and not _embargoed(lifts_on, on or today())


def can_view_testimony(user, testimony, on=None):
    viewer = viewer_for(user)
    if viewer.is_staff:
        return True
    level, lifts_on = testimony_effective(testimony)
    return level <= viewer.rank and not _embargoed(lifts_on, on or today())


def can_view_witness(user, witness, on=None):
    viewer = viewer_for(user)
    if viewer.is_staff:
        return True
    level, lifts_on = consent_in_force(witness)
    return level <= viewer.rank and not _embargoed(lifts_on, on or today())


def can_view_transcript(user, testimony, on=None):
    viewer = viewer_for(user)
    return viewer.is_researcher and can_view_testimony(viewer, testimony, on)


def can_view_identity(user):
    return viewer_for(user).is_custodian


def excerpt_text_for(user, excerpt):
    """The text this user gets: the full text for staff, the redacted text for everyone else."""
    if viewer_for(user).is_staff:
        return excerpt.text
    return excerpt.public_text


def get_visible_or_404(queryset, user, **lookup):
    """One object of a visible queryset, or 404 that says nothing about whether it exists."""
    model = queryset.model
    visible = {
        Excerpt: excerpts_visible_to,
        Testimony: testimonies_visible_to,
        Witness: witnesses_visible_to,
    }[model](user, queryset)
    try:
        return visible.get(**lookup)
    except model.DoesNotExist as exc:
        raise Http404("No such record.") from exc

"""The archive's domain: themes, sources, witnesses, their identities and consent, testimonies
and excerpts.

Access columns (`level`, `embargo_lifts_on` on testimonies and excerpts, `consent_level` and
`consent_embargo_lifts_on` on witnesses) are derived from the records they summarise and kept
current by `save()` here, so that listings, search and counts can filter in the database.
`testimonies.access` is the only module that decides what a user may see.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .crypto import EncryptedTextField
from .levels import (
    ACCESS_CHOICES,
    Level,
    embargo_lifts_on,
    new_public_id,
    parse_partial_date,
    parse_timecode,
)

REDACTED = "[redacted]"


def validate_partial_date(value):
    if value:
        try:
            parse_partial_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class Theme(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": "A theme cannot be its own ancestor."})
            node = node.parent

    def descendant_ids(self):
        """This theme and every theme below it (the hierarchy is small: a few hundred at most)."""
        children = {}
        for pk, parent_id in Theme.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, todo = [], [self.pk]
        while todo:
            pk = todo.pop()
            found.append(pk)
            todo.extend(children.get(pk, []))
        return found


class Source(models.Model):
    KINDS = [(k, k) for k in ("report", "news", "interview", "legal", "other")]

    key = models.CharField(max_length=128, unique=True)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.TextField()
    kind = models.CharField(max_length=20, choices=KINDS, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published = models.CharField(max_length=10, blank=True, validators=[validate_partial_date])
    url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class Witness(index.Indexed, models.Model):
    key = models.CharField(max_length=128, unique=True)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    pseudonym = models.CharField(max_length=200)
    gender = models.CharField(max_length=50, blank=True)
    birth_decade = models.CharField(max_length=5, blank=True)
    home_region = models.CharField(max_length=200, blank=True)
    occupation = models.CharField(max_length=200, blank=True)
    # Derived from the consent ledger (the entry in force); see ConsentEntry.save().
    consent_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.ARCHIVE, editable=False
    )
    consent_embargo_lifts_on = models.DateField(null=True, blank=True, editable=False)

    search_fields = [index.SearchField("pseudonym"), index.AutocompleteField("pseudonym")]

    class Meta:
        ordering = ["pseudonym"]
        verbose_name_plural = "witnesses"

    def __str__(self):
        return self.pseudonym

    def get_absolute_url(self):
        return reverse("archive:witness", args=[self.public_id])

    def current_consent(self):
        return self.consent_entries.order_by("-sequence").first()

    def refresh_access(self):
        """Recompute the consent columns here and the access columns of everything below."""
        entry = self.current_consent()
        self.consent_level = entry.level if entry else Level.ARCHIVE
        self.consent_embargo_lifts_on = entry.embargo_lifts_on if entry else None
        Witness.objects.filter(pk=self.pk).update(
            consent_level=self.consent_level,
            consent_embargo_lifts_on=self.consent_embargo_lifts_on,
        )
        for testimony in self.testimonies.all():
            testimony.refresh_access(witness=self)


class WitnessIdentity(models.Model):
    """A witness's real identity: apart from the rest, encrypted at rest, custodians only."""

    witness = models.OneToOneField(Witness, on_delete=models.PROTECT, related_name="identity")
    legal_name = EncryptedTextField(blank=True)
    contact = EncryptedTextField(blank=True)
    notes = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "witness identity"
        verbose_name_plural = "witness identities"
        permissions = [("read_identity", "Can read witness identities")]

    def __str__(self):
        # Never the legal name: this label reaches logs and the audit trail.
        return f"Identity record of {self.witness.pseudonym}"


class ConsentEntry(models.Model):
    """One entry of a witness's consent ledger. Entries are appended, never edited or deleted."""

    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="consent_entries")
    sequence = models.PositiveIntegerField(editable=False)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    recorded_on = models.CharField(max_length=10, validators=[validate_partial_date])
    by = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    embargo_until = models.CharField(max_length=10, blank=True, validators=[validate_partial_date])
    embargo_lifts_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    class Meta:
        ordering = ["witness", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["witness", "sequence"], name="consent_sequence_unique")
        ]
        verbose_name_plural = "consent entries"

    def __str__(self):
        return f"{self.witness.pseudonym}: {self.get_level_display()} ({self.recorded_on})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Consent entries are never changed: add a new entry instead.")
        self.embargo_lifts_on = embargo_lifts_on(self.embargo_until)
        with transaction.atomic():
            last = (
                ConsentEntry.objects.select_for_update()
                .filter(witness=self.witness)
                .aggregate(models.Max("sequence"))["sequence__max"]
            )
            self.sequence = (last or 0) + 1
            super().save(*args, **kwargs)
            self.witness.refresh_access()

    def delete(self, *args, **kwargs):
        raise ValidationError("Consent entries are never deleted.")


class Country(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name


class Sector(models.Model):
    slug = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Testimony(index.Indexed, models.Model):
    key = models.CharField(max_length=128, unique=True)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="testimonies")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    recorded_on = models.CharField(max_length=10, blank=True, validators=[validate_partial_date])
    language = models.CharField(max_length=35, blank=True)
    interviewer = models.CharField(max_length=200, blank=True)
    countries = models.ManyToManyField(Country, blank=True, related_name="testimonies")
    sectors = models.ManyToManyField(Sector, blank=True, related_name="testimonies")
    period_from = models.PositiveSmallIntegerField(null=True, blank=True)
    period_to = models.PositiveSmallIntegerField(null=True, blank=True)
    access = models.PositiveSmallIntegerField(choices=ACCESS_CHOICES, default=Level.ARCHIVE)
    sources = models.ManyToManyField(Source, blank=True, related_name="testimonies")
    transcript = models.TextField(blank=True)
    # Derived: the most closed of `access` and the witness's consent in force.
    level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.ARCHIVE, editable=False
    )
    embargo_lifts_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("summary"),
        index.AutocompleteField("title"),
        index.FilterField("level"),
        index.FilterField("embargo_lifts_on"),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "testimonies"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("archive:testimony", args=[self.public_id])

    def clean(self):
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValidationError({"period_to": "The period ends before it starts."})

    def _derive_access(self, witness):
        self.level = max(self.access, witness.consent_level)
        self.embargo_lifts_on = witness.consent_embargo_lifts_on

    def save(self, *args, **kwargs):
        # Read consent from the database: a cached witness object may predate a change.
        self._derive_access(
            Witness.objects.only("consent_level", "consent_embargo_lifts_on").get(
                pk=self.witness_id
            )
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._refresh_excerpts()

    def refresh_access(self, witness=None):
        self._derive_access(witness or self.witness)
        Testimony.objects.filter(pk=self.pk).update(
            level=self.level, embargo_lifts_on=self.embargo_lifts_on
        )
        self._refresh_excerpts()

    def _refresh_excerpts(self):
        """Push this testimony's level and the consent embargo down to its excerpts in bulk."""
        own = F("own_embargo_lifts_on")
        if self.embargo_lifts_on is None:
            embargo = own
        else:
            consent = Value(self.embargo_lifts_on)
            embargo = Case(
                When(own_embargo_lifts_on__gt=self.embargo_lifts_on, then=own),
                default=consent,
                output_field=models.DateField(),
            )
        Excerpt.objects.filter(testimony=self).update(
            level=Greatest(F("access"), Value(self.level)), embargo_lifts_on=embargo
        )


def validate_redactions(value):
    if not isinstance(value, list):
        raise ValidationError("Redactions must be a list of {start, end, reason} ranges.")
    for i, item in enumerate(value):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("start"), int)
            or not isinstance(item.get("end"), int)
        ):
            raise ValidationError(f"Redaction {i + 1} needs whole-number start and end.")


def apply_redactions(text, redactions):
    """`text` with every redacted range replaced by [redacted]; overlapping ranges merge."""
    if not redactions:
        return text
    spans = sorted((max(0, r["start"]), min(len(text), r["end"])) for r in redactions)
    merged = []
    for start, end in spans:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(REDACTED)
        pos = end
    out.append(text[pos:])
    return "".join(out)


class Excerpt(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """A passage of a testimony. Its live (approved) version is what anyone but staff can see;
    edits to an approved excerpt wait as a draft revision until approved again."""

    key = models.CharField(max_length=128, unique=True)
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    testimony = models.ForeignKey(Testimony, on_delete=models.PROTECT, related_name="excerpts")
    text = models.TextField()
    translation_of = models.TextField(
        blank=True, help_text="The original-language text, when the text above is a translation."
    )
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    themes = ParentalManyToManyField(Theme, blank=True, related_name="excerpts")
    access = models.PositiveSmallIntegerField(choices=ACCESS_CHOICES, default=Level.ARCHIVE)
    embargo_until = models.CharField(max_length=10, blank=True, validators=[validate_partial_date])
    content_warning = models.CharField(max_length=300, blank=True)
    redactions = models.JSONField(default=list, blank=True, validators=[validate_redactions])
    position = models.PositiveIntegerField(default=0)
    # Derived columns; see Testimony._refresh_excerpts() and save() below.
    public_text = models.TextField(editable=False, default="")
    own_embargo_lifts_on = models.DateField(null=True, blank=True, editable=False)
    level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.ARCHIVE, editable=False
    )
    embargo_lifts_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: the newest change dates the collection's cached figures (archive.public).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Only the redacted text is indexed: no search matches a word inside a redaction.
    search_fields = [
        index.SearchField("public_text"),
        index.AutocompleteField("public_text"),
        index.FilterField("live"),
        index.FilterField("level"),
        index.FilterField("embargo_lifts_on"),
        index.FilterField("testimony_id"),
    ]

    class Meta:
        ordering = ["testimony", "position", "start_ms", "pk"]
        indexes = [
            # Public search without words lists the newest material first (archive.search);
            # drafts, the newest rows of all, are left out of the index.
            models.Index(
                Coalesce("first_published_at", "created_at").desc(),
                F("id").desc(),
                name="excerpt_newest",
                condition=Q(live=True),
            ),
            # Counting visible excerpts per testimony (search facets, figures) reads this
            # index alone instead of the table's text.
            models.Index(
                fields=["testimony", "level", "embargo_lifts_on", "id"],
                condition=Q(live=True),
                name="excerpt_live_by_testimony",
            ),
        ]

    def __str__(self):
        words = self.public_text or apply_redactions(self.text, self.redactions)
        return words if len(words) <= 80 else words[:77] + "…"

    def get_absolute_url(self):
        return reverse("archive:excerpt", args=[self.public_id])

    def clean(self):
        errors = {}
        for i, r in enumerate(self.redactions or []):
            if not (0 <= r.get("start", -1) < r.get("end", -1) <= len(self.text or "")):
                errors["redactions"] = (
                    f"Redaction {i + 1} ({r.get('start')}–{r.get('end')}) is outside the text "
                    f"of {len(self.text or '')} characters or ends before it starts."
                )
        if self.start_ms is not None and self.end_ms is not None and self.end_ms < self.start_ms:
            errors["end_ms"] = "The excerpt ends before it starts."
        if errors:
            raise ValidationError(errors)

    def derive_columns(self, testimony=None):
        """Fill the derived columns. `testimony` may be passed by bulk writers that hold it
        fresh; otherwise its access columns are read from the database, never from a
        possibly stale cached object."""
        if testimony is None:
            testimony = Testimony.objects.only("level", "embargo_lifts_on").get(
                pk=self.testimony_id
            )
        self.public_text = apply_redactions(self.text, self.redactions)
        self.own_embargo_lifts_on = embargo_lifts_on(self.embargo_until)
        self.level = max(self.access, testimony.level)
        dates = [d for d in (self.own_embargo_lifts_on, testimony.embargo_lifts_on) if d]
        self.embargo_lifts_on = max(dates) if dates else None

    SOURCE_FIELDS = frozenset({"text", "redactions", "access", "embargo_until", "testimony"})
    DERIVED_FIELDS = frozenset({"public_text", "own_embargo_lifts_on", "level", "embargo_lifts_on"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.derive_columns()
        elif self.SOURCE_FIELDS & set(update_fields):
            self.derive_columns()
            kwargs["update_fields"] = set(update_fields) | self.DERIVED_FIELDS
        if update_fields is not None:
            # Every write dates the collection's figures (approval and unpublishing included).
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"updated_at"}
        if (
            self.live
            and self.first_published_at is None
            and (update_fields is None or "live" in update_fields)
        ):
            # Approved without going through publish() (an import): public from now on, and
            # listed newest first by this date.
            self.first_published_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = set(kwargs["update_fields"]) | {"first_published_at"}
        # Otherwise (revision bookkeeping on a live excerpt with a pending draft) the derived
        # columns must stay those of the live version, whatever the in-memory draft says.
        super().save(*args, **kwargs)

    # The admin's preview: what the public will see of this version (curation app's template).
    preview_modes = [("", "Public view")]

    def get_preview_template(self, request, mode_name):
        return "curation/excerpt_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        redactions = sorted(
            self.redactions or [], key=lambda r: (r.get("start", 0), r.get("end", 0))
        )
        context["public_text"] = apply_redactions(self.text, redactions)
        context["redactions"] = [
            {**r, "hidden": self.text[r["start"] : r["end"]]} for r in redactions
        ]
        return context

    @staticmethod
    def timecode_to_ms(text):
        return parse_timecode(text) if text else None


class ResearchGrant(models.Model):
    """A researcher's access: current from `starts_on` through `expires_on`, unless revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="research_grants"
    )
    starts_on = models.DateField()
    expires_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expires_on"]

    def __str__(self):
        return f"Research access for {self.user} until {self.expires_on}"


class AccessRecord(models.Model):
    """One restricted read: who, when, what and from where. Appended, never changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=50, db_index=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_ref = models.CharField(max_length=200, blank=True)
    query = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The access record is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The access record is append-only.")

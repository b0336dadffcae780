"""The archivists' admin: every record of the archive under one "Archive" menu."""

from django.http import Http404
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup

from curation.redactions import ExcerptAdminForm
from curation.views import WitnessEditViewMixin

from .access import can_view_identity
from .access_record_admin import AccessRecordFilterSet, AccessRecordIndexView
from .concurrency import ConflictRefusingEditView
from .models import (
    AccessRecord,
    ConsentEntry,
    Excerpt,
    ResearchGrant,
    Source,
    Testimony,
    Theme,
    Witness,
    WitnessIdentity,
)
from .services import access_record_add


class AppendOnlyPolicy(ModelPermissionPolicy):
    """Records that are appended and never changed: no edit or delete for anyone."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class ReadOnlyPolicy(AppendOnlyPolicy):
    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)


class IdentityPolicy(ModelPermissionPolicy):
    """Identities: custodians (and superusers) only, whatever other permissions say."""

    def user_has_permission(self, user, action):
        if action == "delete" or not can_view_identity(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(ConsentEntry, AppendOnlyPolicy(ConsentEntry))
register_permission_policy(AccessRecord, ReadOnlyPolicy(AccessRecord))
register_permission_policy(WitnessIdentity, IdentityPolicy(WitnessIdentity))


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug", "parent"]
    search_fields = ["name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
    ]


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "doc-full"
    list_display = ["title", "kind", "publisher", "published"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "author"]


class WitnessEditView(WitnessEditViewMixin, EditView):
    pass


class WitnessViewSet(SnippetViewSet):
    model = Witness
    icon = "user"
    edit_view_class = WitnessEditView
    list_display = ["pseudonym", "public_id", "get_consent_level_display", "occupation"]
    list_filter = ["consent_level", "gender"]
    search_fields = ["pseudonym", "key"]
    panels = [
        FieldPanel("key"),
        FieldPanel("pseudonym"),
        FieldRowPanel([FieldPanel("gender"), FieldPanel("birth_decade")]),
        FieldRowPanel([FieldPanel("home_region"), FieldPanel("occupation")]),
    ]


class ConsentEntryViewSet(SnippetViewSet):
    model = ConsentEntry
    icon = "clipboard-list"
    menu_label = "Consent ledger"
    list_display = [
        "witness",
        "sequence",
        "get_level_display",
        "recorded_on",
        "embargo_until",
        "by",
    ]
    list_filter = ["level"]
    search_fields = ["note", "by"]
    panels = [
        FieldPanel("witness"),
        FieldPanel("level"),
        FieldPanel("recorded_on"),
        FieldPanel("by"),
        FieldPanel("note"),
        FieldPanel("embargo_until"),
    ]


class TestimonyViewSet(SnippetViewSet):
    model = Testimony
    icon = "openquote"
    list_display = ["title", "witness", "get_access_display", "get_level_display", "recorded_on"]
    list_filter = ["access", "level", "countries", "sectors"]
    search_fields = ["title", "summary"]
    panels = [
        FieldPanel("key"),
        FieldPanel("witness"),
        FieldPanel("title"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("recorded_on"), FieldPanel("language")]),
                FieldPanel("interviewer"),
                FieldRowPanel([FieldPanel("period_from"), FieldPanel("period_to")]),
                FieldPanel("countries"),
                FieldPanel("sectors"),
                FieldPanel("sources"),
            ],
            heading="Context",
        ),
        FieldPanel("access"),
        FieldPanel("transcript"),
    ]


class ExcerptViewSet(SnippetViewSet):
    model = Excerpt
    icon = "pick"
    edit_view_class = ConflictRefusingEditView  # a stale form's save is refused, visibly
    list_display = ["__str__", "testimony", "get_access_display", "get_level_display", "live"]
    list_filter = ["access", "level", "live", "themes"]
    search_fields = ["public_text"]
    # Redactions are edited as lines, with a live preview of the public text (curation app).
    edit_handler = ObjectList(
        [
            FieldPanel("key"),
            FieldPanel("testimony"),
            FieldPanel("text"),
            FieldPanel("translation_of"),
            FieldRowPanel([FieldPanel("start_ms"), FieldPanel("end_ms"), FieldPanel("position")]),
            FieldPanel("themes"),
            FieldRowPanel([FieldPanel("access"), FieldPanel("embargo_until")]),
            FieldPanel("content_warning"),
            FieldPanel("redactions"),
        ],
        base_form_class=ExcerptAdminForm,
    )


class ResearchGrantViewSet(SnippetViewSet):
    model = ResearchGrant
    icon = "key"
    list_display = ["user", "starts_on", "expires_on", "revoked_at"]
    search_fields = ["note"]


class AccessRecordViewSet(SnippetViewSet):
    model = AccessRecord
    icon = "history"
    list_display = ["at", "username", "action", "object_type", "object_ref", "ip_address"]
    filterset_class = AccessRecordFilterSet
    index_view_class = AccessRecordIndexView
    list_export = ["at", "username", "action", "object_type", "object_ref", "query", "ip_address"]
    search_fields = ["username", "object_ref"]


class IdentityEditView(EditView):
    """Every time a custodian opens or changes an identity, the access record says so."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view_identity(request.user):
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200:  # the form, with the identity in it (also re-shown)
            access_record_add(
                user=request.user, action="identity.view", obj=self.object, request=request
            )
        elif request.method == "POST" and response.status_code == 302:
            access_record_add(
                user=request.user, action="identity.edit", obj=self.object, request=request
            )
        return response


class WitnessIdentityViewSet(SnippetViewSet):
    model = WitnessIdentity
    icon = "lock"
    menu_label = "Identities (custodians)"
    edit_view_class = IdentityEditView
    list_display = ["__str__", "updated_at"]
    panels = [
        FieldPanel("witness"),
        FieldPanel("legal_name"),
        FieldPanel("contact"),
        FieldPanel("notes"),
    ]


class ArchiveGroup(SnippetViewSetGroup):
    menu_label = "Archive"
    menu_icon = "folder-open-inverse"
    menu_order = 100
    items = (
        TestimonyViewSet,
        ExcerptViewSet,
        WitnessViewSet,
        ConsentEntryViewSet,
        ThemeViewSet,
        SourceViewSet,
        ResearchGrantViewSet,
        AccessRecordViewSet,
        WitnessIdentityViewSet,
    )


register_snippet(ArchiveGroup)

"""Research access in the archivists' admin: applications (approve, decline), terms of use
(new versions only), and revoking a research grant at once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from testimonies.access import is_archive_staff
from testimonies.models import ResearchGrant

from .forms import ApproveForm, DeclineForm
from .models import ResearchApplication, TermsOfUse
from .services import application_approve, application_decline, grant_revoke


class ApplicationPolicy(ModelPermissionPolicy):
    """Applications are written by applicants; archive staff read and decide, never edit."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete") or not is_archive_staff(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class TermsPolicy(ModelPermissionPolicy):
    """Terms of use: new versions are added; an accepted version is never changed."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete") or not is_archive_staff(user):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(ResearchApplication, ApplicationPolicy(ResearchApplication))
register_permission_policy(TermsOfUse, TermsPolicy(TermsOfUse))


class ResearchApplicationViewSet(SnippetViewSet):
    model = ResearchApplication
    icon = "user"
    menu_label = "Applications"
    inspect_view_enabled = True
    list_display = ["full_name", "institution", "status", "grant_state", "created_at", "user"]
    list_filter = ["status"]
    search_fields = ["full_name", "institution", "purpose"]
    inspect_view_fields = [
        "user",
        "full_name",
        "institution",
        "purpose",
        "terms",
        "terms_accepted_at",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_note",
        "grant",
    ]


class TermsOfUseViewSet(SnippetViewSet):
    model = TermsOfUse
    icon = "doc-full"
    menu_label = "Terms of use"
    inspect_view_enabled = True
    list_display = ["version", "published_at"]
    panels = [FieldPanel("version"), FieldPanel("text"), FieldPanel("published_at")]


class ResearchGroup(SnippetViewSetGroup):
    menu_label = "Research access"
    menu_icon = "key"
    menu_order = 110
    items = (ResearchApplicationViewSet, TermsOfUseViewSet)


register_snippet(ResearchGroup)


# --- Decisions --------------------------------------------------------------------------------


def _staff_or_404(request):
    if not is_archive_staff(request.user):
        raise Http404("No such page.")


def _applications_url():
    return reverse("wagtailsnippets_research_researchapplication:list")


@require_http_methods(["GET", "POST"])
def approve_view(request, pk):
    _staff_or_404(request)
    application = get_object_or_404(ResearchApplication, pk=pk)
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_approve(
                application=application,
                expires_on=form.cleaned_data["expires_on"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Approved: {application.full_name} has research access until "
                f"{form.cleaned_data['expires_on']:%Y-%m-%d}.",
            )
            return redirect(_applications_url())
    return render(
        request,
        "research/admin/decide.html",
        {"application": application, "form": form, "action": "Approve", "icon": "tick"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def decline_view(request, pk):
    _staff_or_404(request)
    application = get_object_or_404(ResearchApplication, pk=pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_decline(
                application=application, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Declined the application of {application.full_name}.")
            return redirect(_applications_url())
    return render(
        request,
        "research/admin/decide.html",
        {"application": application, "form": form, "action": "Decline", "icon": "cross"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def revoke_view(request, pk):
    _staff_or_404(request)
    grant = get_object_or_404(ResearchGrant, pk=pk)
    if request.method == "POST":
        grant_revoke(grant=grant)
        messages.success(
            request, f"Revoked: {grant.user.get_username()} sees what the public sees from now on."
        )
        return redirect(request.POST.get("next") or _applications_url())
    return render(request, "research/admin/revoke.html", {"grant": grant})


@hooks.register("register_admin_urls")
def research_admin_urls():
    return [
        path("research/applications/<int:pk>/approve/", approve_view, name="research_approve"),
        path("research/applications/<int:pk>/decline/", decline_view, name="research_decline"),
        path("research/grants/<int:pk>/revoke/", revoke_view, name="research_revoke"),
    ]


@hooks.register("register_snippet_listing_buttons")
def research_listing_buttons(snippet, user, next_url=None):
    if not is_archive_staff(user):
        return []
    if isinstance(snippet, ResearchApplication):
        if snippet.status == ResearchApplication.PENDING:
            return [
                ListingButton(
                    "Approve", reverse("research_approve", args=[snippet.pk]), priority=1
                ),
                ListingButton(
                    "Decline", reverse("research_decline", args=[snippet.pk]), priority=2
                ),
            ]
        if snippet.grant_id and snippet.grant_state in ("current", "not yet started"):
            return [
                ListingButton(
                    "Revoke access",
                    reverse("research_revoke", args=[snippet.grant_id]),
                    priority=1,
                )
            ]
    if isinstance(snippet, ResearchGrant) and snippet.revoked_at is None:
        return [ListingButton("Revoke", reverse("research_revoke", args=[snippet.pk]), priority=1)]
    return []

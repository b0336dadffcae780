"""Archivists' curation actions on a witness: change consent, withdraw. Each appends an entry to
the consent ledger through testimonies.services; the access columns change in the same
transaction, so the very next request in every channel follows the new consent."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from testimonies.access import is_archive_staff
from testimonies.levels import Level
from testimonies.models import Excerpt, Testimony, Witness
from testimonies.services import consent_record, consent_withdraw

from .forms import ConsentChangeForm, WithdrawForm


def witness_edit_url(witness):
    return reverse("wagtailsnippets_testimonies_witness:edit", args=[witness.pk])


class WitnessActionView(WagtailAdminTemplateMixin, FormView):
    """Archive staff only, checked here on the server whatever the menus show; anyone else
    gets 404, as for a record that does not exist."""

    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not is_archive_staff(request.user):
            raise Http404("No such page.")
        self.witness = get_object_or_404(Witness, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailsnippets_testimonies_witness:list"), "label": "Witnesses"},
            {"url": witness_edit_url(self.witness), "label": self.witness.pseudonym},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        witness = self.witness
        context.update(
            witness=witness,
            current=witness.current_consent(),
            testimony_count=Testimony.objects.filter(witness=witness).count(),
            excerpt_count=Excerpt.objects.filter(testimony__witness=witness).count(),
            public_excerpt_count=Excerpt.objects.filter(
                testimony__witness=witness, live=True, level=Level.PUBLIC
            ).count(),
            cancel_url=witness_edit_url(witness),
        )
        return context


class ConsentChangeView(WitnessActionView):
    template_name = "curation/consent_change.html"
    form_class = ConsentChangeForm
    page_title = "Change consent"

    def get_page_subtitle(self):
        return self.witness.pseudonym

    def form_valid(self, form):
        entry = consent_record(
            witness=self.witness,
            level=form.cleaned_data["level"],
            embargo_until=form.cleaned_data["embargo_until"],
            note=form.cleaned_data["reason"],
            user=self.request.user,
        )
        messages.success(
            self.request,
            f"Consent of {self.witness.pseudonym} is now “{entry.get_level_display()}”"
            + (f", under embargo until {entry.embargo_until}" if entry.embargo_until else "")
            + ". It applies from the next request everywhere.",
        )
        return redirect(witness_edit_url(self.witness))


class WithdrawView(WitnessActionView):
    template_name = "curation/withdraw.html"
    form_class = WithdrawForm
    page_title = "Withdraw witness"

    def get_page_subtitle(self):
        return self.witness.pseudonym

    def form_valid(self, form):
        consent_withdraw(
            witness=self.witness, reason=form.cleaned_data["reason"], user=self.request.user
        )
        messages.success(
            self.request,
            f"{self.witness.pseudonym} is withdrawn. Their testimonies and excerpts are hidden "
            "from everyone but archive staff from now on.",
        )
        return redirect(witness_edit_url(self.witness))


class WitnessEditViewMixin:
    """Adds the consent actions to the "More" menu of a witness's edit page."""

    @property
    def header_more_buttons(self):
        from .wagtail_hooks import witness_buttons

        buttons = super().header_more_buttons
        if getattr(self, "object", None) is not None:
            buttons = [*buttons, *witness_buttons(self.object, self.request.user)]
        return buttons

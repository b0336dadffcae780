"""The access record in the admin: filters, and a CSV export that is itself recorded."""

import django_filters
from django import forms
from django.http import Http404
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.snippets.views.snippets import IndexView

from .access import is_archive_staff
from .models import AccessRecord
from .services import access_record_add


def _action_choices():
    return [(a, a) for a in AccessRecord.objects.values_list("action", flat=True).distinct()]


class AccessRecordFilterSet(WagtailFilterSet):
    at = django_filters.DateFromToRangeFilter(label="When", widget=DateRangePickerWidget)
    username = django_filters.CharFilter(label="User name", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(
        label="Action", choices=_action_choices, widget=forms.RadioSelect, empty_label="All"
    )
    object_type = django_filters.CharFilter(label="Object type", lookup_expr="iexact")
    object_ref = django_filters.CharFilter(label="Object (public id)", lookup_expr="iexact")
    ip_address = django_filters.CharFilter(label="From address")

    class Meta:
        model = AccessRecord
        fields = ["at", "username", "action", "object_type", "object_ref", "ip_address"]


class AccessRecordIndexView(IndexView):
    """Archive staff only; a CSV (or XLSX) export of the record is written to the record."""

    export_filename = "access-record"

    def dispatch(self, request, *args, **kwargs):
        if not is_archive_staff(request.user):
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            filters = {k: v for k, v in self.request.GET.items() if v and k not in ("export", "p")}
            access_record_add(
                user=self.request.user,
                action="accessrecord.export",
                query={"format": self.request.GET.get("export"), "filters": filters},
                request=self.request,
            )
        return super().render_to_response(context, **response_kwargs)

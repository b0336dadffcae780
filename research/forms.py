import datetime as dt

from django import forms
from django.utils import timezone


class ApplicationForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200)
    institution = forms.CharField(label="Institution", max_length=300)
    purpose = forms.CharField(
        label="Purpose of your research",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="What you are researching and what you need from the archive.",
    )
    terms_version = forms.CharField(widget=forms.HiddenInput)
    accept_terms = forms.BooleanField(
        label="I have read and accept the terms of use above.",
        error_messages={"required": "You must accept the terms of use to apply."},
    )


def _default_expiry():
    return timezone.localdate() + dt.timedelta(days=365)


class ApproveForm(forms.Form):
    expires_on = forms.DateField(
        label="Access ends on",
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day of access (YYYY-MM-DD).",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("This date has passed: choose today or a later date.")
        return value


class DeclineForm(forms.Form):
    note = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the application.",
    )

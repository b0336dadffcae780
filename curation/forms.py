from django import forms
from django.utils import timezone

from testimonies.levels import ACCESS_CHOICES, embargo_lifts_on, parse_partial_date


class ConsentChangeForm(forms.Form):
    level = forms.TypedChoiceField(
        label="New consent level",
        choices=ACCESS_CHOICES,
        coerce=int,
        help_text="Who may see this witness's material from now on. To withdraw consent, "
        "use Withdraw instead.",
    )
    embargo_until = forms.CharField(
        label="Embargo until (optional)",
        required=False,
        max_length=10,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD. Until the end of that period only archive staff "
        "see the material.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why consent changes, and on whose word. Kept in the consent ledger.",
        error_messages={"required": "Give the reason for the change."},
    )

    def clean_embargo_until(self):
        value = self.cleaned_data["embargo_until"].strip()
        if not value:
            return ""
        try:
            parse_partial_date(value)
        except ValueError as exc:
            raise forms.ValidationError(
                f"“{value}” is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD."
            ) from exc
        if embargo_lifts_on(value) <= timezone.localdate():
            raise forms.ValidationError(
                f"An embargo until {value} has already ended; give a date in the future or "
                "leave the field empty."
            )
        return value

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the change.")
        return reason


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the withdrawal",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “The witness asked on 3 May by phone to withdraw.” Kept in the "
        "consent ledger.",
        error_messages={"required": "Give the reason for the withdrawal."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the withdrawal.")
        return reason

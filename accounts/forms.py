from django import forms


class CodeForm(forms.Form):
    """A six-digit code from the user's authenticator app, checked against one TOTP device."""

    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("The code is digits only, for example 123456.")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes in a row. Wait a minute, then try the newest code."
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code is not right or has been used already. Codes change every 30 "
                "seconds: enter the one your app shows now."
            )
        return code

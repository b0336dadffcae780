"""Sign-in, two-factor verification and set-up, and the account page of the public site.
Sign-in, sign-out and password reset are Django's own views with the archive's templates
(see urls.py); django-axes throttles sign-ins."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import CodeForm
from .twofactor import (
    confirmed_device,
    is_verified,
    pending_device,
    secret_base32,
    two_factor_required,
)


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class LoginView(auth_views.LoginView):
    """Django's sign-in; whoever owes a second factor goes straight on to give it."""

    template_name = "accounts/login.html"

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if two_factor_required(user) and not is_verified(user):
            name = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
            return f"{resolve_url(name)}?{urlencode({'next': url})}"
        return url


def _done(request):
    return redirect(_next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "has_device": confirmed_device(request.user) is not None,
            "verified": is_verified(request.user),
            "required": two_factor_required(request.user),
        },
    )


@never_cache
@login_required
def two_factor_verify(request):
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{resolve_url('two_factor_setup')}?{request.GET.urlencode()}")
    if is_verified(request.user):
        return _done(request)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        otp_login(request, device)
        return _done(request)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@never_cache
@login_required
def two_factor_setup(request):
    user = request.user
    existing = confirmed_device(user)
    if existing is not None:
        if not is_verified(user):
            # Adding a device needs the second factor already given: a password alone must
            # never be enough to replace it.
            return redirect(f"{resolve_url('two_factor_verify')}?{request.GET.urlencode()}")
        return render(request, "accounts/two_factor_on.html", {"device": existing})
    device = pending_device(user)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        request.session.cycle_key()
        otp_login(request, device)
        return _done(request)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "secret": secret_base32(device),
            "otpauth_uri": device.config_url,
            "required": two_factor_required(user),
        },
    )

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import confirmed_device, is_verified, two_factor_required


class TwoFactorRequiredMiddleware:
    """A signed-in user who owes a second factor (all archive staff; anyone who set one up)
    reaches nothing but the accounts pages until they have given it in this session: not the
    Wagtail admin, not any staff view, not the public pages (which show staff more)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(tuple(settings.TWO_FACTOR_EXEMPT_PATHS))
            and two_factor_required(user)
            and not is_verified(user)
        ):
            name = "two_factor_verify" if confirmed_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(name)}?{query}")
        return self.get_response(request)

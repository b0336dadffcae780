"""The page where a signed-in user makes and revokes personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import ApiToken


@login_required
def tokens(request):
    new_token = None
    error = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 100 or not name.isprintable():
            error = "Give the token a name of 1 to 100 printable characters."
        else:
            _, new_token = ApiToken.issue(request.user, name)
    response = render(
        request,
        "interop/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_token": new_token,
            "error": error,
        },
        status=400 if error else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    token.revoke()
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("api-tokens")

from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

NOT_PUBLICLY_CACHED = ("/admin/",)


class PrivateCacheForSignedInMiddleware:
    """No shared cache may keep a response made for a signed-in user: those carry
    `Cache-Control: private, no-store`. A successful page for an anonymous visitor, which shows
    exactly what the public may see, may be kept by shared caches, but `no-cache` makes them
    revalidate it on every request, so a withdrawal or unapproval shows on the very next request
    through any cache; unless the view already said how to cache it or the response carries a
    cookie or a CSRF token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        elif self._publicly_cacheable(request, response):
            patch_cache_control(response, public=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
        return response

    @staticmethod
    def _publicly_cacheable(request, response):
        return (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("Cache-Control")
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_USED")
            and not request.path.startswith(NOT_PUBLICLY_CACHED)
        )

from django import template

from archive.security import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce():
    """This response's Content-Security-Policy nonce (for the admin's own inline scripts)."""
    return current_nonce()

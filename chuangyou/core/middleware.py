import ipaddress
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.shortcuts import render

from chuangyou.core import request_context


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `PROXY_COUNT` trusted reverse proxies the address
    the outermost of them saw. X-Forwarded-For is read from the right, since a client may send any
    list of its own; an address that does not parse falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.PROXY_COUNT
    if not hops:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


class RequestContextMiddleware:
    """Makes the client IP available to audit events; no-store on signed-in pages; the
    Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context.set_ip(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded",)


def has_nul(request) -> bool:
    """A NUL byte in the path, the query string or an urlencoded form: no text in the system has one,
    and PostgreSQL refuses them in strings. (A multipart form is left to its forms and upload checks:
    reading it here would fix its upload handlers before the view sets them.)"""
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    return False


class BadBytesMiddleware:
    """Answers 400 with a Chinese page, instead of a server error deeper down, to requests with NUL
    bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return render(request, "400.html", status=400)
        return self.get_response(request)

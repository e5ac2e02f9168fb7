import ipaddress

from django.conf import settings

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
    """Makes the client IP available to audit events; no-store on signed-in pages."""

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
        return response

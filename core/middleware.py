"""Make the current request (and its IP address, for the audit log) available to code that has no request."""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import BadRequest

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
current_request: ContextVar = ContextVar("current_request", default=None)  # e.g. to tell the user a mail waits


def client_ip(request) -> str | None:
    """Return the client's address. Behind TRUSTED_PROXIES reverse proxies, it is the address the outermost trusted
    proxy saw, read from the right of X-Forwarded-For (the left part can be forged by the client)."""
    proxies = settings.GSZ["TRUSTED_PROXIES"]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        request_token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(request_token)
            current_ip.reset(token)


class RefuseNulInQueryMiddleware:
    """Answer 400 (the "Bad request" page) to a query string holding a NUL character, before any view reads it:
    no database can store or compare it (PostgreSQL refuses it in a string), and no page has a use for it. Forms
    refuse it in posted fields themselves; Django admin filters would pass it straight to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("NUL character in the query string")
        return self.get_response(request)

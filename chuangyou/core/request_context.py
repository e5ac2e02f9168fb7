"""The client IP of the request being served, for audit events written deep in services."""

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


def set_ip(ip: str | None):
    return _client_ip.set(ip)


def reset(token) -> None:
    _client_ip.reset(token)

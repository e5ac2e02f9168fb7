"""Login lockout (等保: 登录失败处理), on django-axes' attempt records.

- An account is locked after `AXES_FAILURE_LIMIT` wrong passwords *from one address*: someone
  elsewhere cannot keep a township's account locked by guessing at it.
- An address is locked after `ADDRESS_FAILURE_LIMIT` wrong passwords across all accounts (password
  spraying), a higher limit because a township office reaches the server through one address.
- Attempts made while locked do not extend the lockout (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`).
- A county admin unlocks an account of its scope, a system administrator an address (`unlock`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.utils import timezone

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.accounts.scope import scope_of


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)


def _failures(**where) -> int:
    recent = AccessAttempt.objects.filter(attempt_time__gte=_since(), **where)
    return recent.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        ip = getattr(request, "axes_ip_address", None)
        username = get_client_username(request, credentials)
        if ip and _failures(ip_address=ip) >= settings.ADDRESS_FAILURE_LIMIT:
            return True
        return bool(username) and _failures(username=username, ip_address=ip) >= settings.AXES_FAILURE_LIMIT


@dataclass(frozen=True)
class Lock:
    username: str  # empty: the address is locked for every account
    ip_address: str
    failures: int
    until: dt.datetime


def current_locks(user) -> list[Lock]:
    """The accounts (of the user's scope) and, for a system administrator, the addresses locked now."""
    since, cooloff = _since(), dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    recent = AccessAttempt.objects.filter(attempt_time__gte=since).order_by()
    locked = [
        row
        for row in recent.values("username", "ip_address").annotate(
            n=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if row["n"] >= settings.AXES_FAILURE_LIMIT
    ]
    unlockable = _unlockable(user, {row["username"] for row in locked})
    locks = [
        Lock(row["username"], row["ip_address"], row["n"], row["last"] + cooloff)
        for row in locked
        if row["username"] in unlockable
    ]
    if user.is_superuser:
        locks += [
            Lock("", row["ip_address"], row["n"], row["last"] + cooloff)
            for row in recent.values("ip_address").annotate(
                n=Sum("failures_since_start"), last=Max("attempt_time")
            )
            if row["n"] >= settings.ADDRESS_FAILURE_LIMIT
        ]
    return sorted(locks, key=lambda lock: (lock.username, lock.ip_address))


def _unlockable(user, usernames) -> set[str]:
    """The accounts whose locks the user may lift (one query): any for a system administrator, for a
    county admin those with roles all inside its scope."""
    if user.is_superuser:
        return set(usernames)
    scope = scope_of(user)
    if not scope.has_role(Role.COUNTY_ADMIN):
        return set()
    roots = scope.paths_for({Role.COUNTY_ADMIN})
    held, outside = set(), set()
    roles = RoleAssignment.objects.filter(user__username__in=set(usernames))
    for username, path in roles.values_list("user__username", "organization__path"):
        held.add(username)
        if not path.startswith(roots):
            outside.add(username)
    return held - outside


class UnlockError(Exception):
    pass


def unlock(*, actor, username: str, ip_address: str) -> int:
    """Clear the failures behind one lock; returns how many records were cleared. Audited."""
    from chuangyou.audit.services import record, record_named

    if not username and not actor.is_superuser:
        raise UnlockError("只有系统管理员可以解除对地址的锁定")
    if username and username not in _unlockable(actor, {username}):
        raise UnlockError("该账号不在您的管辖范围内")
    try:  # PostgreSQL stores addresses as inet: other text would fail the query
        ipaddress.ip_address(ip_address)
    except ValueError:
        raise UnlockError("地址无效，请从锁定列表中选择要解除的锁定") from None
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if username:
        attempts = attempts.filter(username=username)
    cleared, _ = attempts.delete()
    target = get_user_model().objects.filter(username=username).first() if username else None
    note = f"解除锁定：{username or '全部账号'}（地址 {ip_address}）"
    if target is not None:
        record(actor=actor, verb="account.unlock", target=target, note=note)
    else:
        record_named(
            actor=actor, verb="account.unlock", target_type="axes.accessattempt", label=ip_address, note=note
        )
    return cleared

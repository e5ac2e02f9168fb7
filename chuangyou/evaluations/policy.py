"""Numbers and practice rules of the evaluation that a county may change in settings."""

import math

from django.conf import settings

MAX_CODES_PER_AUDIENCE = 2000
MAX_OPEN_DAYS = 90


def public_share_percent() -> int:
    """The public's minimum number of codes, in percent of the members' (SPEC §6: 10 %)."""
    return int(getattr(settings, "CHUANGYOU_EVALUATION_PUBLIC_PERCENT", 10))


def issue_warnings(organization, members_issued: int, public_issued: int) -> list[str]:
    """What does not follow the usual practice; a warning, never a refusal."""
    warnings = []
    if members_issued < organization.members_total:
        warnings.append(
            f"本支部有党员{organization.members_total}名，只发放党员测评码{members_issued}份：党员应全员参加测评"
        )
    percent = public_share_percent()
    needed = math.ceil(members_issued * percent / 100)
    if public_issued < needed:
        warnings.append(f"群众测评码{public_issued}份，少于党员人数的{percent}%（{needed}份）")
    return warnings

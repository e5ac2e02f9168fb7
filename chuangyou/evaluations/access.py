"""Who may see and run a sheet's democratic evaluation."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.models import ScoreSheet

# Issue codes, print them and close the evaluation: the branch's own secretary and the county.
ISSUERS = {Role.BRANCH_SECRETARY, Role.COUNTY_ADMIN}


def get_sheet_for_user(user, pk) -> ScoreSheet:
    """A score sheet inside the user's scope (with its evaluation, if any), or 404."""
    try:
        return (
            ScoreSheet.objects.visible_to(user)
            .select_related("organization", "round__campaign", "evaluation")
            .get(pk=pk)
        )
    except (ScoreSheet.DoesNotExist, ValueError, TypeError):
        raise Http404("自查打分表不存在或不在您的管辖范围内") from None


def evaluation_of(sheet):
    try:
        return sheet.evaluation
    except ObjectDoesNotExist:
        return None


def can_issue(user, sheet) -> bool:
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    path = sheet.organization.path
    return any(g.role in ISSUERS and path.startswith(g.path) for g in scope.grants)

"""Who may see and run a sheet's democratic evaluation."""

from django.core.exceptions import ObjectDoesNotExist

from chuangyou.assessments.services import may_fill


def evaluation_of(sheet):
    try:
        return sheet.evaluation
    except ObjectDoesNotExist:
        return None


def can_issue(user, sheet) -> bool:
    """Issue codes, print them and close the evaluation: whoever may fill the sheet."""
    return may_fill(user, sheet)

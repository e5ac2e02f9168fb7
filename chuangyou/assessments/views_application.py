"""The application form (附件4 申报表) of a score sheet: the .docx download and the printable page."""

import io

from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chuangyou.accounts.models import Role
from chuangyou.accounts.scope import scope_of
from chuangyou.assessments.application import (
    DOCX_CONTENT_TYPE,
    OPINION_BOXES,
    application_context,
    application_filename,
    render_application,
)
from chuangyou.assessments.queries import get_sheet_for_user

SIGNERS = {Role.BRANCH_SECRETARY, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}


def _context(request, sheet):
    """The form's values; those who sign it (the branch, its township, the county) read the
    secretary's phone in full, the readers masked."""
    signs = scope_of(request.user).contains(sheet.organization, roles=SIGNERS)
    return application_context(sheet, full_phone=signs)


@require_GET
def application_docx(request, sheet_pk):
    sheet = get_sheet_for_user(request.user, sheet_pk)
    context = _context(request, sheet)
    return FileResponse(
        io.BytesIO(render_application(sheet, context)),
        as_attachment=True,
        filename=application_filename(context),
        content_type=DOCX_CONTENT_TYPE,
    )


@require_GET
def application_print(request, sheet_pk):
    sheet = get_sheet_for_user(request.user, sheet_pk)
    return render(
        request,
        "application/print.html",
        {"sheet": sheet, "form": _context(request, sheet), "opinions": OPINION_BOXES},
    )

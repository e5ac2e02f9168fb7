"""Fetching one row by its id from a scoped queryset."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404


def get_or_404(queryset: QuerySet, pk, message: str):
    """The row of `queryset` with this primary key, or 404 with `message`.

    The queryset is already limited to the user's scope, so a row of another scope answers exactly as
    a row that does not exist; a malformed id (not a number) answers 404 too, never 500.
    """
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None

"""Plain `INSERT`s of many rows, for the few writes where `bulk_create` costs more than the database.

`bulk_create` builds a model instance per row and prepares every value through its field; for a
province's 200,000 organizations that is most of the time of an import. `insert_rows` sends tuples
the caller has already adapted (`connection.ops.adapt_*_value`) with `executemany`, in batches.
It only ever inserts, so tables that refuse updates (the audit trail) stay append-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection

BATCH_SIZE = 5000

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items (the last one may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(
    model, field_names: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = BATCH_SIZE
) -> int:
    """Insert `rows` (values in the order of `field_names`, ready for the driver); returns how many."""
    ops = connection.ops
    columns = ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    inserted = 0
    with connection.cursor() as cursor:
        for chunk in chunks(rows, batch_size):
            cursor.executemany(sql, chunk)
            inserted += len(chunk)
    return inserted


def copy_rows(
    model, field_names: Sequence[str], rows: Iterable[Sequence[Any]], *, batch_size: int = BATCH_SIZE
) -> int:
    """Like `insert_rows`, with PostgreSQL's COPY when the database is PostgreSQL (several times faster).

    Values must be plain Python values (str, int, Decimal, datetime, None).
    """
    if connection.vendor != "postgresql":
        return insert_rows(model, field_names, rows, batch_size=batch_size)
    ops = connection.ops
    columns = ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in field_names)
    sql = f"COPY {ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    copied = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            copied += 1
    return copied

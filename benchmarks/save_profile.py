"""Where one item save's time goes, measured in-process on the real view through Django's test Client.

`queries_of_one_save` lists the SQL of one POST (CaptureQueriesContext), grouped by table;
`time_split` times many saves one by one with timers around the parts of the request (session, user,
scope check, the service's transaction and its lock, entry, totals and audit write, the partial's
render) and every query. Lock waits under concurrency are measured on the server by the HTTP
benchmark (machine_use.PgSampler).
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from contextlib import contextmanager

TABLE = re.compile(r'^\s*(?:SELECT .*? FROM|INSERT INTO|UPDATE|DELETE FROM)\s+"(\w+)"', re.S | re.I)


def table_of(sql: str) -> str:
    if match := TABLE.match(sql):
        return match.group(1)
    return sql.split()[0].lower() if sql.strip() else "?"  # savepoint, release savepoint, …


def post_form(item, version: int, note: str = "") -> dict:
    """What the browser's htmx posts for one item of the benchmark's rubric: its one rule ticked."""
    data = {"version": str(version), "note": note}
    for index, rule in enumerate(item.rules):
        data[f"count-{index}"] = "1" if rule["per_occurrence"] else "on"
    return data


def client_for(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_HX_REQUEST="true")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def save_url(sheet, item) -> str:
    from django.urls import reverse

    return reverse("sheets:entry_save", args=[sheet.pk, item.pk])


def post_save(client, sheet, item, version: int = 0, note: str = ""):
    response = client.post(save_url(sheet, item), post_form(item, version, note))
    body = response.content.decode()
    if response.status_code != 200 or "data-saved" not in body:
        raise RuntimeError(f"save refused: {response.status_code} {body[:300]}")
    return response


def queries_of_one_save(client, sheet, item, version: int = 0, note: str = "") -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        post_save(client, sheet, item, version, note)
    return [q["sql"] for q in captured.captured_queries]


def print_queries(title: str, queries: list[str]) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for sql in queries:
        groups[table_of(sql)].append(sql)
    print(f"{title}: {len(queries)} queries, BEGIN and COMMIT included")
    for table, listed in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(listed):2d}  {table}")
        for sql in listed:
            print(f"        {' '.join(sql.split())[:150]}")


class Timers:
    """Seconds summed per part over all saves (one thread). A part counts only while its parent in
    the tree runs: the session's own commit is not the service's."""

    def __init__(self):
        self.seconds: Counter = Counter()
        self.queries = 0
        self.running: set[str] = set()

    def wrap(self, name: str, func, parent: str | None):
        def timed(*args, **kwargs):
            if parent is not None and parent not in self.running:
                return func(*args, **kwargs)
            started = time.perf_counter()
            self.running.add(name)
            try:
                return func(*args, **kwargs)
            finally:
                self.running.discard(name)
                self.seconds[name] += time.perf_counter() - started

        return timed

    def query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds["queries"] += time.perf_counter() - started
            self.queries += 1


SERVICE = "service entry_save, its transaction"


def parts():
    """(label, owner, attribute, depth): what is timed, nested as in the request."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib import auth
    from django.core.handlers.base import BaseHandler
    from django.db import connections

    from chuangyou.assessments import queries, services, views

    session = import_module(settings.SESSION_ENGINE).SessionStore
    return [
        ("whole request: middleware and view", BaseHandler, "get_response", 0),
        ("signed-in user", auth, "get_user", 1),
        ("session: load", session, "load", 2),
        ("sheet: scope check, with the user's roles", queries, "get_sheet_to_save", 1),
        ("item", views, "get_object_or_404", 1),
        (SERVICE, services, "entry_save", 1),
        ("lock and check the sheet", services, "_locked", 2),
        ("lock and write the entry", services, "store_entry", 2),
        ("sheet totals", services, "_refresh_totals", 2),
        ("audit write", services, "record", 2),
        ("commit", connections["default"], "commit", 2),
        ("evidence for the partial", views, "prefetch_related_objects", 1),
        ("render the item partial", views, "render", 1),
        ("session: save", session, "save", 1),
    ]


@contextmanager
def instrumented(timers: Timers):
    """Timers around the parts of the save; the attributes are put back afterwards."""
    timed, missing = parts(), object()
    originals = [(owner, name, vars(owner).get(name, missing)) for _, owner, name, _ in timed]
    parents: list[str] = []
    for label, owner, name, depth in timed:
        del parents[depth:]
        setattr(owner, name, timers.wrap(label, getattr(owner, name), parents[-1] if parents else None))
        parents.append(label)
    try:
        yield
    finally:
        for owner, name, original in originals:
            if original is missing:
                delattr(owner, name)  # an instance's own attribute over its class's method
            else:
                setattr(owner, name, original)


def time_split(jobs: list[tuple], usernames: dict) -> tuple[Timers, float]:
    """Saves each (sheet, item) of `jobs` once, one by one, as the sheet's user; returns the timers
    and the wall time."""
    from django.db import connection

    timers = Timers()
    clients = {pk: client_for(name) for pk, name in usernames.items() if pk in {s.pk for s, _ in jobs}}
    with instrumented(timers), connection.execute_wrapper(timers.query):
        started = time.perf_counter()
        for sheet, item in jobs:
            post_save(clients[sheet.pk], sheet, item)
        wall = time.perf_counter() - started
    return timers, wall


def print_split(timers: Timers, wall: float, saves: int) -> None:
    """The parts as a tree; under each part with parts inside it, what the listed ones leave."""
    print(f"time split: {saves} saves one by one in {wall:.2f} s; mean ms per save")
    listed = [(label, depth) for label, _, _, depth in parts()]
    whole = timers.seconds[listed[0][0]]

    def line(label: str, seconds: float, depth: int) -> None:
        share = 100 * seconds / whole
        print(f"  {'  ' * depth}{label:<{44 - 2 * depth}}{1000 * seconds / saves:7.2f} ms {share:5.1f} %")

    nested = {label for (label, depth), (_, after) in zip(listed, listed[1:], strict=False) if after > depth}
    open_parts: list[tuple[str, int, float]] = []  # (label, depth, seconds not yet listed inside)

    def close(down_to: int) -> None:
        while open_parts and open_parts[-1][1] >= down_to:
            label, depth, left = open_parts.pop()
            if label in nested:
                line("the rest" if depth else "the rest: middleware, CSRF, form", left, depth + 1)

    for label, depth in listed:
        close(depth)
        seconds = timers.seconds[label]
        if open_parts:
            parent, parent_depth, left = open_parts[-1]
            open_parts[-1] = (parent, parent_depth, left - seconds)
        line(label, seconds, depth)
        open_parts.append((label, depth, seconds))
    close(0)
    ms = 1000 * timers.seconds["queries"] / saves
    statements = timers.queries / saves
    print(f"  {statements:.0f} statements a save (BEGIN/COMMIT aside): {ms:.2f} ms of the time above")

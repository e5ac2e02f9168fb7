"""The PostgreSQL grants of the two-account setup (deployment guide 4.2): the owner account runs the
migrations and owns every table; the app's login account reads and writes the tables, but on the
audit table it may only read and append.

Not being the owner is what keeps the app account from `ALTER TABLE`, `DISABLE TRIGGER`, `DROP`
of the append-only trigger (`audit/0002_append_only_triggers`) or of the table; it gets no
`TRUNCATE`, `TRIGGER` or `REFERENCES`, and no `UPDATE` or `DELETE` on the audit table.
"""

from __future__ import annotations

import re

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMA = "public"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(*, database: str, owner: str, app_role: str, audit_table: str) -> list[str]:
    """The statements, in order, that give `app_role` exactly its rights; run again after an
    upgrade or a restore, they give the same result (earlier grants are taken back first)."""
    app, tables = quote(app_role), f"ALL TABLES IN SCHEMA {SCHEMA}"
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(owner)} IN SCHEMA {SCHEMA}"
    return [
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {app}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {app}",
        f"REVOKE ALL ON {tables} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {app}",
        # Tables and sequences the owner creates later (an upgrade's migrations) get the same.
        f"{defaults} REVOKE ALL ON TABLES FROM {app}",
        f"{defaults} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        f"REVOKE UPDATE, DELETE ON {quote(audit_table)} FROM {app}",
    ]

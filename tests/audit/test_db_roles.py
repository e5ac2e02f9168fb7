"""The two-account setup on PostgreSQL (`chuangyou db_roles`): the app's account writes the tables
but on the audit table only reads and appends, and cannot empty, alter or switch off its trigger.

Roles belong to the whole PostgreSQL cluster: each test makes its own, uniquely named, and drops
it (the test's transaction would roll it back too)."""

import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chuangyou.audit.models import AuditEvent
from chuangyou.audit.services import record
from chuangyou.orgs.models import Organization

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles and grants exist on PostgreSQL only"
)
AUDIT = AuditEvent._meta.db_table
INSUFFICIENT_PRIVILEGE = "42501"  # "permission denied" and "must be owner": not the trigger's error


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def make_role(db):
    made = []

    def make(options="NOLOGIN"):
        name = f"cy_test_{uuid.uuid4().hex[:12]}"
        execute(f"CREATE ROLE {name} {options}")
        made.append(name)
        return name

    yield make
    execute("RESET ROLE")
    for name in made:
        execute(f"DROP OWNED BY {name}")  # its grants and default privileges
        execute(f"DROP ROLE {name}")


def refused(sql):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        execute(sql)
    return caught.value.__cause__.sqlstate


@postgres_only
def test_the_app_account_appends_to_the_audit_table_and_cannot_touch_it(make_role, tree):
    app = make_role()
    call_command("db_roles", app_role=app)
    execute(f"SET ROLE {app}")
    # Reading and appending, through the ORM as the site does.
    event = record(actor=None, verb="org.update", target=tree["a1"], organization=tree["a1"], after={"x": 1})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    for sql in (
        f"UPDATE {AUDIT} SET note = 'x'",  # noqa: S608 - the model's own table
        f"DELETE FROM {AUDIT}",  # noqa: S608
        f"TRUNCATE {AUDIT}",
        f"ALTER TABLE {AUDIT} ADD COLUMN hidden integer",
        f"ALTER TABLE {AUDIT} DISABLE TRIGGER audit_event_no_change",
        f"DROP TRIGGER audit_event_no_change ON {AUDIT}",
        f"DROP TABLE {AUDIT}",
        "SET session_replication_role = replica",  # would silence the trigger
    ):
        assert refused(sql) == INSUFFICIENT_PRIVILEGE, sql
    # Every other table is read and written as usual.
    Organization.objects.filter(pk=tree["a1"].pk).update(full_members=12)
    session = Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    Session.objects.filter(pk=session.pk).update(session_data="x")
    session.delete()
    assert refused("TRUNCATE django_session") == INSUFFICIENT_PRIVILEGE
    execute("RESET ROLE")
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@postgres_only
def test_tables_created_later_get_the_same_rights(make_role):
    app = make_role()
    call_command("db_roles", app_role=app)
    execute("CREATE TABLE cy_test_later (id integer)")  # as the owner, as an upgrade's migration
    execute(f"SET ROLE {app}")
    execute("INSERT INTO cy_test_later VALUES (1)")
    execute("UPDATE cy_test_later SET id = 2")
    execute("DELETE FROM cy_test_later")
    assert refused("TRUNCATE cy_test_later") == INSUFFICIENT_PRIVILEGE


@postgres_only
def test_running_it_again_takes_back_rights_given_by_hand(make_role):
    app = make_role()
    execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {app}")
    call_command("db_roles", app_role=app)
    call_command("db_roles", app_role=app)
    execute(f"SET ROLE {app}")
    assert refused(f"TRUNCATE {AUDIT}") == INSUFFICIENT_PRIVILEGE
    assert refused(f"DELETE FROM {AUDIT}") == INSUFFICIENT_PRIVILEGE  # noqa: S608


@postgres_only
def test_print_shows_the_statements_without_running_them(make_role, capsys):
    app = make_role()
    call_command("db_roles", app_role=app, print_only=True, skip_checks=False)
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "BEGIN;" and out.rstrip().endswith("COMMIT;")
    assert f'REVOKE UPDATE, DELETE ON "audit_auditevent" FROM "{app}";' in out
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE" in out and "TRUNCATE" not in out
    execute(f"SET ROLE {app}")
    assert refused(f"SELECT 1 FROM {AUDIT}") == INSUFFICIENT_PRIVILEGE  # noqa: S608


@postgres_only
@pytest.mark.parametrize(
    ("options", "message"),
    [("SUPERUSER", "是超级用户"), ("IN ROLE {owner}", "就是属主账号")],
)
def test_an_account_that_could_drop_the_trigger_is_refused(make_role, options, message):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    app = make_role(options.format(owner=owner))
    with pytest.raises(CommandError, match=message):
        call_command("db_roles", app_role=app)


@postgres_only
def test_a_missing_or_bad_account_name_is_refused(db):
    with pytest.raises(CommandError, match="数据库账号 cy_test_nobody 不存在"):
        call_command("db_roles", app_role="cy_test_nobody")
    with pytest.raises(CommandError, match="运行账号名“app; DROP”无效"):
        call_command("db_roles", app_role="app; DROP")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal of the other databases")
def test_other_databases_are_refused_with_a_clear_message(db):
    with pytest.raises(CommandError, match="只适用于 PostgreSQL"):
        call_command("db_roles", skip_checks=False)  # as from the command line, after the system checks

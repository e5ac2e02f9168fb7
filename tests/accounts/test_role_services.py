from chuangyou.accounts import services
from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.accounts.scope import scope_of
from chuangyou.audit.models import AuditEvent
from tests.conftest import make_user


def test_granting_a_role_is_audited_and_widens_the_scope(tree, personas):
    user = make_user("new_reviewer")
    services.role_grant(
        actor=personas["county_admin"], user=user, role=Role.TOWNSHIP_REVIEWER, organization=tree["town_b"]
    )
    event = AuditEvent.objects.get(verb="role.grant")
    assert event.after == {
        "user": "new_reviewer",
        "role": "township_reviewer",
        "organization": "TB",
        "active": True,
    }
    user = type(user).objects.get(pk=user.pk)
    assert scope_of(user).contains(tree["b1"]) and not scope_of(user).contains(tree["a1"])


def test_granting_twice_records_once(tree, personas):
    user = make_user("new_reviewer")
    for _ in range(2):
        services.role_grant(
            actor=personas["county_admin"], user=user, role=Role.AUDITOR, organization=tree["county"]
        )
    assert AuditEvent.objects.filter(verb="role.grant").count() == 1


def test_a_revoked_role_no_longer_gives_scope(tree, personas):
    assignment = RoleAssignment.objects.get(user=personas["township_reviewer"])
    services.role_revoke(actor=personas["county_admin"], assignment=assignment)
    user = type(personas["township_reviewer"]).objects.get(pk=personas["township_reviewer"].pk)
    assert not scope_of(user).contains(tree["a1"])
    assert AuditEvent.objects.get(verb="role.revoke").before["active"] is True


def test_a_user_with_two_roles_sees_both_subtrees(tree, personas):
    user = personas["branch_secretary"]
    services.role_grant(
        actor=personas["county_admin"], user=user, role=Role.BRANCH_SECRETARY, organization=tree["b1"]
    )
    user = type(user).objects.get(pk=user.pk)
    scope = scope_of(user)
    assert scope.contains(tree["a1"]) and scope.contains(tree["b1"]) and not scope.contains(tree["a2"])

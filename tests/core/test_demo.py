"""The demo county: realistic, deterministic, created once."""

from django.core.management import call_command

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.core.demo import DemoBuilder, create_demo
from chuangyou.orgs.models import Domain, Kind, Organization


def test_it_builds_a_county_of_about_six_hundred_organizations(db):
    accounts = create_demo()
    assert 550 <= Organization.objects.count() <= 700
    assert Organization.objects.filter(kind__in=[Kind.TOWNSHIP, Kind.SUBDISTRICT]).count() == 12
    domains = set(Organization.objects.values_list("domain", flat=True))
    for domain in (
        Domain.VILLAGE,
        Domain.COMMUNITY,
        Domain.ORGAN,
        Domain.SCHOOL,
        Domain.HOSPITAL,
        Domain.STATE_ENTERPRISE,
        Domain.PRIVATE_ENTERPRISE,
        Domain.SOCIAL_ORGANIZATION,
        Domain.RETIRED,
    ):
        assert domain in domains
    assert {a.role for a in accounts} == set(Role.values)
    assert RoleAssignment.objects.count() == len(accounts)


def test_running_it_twice_changes_nothing(db, capsys):
    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.campaigns.models import Campaign

    call_command("demo")
    counts = Organization.objects.count(), Campaign.objects.count(), ScoreSheet.objects.count()
    call_command("demo")
    assert (Organization.objects.count(), Campaign.objects.count(), ScoreSheet.objects.count()) == counts
    assert "未生成演示数据" in capsys.readouterr().out


def test_the_demo_opens_this_years_december_round_for_every_branch(db):
    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.campaigns.models import Campaign

    call_command("demo")
    campaign = Campaign.objects.get()
    assert campaign.rounds.get().kind == "december"
    assert ScoreSheet.objects.count() == campaign.participants().count() > 500


def test_it_is_deterministic():
    first, second = DemoBuilder().build(), DemoBuilder().build()
    assert first.rows == second.rows
    assert first.accounts == second.accounts


def test_the_tree_is_consistent(db):
    create_demo()
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    county = Organization.objects.get(code="SFX")
    assert Organization.objects.get_descendant_count(county) == Organization.objects.count() - 1


def test_every_township_has_a_reviewer_and_a_secretary(db):
    create_demo()
    towns = Organization.objects.filter(kind__in=[Kind.TOWNSHIP, Kind.SUBDISTRICT])
    for town in towns:
        assert RoleAssignment.objects.filter(role=Role.TOWNSHIP_REVIEWER, organization=town).exists()
        assert RoleAssignment.objects.filter(
            role=Role.BRANCH_SECRETARY, organization__path__startswith=town.path
        ).exists()

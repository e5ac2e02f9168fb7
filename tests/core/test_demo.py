"""The demo county: realistic, deterministic, created once. (The whole `chuangyou demo`, with its
campaigns, is built once in test_demo_stages.py.)"""

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

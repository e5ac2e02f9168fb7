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


def test_the_campaign_of_make_run_is_dated_in_order(db):
    """`create_demo_campaign()` (most sheets submitted, a third reviewed): set up, opened, submitted
    and reviewed on days that follow each other, inside its phases, none after today."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from chuangyou.assessments.models import ScoreSheet
    from chuangyou.core.demo import create_demo_campaign
    from chuangyou.reviews.models import Review
    from chuangyou.rubrics.defaults import load_defaults

    load_defaults()
    create_demo()
    campaign = create_demo_campaign()
    phases = {p.kind: (p.starts, p.ends) for p in campaign.phases.all()}
    december = campaign.rounds.get()
    created = timezone.localtime(campaign.created_at).date()
    assert created < min(starts for starts, _ in phases.values()) and created < december.opens
    assert phases["december"] == (december.opens, december.closes)
    assert december.opens <= timezone.localdate() <= december.closes  # the secretaries still fill in
    sheets = ScoreSheet.objects.filter(round=december).exclude(submitted_at=None)
    submitted = sheets.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    assert december.opens <= timezone.localtime(submitted["first"]).date()
    reviews = Review.objects.filter(sheet__in=sheets)
    assert reviews.exists() and reviews.aggregate(first=Min("started_at"))["first"] > submitted["last"]
    finished = timezone.localtime(reviews.aggregate(last=Max("finished_at"))["last"])
    assert phases["review"][0] <= finished.date() and finished < timezone.now()

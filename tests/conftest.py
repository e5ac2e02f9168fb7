"""Personas and a small tree shared by the whole suite.

The tree: 示范县 (county) ─┬─ 甲镇 (township) ─┬─ 甲一村党支部
                           │                   └─ 甲二村党支部
                           └─ 乙街道 (subdistrict) ── 乙社区党支部
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.campaigns import services as campaign_services
from chuangyou.campaigns.forms import CampaignForm
from chuangyou.orgs.models import Domain, Kind, Organization
from chuangyou.rubrics import services as rubric_services
from chuangyou.rubrics.models import Item
from tests.rubrics.conftest import small_spec

PASSWORD = "Persona@2026pass"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow by design; tests that are not about hashing use a fast hasher.
    tests/accounts/test_security_settings.py checks the production setting itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_org(parent, code, name, kind, domain="", full=10, probationary=1, **extra):
    fields = {
        "code": code,
        "name": name,
        "kind": kind,
        "domain": domain,
        "full_members": full,
        "probationary_members": probationary,
        "secretary_name": "王建国",
        "secretary_phone": "13812341234",
        **extra,
    }
    if parent is None:
        return Organization.objects.add_root(fields)
    org = Organization.objects.add_child(parent, fields)
    parent.refresh_from_db()
    return org


@pytest.fixture
def tree(db):
    county = make_org(None, "T", "示范县委", Kind.COUNTY, full=0, probationary=0)
    town_a = make_org(county, "TA", "甲镇党委", Kind.TOWNSHIP, full=0, probationary=0)
    town_b = make_org(county, "TB", "乙街道党工委", Kind.SUBDISTRICT, full=0, probationary=0)
    a1 = make_org(town_a, "TA01", "甲一村党支部", Kind.BRANCH, Domain.VILLAGE)
    a2 = make_org(town_a, "TA02", "甲二村党支部", Kind.BRANCH, Domain.VILLAGE, full=2, probationary=0)
    b1 = make_org(town_b, "TB01", "乙社区党支部", Kind.BRANCH, Domain.COMMUNITY)
    for org in (county, town_a, town_b):
        org.refresh_from_db()
    return {"county": county, "town_a": town_a, "town_b": town_b, "a1": a1, "a2": a2, "b1": b1}


def make_user(username, role=None, org=None):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    if role:
        RoleAssignment.objects.create(user=user, role=role, organization=org)
    return user


@pytest.fixture
def personas(tree):
    """One user per role, each on its own scope, plus an outsider with no role."""
    return {
        "county_admin": make_user("p_admin", Role.COUNTY_ADMIN, tree["county"]),
        "township_reviewer": make_user("p_town", Role.TOWNSHIP_REVIEWER, tree["town_a"]),
        "branch_secretary": make_user("p_branch", Role.BRANCH_SECRETARY, tree["a1"]),
        "leading_group": make_user("p_leader", Role.LEADING_GROUP, tree["county"]),
        "auditor": make_user("p_auditor", Role.AUDITOR, tree["county"]),
        "outsider": make_user("p_outsider"),
    }


@pytest.fixture
def client_for(client, personas):
    """`client_for("township_reviewer")` — a test client logged in as that persona."""

    def login(name):
        client.force_login(personas[name], backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


# --- A campaign with its December round (used by the campaign, sheet and URL tests) -------------

TODAY = dt.date(2026, 12, 10)


@pytest.fixture
def bound_rubric(personas):
    rubric = rubric_services.rubric_create(actor=personas["county_admin"], spec=small_spec(), publish=True)
    for domain in ("village", "community"):
        rubric_services.domain_bind(actor=personas["county_admin"], domain=domain, rubric=rubric)
    return rubric


def phases(year=2026):
    initial = CampaignForm.defaults(year)
    return {
        k: (initial[f"{k}_starts"], initial[f"{k}_ends"])
        for k in ("mobilize", "june", "december", "review", "notice", "naming")
    }


@pytest.fixture
def campaign(tree, personas, bound_rubric):
    return campaign_services.campaign_create(
        actor=personas["county_admin"],
        year=2026,
        name="2026年度基层党组织争先创优活动",
        root=tree["county"],
        scheme="seed2020",
        graded_round="december",
        phases=phases(),
    )


@pytest.fixture
def december(campaign, personas):
    return campaign_services.round_open(
        actor=personas["county_admin"],
        campaign=campaign,
        kind="december",
        opens=dt.date(2026, 12, 1),
        closes=dt.date(2026, 12, 20),
    )


@pytest.fixture
def on_day(monkeypatch):
    """Freeze the date the services compare deadlines with."""

    def freeze(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    freeze(TODAY)
    return freeze


# --- Sheets through the workflow (used by the review and grading tests) --------------------------


def fill_and_submit(sheet, who):
    """Score every item of the small rubric (8 of 10 points), apply for 良好 and submit."""
    from chuangyou.assessments import services as sheets
    from chuangyou.assessments.scoring import EntryData

    values = {
        "设置合理": EntryData(counts={"未进行摸底排查": 1}),
        "纪检机构": EntryData(),
        "三会一课": EntryData(score=Decimal("3.5"), reason="记录不全"),
        "主题党日": EntryData(counts={"每少开1次": 1}),
    }
    for item in Item.objects.filter(category__rubric=sheet.rubric_id).select_related("category"):
        entry = sheet.entries.filter(item=item).first()
        sheets.entry_save(
            actor=who, sheet=sheet, item=item, data=values[item.name], version=entry.version if entry else 0
        )
    sheet.refresh_from_db()
    application = {"applied_grade": "良好", "achievements": "", "self_evaluation": ""}
    sheets.application_save(actor=who, sheet=sheet, version=sheet.version, **application)
    sheet.refresh_from_db()
    return sheets.sheet_submit(actor=who, sheet=sheet)


def review_fully(sheet, who, kind="township", missed_days=2):
    """Start, score every item (with reasons), record a method and finish a review."""
    from chuangyou.assessments.scoring import EntryData
    from chuangyou.reviews import services as reviews

    review = reviews.review_start(actor=who, sheet=sheet, kind=kind)
    values = {
        "设置合理": EntryData(counts={"未进行摸底排查": 1}, reason="未见摸底记录"),
        "纪检机构": EntryData(),
        "三会一课": EntryData(score=Decimal(3), reason="记录不全"),
        "主题党日": EntryData(counts={"每少开1次": missed_days}, reason="少开主题党日"),
    }
    for item in Item.objects.filter(category__rubric=sheet.rubric_id).select_related("category"):
        entry = review.entries.filter(item=item).first()
        reviews.review_entry_save(
            actor=who, review=review, item=item, data=values[item.name], version=entry.version if entry else 0
        )
    review.refresh_from_db()
    method = reviews.MethodUse("documents", dt.date(2026, 12, 22), "查阅台账")
    details = reviews.ReviewDetails(methods=[method])
    reviews.review_details_save(actor=who, review=review, details=details, version=review.version)
    return reviews.review_finish(actor=who, review=review)


@pytest.fixture
def submitted(december, tree, personas, on_day):
    """The three branches' December sheets, filled by the county admin and submitted."""
    from chuangyou.assessments.models import ScoreSheet

    sheets = {}
    for key in ("a1", "a2", "b1"):
        sheet = ScoreSheet.objects.get(round=december, organization=tree[key])
        sheets[key] = fill_and_submit(sheet, personas["county_admin"])
    return sheets


@pytest.fixture
def reviewed(submitted, personas):
    """Every sheet reviewed: 甲镇's by its reviewer, 乙街道's by the county admin."""
    for key, sheet in submitted.items():
        who = personas["township_reviewer"] if key.startswith("a") else personas["county_admin"]
        review_fully(sheet, who)
        sheet.refresh_from_db()
    return submitted

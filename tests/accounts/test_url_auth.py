"""Deny by default, proved by walking every URL pattern with every persona."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open without logging in.
PUBLIC = {
    "login",
    "healthz",
    "evaluations:answer",
    "evaluations:thanks",
    "public_notices:detail",
    "public_notices:object",
    "public_notices:thanks",
    "public_notices:status",
}
# Django's own back office has its own login; it is tested by Django.
SKIP_NAMESPACES = {"admin"}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


def fill(route: str, ids: dict[str, int | str]) -> str:
    for key, value in ids.items():
        route = route.replace(f"<int:{key}>", str(value)).replace(f"<str:{key}>", str(value))
    route = route.replace("<str:code>", "NOPE2345")
    assert "<" not in route, f"this test does not know how to fill {route}"
    return "/" + route


@pytest.fixture
def world(tree, personas, on_day):
    """Objects behind every kind of id: a draft rubric only county roles see, a campaign rooted in
    乙街道, and a December sheet (with an entry and an evidence row) for every branch."""
    import datetime as dt

    from chuangyou.assessments.models import Entry, Evidence, ScoreSheet
    from chuangyou.campaigns import services as campaign_services
    from chuangyou.rubrics import services as rubric_services
    from tests.conftest import phases
    from tests.rubrics.conftest import small_spec

    admin = personas["county_admin"]
    draft = rubric_services.rubric_create(actor=admin, spec=small_spec(code="hidden"))
    rubric = rubric_services.rubric_create(actor=admin, spec=small_spec(), publish=True)
    for domain in ("village", "community"):
        rubric_services.domain_bind(actor=admin, domain=domain, rubric=rubric)
    campaign = campaign_services.campaign_create(
        actor=admin,
        year=2026,
        name="全县活动",
        root=tree["county"],
        scheme="seed2020",
        graded_round="december",
        phases=phases(),
    )
    campaign_services.round_open(
        actor=admin,
        campaign=campaign,
        kind="december",
        opens=dt.date(2026, 12, 1),
        closes=dt.date(2026, 12, 20),
    )
    hidden_campaign = campaign_services.campaign_create(
        actor=admin,
        year=2026,
        name="乙街道活动",
        root=tree["town_b"],
        scheme="seed2020",
        graded_round="december",
        phases=phases(),
    )
    first_item = rubric.categories.first().items.first()
    sheets = {}
    for sheet in ScoreSheet.objects.all():
        entry = Entry.objects.create(sheet=sheet, item=first_item)
        evidence = Evidence.objects.create(
            entry=entry,
            file="evidence/none.pdf",
            original_name="材料.pdf",
            content_type="application/pdf",
            size=1,
        )
        sheets[sheet.organization_id] = (sheet, entry, evidence)
    world = {
        "draft": draft,
        "hidden_campaign": hidden_campaign,
        "sheets": sheets,
        "item": first_item,
        **review_world(admin, campaign, hidden_campaign, sheets),
    }
    from chuangyou.grading.models import Proposal

    world["proposals"] = {
        pk: Proposal.objects.create(campaign=campaign, organization_id=pk, proposed_by=admin) for pk in sheets
    }
    from chuangyou.orgs.models import ImportJob

    world["import_jobs"] = {
        pk: ImportJob.objects.create(created_by=admin, organization_id=pk, filename="导入.xlsx")
        for pk in sheets
    }
    return {**world, **public_notice_world(admin, campaign, world["results"])}


def review_world(admin, campaign, hidden_campaign, sheets) -> dict:
    """A township review and a reviewer assignment per branch; a finished grading run of the county
    campaign with a result per branch; a run of the campaign rooted in 乙街道."""
    from chuangyou.grading.models import GradingRun, RunResult
    from chuangyou.reviews.models import Review, ReviewerAssignment

    reviews, assignments, results = {}, {}, {}
    county_run, hidden_run = (
        GradingRun.objects.create(
            campaign=c, number=1, state="done", scheme="seed2020", quota_scope="county", started_by=admin
        )
        for c in (campaign, hidden_campaign)
    )
    for org_id, (sheet, _, _) in sheets.items():
        reviews[org_id] = Review.objects.create(sheet=sheet, kind="township", reviewer=admin)
        assignments[org_id] = ReviewerAssignment.objects.create(
            campaign=campaign, reviewer=admin, organization=sheet.organization
        )
        org = sheet.organization
        fields = {"code": org.code, "name": org.name, "township": "", "score": 90, "grade": "优秀"}
        results[org_id] = RunResult.objects.create(
            run=county_run,
            organization=org,
            sheet=sheet,
            rank=1,
            rank_total=1,
            county_rank=1,
            reason="",
            final_grade="优秀",
            **fields,
        )
    return {
        "reviews": reviews,
        "assignments": assignments,
        "results": results,
        "hidden_run": hidden_run,
        **staff_notice_world(admin, hidden_campaign, hidden_run, results),
    }


def staff_notice_world(admin, hidden_campaign, hidden_run, results) -> dict:
    """A notice of the campaign rooted in 乙街道, and a published county notice with an objection
    about every branch (the staff notice pages)."""
    import datetime as dt

    from chuangyou.notices.models import NoticeBatch, NoticeEntry, Objection

    dates = {"channel": "website", "starts": dt.date(2026, 12, 10), "ends": dt.date(2026, 12, 16)}
    hidden_notice = NoticeBatch.objects.create(
        campaign=hidden_campaign,
        run=hidden_run,
        organization=hidden_campaign.root,
        title="乙街道公示",
        created_by=admin,
        **dates,
    )
    county_run = next(iter(results.values())).run
    county_notice = NoticeBatch.objects.create(
        campaign=county_run.campaign,
        run=county_run,
        organization=county_run.campaign.root,
        title="全县公示",
        state="published",
        created_by=admin,
        **dates,
    )
    objections = {}
    for org_id, result in results.items():
        entry = NoticeEntry.objects.create(
            batch=county_notice, result=result, organization=result.organization, name=result.name
        )
        objections[org_id] = Objection.objects.create(
            entry=entry, content="异议", due=dt.date(2026, 12, 17), source_hash="x"
        )
    return {"hidden_notice": hidden_notice, "objections": objections}


def public_notice_world(admin, campaign, results) -> dict:
    """A draft notice of the county run, with one entry: its public pages answer 404 to everyone."""
    import datetime as dt

    from chuangyou.notices.models import NoticeBatch, NoticeEntry

    result = next(iter(results.values()))
    draft = NoticeBatch.objects.create(
        campaign=campaign,
        run=result.run,
        organization=campaign.root,
        title="未发布的公示",
        channel="website",
        starts=dt.date(2026, 12, 10),
        ends=dt.date(2026, 12, 16),
        created_by=admin,
    )
    entry = NoticeEntry.objects.create(
        batch=draft, result=result, organization=result.organization, name=result.name, grade="优秀"
    )
    return {"draft_notice": draft, "draft_notice_entry": entry}


def ids_for(route: str, org, world) -> dict[str, int | str]:
    """Ids that the persona must not reach: things of an organization outside its scope, a draft
    rubric, a campaign of another subtree."""
    if route.startswith("rubrics/"):
        category = world["draft"].categories.first()
        return {"pk": world["draft"].pk, "category_pk": category.pk, "item_pk": category.items.first().pk}
    if route.startswith("campaigns/"):
        return {"pk": world["hidden_campaign"].pk}
    if route.startswith(("sheets/", "evaluations/")):
        sheet, entry, evidence = world["sheets"][org.pk]
        return {
            "pk": sheet.pk,
            "sheet_pk": sheet.pk,
            "item_pk": world["item"].pk,
            "category_pk": world["item"].category_id,
            "entry_pk": entry.pk,
            "evidence_pk": evidence.pk,
        }
    if route.startswith("reviews/r/"):
        return {
            "pk": world["reviews"][org.pk].pk,
            "item_pk": world["item"].pk,
            "category_pk": world["item"].category_id,
        }
    if route.startswith("reviews/assignments/"):
        return {"pk": world["assignments"][org.pk].pk}
    if route.startswith("reviews/"):
        return {"pk": world["sheets"][org.pk][0].pk, "item_pk": world["item"].pk}
    if route.startswith("grading/campaigns/"):
        return {"pk": world["hidden_campaign"].pk, "township_pk": org.pk}
    if route.startswith("grading/proposals/"):
        return {"pk": world["proposals"][org.pk].pk}
    if route.startswith("grading/runs/"):
        return {"pk": world["hidden_run"].pk}
    if route.startswith("orgs/import/jobs/"):
        return {"pk": world["import_jobs"][org.pk].pk}
    if route.startswith("grading/results/"):
        return {"pk": world["results"][org.pk].pk}
    if route.startswith("notices/objections/"):
        return {"pk": world["objections"][org.pk].pk}
    if route.startswith("notices/"):
        return {"pk": world["hidden_notice"].pk}
    if route.startswith("gs/"):
        return {"token": world["draft_notice"].token, "entry": world["draft_notice_entry"].pk}
    return {"pk": org.pk, "parent_pk": org.pk}


ROUTES = sorted(set(iter_patterns()))


def test_it_knows_every_route():
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_anonymous_users_are_sent_to_login(client, tree, world, name, route):
    url = fill(route, ids_for(route, tree["a1"], world))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name in PUBLIC:
            # Public pages answer without a login (an unknown evaluation code is a friendly 404).
            assert response.status_code in (200, 302, 404, 405), (method, url)
            assert not response.get("Location", "").startswith("/accounts/login/"), (method, url)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), (method, url)


# Each persona with an organization just outside its scope.
OUTSIDE = {
    "township_reviewer": "b1",
    "branch_secretary": "a2",
    "outsider": "a1",
}


@pytest.mark.parametrize("persona", sorted(OUTSIDE))
@pytest.mark.parametrize(("name", "route"), [r for r in ROUTES if "<" in r[1]])
def test_ids_outside_the_scope_answer_404(client_for, tree, world, persona, name, route):
    client = client_for(persona)
    url = fill(route, ids_for(route, tree[OUTSIDE[persona]], world))
    statuses = set()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        statuses.add(response.status_code)
        assert tree[OUTSIDE[persona]].name.encode() not in response.content
        assert world["draft"].name.encode() not in response.content
        assert world["hidden_campaign"].name.encode() not in response.content
    # A view answers a method it does not take with 405 before looking at the id; the other one is 404.
    assert statuses <= {404, 405} and 404 in statuses, (persona, url, statuses)


@pytest.mark.parametrize("persona", ["leading_group", "auditor", "branch_secretary"])
@pytest.mark.parametrize("view", ["orgs:edit", "orgs:move", "orgs:dissolve"])
def test_read_only_roles_cannot_change_what_they_see(client_for, tree, persona, view):
    from django.urls import reverse

    target = tree["a1"]
    client = client_for(persona)
    response = client.post(reverse(view, args=[target.pk]), {"name": "改名"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name == "甲一村党支部"


def test_a_nonexistent_id_answers_404_not_500(client_for):
    client = client_for("county_admin")
    assert client.get("/orgs/999999/").status_code == 404

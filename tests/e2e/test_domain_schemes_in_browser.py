"""A scheme per domain in a real browser: the county admin sets 机关 to the 2012 four-level scheme on
the campaign page, sees the quotas per scheme, grades, and finds the scheme of each branch on the run
page, the branch's result page (its override offers that scheme's grades only) and the export.

The branches are those of tests/grading/test_domain_schemes.py: 28 村/社区 graded (29 taking part)
and 10 机关 at 95…86 (O0001 under the 90 % satisfaction gate).
"""

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chuangyou.campaigns.models import Campaign
from chuangyou.grading.models import RunResult
from tests.e2e.test_proposals_in_browser import log_in_as, start_run
from tests.e2e.test_self_assessment_in_browser import alert
from tests.grading.test_domain_schemes import JIGUAN, SEED, branches  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def organ_row(page):
    return (
        page.get_by_test_id("campaign-rubrics")
        .locator("tr")
        .filter(has=page.get_by_role("cell", name="机关", exact=True))
    )


@pytest.mark.usefixtures("branches")
def test_a_domain_graded_under_its_own_scheme(page, live_server, campaign, personas, shot, tmp_path):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    log_in_as(page, base, "p_admin")
    page.goto(base + reverse("campaigns:detail", args=[campaign.pk]))
    expect(page.get_by_test_id("quota-group")).to_have_count(0)  # one scheme: no groups shown

    row = organ_row(page)
    row.get_by_label("机关的评定方案").select_option(label=JIGUAN)
    with page.expect_navigation():
        row.get_by_role("button", name="设置方案").click()  # its data-confirm dialog is accepted
    expect(alert(page, "已设置该领域的评定方案，下次定级时生效")).to_have_count(1)
    assert Campaign.objects.get(pk=campaign.pk).domain_schemes == {"organ": "jiguan2012"}
    groups = page.get_by_test_id("quota-group")
    expect(groups).to_have_text([f"其他领域：{SEED}", f"机关：{JIGUAN}"])
    expect(page.get_by_test_id("quota-base").nth(0)).to_contain_text("名额基数：29 个党支部")
    expect(page.get_by_test_id("quota-base").nth(1)).to_contain_text("名额基数：10 个党支部")
    row = organ_row(page)
    expect(row.get_by_test_id("domain-scheme")).to_contain_text(f"另按方案评定 {JIGUAN}")
    shot(page, "campaign-domain-scheme")

    run = start_run(page, base, campaign, 1)
    expect(page.get_by_test_id("quota-group")).to_have_text(
        [f"其他领域：{SEED}，名额基数29个", f"机关：{JIGUAN}，名额基数10个"]
    )
    expect(page.get_by_test_id("quota-table")).to_contain_text("优秀 2/2")
    page.get_by_test_id("result-filters").locator("select[name=domain]").select_option(label="机关")
    page.get_by_test_id("result-filters").get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("result-row")).to_have_count(10)
    expect(page.get_by_test_id("result-scheme")).to_have_count(10)
    o01 = page.locator('[data-testid=result-row][data-code="O0001"]')
    expect(o01).to_contain_text("满意率85%低于90%，最高评为一般")
    shot(page, "run-domain-scheme")

    o00 = RunResult.objects.get(run=run, code="O0000")
    page.goto(base + reverse("grading:result", args=[o00.pk]))
    expect(page.get_by_test_id("result-scheme")).to_have_text(JIGUAN)
    options = page.get_by_test_id("override-form").locator("select[name=grade] option").all_inner_texts()
    assert options == ["好", "较好", "一般", "较差"]

    page.goto(base + reverse("grading:run", args=[run.pk]))
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    header = list(rows[0])
    schemes = {r[0]: r[header.index("评定方案")] for r in rows[1:]}
    assert (schemes["O0000"], schemes["X0000"], len(schemes)) == (JIGUAN, SEED, 38)

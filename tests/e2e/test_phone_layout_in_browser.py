"""Pages on a phone (375 px): titles keep the width of the screen, wide tables scroll inside their
card and the page itself never scrolls sideways."""

import pytest
from playwright.sync_api import expect

from chuangyou.assessments.models import ScoreSheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def campaign(demo):
    from chuangyou.core.demo import create_demo_campaign

    return create_demo_campaign()


def fits_the_screen(page) -> None:
    title = page.locator("h1").first
    expect(title).to_be_visible()
    lines = title.evaluate("h => h.offsetHeight / parseFloat(getComputedStyle(h).lineHeight)")
    assert lines < 2.5, f"the title is squeezed by its buttons onto {lines:.0f} lines"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("branch01", ["/", "sheet"]),
        ("township01", ["/reviews/", "/sheets/", "/notices/"]),
        ("admin", ["/campaigns/", "campaign"]),
    ],
)
def test_pages_fit_a_phone(page, server, campaign, log_in, shot, username, paths):
    page.set_viewport_size(PHONE)
    log_in(username)
    sheet = ScoreSheet.objects.get(organization__name="白集村党支部", round__campaign=campaign)
    urls = {"sheet": f"/sheets/{sheet.pk}/", "campaign": f"/campaigns/{campaign.pk}/"}
    for path in paths:
        page.goto(server + urls.get(path, path))
        fits_the_screen(page)
        shot(page, path.strip("/").replace("/", "-") or "workbench")

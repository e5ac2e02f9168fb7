"""Setting up a campaign of the demo county: this year's (`demo.create_demo_campaign`) and last
year's finished one (`demo_history`) start the same way, through the campaign services."""

from __future__ import annotations

import datetime as dt

from chuangyou.campaigns import services as campaigns
from chuangyou.campaigns.forms import CampaignForm
from chuangyou.campaigns.models import Campaign
from chuangyou.rubrics.models import Rubric


def start_campaign(*, admin, county, year: int, phases: dict[str, tuple[dt.date, dt.date]]) -> Campaign:
    """The year's campaign over the county, graded on its December round, with a rubric for every
    domain that takes part."""
    campaign = campaigns.campaign_create(
        actor=admin,
        year=year,
        name=CampaignForm.defaults(year)["name"],
        root=county,
        scheme="seed2020",
        graded_round="december",
        phases=phases,
    )
    # The shipped rubrics cover 村/社区, 机关, 事业单位 and 两新; the demo scores its state-enterprise and
    # retired cadres' branches with the 机关 rubric (a county chooses its own).
    organ = Rubric.objects.published().filter(code="organ").order_by("-version").first()
    covered = set(campaign.rubrics.values_list("domain", flat=True))
    for domain in set(campaign.participants().values_list("domain", flat=True)) - covered:
        if organ is not None:
            campaigns.campaign_set_rubric(actor=admin, campaign=campaign, domain=domain, rubric=organ)
    return campaign


def open_december(*, admin, campaign: Campaign, opens: dt.date, closes: dt.date):
    """Every participating branch gets its December score sheet."""
    return campaigns.round_open(actor=admin, campaign=campaign, kind="december", opens=opens, closes=closes)

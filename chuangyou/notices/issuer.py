"""Who issues a notice and its documents, and where objections go besides the public form.

The issuer is the organization department of the campaign's county (中共示范县委组织部), or a
township itself for a campaign rooted in it or a notice it publishes.
"""

import re

from chuangyou.assessments.application import county_name
from chuangyou.orgs.models import Kind

# An office's number: with or without the area code, an extension after 转, or a mobile; 12380 too.
OFFICE_PHONE = re.compile(r"((0\d{2,3}-?)?\d{5,8}(转\d{1,6})?|1\d{10})")
PHONE_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def department_of(root) -> str:
    """中共示范县委组织部 for a county root (示范县委 / 中共示范县委员会); a township root's own name."""
    if root.kind == Kind.COUNTY:
        return f"中共{county_name(root.name)}委组织部"
    return root.name


def default_issuer(campaign, organization) -> str:
    """发布单位 of a notice under `organization`: a township publishing its own branches' grades
    issues its notice itself; otherwise the campaign root's organization department."""
    if campaign.townships_publish and organization.pk != campaign.root_id:
        return organization.name
    return department_of(campaign.root)


def phone_numbers(text: str) -> list[str]:
    """The numbers of a contact line: "0571-1234567、12380" -> ["0571-1234567", "12380"]."""
    return [n for n in PHONE_SEPARATORS.split(text.strip()) if n]


def dial(number: str) -> str:
    """What a tel: link dials: the digits, without the extension (0571-1234567转801 -> 05711234567)."""
    return re.sub(r"\D", "", number.split("转")[0])

"""Every input on the staff pages has a label a screen reader (and a clerk) can read: a <label for>,
an enclosing <label>, aria-label or aria-labelledby."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from chuangyou.reviews import services as reviews

SKIPPED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.label_for, self.inputs, self.open_labels = set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type", "") not in SKIPPED_TYPES:
            named = self.open_labels or attrs.get("aria-label") or attrs.get("aria-labelledby")
            self.inputs.append((attrs.get("name") or attrs.get("id") or tag, attrs.get("id"), bool(named)))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [name for name, id_, named in self.inputs if not named and id_ not in self.label_for]


def unlabelled(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Inputs()
    parser.feed(response.content.decode())
    return parser.unlabelled()


@pytest.fixture
def started(submitted, personas):
    return reviews.review_start(actor=personas["township_reviewer"], sheet=submitted["a1"])


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        (
            "county_admin",
            [
                "workbench",
                "sheets:list",
                "reviews:list",
                "campaigns:list",
                "notices:list",
                "notices:objections",
                "audit:list",
                "orgs:list",
                "orgs:import",
                "rubrics:list",
                "accounts_lockouts",
            ],
        ),
        ("township_reviewer", ["workbench", "sheets:list", "reviews:list"]),
        ("branch_secretary", ["workbench"]),
    ],
)
def test_the_list_pages_label_every_input(client_for, started, persona, names):
    client = client_for(persona)
    found = {name: unlabelled(client, reverse(name)) for name in names}
    assert not any(found.values()), found


def test_the_sheet_and_review_pages_label_every_input(client_for, started, campaign):
    sheet = started.sheet
    found = {
        "sheet": unlabelled(client_for("branch_secretary"), reverse("sheets:detail", args=[sheet.pk])),
        "review": unlabelled(client_for("township_reviewer"), reverse("reviews:detail", args=[sheet.pk])),
        "campaign": unlabelled(client_for("county_admin"), reverse("campaigns:detail", args=[campaign.pk])),
        "evaluation": unlabelled(client_for("county_admin"), reverse("evaluations:manage", args=[sheet.pk])),
    }
    assert not any(found.values()), found

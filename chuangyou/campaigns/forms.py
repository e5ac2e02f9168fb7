import datetime as dt

from django import forms

from chuangyou.campaigns.models import PhaseKind, RoundKind
from chuangyou.orgs.models import Domain
from chuangyou.rules.grade_scheme import PRESETS

DATE = {"type": "date", "class": "form-control"}


class CampaignForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    name = forms.CharField(
        label="活动名称", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    scheme = forms.ChoiceField(
        label="评定方案",
        choices=[(p, p) for p in PRESETS],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    graded_round = forms.ChoiceField(
        label="定级轮次",
        choices=RoundKind.choices,
        initial=RoundKind.DECEMBER,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in PhaseKind:
            self.fields[f"{kind.value}_starts"] = forms.DateField(
                label=f"{kind.label}开始", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            )
            self.fields[f"{kind.value}_ends"] = forms.DateField(
                label=f"{kind.label}结束", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            )

    @staticmethod
    def defaults(year: int) -> dict:
        """Seed 000's calendar: self-assessment in June and December, notice and naming at year end."""
        d = dt.date
        spans = {
            PhaseKind.MOBILIZE: (d(year, 3, 1), d(year, 3, 31)),
            PhaseKind.JUNE: (d(year, 6, 1), d(year, 6, 20)),
            PhaseKind.DECEMBER: (d(year, 12, 1), d(year, 12, 20)),
            PhaseKind.REVIEW: (d(year, 12, 21), d(year, 12, 31)),
            PhaseKind.NOTICE: (d(year + 1, 1, 4), d(year + 1, 1, 10)),
            PhaseKind.NAMING: (d(year + 1, 1, 11), d(year + 1, 1, 31)),
        }
        initial = {"year": year, "name": f"{year}年度基层党组织争先创优活动"}
        for kind, (starts, ends) in spans.items():
            initial[f"{kind.value}_starts"], initial[f"{kind.value}_ends"] = starts, ends
        return initial

    def phases(self) -> dict:
        data = self.cleaned_data
        return {k.value: (data[f"{k.value}_starts"], data[f"{k.value}_ends"]) for k in PhaseKind}


class RoundForm(forms.Form):
    kind = forms.ChoiceField(
        label="轮次", choices=RoundKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    opens = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    closes = forms.DateField(label="截止日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class ExclusionForm(forms.Form):
    code = forms.CharField(
        label="组织代码", max_length=32, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    reason = forms.CharField(
        label="不参评原因", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class RubricChoiceForm(forms.Form):
    domain = forms.ChoiceField(label="领域", choices=Domain.choices)
    rubric = forms.IntegerField(label="评定标准")

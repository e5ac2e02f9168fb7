"""Forms of the review pages. An item's inputs are read by `chuangyou.assessments.forms.EntryForm`."""

from __future__ import annotations

from django import forms

from chuangyou.orgs.models import Organization
from chuangyou.reviews.models import Method, Review
from chuangyou.reviews.services import MethodUse, ReviewDetails
from chuangyou.rubrics.models import Situation, Veto

DATE_WIDGET = {"type": "date", "class": "form-control form-control-sm"}


class DetailsForm(forms.Form):
    """The methods used (each with a date and a note), the 软弱涣散 situations, a veto and the opinion."""

    situations = forms.ModelMultipleChoiceField(
        label="软弱涣散情形",
        queryset=Situation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    weak_note = forms.CharField(
        label="情况说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    vetoes = forms.ModelMultipleChoiceField(
        label="一票否决情形",
        queryset=Veto.objects.none(),
        required=False,
        help_text="按本表评定标准所列的一票否决情形勾选，等级最高评为标准规定的等级",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    opinion = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, situations=None, vetoes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if situations is not None:
            self.fields["situations"].queryset = situations
        if vetoes is not None:
            self.fields["vetoes"].queryset = vetoes
        self.fields["vetoes"].label_from_instance = lambda v: (
            f"{v.text}（最高评为{v.max_grade}）" if v.max_grade else v.text
        )
        for method in Method:
            self.fields[f"use_{method.value}"] = forms.BooleanField(
                label=method.label,
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"date_{method.value}"] = forms.DateField(
                label=f"{method.label}日期",
                required=False,
                widget=forms.DateInput(
                    attrs={**DATE_WIDGET, "aria-label": f"{method.label}日期"}, format="%Y-%m-%d"
                ),
            )
            self.fields[f"note_{method.value}"] = forms.CharField(
                label=f"{method.label}说明",
                max_length=500,
                required=False,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "aria-label": f"{method.label}说明"}
                ),
            )

    @classmethod
    def for_review(cls, review: Review, situations, vetoes=None) -> DetailsForm:
        initial = {
            "situations": [s.pk for s in review.situations.all()],
            "weak_note": review.weak_note,
            "vetoes": [v.pk for v in review.vetoes.all()],
            "opinion": review.opinion,
            "version": review.version,
        }
        for used in review.methods:
            initial[f"use_{used['method']}"] = True
            initial[f"date_{used['method']}"] = used.get("date") or ""
            initial[f"note_{used['method']}"] = used.get("note", "")
        return cls(initial=initial, situations=situations, vetoes=vetoes)

    def method_rows(self):
        """(label, checkbox, date, note) bound fields, one row per method."""
        return [
            (m.label, self[f"use_{m.value}"], self[f"date_{m.value}"], self[f"note_{m.value}"])
            for m in Method
        ]

    def details(self) -> ReviewDetails:
        data = self.cleaned_data
        return ReviewDetails(
            methods=[
                MethodUse(m.value, data[f"date_{m.value}"], data[f"note_{m.value}"])
                for m in Method
                if data[f"use_{m.value}"]
            ],
            situations=list(data["situations"]),
            weak_note=data["weak_note"],
            vetoes=list(data["vetoes"]),
            opinion=data["opinion"],
        )

    def error_texts(self) -> list[str]:
        return [f"{self.fields[name].label}：{e}" for name, errors in self.errors.items() for e in errors]


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="退回重审原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class AssignmentForm(forms.Form):
    """审核分工: a township reviewer for the branches under one organization (by its code)."""

    reviewer = forms.ModelChoiceField(
        label="审核人",
        queryset=None,
        empty_label="请选择审核人",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    code = forms.CharField(
        label="组织代码",
        max_length=32,
        help_text="负责审核该组织（及其下属党支部）",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, reviewers, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: (
            f"{u.get_full_name()}（{u.username}）" if u.get_full_name() else u.username
        )
        self.organizations = organizations

    def clean_code(self) -> Organization:
        code = self.cleaned_data["code"].strip()
        organization = self.organizations.filter(code=code).first()
        if organization is None:
            raise forms.ValidationError(f"组织代码“{code}”不存在或不在您的管辖范围内")
        return organization

    def error_texts(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]

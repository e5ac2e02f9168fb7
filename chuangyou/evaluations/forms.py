from datetime import timedelta

from django import forms
from django.utils import timezone

from chuangyou.evaluations.models import QUESTIONS, Choice
from chuangyou.evaluations.policy import MAX_CODES_PER_AUDIENCE, public_share_percent

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_CODES_PER_AUDIENCE,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": f"请填写{label}",
            "invalid": f"{label}应为整数",
            "min_value": f"{label}不能小于0",
            "max_value": f"{label}不能超过{MAX_CODES_PER_AUDIENCE}",
        },
    )


class IssueForm(forms.Form):
    members = _count_field("党员测评码（份）")
    public = _count_field("群众测评码（份）")
    closes_at = forms.DateTimeField(
        label="截止时间",
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"class": "form-control", "type": "datetime-local"}, format=LOCAL_MINUTE
        ),
        error_messages={"required": "请填写截止时间", "invalid": "截止时间格式不正确"},
    )

    @classmethod
    def initial_for(cls, organization, evaluation=None) -> dict:
        if evaluation is not None:
            return {"members": 0, "public": 0, "closes_at": timezone.localtime(evaluation.closes_at)}
        members = organization.members_total
        closes = timezone.localtime() + timedelta(days=7)
        return {
            "members": members,
            "public": -(-members * public_share_percent() // 100),
            "closes_at": closes.replace(hour=18, minute=0, second=0, microsecond=0),
        }

    def set_adding(self) -> None:
        """For an evaluation that exists: the numbers are codes to add."""
        self.fields["members"].label = "追加党员测评码（份）"
        self.fields["public"].label = "追加群众测评码（份）"


class AnswerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Choice.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"请选择“{label}”的评价",
                    "invalid_choice": f"请选择“{label}”的评价",
                },
            )

    def dimensions(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name, _ in QUESTIONS if name != "overall"}

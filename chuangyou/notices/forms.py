"""Forms of the staff notice pages. They check shapes only; the services decide (and explain) the rest."""

from django import forms

from chuangyou.notices.issuer import OFFICE_PHONE, phone_numbers
from chuangyou.notices.models import MIN_NOTICE_DAYS, Channel, ObjectionState

SELECT = {"class": "form-select"}
INPUT = {"class": "form-control"}
MAX_NOTICE_DAYS = 60


class NoticeForm(forms.Form):
    organization = forms.ChoiceField(label="公示范围", widget=forms.Select(attrs=SELECT))
    channel = forms.ChoiceField(
        label="公示渠道",
        choices=Channel.choices,
        initial=Channel.WEBSITE,
        widget=forms.Select(attrs=SELECT),
    )
    starts = forms.DateField(
        label="开始日期",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入有效的日期，如 2026-12-10"},
    )
    days = forms.IntegerField(
        label="公示期（工作日）",
        initial=MIN_NOTICE_DAYS,
        min_value=MIN_NOTICE_DAYS,
        max_value=MAX_NOTICE_DAYS,
        widget=forms.NumberInput(attrs={**INPUT, "min": MIN_NOTICE_DAYS, "max": MAX_NOTICE_DAYS}),
        error_messages={
            "min_value": f"公示期不少于{MIN_NOTICE_DAYS}个工作日",
            "max_value": f"公示期不超过{MAX_NOTICE_DAYS}个工作日",
            "invalid": "请输入整数天数",
        },
        help_text=f"按工作日计算，不少于{MIN_NOTICE_DAYS}个工作日，节假日自动扣除",
    )
    title = forms.CharField(
        label="公示标题",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 200}),
        help_text="不填则为“××××年度基层党组织争先创优评定等级公示”，本次活动已有覆盖本范围的公示时为“……补充公示”",
    )

    issuer = forms.CharField(
        label="发布单位",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 100}),
        help_text="公示末尾的落款，不填则为本次活动的组织部门（如“中共××县委组织部”）",
    )
    contact_phone = forms.CharField(
        label="异议受理电话",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 60, "inputmode": "tel"}),
        help_text="群众可拨打反映异议，如 0571-12345678；多个号码用顿号隔开",
    )
    contact_address = forms.CharField(
        label="来信来访地址",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={**INPUT, "maxlength": 200}),
        help_text="如：××县××路××号县委组织部组织科（邮编×××××）",
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in organizations}
        self.fields["organization"].choices = [(str(o.pk), o.name) for o in organizations]
        if organizations:
            self.fields["organization"].initial = str(organizations[0].pk)
        if len(self.organizations) <= 1:
            self.fields["organization"].widget = forms.HiddenInput()

    def clean_organization(self):
        return self.organizations[self.cleaned_data["organization"]]

    def clean_contact_phone(self):
        text = self.cleaned_data["contact_phone"].strip()
        if text and not all(OFFICE_PHONE.fullmatch(n) for n in phone_numbers(text)):
            raise forms.ValidationError("请输入有效的电话号码，如 0571-12345678 或 12380，多个号码用顿号隔开")
        return "、".join(phone_numbers(text))

    @property
    def service_args(self) -> dict:
        data = self.cleaned_data
        return {
            "organization": data["organization"],
            "channel": data["channel"],
            "starts": data["starts"],
            "days": data["days"],
            "title": data["title"],
            "issuer": data["issuer"],
            "contact_phone": data["contact_phone"],
            "contact_address": data["contact_address"],
        }


class ApproveForm(forms.Form):
    # The number itself is checked by the service (one message for the page and the API alike).
    document_number = forms.CharField(
        label="命名文件文号",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "如：X组通〔2026〕12号", "maxlength": 60}),
    )


ANSWER_STATES = [
    (s.value, s.label)
    for s in (
        ObjectionState.INVESTIGATING,
        ObjectionState.UPHELD,
        ObjectionState.DISMISSED,
        ObjectionState.FURTHER,
    )
]


VERIFIED_CHOICES = [(s.value, s.label) for s in (ObjectionState.UPHELD, ObjectionState.DISMISSED)]


class AnswerForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        choices=[("", "请选择"), *ANSWER_STATES],
        widget=forms.Select(attrs=SELECT),
        help_text="成立：该组织退回重新审核，不参加本次审定；需进一步核实：暂缓审定该组织的等级",
        error_messages={"required": "请选择处理状态", "invalid_choice": "请选择处理状态"},
    )
    answer = forms.CharField(
        label="处理结果",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 5, "maxlength": 4000}),
        help_text="办结（成立、不成立、需进一步核实）时必填，将答复异议提出人",
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, verifying: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if verifying:  # 需进一步核实 ends as 成立 or 不成立
            self.fields["state"].choices = [("", "请选择"), *VERIFIED_CHOICES]
            self.fields["state"].help_text = "核实完毕：成立则退回重新审核；不成立则解除暂缓，可审定其等级"


STATE_FILTERS = [
    ("", "全部"),
    ("open", "未办结"),
    ("closed", "已办结"),
    *ObjectionState.choices,
]


class ObjectionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态", required=False, choices=STATE_FILTERS, widget=forms.Select(attrs=SELECT)
    )

    @property
    def state_value(self) -> str:
        return self.cleaned_data.get("state", "") if self.is_valid() else ""

import datetime as dt

from django import forms

from chuangyou.campaigns.models import PhaseKind, QuotaBase, QuotaScopeChoice, RoundKind, ToleranceUnit
from chuangyou.orgs.models import Domain
from chuangyou.rules.grade_scheme import PRESETS, SchemeError, load_scheme, scheme_from_text

CUSTOM = "custom"
PRESET_CHOICES = [(p, load_scheme(p).title or p) for p in PRESETS]  # the titles a county reads

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
        choices=[*PRESET_CHOICES, (CUSTOM, "自定义方案文件")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    scheme_file = forms.FileField(
        label="自定义方案文件",
        required=False,
        help_text="选择“自定义方案文件”时上传，格式见《规则说明》",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".toml"}),
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

    def clean(self):
        data = super().clean()
        upload = data.get("scheme_file")
        data["scheme_text"] = ""
        if data.get("scheme") == CUSTOM:
            if upload is None:
                self.add_error("scheme_file", "请上传自定义评定方案文件")
            elif upload.size > 64 * 1024:
                self.add_error("scheme_file", "方案文件过大（上限 64 KB）")
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                    scheme_from_text(text, source=upload.name)
                except (UnicodeDecodeError, SchemeError) as exc:
                    message = (
                        "方案文件须为 UTF-8 编码的 TOML" if isinstance(exc, UnicodeDecodeError) else str(exc)
                    )
                    self.add_error("scheme_file", message)
                else:
                    data["scheme_text"] = text
        return data

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


class DomainSchemeForm(forms.Form):
    domain = forms.ChoiceField(label="领域", choices=Domain.choices)
    scheme = forms.ChoiceField(
        label="评定方案", choices=[("", "同本次活动的评定方案"), *PRESET_CHOICES], required=False
    )


class GradingSettingsForm(forms.Form):
    """How the county grades (定级设置): the quota scope, the gap that is marked, overrides."""

    quota_scope = forms.ChoiceField(
        label="名额范围",
        choices=QuotaScopeChoice.choices,
        error_messages={"required": "请选择名额范围", "invalid_choice": "名额范围无效"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quota_base = forms.ChoiceField(
        label="名额基数",
        choices=QuotaBase.choices,
        help_text="按照现有党支部数量：名额按全部参评党支部计算（含尚未完成审核的）；"
        "或只按参加定级的党支部计算",
        error_messages={"required": "请选择名额基数", "invalid_choice": "名额基数无效"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    gap_threshold = forms.DecimalField(
        label="自评与审核分差提示线",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="审核得分与自评得分相差达到此分数时，在审核页面提示",
        error_messages={
            "required": "请填写分差提示线",
            "invalid": "分差提示线须为数字",
            "min_value": "分差提示线应在0到100分之间",
            "max_value": "分差提示线应在0到100分之间",
            "max_digits": "分差提示线应在0到100分之间",
            "max_decimal_places": "分差提示线最多保留两位小数",
            "max_whole_digits": "分差提示线应在0到100分之间",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0", "max": "100"}),
    )
    allow_quota_override = forms.BooleanField(
        label="允许调整等级突破名额",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    needs_evaluation = forms.BooleanField(
        label="无有效民主测评的党支部不得评为满意率门槛以上等级",
        required=False,
        help_text="评定方案设有满意率门槛时（如机关2012方案的90%）适用；不勾选则没有满意率的党支部不受门槛限制",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    tolerance = forms.DecimalField(
        label="良好名额浮动幅度",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="“良好党支部评选比例为10%左右”：良好名额可在比例之上浮动的幅度，0为不浮动",
        error_messages={
            "required": "请填写良好名额浮动幅度（不浮动填0）",
            "invalid": "浮动幅度须为数字",
            "min_value": "浮动幅度不能为负数",
            "max_value": "浮动幅度不超过100",
            "max_digits": "浮动幅度不超过100",
            "max_decimal_places": "浮动幅度最多保留两位小数",
            "max_whole_digits": "浮动幅度不超过100",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0", "max": "100"}),
    )
    tolerance_unit = forms.ChoiceField(
        label="浮动单位",
        choices=ToleranceUnit.choices,
        error_messages={"required": "请选择浮动单位", "invalid_choice": "浮动单位无效"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    pass_unused = forms.BooleanField(
        label="优秀未用名额转入良好",
        required=False,
        help_text="达到优秀标准的党支部少于优秀名额时，空出的名额可评良好",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    cap_at_declared = forms.BooleanField(
        label="不得评为高于申报等级的等级",
        required=False,
        help_text="党支部申报良好的，得分再高也最高评为良好（说明中写明）",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    evaluation_weight = forms.DecimalField(
        label="民主测评在综合得分中的权重",
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        help_text="自评与党员群众评议相结合：综合得分=审核得分×(1−权重)+民主测评得分×权重；0为只按审核得分",
        error_messages={
            "required": "请填写民主测评权重（不计入填0）",
            "invalid": "民主测评权重须为数字",
            "min_value": "民主测评权重应在0到1之间（如0.2）",
            "max_value": "民主测评权重应在0到1之间（如0.2）",
            "max_digits": "民主测评权重应在0到1之间（如0.2）",
            "max_decimal_places": "民主测评权重最多保留两位小数",
            "max_whole_digits": "民主测评权重应在0到1之间（如0.2）",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.05", "min": "0", "max": "1"}),
    )
    members_weight = forms.DecimalField(
        label="党员评议权重",
        min_value=0,
        max_value=99,
        max_digits=4,
        decimal_places=2,
        help_text="民主测评得分中党员与群众评议的比例，如党员1、群众1为各占一半",
        error_messages={
            "required": "请填写党员评议权重",
            "invalid": "权重须为数字",
            "min_value": "权重不能为负数",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "min": "0"}),
    )
    public_weight = forms.DecimalField(
        label="群众评议权重",
        min_value=0,
        max_value=99,
        max_digits=4,
        decimal_places=2,
        error_messages={
            "required": "请填写群众评议权重",
            "invalid": "权重须为数字",
            "min_value": "权重不能为负数",
        },
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1", "min": "0"}),
    )
    township_proposals = forms.BooleanField(
        label="乡镇（街道）推荐优秀、县委组织部复核",
        required=False,
        help_text="乡镇（街道）评定良好档次以下，在分配的名额内推荐优秀；县委组织部逐个复核后，"
        "只有复核同意的才评为优秀",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    townships_publish = forms.BooleanField(
        label="乡镇（街道）自行公示本辖区等级",
        required=False,
        help_text="勾选后，乡镇（街道）审核人可发布本辖区党组织的公示；审定仍由县委组织部办理",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

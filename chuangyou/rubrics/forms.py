from decimal import Decimal

from django import forms

from chuangyou.orgs.models import Domain
from chuangyou.rubrics.spec import ItemSpec
from chuangyou.rules.grade_scheme import PRESETS


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def points_field(label="分值"):
    return forms.DecimalField(label=label, min_value=Decimal(0), max_value=Decimal(1000), decimal_places=2)


class ItemForm(StyledForm):
    name = forms.CharField(label="项目", max_length=100)
    points = points_field()
    criteria = forms.CharField(
        label="考核评价标准（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    method = forms.CharField(
        label="考评方式",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="按“…扣1分；…不得分；每少1次扣0.5分；根据…酌情给分”的写法填写，系统据此计分",
    )
    evidence_hint = forms.CharField(label="佐证材料提示", max_length=300, required=False)

    def spec(self) -> ItemSpec:
        data = self.cleaned_data
        return ItemSpec(
            name=data["name"].strip(),
            points=data["points"],
            criteria=tuple(line.strip() for line in data["criteria"].splitlines() if line.strip()),
            method=data["method"].strip(),
            evidence_hint=data["evidence_hint"].strip(),
        )

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "name": item.name,
            "points": item.max_points,
            "criteria": "\n".join(item.criteria),
            "method": item.method,
            "evidence_hint": item.evidence_hint,
        }


class CategoryForm(StyledForm):
    name = forms.CharField(label="类型", max_length=100)
    points = points_field()
    bonus = forms.BooleanField(label="加分类型（不计入总分）", required=False)


class AttributesForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    total = points_field("总分")
    scheme = forms.ChoiceField(
        label="评定方案", required=False, choices=[("", "未指定"), *((p, p) for p in PRESETS)]
    )
    domains = forms.MultipleChoiceField(
        label="适用领域",
        choices=Domain.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BindForm(forms.Form):
    domain = forms.ChoiceField(choices=Domain.choices)
    rubric = forms.IntegerField()


class ImportForm(StyledForm):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    code = forms.SlugField(
        label="评定标准代码",
        required=False,
        help_text="文件中没有“属性”工作表时必填；与已有代码相同则导入为该标准的新版本",
    )

from django import forms

from chuangyou.workcalendar.models import CalendarDay
from chuangyou.workcalendar.queries import MAX_YEAR, MIN_YEAR
from chuangyou.workcalendar.services import IMPORT_EXAMPLE

KIND_CHOICES = [("0", "休息（节假日）"), ("1", "上班（调休上班日）")]


class DayForm(forms.Form):
    date = forms.DateField(
        label="日期",
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
        error_messages={"required": "请填写日期", "invalid": "日期格式不对，请写作 2027-01-01"},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    is_workday = forms.TypedChoiceField(
        label="安排",
        choices=KIND_CHOICES,
        coerce=lambda v: v == "1",
        error_messages={"required": "请选择休息或上班", "invalid_choice": "请选择休息或上班"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=CalendarDay._meta.get_field("note").max_length,
        error_messages={"max_length": "说明不能超过%(limit_value)d个字"},
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：元旦、春节调休"}),
    )


class ImportForm(forms.Form):
    text = forms.CharField(
        label="批量录入",
        max_length=100_000,
        error_messages={"required": "请粘贴要导入的日期", "max_length": "内容过长，请分批导入"},
        help_text=f"每行一天：日期 休/班 说明，如“{IMPORT_EXAMPLE}”“2027-02-07 班 春节调休”；"
        "“休”也可写作休息、放假、off，“班”也可写作上班、work",
        widget=forms.Textarea(
            attrs={"class": "form-control font-monospace", "rows": 8, "placeholder": IMPORT_EXAMPLE}
        ),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": "请指定年份",
            "invalid": "年份应为数字",
            "min_value": f"年份应在{MIN_YEAR}—{MAX_YEAR}年之间",
            "max_value": f"年份应在{MIN_YEAR}—{MAX_YEAR}年之间",
        },
    )

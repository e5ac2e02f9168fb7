"""Forms of the public notice pages. The objection's rules (length, phone, floods) live in
`services.objection_submit`; the form only collects and tidies what was typed."""

import re

from django import forms

from chuangyou.notices.services import OBJECTION_MAX_CHARS

CODE_MAX_CHARS = 40  # what the status box accepts as typed, spaces and dashes included


def normalize_code(text: str) -> str:
    """A tracking code as typed → as stored: case-insensitive, spaces and dashes ignored."""
    return re.sub(r"[\s\-]", "", text or "").upper()


class UnechoedTextInput(forms.TextInput):
    """Never writes the typed value back: a form shown again with errors keeps the phone number out of
    the page (and out of any cache or screenshot of it)."""

    def format_value(self, value):
        return None


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label="异议内容",
        required=False,
        widget=forms.Textarea(
            attrs={
                "class": "form-control",
                "rows": 8,
                "maxlength": OBJECTION_MAX_CHARS,
                "placeholder": "请写明对该组织拟定等级的具体异议和理由，可提供相关事实或线索。",
            }
        ),
    )
    name = forms.CharField(
        label="姓名（选填）",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 50, "autocomplete": "name"}),
    )
    phone = forms.CharField(
        label="联系电话（选填）",
        required=False,
        widget=UnechoedTextInput(
            attrs={"class": "form-control", "maxlength": 20, "inputmode": "tel", "autocomplete": "tel"}
        ),
    )

    def clean_content(self) -> str:
        # A browser counts a line break as one character against maxlength but sends two (CR LF).
        return self.cleaned_data["content"].replace("\r\n", "\n")


class StatusForm(forms.Form):
    code = forms.CharField(
        label="查询码",
        required=False,
        max_length=CODE_MAX_CHARS,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg font-monospace",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "例如 7K3M9QXR2A",
            }
        ),
        error_messages={"max_length": "查询码为10位字母和数字，请核对后重新输入"},
    )

    def clean_code(self) -> str:
        return normalize_code(self.cleaned_data["code"])

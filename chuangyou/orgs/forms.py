import re

from django import forms

from chuangyou.orgs.models import EDITABLE_FIELDS, Kind, Organization, Status

PHONE = re.compile(r"^[0-9\-+ ]{7,20}$")
CODE = re.compile(r"^[0-9A-Za-z\-_.]{1,32}$")


class OrganizationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = list(EDITABLE_FIELDS)
        widgets = {"founded": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "code": "全县唯一、长期不变，可用字母、数字和短横线",
            "domain": "乡镇、街道和县委可不填",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def validate_unique(self):
        """Unique codes are checked by the service, inside its transaction, naming the holder."""

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE.match(code):
            raise forms.ValidationError("组织代码只能包含字母、数字、短横线、下划线和点，最长32位")
        return code

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_secretary_phone(self):
        phone = self.cleaned_data["secretary_phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError("电话号码格式不正确")
        return phone

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (Kind.BRANCH, Kind.GENERAL_BRANCH, Kind.COMMITTEE) and not data.get("domain"):
            self.add_error("domain", "基层党组织须选择所属领域")
        return data


class MoveForm(forms.Form):
    parent_code = forms.CharField(
        label="新的上级组织代码",
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class DissolveForm(forms.Form):
    status = forms.ChoiceField(
        label="处理方式",
        choices=[(Status.DISSOLVED, "撤销"), (Status.MERGED, "合并到其他组织")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="原因和依据",
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    confirm = forms.BooleanField(label="我已确认该操作", required=True)


class OrgFilterForm(forms.Form):
    q = forms.CharField(label="名称或代码", required=False, max_length=100)
    kind = forms.ChoiceField(label="组织类别", required=False, choices=[("", "全部类别"), *Kind.choices])
    domain = forms.ChoiceField(label="所属领域", required=False, choices=[])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Status.choices], initial=Status.ACTIVE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from chuangyou.orgs.models import Domain

        self.fields["domain"].choices = [("", "全部领域"), *Domain.choices]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def apply(self, organizations):
        """The organizations that match the filters (all of them when the filters are invalid)."""
        if not self.is_valid():
            return organizations
        data = self.cleaned_data
        organizations = organizations.search(data["q"])
        for name in ("kind", "domain", "status"):
            if data[name]:
                organizations = organizations.filter(**{name: data[name]})
        return organizations

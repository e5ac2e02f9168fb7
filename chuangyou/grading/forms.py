from django import forms

from chuangyou.grading.queries import DEFAULT_SORT, DOMAIN_NAMES, SORTS

SELECT = {"class": "form-select"}


class ResultFilterForm(forms.Form):
    """Filters of the results table; the choices are what the run holds inside the user's scope."""

    grade = forms.ChoiceField(label="等级", required=False, widget=forms.Select(attrs=SELECT))
    domain = forms.ChoiceField(label="领域", required=False, widget=forms.Select(attrs=SELECT))
    township = forms.ChoiceField(label="所属党委", required=False, widget=forms.Select(attrs=SELECT))
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[(k, label) for k, (label, _) in SORTS.items()],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, data, *, labels, domains, townships):
        super().__init__(data)
        self.fields["grade"].choices = [("", "全部等级"), *((g, g) for g in labels)]
        self.fields["domain"].choices = [
            ("", "全部领域"),
            *((d, DOMAIN_NAMES.get(d, d or "未填写")) for d in domains),
        ]
        self.fields["township"].choices = [("", "全部党委"), *((t, t or "（未填写）") for t in townships)]

    def apply(self, results):
        """Unknown values are ignored (a stale link shows everything rather than an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for name in ("grade", "domain", "township"):
            if data.get(name):
                results = results.filter(**{"final_grade" if name == "grade" else name: data[name]})
        return results

    @property
    def sort_key(self) -> str:
        return getattr(self, "cleaned_data", {}).get("sort") or DEFAULT_SORT


class OverrideForm(forms.Form):
    grade = forms.ChoiceField(label="调整后等级", widget=forms.Select(attrs=SELECT))
    # The reason is checked by the service (one message for the page and the API alike).
    reason = forms.CharField(
        label="调整理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3, "required": True, "maxlength": 500}),
    )

    def __init__(self, *args, labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in labels]

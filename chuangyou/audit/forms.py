from django import forms

from chuangyou.audit.services import VERB_LABELS


class AuditFilterForm(forms.Form):
    verb = forms.ChoiceField(label="操作", required=False, choices=[("", "全部操作"), *VERB_LABELS.items()])
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    target = forms.CharField(label="对象", required=False, max_length=100)
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def apply(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["verb"]:
            events = events.filter(verb=data["verb"])
        if data["actor"]:
            events = events.filter(actor_name__icontains=data["actor"])
        if data["target"]:
            events = events.filter(target_label__icontains=data["target"])
        if data["start"]:
            events = events.filter(created_at__date__gte=data["start"])
        if data["end"]:
            events = events.filter(created_at__date__lte=data["end"])
        return events

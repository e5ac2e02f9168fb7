from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django import forms

from chuangyou.assessments.scoring import nothing_applies
from chuangyou.assessments.services import EntryData


class EntryForm:
    """Reads one item's inputs (names depend on the item's rules) into `EntryData`."""

    def __init__(self, item, data):
        self.item, self.data, self.errors = item, data, []

    def _decimal(self, name: str, label: str) -> Decimal | None:
        text = (self.data.get(name) or "").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.errors.append(f"{label}“{text}”不是数字")
            return None
        if not value.is_finite():
            self.errors.append(f"{label}“{text}”不是数字")
            return None
        return value

    def entry(self) -> EntryData | None:
        if self.data.get("nothing_applies"):
            return nothing_applies(self.item, note=(self.data.get("note") or "")[:1000])
        counts: dict[str, int] = {}
        for index, rule in enumerate(self.item.rules):
            raw = (self.data.get(f"count-{index}") or "").strip()
            if not raw:
                continue
            if raw == "on":
                counts[rule["text"]] = 1
            elif raw.isdigit():
                counts[rule["text"]] = int(raw)
            else:
                self.errors.append(f"“{rule['text']}”的次数应为不小于0的整数")
        zero_out = tuple(c for i, c in enumerate(self.item.zero_out) if self.data.get(f"zero-{i}"))
        score = self._decimal("score", "得分")
        deduction = self._decimal("deduction", "酌情扣分") or Decimal(0)
        if self.errors:
            return None
        return EntryData(
            counts=counts,
            zero_out=zero_out,
            score=score,
            deduction=deduction,
            reason=(self.data.get("reason") or "")[:500],
            note=(self.data.get("note") or "")[:1000],
        )


def posted_entry(item, data, entry) -> SimpleNamespace:
    """The posted inputs of one item exactly as typed, shaped like an entry, to show them again beside
    the errors (a refused save must not lose what was typed, a number that is not one included)."""
    try:
        version = int(data.get("version") or 0)
    except ValueError:
        version = entry.version if entry else 0
    return SimpleNamespace(
        counts={
            rule["text"]: data.get(f"count-{i}", "").strip()
            for i, rule in enumerate(item.rules)
            if data.get(f"count-{i}", "").strip()
        },
        zero_out=[c for i, c in enumerate(item.zero_out) if data.get(f"zero-{i}")],
        score=(data.get("score") or "").strip()[:20],
        deduction=(data.get("deduction") or "").strip()[:20],
        reason=(data.get("reason") or "")[:500],
        note=(data.get("note") or "")[:1000],
        version=version,
    )


class ApplicationForm(forms.Form):
    applied_grade = forms.ChoiceField(label="申报等级", choices=[])
    achievements = forms.CharField(label="主要成绩", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    self_evaluation = forms.CharField(
        label="自评意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applied_grade"].choices = [("", "请选择"), *((g, g) for g in grades)]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class ReopenForm(forms.Form):
    until = forms.DateField(
        label="延期至",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label="原因", max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

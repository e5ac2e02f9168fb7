from decimal import Decimal, InvalidOperation

from django import template

from chuangyou.audit.readable import readable
from chuangyou.audit.services import VERB_LABELS
from chuangyou.rules.domains import domain_names

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or "" when there is no mapping (e.g. an entry not filled in yet)."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def verb_label(verb: str) -> str:
    return VERB_LABELS.get(verb, verb)


@register.filter
def audit_before(event) -> list[tuple[str, str]]:
    return readable(event.target_type, event.before, event.verb)


@register.filter
def audit_after(event) -> list[tuple[str, str]]:
    return readable(event.target_type, event.after, event.verb)


@register.filter
def domain_labels(codes) -> str:
    """The Chinese names of domain codes: one code or a list of them."""
    if isinstance(codes, str):
        codes = [codes] if codes else []
    return domain_names(codes or ())


@register.filter
def get_index(sequence, index):
    """sequence[index], or None past its end."""
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return None


@register.filter
def points(value) -> str:
    """A score as written: 2, 1.5, 0.25 (no trailing zeros, no exponent)."""
    if value in (None, ""):
        return ""
    try:
        text = format(Decimal(str(value)), "f")
    except InvalidOperation:
        return str(value)  # typed text that is not a number, shown back beside its error
    return text.rstrip("0").rstrip(".") if "." in text else text

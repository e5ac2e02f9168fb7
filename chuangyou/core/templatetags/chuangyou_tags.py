from django import template

from chuangyou.audit.services import VERB_LABELS

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def verb_label(verb: str) -> str:
    return VERB_LABELS.get(verb, verb)

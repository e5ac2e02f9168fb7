from django import template

from chuangyou.evaluations.results import summary_for_sheet

register = template.Library()


@register.inclusion_tag("evaluations/_summary.html")
def evaluation_summary(sheet):
    """`{% load evaluation_tags %}{% evaluation_summary sheet %}`: the sheet's result card."""
    return {"summary": summary_for_sheet(sheet), "sheet": sheet}

import pytest

from chuangyou.assessments.models import ScoreSheet


@pytest.fixture
def sheet(december, tree, on_day):
    return ScoreSheet.objects.get(round=december, organization=tree["a1"])


def item(sheet, name):
    return sheet.rubric.categories.get(items__name=name).items.get(name=name)

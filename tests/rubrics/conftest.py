from decimal import Decimal

import pytest

from chuangyou.rubrics import services
from chuangyou.rubrics.spec import CategorySpec, ItemSpec, RubricSpec, VetoSpec


def small_spec(**changes) -> RubricSpec:
    """A 10-point rubric in two categories, written in the seeds' phrasing."""
    data = {
        "code": "small",
        "name": "测试评定标准",
        "total": Decimal(10),
        "domains": ("village", "community"),
        "vetoes": (VetoSpec("班子成员受到党纪处分", "一般"),),
        "categories": (
            CategorySpec(
                "党的组织设置",
                Decimal(4),
                (
                    ItemSpec(
                        "设置合理",
                        Decimal(2),
                        ("组织设置合理，每年摸底1次。",),
                        "组织设置不规范不得分；未进行摸底排查扣1分。",
                    ),
                    ItemSpec("纪检机构", Decimal(2), ("设纪检委员。",), "未设纪检委员扣2分。"),
                ),
            ),
            CategorySpec(
                "党内组织生活",
                Decimal(6),
                (
                    ItemSpec("三会一课", Decimal(4), ("按期开展、记录规范。",), "根据记录材料内容酌情给分。"),
                    ItemSpec("主题党日", Decimal(2), ("每月开展1次。",), "每少开1次扣0.5分。"),
                ),
            ),
        ),
    }
    data.update(changes)
    return RubricSpec(**data)


@pytest.fixture
def draft(personas):
    return services.rubric_create(actor=personas["county_admin"], spec=small_spec())


@pytest.fixture
def published(personas):
    return services.rubric_create(actor=personas["county_admin"], spec=small_spec(), publish=True)

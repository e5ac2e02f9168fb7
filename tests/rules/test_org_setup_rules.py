import pytest

from chuangyou.rules import org_setup as rules


@pytest.mark.parametrize(
    ("parent", "kind", "error"),
    [
        (None, rules.COUNTY, None),
        (None, rules.COMMITTEE, None),
        (None, rules.BRANCH, "党支部必须有上级组织"),
        (rules.COUNTY, rules.TOWNSHIP, None),
        (rules.COUNTY, rules.BRANCH, None),
        (rules.TOWNSHIP, rules.BRANCH, None),
        (rules.TOWNSHIP, rules.TOWNSHIP, "乡镇党委下不能设立乡镇党委"),
        (rules.GENERAL_BRANCH, rules.BRANCH, None),
        (rules.GENERAL_BRANCH, rules.GENERAL_BRANCH, "党总支下不能设立党总支"),
        (rules.BRANCH, rules.BRANCH, "党支部下不能再设党支部"),
        (rules.BRANCH, rules.GENERAL_BRANCH, "党支部下不能再设党总支"),
        (rules.COMMITTEE, rules.COMMITTEE, None),
        (rules.SUBDISTRICT, rules.COUNTY, "街道党工委下不能设立县委"),
    ],
)
def test_placement(parent, kind, error):
    assert rules.placement_error(parent, kind) == error


@pytest.mark.parametrize(
    ("kind", "full", "probationary", "expected"),
    [
        (rules.BRANCH, 3, 0, []),
        (rules.BRANCH, 2, 5, ["正式党员2名，不足3名"]),
        (rules.BRANCH, 44, 5, []),
        (rules.BRANCH, 45, 5, ["达到50名以上，可设立党总支"]),
        (rules.BRANCH, 48, 3, ["达到50名以上，可设立党总支", "建议拆分"]),
        (rules.BRANCH, 100, 0, ["达到100名以上，可设立党委", "建议拆分"]),
        (rules.GENERAL_BRANCH, 60, 0, []),
        (rules.GENERAL_BRANCH, 99, 1, ["达到100名以上，可设立党委"]),
        (rules.TOWNSHIP, 0, 0, []),
    ],
)
def test_setup_warnings_follow_seed_001(kind, full, probationary, expected):
    warnings = rules.setup_warnings(kind, full, probationary)
    assert len(warnings) == len(expected)
    for warning, fragment in zip(warnings, expected, strict=True):
        assert fragment in warning

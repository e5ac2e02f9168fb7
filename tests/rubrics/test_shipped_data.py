"""The shipped default rubrics, star checklist and 软弱涣散 list (chuangyou/rubrics/data/*.toml).

Format: docs/rubric-data-format.md. No database: the files are read with tomllib and checked against the
scoring core (`validate_rubric`), the method-text parser and the seeds' numbers (SPEC §4, §11).
"""

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from chuangyou.orgs.models import Domain
from chuangyou.rules.method_text import parse_method
from chuangyou.rules.rubric import Category, Item, Rubric, validate_rubric

DATA = Path(__file__).resolve().parents[2] / "chuangyou" / "rubrics" / "data"
SCHEMES = Path(__file__).resolve().parents[2] / "chuangyou" / "rules" / "schemes"


def load(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


ALL_FILES = sorted(p.name for p in DATA.glob("*.toml"))
POINT_FILES = [name for name in ALL_FILES if "kind" not in load(name)]


def D(value) -> Decimal:
    return Decimal(str(value))


def build(data: dict) -> Rubric:
    categories = []
    for c in data["categories"]:
        bonus = bool(c.get("bonus", False))
        items = tuple(
            Item(
                name=i["name"],
                max_points=D(i["points"]),
                kind="bonus" if bonus else "deduction",
                criteria=tuple(i.get("criteria", ())),
                method=i["method"],
                evidence_hint=i.get("evidence_hint", ""),
            )
            for i in c["items"]
        )
        categories.append(Category(c["name"], D(c["points"]), items, bonus=bonus))
    return Rubric(name=data["name"], categories=tuple(categories), total=D(data.get("total", 100)))


def test_the_expected_files_are_shipped():
    assert set(ALL_FILES) == {
        "village.toml",
        "organ.toml",
        "organ-2012.toml",
        "liangxin.toml",
        "liangxin-stars.toml",
        "weak-situations.toml",
    }
    assert set(POINT_FILES) == {"village.toml", "organ.toml", "organ-2012.toml", "liangxin.toml"}


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_file_has_its_metadata(name):
    data = load(name)
    assert data["code"] == name.removesuffix(".toml")
    for key in ("name", "source", "description"):
        assert data[key].strip(), key
    assert "各县" in data["description"]  # every default says a county should adapt it
    valid = set(Domain.values)
    assert all(domain in valid for domain in data.get("domains", ()))
    if "kind" not in data or data["kind"] == "star_checklist":
        assert data["domains"]


@pytest.mark.parametrize("name", POINT_FILES)
def test_point_rubrics_validate(name):
    data = load(name)
    rubric = build(data)
    assert validate_rubric(rubric) == []
    assert rubric.total == 100
    base = sum((c.points for c in rubric.categories if not c.bonus), Decimal(0))
    assert base == 100
    for _, item in rubric.items():
        assert item.criteria and all(text.strip() for text in item.criteria), item.name
        assert item.method.strip(), item.name
        assert item.max_points > 0
        assert (item.max_points * 4) == (item.max_points * 4).to_integral_value()


@pytest.mark.parametrize("name", POINT_FILES)
def test_point_rubrics_name_a_grade_scheme_and_valid_veto_grades(name):
    data = load(name)
    scheme = tomllib.loads((SCHEMES / f"{data['scheme']}.toml").read_text(encoding="utf-8"))
    labels = {grade["label"] for grade in scheme["grades"]}
    for veto in data.get("vetoes", ()):
        assert veto["text"].strip()
        assert veto["max_grade"] in labels


@pytest.mark.parametrize("name", POINT_FILES)
def test_every_method_is_fully_recognised_by_the_parser(name):
    data = load(name)
    for c in data["categories"]:
        bonus = bool(c.get("bonus", False))
        for i in c["items"]:
            parsed = parse_method(i["method"], max_points=D(i["points"]), bonus=bonus)
            where = f"{name} {i['name']}"
            assert parsed.unparsed == (), where
            assert parsed.rules or parsed.zero_out or "酌情" in i["method"], where
            if bonus:
                assert parsed.kind == "bonus" and parsed.rules, where
            for rule in parsed.rules:
                assert rule.points > 0
                if "每" in rule.text:
                    assert rule.per_occurrence, f"{where}: {rule.text}"


@pytest.mark.parametrize("name", POINT_FILES)
def test_parsed_rubrics_validate(name):
    from chuangyou.rubrics.spec import spec_from_dict

    assert spec_from_dict(load(name)).errors() == []


def categories(data: dict) -> list[tuple[str, int]]:
    return [(c["name"], c["points"]) for c in data["categories"] if not c.get("bonus")]


def test_village_follows_seed_001_annex_1():
    data = load("village.toml")
    assert data["domains"] == ["village", "community"]
    assert data["scheme"] == "seed2020"
    assert categories(data) == [
        ("党的组织设置", 10),
        ("班子队伍建设", 6),
        ("党员教育管理", 19),
        ("党内组织生活", 12),
        ("场地建设管理使用", 12),
        ("为民便民服务", 14),
        ("工作运行机制", 24),
        ("基本经费保障", 3),
    ]
    items = {i["name"]: i["points"] for c in data["categories"] for i in c["items"]}
    seed_rows = {
        "设置合理": 2, "探索创新": 2, "纪检机构": 2, "健全社区组织体系": 4,
        "班子职数": 2, "班子任期": 2, "自身建设": 2,
        "发展党员工作": 3, "党员教育培训": 3, "党费缴纳管理": 2, "流动党员管理": 4,
        "党内激励关怀": 3, "管理手段创新": 4,
        "三会一课": 5, "民主评议党员": 2, "组织生活会": 2, "党员活动日": 3,
        "建设标准": 5, "标识制度": 2, "基本设施": 2, "管理维护": 3,
        "服务体系": 6, "服务载体": 3, "服务创新": 5,
        "统筹协调机制": 5, "民主管理机制": 4, "激励评价机制": 6, "联系群众机制": 4,
        "党建经费": 3,
    }  # fmt: skip
    assert {name: items.get(name) for name in seed_rows} == seed_rows


def test_liangxin_follows_seed_001_annex_3():
    data = load("liangxin.toml")
    assert data["domains"] == ["private_enterprise", "social_organization"]
    assert data["scheme"] == "seed2020"
    assert categories(data) == [
        ("党的组织设置", 20),
        ("班子队伍建设", 15),
        ("党员教育管理", 15),
        ("党内组织生活", 20),
        ("发挥作用途径", 10),
        ("工作运行机制", 9),
        ("基本工作保障", 11),
    ]
    items = {i["name"]: i["points"] for c in data["categories"] for i in c["items"]}
    seed_rows = {
        "组织覆盖": 10, "纪检机构": 5, "配套组织": 5,
        "班子职数": 3, "班子任期": 2, "骨干队伍": 5, "自身建设": 5,
        "发展党员工作": 5, "党员教育培训": 4, "党员日常管理": 3, "党员作用发挥": 3,
        "“三会一课”": 4, "民主评议党员": 4, "组织生活会": 4, "党员活动日": 4, "组织生活创新": 4,
        "服务“两新”组织健康发展开展活动": 5, "突出非公企业特点服务职工群众": 5,
        "民主议事机制": 3, "责任落实机制": 3, "激励关怀机制": 3,
        "政策保障": 3, "场所保障": 5, "经费保障": 3,
    }  # fmt: skip
    assert items == seed_rows


def test_organ_2012_is_the_seven_item_reference_standard():
    data = load("organ-2012.toml")
    assert data["scheme"] == "jiguan2012"
    assert data["domains"] == ["organ", "school", "hospital", "institution"]
    items = [(i["name"], i["points"]) for c in data["categories"] for i in c["items"]]
    assert items == [
        ("党组织带头人", 15),
        ("工作思路", 10),
        ("工作制度", 10),
        ("活动阵地", 10),
        ("保障机制", 10),
        ("工作业绩", 20),
        ("群众反映", 25),
    ]
    assert [v["max_grade"] for v in data["vetoes"]] == ["较差"]


def test_organ_default_has_the_six_categories_and_a_capped_bonus():
    data = load("organ.toml")
    assert data["scheme"] == "seed2020"
    assert data["domains"] == ["organ"]
    assert categories(data) == [
        ("组织设置与班子建设", 15),
        ("组织生活", 30),
        ("党员教育管理", 15),
        ("工作机制与保障", 10),
        ("作用发挥", 15),
        ("群众评价", 15),
    ]
    bonus = [c for c in data["categories"] if c.get("bonus")]
    assert [(c["name"], c["points"]) for c in bonus] == [("加分项目", 5)]
    assert "附件2" in data["description"] and "条例" in data["description"]


# --------------------------------------------------------------------------- star checklist


def test_star_checklist_follows_seed_004_annex_2():
    data = load("liangxin-stars.toml")
    assert data["kind"] == "star_checklist"
    assert data["stars"] == ["三星", "四星", "五星"]
    assert data["domains"] == ["private_enterprise", "social_organization"]
    sections = data["sections"]
    assert [(s["name"], len(s["criteria"])) for s in sections] == [
        ("组织建设", 6),
        ("党内生活", 5),
        ("工作机制", 12),
        ("服务阵地", 6),
        ("服务活动", 7),
        ("党建成效", 6),
    ]
    criteria = [c for s in sections for c in s["criteria"]]
    assert len(criteria) == 42
    assert len({c["text"] for c in criteria}) == 42
    # per star: how many criteria are required (counted from the seed's ● and numeric cells)
    assert [sum(c["required"][k] for c in criteria) for k in range(3)] == [13, 26, 42]


def test_star_requirements_are_monotone_and_thresholds_well_formed():
    criteria = [c for s in load("liangxin-stars.toml")["sections"] for c in s["criteria"]]
    for c in criteria:
        required = c["required"]
        assert len(required) == 3 and all(isinstance(flag, bool) for flag in required)
        assert required == sorted(required), c["text"]  # once required, required at every higher star
        if "thresholds" in c:
            assert c["metric"].strip() and c["unit"].strip()
            assert len(c["thresholds"]) == 3
            assert c.get("comparison", ">=") == ">="
            assert c["thresholds"] == sorted(c["thresholds"]), c["text"]
            for flag, value in zip(required, c["thresholds"], strict=True):
                assert (value > 0) == flag, c["text"]  # 0 = no requirement at that star


def test_star_thresholds_match_the_seed():
    criteria = [c for s in load("liangxin-stars.toml")["sections"] for c in s["criteria"]]
    thresholds = {c["metric"]: (c["unit"], c["thresholds"]) for c in criteria if "thresholds" in c}
    assert thresholds == {
        "民主评议党员": ("次/年", [1, 1, 1]),
        "专题组织生活会": ("次/年", [1, 1, 2]),
        "党员学习培训": ("次/年", [1, 3, 4]),
        "困难党员职工帮扶覆盖率": ("%", [50, 80, 95]),
        "党员中业务骨干占比": ("%", [20, 30, 50]),
        "为全体职工办实事": ("件/年", [0, 0, 1]),
        "党群服务队成员参加志愿服务": ("次/年", [0, 2, 4]),
        "结对共建活动": ("次/年", [0, 1, 2]),
        "党员群众满意度": ("%", [0, 0, 90]),
    }


# --------------------------------------------------------------------------- 软弱涣散 situations


def test_weak_situations_are_the_ten_official_ones_in_order():
    data = load("weak-situations.toml")
    assert data["kind"] == "situation_list"
    texts = [s["text"] for s in data["situations"]]
    assert len(texts) == 10 and len(set(texts)) == 10
    assert texts[0] == "党组织班子配备不齐、书记长期缺职、工作处于停滞状态"
    assert texts[4] == "换届选举拉票贿选问题突出"
    assert texts[9] == "党组织服务意识差、服务能力弱、群众意见大"

"""Properties of grading that must hold for any input (hypothesis)."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from chuangyou.rules.grade_scheme import Floor, GradeScheme, Quota, load_scheme
from chuangyou.rules.grading import BranchScore, apportion, grade_branches

SEED = load_scheme("seed2020")
FLOOR_BINDING = GradeScheme(
    name="floor-binding",
    title="下限起作用的自定义方案",
    grades=SEED.grades,
    veto_max_grade="一般",
    weak_grade="软弱涣散",
    quotas=(Quota("优秀", Decimal(30), "ceil"),),
    floor=Floor(grades=("一般", "软弱涣散"), min_percent=Decimal(40), rounding="ceil"),
)
SCHEMES = [SEED, load_scheme("jiguan2012"), load_scheme("three-class"), FLOOR_BINDING]
TOWNSHIPS = ["甲镇", "乙镇", "丙街道", "丁乡", "A镇"]

# Scores on a coarse grid so that ties and threshold edges come up often.
scores = st.integers(min_value=0, max_value=200).map(lambda halves: Decimal(halves) / 2)
satisfactions = st.one_of(
    st.none(), st.sampled_from([Decimal(x) for x in ("50", "85", "89.9", "90", "95", "100")])
)
flags = st.sampled_from(["", "", "", "", "", "违纪"])


@st.composite
def branch_lists(draw, max_size=40):
    n = draw(st.integers(min_value=0, max_value=max_size))
    codes = draw(st.lists(st.text("ABC0123", min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    return [
        BranchScore(
            code=code,
            name="",
            township=draw(st.sampled_from(TOWNSHIPS)),
            score=draw(scores),
            satisfaction=draw(satisfactions),
            veto=draw(flags),
            weak=draw(st.sampled_from(["", "", "", "", "", "", "", "书记缺职"])),
        )
        for code in codes
    ]


schemes = st.sampled_from(SCHEMES)
scopes = st.sampled_from(["county", "township"])


@settings(max_examples=300, deadline=None)
@given(branch_lists(), schemes, scopes)
def test_quotas_and_floors_always_hold(branches, scheme, scope):
    result = grade_branches(branches, scheme, scope)
    n = len(branches)
    counts = dict.fromkeys(scheme.labels, 0)
    for r in result.results:
        counts[r.grade] += 1
    for quota in scheme.quotas:
        assert counts[quota.grade] <= quota.limit(n)
    if scheme.floor is not None:
        assert sum(counts[g] for g in scheme.floor.grades) >= scheme.floor.minimum(n)
    if scope == "township":
        for row in result.summary.apportionment:
            members = [r for r, b in zip(result.results, branches, strict=True) if b.township == row.township]
            for grade, seats in row.seats.items():
                assert sum(1 for r in members if r.grade == grade) <= seats
    assert result.summary.holds
    assert dict(result.summary.counts) == counts


@settings(max_examples=200, deadline=None)
@given(branch_lists(), schemes, scopes, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_row_order(branches, scheme, scope, rnd):
    shuffled = list(branches)
    rnd.shuffle(shuffled)
    first = grade_branches(branches, scheme, scope)
    second = grade_branches(shuffled, scheme, scope)
    assert first.by_code() == second.by_code()
    assert first.summary == second.summary


@settings(max_examples=400, deadline=None)
@given(branch_lists(max_size=30), schemes, scopes, st.data())
def test_raising_one_score_never_lowers_its_grade(branches, scheme, scope, data):
    if not branches:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(branches) - 1))
    before = branches[index]
    raised = data.draw(scores.filter(lambda s: s > before.score))
    after = list(branches)
    after[index] = BranchScore(
        before.code,
        before.name,
        before.township,
        raised,
        before.satisfaction,
        before.veto,
        before.weak,
    )
    old = grade_branches(branches, scheme, scope).results[index]
    new = grade_branches(after, scheme, scope).results[index]
    assert scheme.index(new.grade) <= scheme.index(old.grade), (old.reason, new.reason)


@settings(max_examples=200, deadline=None)
@given(branch_lists(), schemes, scopes)
def test_veto_and_flag_never_give_a_grade_above_their_cap(branches, scheme, scope):
    result = grade_branches(branches, scheme, scope)
    for b, r in zip(branches, result.results, strict=True):
        g = scheme.index(r.grade)
        assert scheme.grades[g].min_score <= b.score  # never above what the score earns
        if b.weak:
            assert r.grade == scheme.weak_grade
        if b.veto:
            assert g >= scheme.index(scheme.veto_max_grade)
        if scheme.name in ("seed2020", "jiguan2012", "floor-binding") and (b.veto or b.weak):
            assert g >= 2  # never one of the top two grades


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=0, max_value=500),
    st.dictionaries(
        st.text("甲乙丙丁ab", min_size=1, max_size=3), st.integers(min_value=1, max_value=200), max_size=30
    ),
)
def test_apportioned_seats_sum_to_the_quota_and_stay_within_one_of_the_share(quota, sizes):
    total = sum(sizes.values())
    if total == 0:
        return
    quota = quota % (total + 1)  # a quota never exceeds the branches graded
    seats = apportion(quota, sizes)
    assert sum(seats.values()) == quota
    for name, n in sizes.items():
        assert abs(seats[name] - Fraction(quota * n, total)) < 1


@settings(max_examples=100, deadline=None)
@given(branch_lists())
def test_township_seats_sum_to_the_county_quota(branches):
    result = grade_branches(branches, SEED, "township")
    for quota in SEED.quotas:
        assert sum(t.seats[quota.grade] for t in result.summary.apportionment) == quota.limit(len(branches))

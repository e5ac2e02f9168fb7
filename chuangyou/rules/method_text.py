"""Parse a rubric item's 考评方式 (method) text into scoring rules.

The method text, as printed in the rubric, is the source of truth for scoring
(docs/rubric-data-format.md). `parse_method` turns it into the parts of an `Item`: deduction rules
(awards in bonus items), zero-out conditions, the discretionary flag and the item kind. Pure,
deterministic, no Django.

Clauses
    The text is split into clauses on "；" ";" "。" and line breaks; each clause is trimmed and
    empty ones are dropped. Clauses are parsed independently, so parsing two methods joined by "；"
    gives the rules, zero-outs and unparsed parts of both, in order.

Patterns inside a clause (a clause may hold several, e.g. "…扣1分，没有集中培训的扣2分")
    The clause is cut after every pattern below; the text between the previous pattern and this one
    is its condition (leading "，,、：" and trailing "的 则 即 均 各 一律 该项/此项/本项 ，,、" removed).

    * ``<condition>扣<n>分`` (also 扣除/扣减) -> ``Rule(condition, n)``.
    * ``<condition>不得分`` / ``不给分`` / ``得0分`` / ``计0分`` -> a zero-out condition;
      "应建未建党组织的不得分" -> "应建未建党组织".
    * ``<condition>得<n>分`` -> ``Rule(condition, max_points - n)`` (the item scores n when the
      condition holds); n == max is the full-score statement ("严格按照标准执行得3分"): recognised,
      no rule; n > max is an error: the part goes to `unparsed`.
    * ``扣完为止`` (扣满/扣光/扣尽, 扣完本项分值为止, 扣至0分 …) and any other "…为止" phrase:
      recognised, no rule (scores are clamped to [0, max] anyway).
    * ``酌情给分`` / ``酌情扣分`` / ``酌情加分`` (also 酌情评分/打分/加扣, a bare trailing "其他酌情"):
      discretionary. The text before it is only the basis of judgement and is not kept.
    * bonus items only: ``<condition>加<n>分`` (also 得<n>分 and 给<n>分) -> an award
      ``Rule(condition, n)``.

    n is ASCII or full-width digits with an optional decimal part ("0.5", "1.25", "１"), or Chinese
    numerals 一二两三四五六七八九十百 with an optional 点-decimal ("一点五"), or 半 (0.5). A number
    followed by 以上/以下/及/或/至/到/-/~ is a range or threshold, not a score, and matches nothing.

Per occurrence (``Rule.per_occurrence``, the points are multiplied by a count)
    * the condition contains 每 followed by something counted: 每项, 每人, 每次, 每名, 每个, 每起,
      每1名, 每少1次, 每缺1项, 每少开1次, 每发现1起, 每低1个百分点 … (counters: 次 项 名 人 个 起 处
      条 例 件 份 户 本 家 位 批 篇 天 学时 小时 人次 个百分点 %); 每年/每月/每季度/每周/每天/每日/
      每半年/每学期/每学年/每届/每个工作日 are periods, not counts;
    * the condition counts one of several: "有1名" / "有一项" (not 没有/未有/无有/只有/仅有),
      "缺1次" / "少1项" / "少开1次" (not 少于, 至少) — e.g. "没有发挥表率作用的有1名扣1分，扣完为止";
    * "各扣<n>分" ("未建立台账、未开展活动的各扣1分") and a unit after the points ("扣1分/人次").

Kind
    * bonus=True: always "bonus"; 扣<n>分 and 酌情 parts cannot be scored in a bonus item and go
      to `unparsed`; zero-outs are kept.
    * otherwise: "deduction" when there is at least one rule (then `discretionary_deduction` is True
      if the method also has a 酌情 part, e.g. "其他情况酌情扣分"); with no rules: "discretionary"
      when the method has a 酌情 part (zero-outs are kept: "如未落实则不得分，…酌情给分" scores 0 or
      a discretionary score), "deduction" with only zero-outs ("应建未建党组织的不得分"), and
      "discretionary" when nothing at all was recognised.

Unparsed (for the reviewer to confirm, shown as "未识别")
    * a clause with none of the patterns, whole (descriptive sentences such as "正式党员人数超过3名、
      不足50名的成立党支部…");
    * text after the last pattern of a clause ("…酌情扣分，存在重大财务纰漏情况另行处理");
    * a part whose pattern cannot be used: no condition ("扣2分"), 0 points ("扣0分"), 得<n>分 above
      the maximum, 给<n>分 or 加<n>分 outside a bonus item, 扣<n>分 or 酌情 in a bonus item, and a
      condition that only refers back to the previous part ("否则该项不得分").

Points are `Decimal`, never floats; every rule has points > 0. ``max_points`` must be a Decimal (or
int); a float raises TypeError and NaN/infinity raise ValueError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from chuangyou.rules.rubric import Item, ItemKind, Rule

__all__ = ["ParsedMethod", "item_from_method", "parse_method", "split_clauses"]


_CLAUSE_SEPARATORS = re.compile(r"[；;。\n\r]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_CN_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})

_ASCII_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_CN_NUM = r"(?:[零〇一二两三四五六七八九十百]+(?:点[零〇一二两三四五六七八九]+)?|半)"
_NUM = rf"(?:{_ASCII_NUM}|{_CN_NUM})"
_NUM_CHAR = r"[0-9０-９零〇一二两三四五六七八九十百半]"
_NOT_RANGE = r"(?!\s*(?:以|及|或|至|到|-|~|～|—|－))"
_UNIT = r"(?:\s*[/／]\s*(?P<{}>人次|次|人|项|名|个|起|处|条|例|件))?"

_MARKER = re.compile(
    "|".join(
        (
            # 扣完为止 and other "…为止" phrases
            rf"(?P<cap>扣(?:完|满|光|尽)(?!\s*{_NUM_CHAR})(?:[^，,、扣]{{0,8}}?为止|即止)?"
            rf"|扣(?:至|到)\s*[0０零〇]\s*分?(?:为止)?"
            r"|[^，,、扣得加给酌]{0,12}?为止)",
            # 酌情给分 / 酌情扣分 / 酌情加分 …, or a bare 酌情 at the end of a part
            rf"(?P<disc>酌情(?:给予|给|评|打|计|加扣|扣除|扣减|扣|减|加){{1,2}}(?:分数|分值|分)?(?!\s*{_NUM_CHAR})"
            r"|酌情(?=\s*(?:$|[，,、])))",
            r"(?P<zero>不得分|不给分|(?:得|计|记)\s*[0０零〇]\s*分(?![.．0-9０-９]))",
            rf"(?P<deduct>(?P<each>各)?(?:扣除|扣减|扣)\s*(?P<dn>{_NUM})\s*分{_NOT_RANGE}{_UNIT.format('du')})",
            rf"(?P<score>得\s*(?P<sn>{_NUM})\s*分{_NOT_RANGE})",
            rf"(?P<award>(?P<aeach>各)?加\s*(?P<an>{_NUM})\s*分{_NOT_RANGE}{_UNIT.format('au')})",
            rf"(?P<give>(?:可|另)?给(?:予)?\s*(?P<gn>{_NUM})\s*分{_NOT_RANGE})",
        )
    )
)

_PERIOD = r"(?:年|月|季|周|星期|天|日|晚|旬|半年|学年|学期|届|个?工作日|个月|个季度|个星期|小时)"
_COUNTER = r"(?:个百分点|百分点|人次|学时|小时|次|项|名|人|个|起|处|条|例|件|份|户|本|家|位|批|篇|天|%|％)"
_PER_OCCURRENCE = re.compile(
    rf"每(?!{_PERIOD})[\u4e00-\u9fff]{{0,4}}?\s*(?:{_NUM})?\s*{_COUNTER}"
    rf"|(?<![没未无只仅])有\s*[1１一]\s*{_COUNTER}"
    rf"|(?:缺|(?<!至)少(?!于)[\u4e00-\u9fff]?)\s*[1１一]\s*{_COUNTER}"
)
_LEADING = " \t\u3000，,、：:"
_TRAILING_PUNCT = " \t\u3000，,、：:"
_TRAILING_WORDS = ("该项", "此项", "本项", "一律", "的", "则", "即", "均", "各")
_BACK_REFERENCE = ("否则", "反之", "不然")


@dataclass(frozen=True)
class ParsedMethod:
    kind: ItemKind  # "deduction" | "discretionary" | "bonus"
    rules: tuple[Rule, ...]  # deductions (or awards in bonus items), in text order
    zero_out: tuple[str, ...]  # conditions giving 0 ("不得分")
    discretionary_deduction: bool  # deductions plus "酌情扣分/酌情给分" in the same method
    unparsed: tuple[str, ...]  # clauses or parts with none of the patterns, for the reviewer


def split_clauses(text: str) -> tuple[str, ...]:
    """The trimmed, non-empty clauses of a method text (split on ；;。 and line breaks)."""
    return tuple(c for c in (part.strip() for part in _CLAUSE_SEPARATORS.split(text)) if c)


def parse_method(text: str, *, max_points: Decimal, bonus: bool = False) -> ParsedMethod:
    """Parse a 考评方式 text; see the module docstring for the patterns. Never raises on any text."""
    max_points = _check_max(max_points)
    rules: list[Rule] = []
    zero_out: list[str] = []
    unparsed: list[str] = []
    discretionary = False
    for clause in split_clauses(text):
        discretionary |= _parse_clause(clause, max_points, bonus, rules, zero_out, unparsed)
    if bonus:
        kind: ItemKind = "bonus"
        discretionary_deduction = False
    elif rules:
        kind = "deduction"
        discretionary_deduction = discretionary
    else:
        kind = "deduction" if zero_out and not discretionary else "discretionary"
        discretionary_deduction = False
    return ParsedMethod(kind, tuple(rules), tuple(zero_out), discretionary_deduction, tuple(unparsed))


def item_from_method(
    name: str,
    max_points: Decimal,
    method: str,
    *,
    criteria: Iterable[str] = (),
    evidence_hint: str = "",
    bonus: bool = False,
) -> tuple[Item, ParsedMethod]:
    """An `Item` scored as its method text says, and the parse (to show what was not recognised)."""
    max_points = _check_max(max_points)
    parsed = parse_method(method, max_points=max_points, bonus=bonus)
    item = Item(
        name=name,
        max_points=max_points,
        kind=parsed.kind,
        rules=parsed.rules,
        zero_out=parsed.zero_out,
        discretionary_deduction=parsed.discretionary_deduction,
        criteria=tuple(criteria),
        method=method,
        evidence_hint=evidence_hint,
    )
    return item, parsed


# --------------------------------------------------------------------------- internals


def _check_max(max_points: Decimal | int) -> Decimal:
    if isinstance(max_points, bool) or not isinstance(max_points, Decimal | int):
        raise TypeError(f"max_points must be a Decimal, not {type(max_points).__name__}")
    value = Decimal(max_points)
    if not value.is_finite():
        raise ValueError(f"max_points must be a finite Decimal, not {value}")
    return value  # a negative maximum is reported by validate_rubric, not here


def _parse_clause(
    clause: str,
    max_points: Decimal,
    bonus: bool,
    rules: list[Rule],
    zero_out: list[str],
    unparsed: list[str],
) -> bool:
    """Append what one clause says; True when it has a 酌情 part (outside bonus items)."""
    discretionary = False
    pos = 0
    for match in _MARKER.finditer(clause):
        raw = clause[pos : match.start()]
        part = clause[pos : match.end()].lstrip(_LEADING).strip()
        pos = match.end()
        group = match.lastgroup
        if group == "cap":
            continue
        if group == "disc":
            if bonus:
                unparsed.append(part)
            else:
                discretionary = True
            continue
        condition = _condition(raw)
        if not condition or raw.lstrip(_LEADING).startswith(_BACK_REFERENCE):
            unparsed.append(part)
            continue
        if group == "zero":
            zero_out.append(condition)
            continue
        if group == "score":
            points = _number(match["sn"])
            if bonus:
                _add(rules, unparsed, part, condition, points, _per_occurrence(raw))
            elif points < max_points:
                rules.append(Rule(condition, max_points - points))
            elif points > max_points:
                unparsed.append(part)
            continue
        if group == "deduct":
            if bonus:
                unparsed.append(part)
            else:
                each = bool(match["each"] or match["du"])
                _add(rules, unparsed, part, condition, _number(match["dn"]), each or _per_occurrence(raw))
            continue
        if group == "award":
            if bonus:
                each = bool(match["aeach"] or match["au"])
                _add(rules, unparsed, part, condition, _number(match["an"]), each or _per_occurrence(raw))
            else:
                unparsed.append(part)
            continue
        # group == "give": an award only in bonus items
        if bonus:
            _add(rules, unparsed, part, condition, _number(match["gn"]), _per_occurrence(raw))
        else:
            unparsed.append(part)
    rest = clause[pos:].lstrip(_LEADING).rstrip(_TRAILING_PUNCT)
    if rest and not rest.endswith("为止"):
        unparsed.append(rest)
    return discretionary


def _add(
    rules: list[Rule], unparsed: list[str], part: str, condition: str, points: Decimal, each: bool
) -> None:
    if points > 0:
        rules.append(Rule(condition, points, per_occurrence=each))
    else:
        unparsed.append(part)


def _condition(raw: str) -> str:
    text = raw.lstrip(_LEADING)
    while True:
        text = text.rstrip(_TRAILING_PUNCT)
        for word in _TRAILING_WORDS:
            if text.endswith(word):
                text = text[: -len(word)]
                break
        else:
            return text.strip()


def _per_occurrence(raw: str) -> bool:
    text = raw.rstrip(_TRAILING_PUNCT)
    return text.endswith("各") or _PER_OCCURRENCE.search(text) is not None


def _number(text: str) -> Decimal:
    text = text.strip()
    if text == "半":
        return Decimal("0.5")
    if text[0] in "0123456789０１２３４５６７８９":
        return Decimal(text.translate(_FULL_WIDTH))
    whole, _, fraction = text.partition("点")
    digits = "".join(str(_CN_DIGITS[ch]) for ch in fraction)
    return Decimal(f"{_cn_integer(whole)}.{digits}") if digits else _cn_integer(whole)


def _cn_integer(text: str) -> Decimal:
    total = 0
    current = 0
    for ch in text:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = current * 10 + _CN_DIGITS[ch] if current else _CN_DIGITS[ch]
    return Decimal(total + current)

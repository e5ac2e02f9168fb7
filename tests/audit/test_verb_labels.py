"""Every audit verb written anywhere in the code has a Chinese label for the audit log's filter."""

import re
from pathlib import Path

from chuangyou.audit.services import VERB_LABELS

SOURCE = Path(__file__).resolve().parents[2] / "chuangyou"


def test_every_verb_in_the_code_has_a_label():
    verbs = set()
    for path in SOURCE.rglob("*.py"):
        verbs |= set(re.findall(r'\bverb="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert verbs, "no verbs found: the pattern no longer matches the code"
    assert sorted(verbs - set(VERB_LABELS)) == []


def test_schemes_are_shown_by_their_titles_and_domains_by_name():
    from chuangyou.audit.readable import readable

    rows = dict(
        readable("campaigns.campaign", {"scheme": "seed2020", "domain_schemes": {"organ": "jiguan2012"}})
    )
    assert rows["评定方案"] == "四档评定（优秀/良好/一般/软弱涣散）"
    assert rows["分领域评定方案"] == "机关：机关事业单位分类定级（好/较好/一般/较差，2012参考标准）"
    assert "seed2020" not in str(rows) and "organ" not in str(rows)

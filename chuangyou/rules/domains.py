"""The domains (领域) of branches: code and Chinese name, in the order the pages list them.

The rules core and `chuangyou grade` read them without Django; `orgs.models.Domain` is built from them.
"""

DOMAINS: tuple[tuple[str, str], ...] = (
    ("village", "村"),
    ("community", "社区"),
    ("organ", "机关"),
    ("school", "学校"),
    ("hospital", "医院"),
    ("institution", "其他事业单位"),
    ("state_enterprise", "国有企业"),
    ("private_enterprise", "非公企业"),
    ("social_organization", "社会组织"),
    ("retired", "离退休"),
    ("other", "其他"),
)
DOMAIN_NAMES = dict(DOMAINS)


def domain_code(text: str) -> str | None:
    """A domain given by its code or its Chinese name, as its code; None when it is neither."""
    text = text.strip()
    if text in DOMAIN_NAMES:
        return text
    return next((code for code, name in DOMAINS if name == text), None)


def domain_names(codes) -> str:
    """The Chinese names of domain codes, in the order of `DOMAINS` (an unknown code as it is)."""
    order = list(DOMAIN_NAMES)
    known = sorted((c for c in codes if c in DOMAIN_NAMES), key=order.index)
    return "、".join([DOMAIN_NAMES[c] for c in known] + [str(c) for c in codes if c not in DOMAIN_NAMES])

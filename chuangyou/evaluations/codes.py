"""Code text and QR pictures for one-time evaluation codes."""

from __future__ import annotations

import io
import re
import secrets

import segno

# No 0/O, 1/I/L: read aloud or typed from paper without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
_STYLE = re.compile(r'\sstyle="[^"]*"')


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def new_codes(count: int, taken: set[str] = frozenset()) -> set[str]:
    """`count` distinct codes, none of them in `taken`."""
    codes: set[str] = set()
    while len(codes) < count:
        code = new_code()
        if code not in taken:
            codes.add(code)
    return codes


def normalize(text: str) -> str:
    """What a person typed → the stored form: case-insensitive, spaces and dashes ignored."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def looks_valid(code: str) -> bool:
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element, sized by CSS (viewBox, no width/height).
    The page's CSP forbids style attributes; segno writes none, and any would be stripped."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, border=2, omitsize=True,
        svgclass="qr", lineclass=None,
    )  # fmt: skip
    return _STYLE.sub("", buffer.getvalue().decode())

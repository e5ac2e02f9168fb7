"""Generated evidence files (佐证材料) for the demo's entries: small generated photos (JPEG), scans
(PNG) and PDFs, uploaded through `assessments.evidence.evidence_upload` (content checks, thumbnails,
storage under MEDIA_ROOT, audit) while the sheet is still editable."""

from __future__ import annotations

import functools
import io
import random
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangyou.assessments.evidence import evidence_upload

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
PHOTO_WORDS = ("活动照片", "现场照片", "会议照片")
SCAN_WORDS = ("签到表", "记录扫描件", "台账扫描件")
DOCUMENT_WORDS = ("会议记录", "工作台账", "制度文件")
QUOTES = str.maketrans("", "", '“”‘’"')
PALETTE = ((176, 196, 222), (205, 186, 150), (190, 210, 180), (220, 200, 200), (200, 200, 220))


@functools.cache
def _font(size: int):
    """A font that draws Chinese when the system has one (Debian's fonts-noto-cjk), else None."""
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None


def _caption(draw, xy, text: str, size: int, fill) -> None:
    font = _font(size)
    if font is not None:
        draw.text(xy, text, font=font, fill=fill)


def photo(rng: random.Random, caption: str) -> bytes:
    """A 'photo' of a meeting room: a wall, a table and people as shapes, with a caption."""
    from PIL import Image, ImageDraw

    wall = rng.choice(PALETTE)
    image = Image.new("RGB", (400, 300), wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 400, 300), fill=(150, 120, 90))
    draw.rectangle((60, 30, 340, 90), fill=(190, 30, 30))  # the banner
    _caption(draw, (75, 45), caption[:12], 24, (255, 230, 120))
    draw.rectangle((40, 170, 360, 215), fill=(120, 80, 50))  # the table
    for n in range(rng.randint(4, 8)):
        x = 50 + n * 40 + rng.randint(-6, 6)
        draw.ellipse((x, 120, x + 26, 146), fill=(230, 190, 160))
        draw.rectangle(
            (x - 4, 146, x + 30, 185), fill=rng.choice(((40, 40, 60), (30, 60, 110), (90, 90, 90)))
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


def _page(rng: random.Random, title: str, lines: int):
    """A scanned page: a title and ruled lines of 'handwriting'."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 420), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    _caption(draw, (30, 20), title[:14], 18, (20, 20, 20))
    for n in range(lines):
        y = 70 + n * 24
        draw.line((25, y + 14, 275, y + 14), fill=(200, 200, 210))
        draw.line((30, y + 8, 30 + rng.randint(80, 240), y + 8), fill=(40, 40, 120), width=2)
    return image


def scan(rng: random.Random, title: str) -> bytes:
    out = io.BytesIO()
    from PIL import Image

    page = _page(rng, title, rng.randint(6, 13)).quantize(colors=8, dither=Image.Dither.NONE)
    page.save(out, "PNG", optimize=True)
    return out.getvalue()


def pdf(rng: random.Random, title: str) -> bytes:
    out = io.BytesIO()
    _page(rng, title, rng.randint(8, 14)).save(out, "PDF", resolution=72, quality=50)
    return out.getvalue()


def evidence_file(rng: random.Random, item, when: str) -> tuple[str, bytes]:
    """(file name, content) for one piece of evidence of `item`, named after the item's hint."""
    text = (item.evidence_hint or item.name).translate(QUOTES).replace("，", "、")
    hints = [h for h in text.split("、") if h]
    topic = rng.choice(hints)[:16] if hints else item.name[:16]
    kind = rng.choices(("photo", "scan", "pdf"), (5, 2, 3))[0]
    words = {"photo": PHOTO_WORDS, "scan": SCAN_WORDS, "pdf": DOCUMENT_WORDS}[kind]
    word = rng.choice(words)
    label = topic if any(topic.endswith(w[-2:]) for w in words) else topic + word
    if kind == "photo":
        return f"{label}（{when}）.jpg", photo(rng, topic)
    if kind == "scan":
        return f"{label}.png", scan(rng, topic)
    return f"{label}（{when}）.pdf", pdf(rng, topic)


def attach_evidence(entries, rng: random.Random, actor, when: str, *, most: int = 3) -> int:
    """Upload one or two files to each of up to `most` of `entries` (saved entries of an editable
    sheet); returns the number of files."""
    files = 0
    for entry in rng.sample(entries, min(len(entries), rng.randint(1, most))):
        for _ in range(rng.choice((1, 1, 2))):
            name, data = evidence_file(rng, entry.item, when)
            evidence_upload(actor=actor, entry=entry, upload=SimpleUploadedFile(name, data))
            files += 1
    return files

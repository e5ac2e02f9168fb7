"""Checking uploaded files by their content, and making image thumbnails.

Framework-light (no Django): the kind of a file is decided from its bytes, never from the name
or the type the browser claims. Accepted kinds are JPEG, PNG and WebP images, PDF, and the Office
Open XML formats (.docx, .xlsx, .pptx). Office containers go through the same zip-bomb checks as
spreadsheet imports (`chuangyou.lib.excel`); images are checked and decoded by Pillow with a pixel
limit, so a small file that unpacks to gigabytes is refused before it is decoded.

A file is looked at beyond its first bytes, since a valid header may carry a web page behind it (a
"polyglot"): images are stored as decoded and encoded afresh, upright and without metadata (no EXIF,
GPS position, comment or anything appended); a PDF must end where a PDF ends and carry no HTML; an
Office container must end where its zip directory ends.

Every refusal is an `UploadError` whose message is meant for the user (Chinese).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from chuangyou.lib import excel

MAX_FILE_BYTES = 20 * 1024 * 1024
THUMBNAIL_SIZE = 320
THUMBNAIL_QUALITY = 82
# Largest image decoded: JPEGs are decoded at a reduced scale for the thumbnail (JPEG "draft"
# mode), other formats in full (4 bytes a pixel), hence the lower limit. Both stay below
# Pillow's own MAX_IMAGE_PIXELS, whose process-wide value is left alone.
MAX_PIXELS = {"jpeg": 64_000_000, "png": 32_000_000, "webp": 32_000_000}
# Office documents carry one zip entry per embedded picture: more room than a workbook import.
ZIP_LIMITS = excel.Limits(max_bytes=MAX_FILE_BYTES, max_entries=1000)
NAME_MAX_LENGTH = 200


class UploadError(ValueError):
    """A file that is refused; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extension: str  # used for the stored file name
    family: str  # the extensions of one family may stand for each other (.jpg for a PNG)
    inline: bool  # shown in the browser (images, PDF) rather than downloaded


KINDS = {
    k.code: k
    for k in (
        Kind("jpeg", "JPEG", "image/jpeg", ".jpg", "image", True),
        Kind("png", "PNG", "image/png", ".png", "image", True),
        Kind("webp", "WebP", "image/webp", ".webp", "image", True),
        Kind("pdf", "PDF", "application/pdf", ".pdf", "pdf", True),
        Kind(
            "docx",
            "Word 文档",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
            "docx",
            False,
        ),
        Kind(
            "xlsx",
            "Excel 工作簿",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
            "xlsx",
            False,
        ),
        Kind(
            "pptx",
            "PowerPoint 演示文稿",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx",
            "pptx",
            False,
        ),
    )
}
KINDS_BY_CONTENT_TYPE = {k.content_type: k for k in KINDS.values()}
IMAGE_KINDS = frozenset(code for code, k in KINDS.items() if k.family == "image")

# Accepted extensions and the family each stands for.
EXTENSIONS = {
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".webp": "image",
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
}
# For <input type="file" accept="…">; listing the types lets iOS turn HEIC photos into JPEG.
ACCEPT = ",".join([*EXTENSIONS, *sorted({k.content_type for k in KINDS.values()})])
FAMILY_LABELS = {
    "image": "图片",
    "pdf": "PDF",
    "docx": "Word 文档（.docx）",
    "xlsx": "Excel 工作簿（.xlsx）",
    "pptx": "PowerPoint 演示文稿（.pptx）",
}
LEGACY_OFFICE = {".doc", ".xls", ".ppt", ".wps", ".et", ".dps", ".docm", ".xlsm", ".pptm"}
ALLOWED_TEXT = "图片（JPG、PNG、WebP）、PDF 或 Office 文档（.docx、.xlsx、.pptx）"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))


@dataclass(frozen=True)
class Checked:
    """An accepted file: its kind, the bytes to store (an image encoded afresh, any other file as it
    came) and, for images, a JPEG thumbnail."""

    kind: Kind
    data: bytes
    thumbnail: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_image(self) -> bool:
        return self.kind.code in IMAGE_KINDS


def sniff(data: bytes) -> str | None:
    """The kind of a file from its first bytes (and, for zip files, its list of parts), or None.

    Only recognises; `check_file` is what validates."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except Exception:  # zipfile raises several types on broken archives
            return None
        if "[Content_Types].xml" in names:
            for prefix, kind in OOXML_PARTS:
                if any(name.startswith(prefix) for name in names):
                    return kind
    return None


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def clean_name(name: str) -> str:
    """A file name fit to show and to store in a 200-character column (extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".") or "未命名文件"
    if len(name) > NAME_MAX_LENGTH:
        ext = extension_of(name)[:10]
        name = name[: NAME_MAX_LENGTH - len(ext)] + ext
    return name


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size, 1) / 1024:.0f} KB"


def too_large_message(size: int | None, limit: int = MAX_FILE_BYTES) -> str:
    shown = f"（{size_text(size)}）" if size else ""
    return (
        f"文件过大{shown}，单个文件不能超过 {limit // 1024 // 1024} MB。图片可压缩后再上传，文档可分成几份。"
    )


def read_limited(chunks: Iterable[bytes], limit: int = MAX_FILE_BYTES, declared: int | None = None) -> bytes:
    """The whole file, read chunk by chunk; refused as soon as it passes `limit`."""
    if declared is not None and declared > limit:
        raise UploadError(too_large_message(declared, limit))
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        if len(buffer) > limit:
            raise UploadError(too_large_message(None, limit))
    return bytes(buffer)


def check_file(data: bytes, name: str) -> Checked:
    """Accept `data` (named `name` by the user) or raise `UploadError` saying why not."""
    if not data:
        raise UploadError("文件为空，请重新选择文件。")
    if len(data) > MAX_FILE_BYTES:
        raise UploadError(too_large_message(len(data)))
    ext = extension_of(name)
    if data.startswith(OLE2_MAGIC) or ext in LEGACY_OFFICE:
        raise UploadError(
            "不支持旧版或含宏的 Office 文件（.doc、.xls、.ppt、WPS 格式等）。"
            "请在 Word、Excel 或 WPS 中“另存为” .docx、.xlsx，或导出为 PDF 后上传；"
            "如文件设置了打开密码，请先取消密码。"
        )
    family = EXTENSIONS.get(ext)
    if family is None:
        shown = f"（{ext}）" if ext else "（无扩展名）"
        raise UploadError(f"不支持的文件类型{shown}。请上传{ALLOWED_TEXT}。")
    code = sniff(data)
    if code is None:
        raise UploadError(_not_what_it_says(ext, family))
    kind = KINDS[code]
    if kind.family != family:
        raise UploadError(
            f"文件内容与扩展名不符（扩展名为 {ext}，内容是{kind.label}），请确认文件后重新上传。"
        )
    if kind.family == "image":
        return Checked(kind, *_reencode_image(data, code))
    if code == "pdf":
        _check_pdf(data)
    else:
        _check_office(data, code)
    return Checked(kind, data)


def _not_what_it_says(ext: str, family: str) -> str:
    if family == "image":
        expected = "JPEG" if ext in (".jpg", ".jpeg") else ext[1:].upper()
        return f"文件内容不是图片（扩展名为 {ext}，但内容不是 {expected}），请上传真实的照片或截图。"
    if family == "pdf":
        return f"文件内容不是 PDF（扩展名为 {ext}，但内容不是 PDF），文件可能已损坏。"
    return (
        f"文件内容不是{FAMILY_LABELS[family]}（扩展名为 {ext}），文件可能已损坏，"
        "或是旧版格式改了扩展名。请用 Office 或 WPS 另存为后重新上传。"
    )


MISMATCH = "文件内容与类型不符，请重新导出后上传。"
# Markup that makes a browser or another program take the bytes for a web page.
WEB_MARKUP = (b"<html", b"<script", b"<!doctype")
# What may follow a PDF's final %%EOF: line ends and the padding some producers add.
PDF_TRAILING = b" \t\r\n\f\x00"
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_RECORD_SIZE = 22


def _has_web_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(markup in lowered for markup in WEB_MARKUP)


def _check_pdf(data: bytes) -> None:
    """A PDF ends with %%EOF (an incremental update appends another one) and holds no web page: a
    file that goes on after it, or has HTML anywhere, is refused."""
    if not data.rstrip(PDF_TRAILING).endswith(b"%%EOF") or _has_web_markup(data):
        raise UploadError(MISMATCH)


def _check_zip_end(data: bytes) -> None:
    """Nothing after the zip's end record (and its comment): a web page appended to a document that
    Office would still open is refused."""
    at = data.rfind(ZIP_END_RECORD)
    if at < 0 or len(data) - at < ZIP_END_RECORD_SIZE:
        raise UploadError(MISMATCH)
    comment_length = int.from_bytes(data[at + 20 : at + 22], "little")
    if at + ZIP_END_RECORD_SIZE + comment_length != len(data):
        raise UploadError(MISMATCH)


def _check_office(data: bytes, code: str) -> None:
    """Zip-bomb, path and macro checks of an Office Open XML container."""
    _check_zip_end(data)
    if code == "xlsx":
        try:
            excel.check_xlsx_upload(data, ZIP_LIMITS)
        except excel.SpreadsheetError as exc:
            raise UploadError(str(exc)) from exc
        return
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception as exc:
        raise UploadError("文件已损坏，无法作为 Office 文档读取。") from exc
    if len(entries) > ZIP_LIMITS.max_entries:
        raise UploadError("文件结构异常（压缩包内文件过多），已拒绝上传。")
    total = 0
    for entry in entries:
        if entry.filename.startswith("/") or ".." in entry.filename.split("/"):
            raise UploadError("文件结构异常（含非法路径），已拒绝上传。")
        if entry.filename.lower().endswith("vbaproject.bin"):
            raise UploadError("不接受含宏的文档，请另存为不含宏的 .docx 或 .pptx 后重新上传。")
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > ZIP_LIMITS.max_uncompressed or (
            entry.file_size > 1024 * 1024 and ratio > ZIP_LIMITS.max_ratio
        ):
            raise UploadError("文件解压后体积异常（疑似压缩炸弹），已拒绝上传。")


PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# The only decoder information carried into the new file: transparency is part of the picture.
KEPT_INFO = ("transparency",)
WEBP_QUALITY = 90
JPEG_QUALITY = 90  # when the original's quantization tables cannot be reused


def _reencode_image(data: bytes, code: str) -> tuple[bytes, bytes]:
    """Verify the image with Pillow, refuse decompression bombs, and return it encoded afresh
    (upright, sRGB, no metadata, nothing appended) with its JPEG thumbnail."""
    from PIL import Image

    bomb = UploadError("图片尺寸过大（像素过多），已拒绝上传。请把照片缩小或截图后再上传。")
    broken = UploadError(f"图片文件已损坏，无法读取（{KINDS[code].label}），请重新导出后上传。")
    formats = [PILLOW_FORMATS[code]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > MAX_PIXELS[code]:
                    raise bomb
                image.verify()
            # verify() leaves the image unusable: decode it again, in full this time.
            with Image.open(io.BytesIO(data), formats=formats) as image:
                picture = _clean_picture(image)
                return _encode(picture, code, image), _thumbnail(picture)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb from exc
        except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error …
            raise broken from exc


def _clean_picture(image):
    """The pixels only: turned upright by the EXIF orientation, in sRGB, without any metadata."""
    from PIL import ImageCms, ImageOps

    icc = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)  # in place: a photo of 50 MP is 150 MB decoded
    upright = image
    if upright.mode == "CMYK":  # print JPEGs: browsers show RGB reliably, Adobe CMYK not always
        upright, icc = upright.convert("RGB"), None
    if icc and upright.mode in ("RGB", "RGBA"):
        # The colour profile is kept as colours, not as an embedded blob (which could carry anything).
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            upright = ImageCms.profileToProfile(upright, source, ImageCms.createProfile("sRGB"))
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels are taken as sRGB
    upright.info = {key: upright.info[key] for key in KEPT_INFO if key in upright.info}
    return upright


def _encode(picture, code: str, original) -> bytes:
    """`picture` in the original's format. A JPEG keeps the original's quantization tables and
    chroma subsampling, so encoding it again neither blurs it visibly nor makes it larger."""
    from PIL import JpegImagePlugin

    out = io.BytesIO()
    if code == "jpeg":
        options: dict = {"optimize": True}
        tables = getattr(original, "quantization", None)
        if tables and original.mode == picture.mode:
            options["qtables"] = tables
            if (sampling := JpegImagePlugin.get_sampling(original)) != -1:
                options["subsampling"] = sampling
        else:
            options["quality"] = JPEG_QUALITY
        if picture.mode not in ("L", "RGB"):
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", **options)
    elif code == "png":
        picture.save(out, "PNG")
    else:
        picture.save(out, "WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _thumbnail(picture) -> bytes:
    """A JPEG no larger than THUMBNAIL_SIZE on either side (`picture` is reduced in place)."""
    from PIL import Image

    picture.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()

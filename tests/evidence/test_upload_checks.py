"""chuangyou.lib.uploads: the kind of a file comes from its bytes; bombs and lies are refused."""

import io
import zipfile

import pytest
from PIL import Image

from chuangyou.lib import uploads
from chuangyou.lib.uploads import UploadError, check_file, sniff
from tests.evidence.conftest import docx_bytes, image_bytes, ole2_bytes, pdf_bytes, pptx_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda: image_bytes("JPEG"), "活动照片.jpg", "jpeg"),
        (lambda: image_bytes("PNG"), "截图.png", "png"),
        (lambda: image_bytes("WEBP"), "照片.webp", "webp"),
        (pdf_bytes, "会议记录.pdf", "pdf"),
        (docx_bytes, "三会一课.docx", "docx"),
        (xlsx_bytes, "台账.xlsx", "xlsx"),
        (pptx_bytes, "党课.pptx", "pptx"),
    ],
)
def test_real_files_are_recognised_by_content(make, name, kind):
    data = make()
    assert sniff(data) == kind
    checked = check_file(data, name)
    assert checked.kind.code == kind
    assert checked.size == len(checked.data)
    assert (checked.thumbnail is not None) == (kind in uploads.IMAGE_KINDS)
    if kind in uploads.IMAGE_KINDS:
        assert sniff(checked.data) == kind  # encoded afresh, in the same format
    else:
        assert checked.data == data  # documents are stored as they came


def test_text_named_jpg_is_refused_with_the_reason():
    with pytest.raises(UploadError) as exc:
        check_file("这不是图片".encode() * 10, "照片.jpg")
    assert "文件内容不是图片（扩展名为 .jpg，但内容不是 JPEG）" in str(exc.value)
    assert sniff(b"plain text") is None


def test_html_named_png_is_refused():
    with pytest.raises(UploadError, match="文件内容不是图片（扩展名为 .png，但内容不是 PNG）"):
        check_file(b"<html><script>alert(1)</script></html>", "a.png")


@pytest.mark.parametrize("name", ["旧文档.doc", "旧表格.xls", "改了名.docx", "无扩展名"])
def test_old_office_files_ask_for_docx_xlsx_or_pdf(name):
    with pytest.raises(UploadError) as exc:
        check_file(ole2_bytes(), name)
    message = str(exc.value)
    assert ".docx" in message and ".xlsx" in message and "PDF" in message
    assert sniff(ole2_bytes()) is None


@pytest.mark.parametrize("name", ["a.exe", "a.txt", "a.svg", "a.html", "a.zip", "a.gif", "无扩展名"])
def test_unsupported_types_are_refused(name):
    with pytest.raises(UploadError, match="不支持的文件类型"):
        check_file(b"GIF89a" + b"\0" * 100, name)


def test_a_png_named_jpg_is_accepted_as_png():
    checked = check_file(image_bytes("PNG"), "照片.JPG")
    assert checked.kind.code == "png" and checked.kind.extension == ".png"


def test_a_pdf_named_docx_is_refused_as_a_mismatch():
    with pytest.raises(UploadError, match=r"文件内容与扩展名不符（扩展名为 .docx，内容是PDF）"):
        check_file(pdf_bytes(), "材料.docx")


def test_a_zip_that_is_not_office_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UploadError, match="文件内容不是Word 文档"):
        check_file(out.getvalue(), "材料.docx")


def _docx_with(extra_name, extra_data, compression=zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr(extra_name, extra_data, compress_type=compression)
    return out.getvalue()


def test_a_zip_bomb_docx_is_refused_before_parsing():
    data = _docx_with("word/media/bomb.bin", b"\0" * (60 * 1024 * 1024))
    assert len(data) < 1024 * 1024
    with pytest.raises(UploadError, match="压缩炸弹"):
        check_file(data, "炸弹.docx")


def test_a_zip_bomb_xlsx_is_refused_through_the_spreadsheet_guard():
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("xl/media/bomb.bin", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(UploadError, match="压缩炸弹"):
        check_file(out.getvalue(), "炸弹.xlsx")


def test_macros_and_odd_paths_are_refused():
    with pytest.raises(UploadError, match="含宏"):
        check_file(_docx_with("word/vbaProject.bin", b"macro"), "宏.docx")
    with pytest.raises(UploadError, match="非法路径"):
        check_file(_docx_with("../evil.txt", b"x"), "路径.docx")


def test_a_decompression_bomb_png_is_refused():
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # 400 megapixels in a few dozen KB
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(UploadError, match="像素过多"):
        check_file(data, "炸弹.png")


def test_an_image_above_our_limit_but_below_pillows_is_refused_too():
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")  # 49 MP: Pillow would decode it
    with pytest.raises(UploadError, match="像素过多"):
        check_file(out.getvalue(), "大图.png")


def test_a_truncated_image_is_refused_as_broken():
    data = image_bytes("PNG", size=(400, 400))
    with pytest.raises(UploadError, match="图片文件已损坏"):
        check_file(data[: len(data) // 2], "坏图.png")
    with pytest.raises(UploadError, match="图片文件已损坏"):
        check_file(b"\xff\xd8\xff\xe0" + b"\x00" * 200, "坏图.jpg")


def test_thumbnails_are_small_upright_jpegs_without_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x010F] = "手机厂商"
    data = image_bytes("JPEG", size=(1600, 1200), exif=exif.tobytes())
    thumb = check_file(data, "照片.jpg").thumbnail
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG"
        assert image.size == (240, 320)  # turned upright, longest side 320
        assert not image.getexif()


def test_transparent_png_thumbnails_get_a_white_background():
    thumb = check_file(image_bytes("PNG", size=(100, 50), mode="RGBA"), "透明.png").thumbnail
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.mode == "RGB" and image.size == (100, 50)


def test_empty_and_oversized_files():
    with pytest.raises(UploadError, match="文件为空"):
        check_file(b"", "空.pdf")
    with pytest.raises(UploadError, match="文件过大"):
        check_file(b"%PDF-" + b"\0" * uploads.MAX_FILE_BYTES, "大.pdf")


def test_read_limited_stops_at_the_limit():
    with pytest.raises(UploadError, match="文件过大（25.0 MB）"):
        uploads.read_limited(iter([b"x"]), declared=25 * 1024 * 1024)
    chunks = (b"\0" * 1024 * 1024 for _ in range(100))
    with pytest.raises(UploadError, match="20 MB"):
        uploads.read_limited(chunks)
    assert uploads.read_limited([b"ab", b"c"]) == b"abc"


def test_clean_name():
    assert uploads.clean_name("C:\\Users\\王\\照片.jpg") == "照片.jpg"
    assert uploads.clean_name("../../etc/passwd") == "passwd"
    assert uploads.clean_name("a\x00b\n.pdf") == "ab.pdf"
    assert uploads.clean_name("") == "未命名文件"
    long = uploads.clean_name("很长" * 200 + ".docx")
    assert len(long) == 200 and long.endswith(".docx")


# --- beyond the first bytes: polyglots, metadata ---------------------------------------------------

PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _photo_with_gps(size=(1600, 1200), orientation=6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "手机厂商"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (121.0, 28.0, 1.2)})
    return image_bytes("JPEG", size=size, exif=exif.tobytes(), comment=b"<script>x</script>")


def test_a_photo_is_stored_upright_without_exif_gps_or_comment():
    data = _photo_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    checked = check_file(data, "活动照片.jpg")
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (1200, 1600)  # turned upright before the orientation tag was dropped
        assert not stored.getexif() and "exif" not in stored.info and "comment" not in stored.info
    assert b"Exif" not in checked.data and "手机厂商".encode() not in checked.data
    assert b"<script" not in checked.data


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "照片.jpg"), ("PNG", "截图.png"), ("WEBP", "照片.webp")])
def test_a_web_page_appended_to_an_image_is_not_stored(fmt, name):
    data = image_bytes(fmt) + PAGE
    checked = check_file(data, name)
    assert checked.kind.code == sniff(data)
    assert b"<html" not in checked.data.lower() and b"<script" not in checked.data.lower()
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.size == (800, 600)


def test_a_png_keeps_its_transparency_but_not_its_text_chunks():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<html><script>alert(1)</script>")
    image = Image.new("P", (40, 20))
    image.info["transparency"] = 0
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=text, transparency=0)
    checked = check_file(out.getvalue(), "透明.png")
    assert b"<script" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.info.get("transparency") == 0 and "Comment" not in stored.info


def test_a_colour_profile_is_applied_not_embedded():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    checked = check_file(image_bytes("JPEG", icc_profile=profile), "照片.jpg")
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert "icc_profile" not in stored.info


def test_a_photo_is_not_blurred_by_the_new_encoding():
    from PIL import ImageChops, ImageFilter, ImageStat

    noise = Image.effect_noise((600, 400), 60).filter(ImageFilter.GaussianBlur(1)).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=85)
    checked = check_file(out.getvalue(), "照片.jpg")
    assert len(checked.data) <= len(out.getvalue()) * 1.05  # the original's quantization is reused
    with Image.open(io.BytesIO(out.getvalue())) as before, Image.open(io.BytesIO(checked.data)) as after:
        assert max(ImageStat.Stat(ImageChops.difference(before, after)).mean) < 1.0


@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes() + PAGE,  # a web page behind the end of the PDF
        pdf_bytes() + PAGE + b"\n%%EOF\n",  # … even when it ends like a PDF again
        pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /X (<SCRIPT>alert(1)</script>)"),
        pdf_bytes()[:-8],  # cut short: no %%EOF
        b"%PDF-1.4\n" + PAGE,
    ],
    ids=["appended", "appended-and-ended", "inside", "truncated", "page"],
)
def test_a_pdf_that_is_also_a_web_page_is_refused(data):
    with pytest.raises(UploadError, match="文件内容与类型不符，请重新导出后上传"):
        check_file(data, "材料.pdf")


def test_pdfs_that_end_as_pdfs_are_accepted():
    assert check_file(pdf_bytes(), "会议记录.pdf").data == pdf_bytes()
    padded = pdf_bytes() + b"\r\n\x00\x00  \n"  # line ends and padding after %%EOF
    assert check_file(padded, "扫描件.pdf").kind.code == "pdf"
    # An incremental update (a signature, a filled form) appends a section with its own %%EOF.
    updated = pdf_bytes() + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nstartxref\n9\n%%EOF\n"
    assert check_file(updated, "签章.pdf").kind.code == "pdf"


@pytest.mark.parametrize("make", [docx_bytes, xlsx_bytes, pptx_bytes])
def test_an_office_file_with_a_web_page_appended_is_refused(make):
    name = {docx_bytes: "a.docx", xlsx_bytes: "a.xlsx", pptx_bytes: "a.pptx"}[make]
    with pytest.raises(UploadError, match="文件内容与类型不符"):
        check_file(make() + PAGE, name)


def test_an_office_file_with_a_zip_comment_is_accepted():
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.comment = "WPS 导出".encode()
    assert check_file(out.getvalue(), "导出.docx").kind.code == "docx"

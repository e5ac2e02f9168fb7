"""A draft score sheet of 甲一村党支部 with one entry, files of every kind, and media in tmp_path."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangyou.accounts.models import Role
from chuangyou.assessments.models import Entry, ScoreSheet
from chuangyou.campaigns.models import AssessmentRound, Campaign
from chuangyou.rubrics.models import Item
from chuangyou.rubrics.services import rubric_create
from tests.conftest import make_user
from tests.rubrics.conftest import small_spec


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a fresh folder per test, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sheet(tree):
    campaign = Campaign.objects.create(year=2026, name="2026年争先创优活动", root=tree["county"])
    round_ = AssessmentRound.objects.create(
        campaign=campaign, kind="december", opens=date(2026, 12, 1), closes=date(2026, 12, 20)
    )
    rubric = rubric_create(actor=None, spec=small_spec(), publish=True)
    return ScoreSheet.objects.create(round=round_, organization=tree["a1"], rubric=rubric)


@pytest.fixture
def entry(sheet):
    item = (
        Item.objects.filter(category__rubric=sheet.rubric).order_by("category__order", "order", "id").first()
    )
    return Entry.objects.create(sheet=sheet, item=item)


@pytest.fixture
def outsiders(tree):
    """Users of the same roles, one level off: another branch, another township."""
    return {
        "other_branch_secretary": make_user("p_branch_a2", Role.BRANCH_SECRETARY, tree["a2"]),
        "other_township_reviewer": make_user("p_town_b", Role.TOWNSHIP_REVIEWER, tree["town_b"]),
    }


def lock(sheet, state="submitted"):
    """The state field is protected; tests set it directly as a submit would."""
    ScoreSheet.objects.filter(pk=sheet.pk).update(state=state)
    sheet.refresh_from_db()


# --- files -------------------------------------------------------------------------------------


def image_bytes(fmt="JPEG", size=(800, 600), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode in ("RGB", "RGBA") else 1).save(out, fmt, **save)
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A minimal but well-formed one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text="三会一课记录") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "参加次数"])
    workbook.active.append(["张三", 12])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes() -> bytes:
    """The parts that make a zip a PowerPoint file (python-pptx is not a dependency)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("ppt/presentation.xml", '<?xml version="1.0"?><p:presentation/>')
    return out.getvalue()


def ole2_bytes() -> bytes:
    """What an old Word .doc starts with (Compound File Binary header)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Microsoft Word-Dokument" + b"\x00" * 1000


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

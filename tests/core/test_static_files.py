"""Every static file a template names exists, and nothing is loaded from another host."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

TEMPLATES = Path(__file__).resolve().parents[2] / "chuangyou" / "templates"
STATIC_TAG = re.compile(r"""{% static ['"]([^'"]+)['"] %}""")
REMOTE = re.compile(r"""(src|href)=["']https?://""")

template_files = sorted(TEMPLATES.rglob("*.html"))
referenced = sorted({name for path in template_files for name in STATIC_TAG.findall(path.read_text())})


@pytest.mark.parametrize("name", referenced)
def test_a_referenced_static_file_exists(name):
    assert finders.find(name), f"{name} is referenced by a template but not found"


@pytest.mark.parametrize("path", template_files, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_load_nothing_from_another_host(path):
    assert not REMOTE.search(path.read_text())


def test_the_vendored_htmx_is_version_2():
    source = Path(finders.find("vendor/htmx/htmx.min.js")).read_text()
    assert 'version:"2.' in source.replace(" ", "")

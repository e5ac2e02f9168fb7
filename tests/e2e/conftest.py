"""Playwright harness: Debian's chromium against pytest-django's live server, on the demo county.

Never `playwright install`: the browser is the system chromium (`apt-get install chromium
fonts-noto-cjk`). Screenshots go to test-output/screenshots/<test-name>-<step>.png; the user guide's
screenshots (`guide_shot`) go to docs/images/guide/ only with CHUANGYOU_GUIDE_SHOTS=1.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

# pytest-playwright's sync API keeps an event loop running in the main thread; without this,
# every ORM call from a test or fixture raises SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-output" / "screenshots"
GUIDE_DIR = REPO_ROOT / "docs" / "images" / "guide"

COUNTY_NAME = "中共示范县委员会"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "浏览器测试需要系统的 chromium 和中文字体，请先安装：apt-get install chromium fonts-noto-cjk\n"
            "Browser tests need Debian's chromium and CJK fonts: apt-get install chromium fonts-noto-cjk "
            "(never `playwright install`).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(page):
    # Fail fast: a local server answers in milliseconds, 30 s defaults only slow a failing run.
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


@pytest.fixture
def demo(transactional_db):
    """The demo county (about 600 organizations, one account per role) and the shipped rubrics."""
    from chuangyou.core.demo import create_demo
    from chuangyou.rubrics.defaults import load_defaults

    load_defaults()
    accounts = create_demo()
    assert accounts, "create_demo() found a non-empty database"
    return {a.username: a for a in accounts}


@pytest.fixture
def server(live_server, demo):
    """The live server's base URL, with the demo county loaded."""
    return live_server.url


@pytest.fixture
def shot(request):
    """`shot(page, "step")` saves a full-page PNG named after the test and the step."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page, step: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def guide_shot():
    """`guide_shot(page, "04-branch-sheet")` saves a JPEG of the viewport (not the full page, to keep
    the files small) for the user guide: to docs/images/guide/<name>.jpg when CHUANGYOU_GUIDE_SHOTS=1,
    otherwise to test-output/screenshots/guide/, so an ordinary run never changes the docs."""
    folder = GUIDE_DIR if os.environ.get("CHUANGYOU_GUIDE_SHOTS") == "1" else SCREENSHOT_DIR / "guide"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), name
        path = folder / f"{name}.jpg"
        page.screenshot(path=str(path), type="jpeg", quality=70, full_page=False, animations="disabled")
        return path

    return take


def login(page, base_url: str, username: str, password: str | None = None):
    """Log in through the real form; returns the response of the form's POST."""
    from chuangyou.core.demo import DEMO_PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD if password is None else password)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="登录").click()
    return nav.value


@pytest.fixture
def log_in(page, server):
    """`log_in("township01")` — the page is then on the workbench."""

    def run(username: str, password: str | None = None):
        return login(page, server, username, password)

    return run

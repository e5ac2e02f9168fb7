"""The public notice (公示) in a real browser, on the demo county with a grading run submitted for notice.

The county admin creates the notice from the run's page (网站, 5 working days from Monday 14 December
2026: the page computes Friday 18 December), publishes it and reads its public link. An anonymous
visitor on a 375-px phone opens the link, sees the list and its QR code, objects to one branch with a
name and a phone and follows the objection with its tracking code; a second, anonymous objection about
a branch of another township stays open. The branch's township reviewer sees the first objection with
the phone masked and answers 不成立; the visitor's status page shows the answer. After the period (the
clock moves to Monday 21 December, the daily job ends the notice) the county admin reports it, is
refused the approval while the second objection is open, answers it, approves with the document number
and downloads the naming document (.docx) and the plaque list (.xlsx), which list what was approved.
No public page shows a phone or an ID number, nor needs horizontal scrolling on the phone."""

import datetime as dt
import re
from collections import Counter

import docx
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.notices import services as notice_services
from chuangyou.notices.models import NoticeBatch, NoticeEntry, NoticeState, Objection, OfficialGrade
from tests.e2e.test_self_assessment_in_browser import PHONE, alert, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STARTS = dt.date(2026, 12, 14)  # a Monday, inside the campaign year
ENDS = dt.date(2026, 12, 18)  # the fifth working day
AFTER = dt.date(2026, 12, 21)  # the next Monday: the period is over
NUMBER = "X组通〔2026〕12号"
TITLE = "关于命名2026年度基层党组织争先创优评定等级的通知"
OBJECTION = "该支部“三会一课”记录系年底补写，与实际开展情况不符，评定等级偏高。"
OBJECTOR = "李明"
OBJECTOR_PHONE = "13812345678"
ANSWER = "经查阅会议记录原件并走访支部党员，“三会一课”按期开展，异议不成立。"
SECOND_OBJECTION = "该支部主题党日活动多次未开展。"
SECOND_ANSWER = "经核实，主题党日按月开展，有签到表和照片为证，异议不成立。"
MOBILE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
GRADE_HEADING = re.compile(r"^[一二三四五六七八九十]+、(.+)（(\d+)个）$")
TOWNSHIP_HEADING = re.compile(r"^（[一二三四五六七八九十]+）(.+)（(\d+)个）$")


@pytest.fixture
def freeze(monkeypatch):
    """Freeze the date the services and pages compare with; the live server runs in this process."""

    def run(day: dt.date):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    run(STARTS)
    return run


@pytest.fixture
def run(demo, freeze):
    """The demo campaign graded once and submitted for public notice (the previous stage)."""
    from chuangyou.core.demo import create_demo_campaign
    from chuangyou.grading import services as grading

    admin = get_user_model().objects.get(username="admin")
    campaign = create_demo_campaign()
    assert campaign.year == 2026
    graded = grading.run_start(actor=admin, campaign=campaign)
    assert graded.state == "done", graded.error
    return grading.run_submit(actor=admin, run=graded)


def reviewer_of(entry: NoticeEntry) -> str | None:
    """The username of the township reviewer responsible for the entry's organization, if any."""
    path = entry.organization.path
    for grant in RoleAssignment.objects.filter(role=Role.TOWNSHIP_REVIEWER).select_related(
        "user", "organization"
    ):
        if path.startswith(grant.organization.path):
            return grant.user.username
    return None


def check_public_page(phone) -> str:
    """No horizontal scrolling at 375 px, no phone number, no ID number; returns the HTML."""
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], phone.url
    html = phone.content()
    assert not MOBILE.search(html), (phone.url, MOBILE.search(html))
    assert not ID_NUMBER.search(html), (phone.url, ID_NUMBER.search(html))
    return html


def public_entry(phone, name: str, township: str = ""):
    """The line of one organization on the public list."""
    return (
        phone.get_by_test_id("notice-entry")
        .filter(has=phone.get_by_test_id("entry-name").filter(has_text=re.compile(rf"^{re.escape(name)}$")))
        .filter(has_text=township)
    )


def entry_row(phone, entry: NoticeEntry):
    return public_entry(phone, entry.name, entry.township)


def grade_section(phone, grade: str):
    """The section of one grade on the public list, headed "优秀（12个）"."""
    heading = phone.get_by_test_id("grade-heading").filter(has_text=re.compile(rf"^{re.escape(grade)}（"))
    return phone.get_by_test_id("grade-group").filter(has=heading)


def file_objection(phone, entry: NoticeEntry, content: str, name: str = "", number: str = "") -> str:
    """On the public list: 提出异议 on the entry's row, fill in and submit; returns the tracking code."""
    row = entry_row(phone, entry)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="提出异议").click()
    expect(phone.get_by_test_id("organization-name")).to_have_text(entry.name)
    expect(phone.get_by_test_id("privacy-note")).to_be_visible()
    check_public_page(phone)
    phone.locator("#id_content").fill(content)
    phone.locator("#id_name").fill(name)
    phone.locator("#id_phone").fill(number)
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交异议").click()
    expect(phone.get_by_test_id("thanks")).to_contain_text(entry.name)
    code = phone.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", code), code
    html = check_public_page(phone)
    assert OBJECTOR not in html
    return code


def answer_objection(page, state: str, answer: str) -> None:
    form = page.get_by_test_id("answer-form")
    form.locator("#id_state").select_option(label=state)
    form.locator("#id_answer").fill(answer)
    with page.expect_navigation():
        form.get_by_role("button", name="保存").click()
    expect(alert(page, f"异议已更新为“{state}”")).to_have_count(1)
    expect(page.get_by_test_id("answer")).to_contain_text(answer)
    expect(page.get_by_test_id("answer-form")).to_have_count(0)


def preview_notice(page, starts: dt.date):
    """Fill the notice form (网站, five working days from `starts`) and compute its end date, which for
    14 December 2026 is the 18th."""
    form = page.get_by_test_id("notice-form")
    form.locator("#id_channel").select_option(label="网站")
    form.locator("#id_starts").fill(starts.isoformat())
    form.locator("#id_days").fill("5")
    form.get_by_role("button", name="计算截止日期").click()
    expect(page.get_by_test_id("end-date")).to_have_text(
        "截止日期：2026年12月18日（5个工作日，已扣除节假日）"
    )


def docx_groups(path) -> tuple[list[str], Counter]:
    """The paragraphs of the naming document, and its names as a multiset of (grade, township, name),
    checking that every heading counts what follows it."""
    lines = [p.text.strip() for p in docx.Document(path).paragraphs if p.text.strip()]
    named: Counter = Counter()
    grade = township = None
    grade_counts, township_counts = Counter(), Counter()
    headings = {}
    for line in lines[4:-2]:  # after the body, before the issuer and the date
        if m := GRADE_HEADING.match(line):
            grade, township = m[1], None
            headings[grade] = int(m[2])
        elif m := TOWNSHIP_HEADING.match(line):
            township = m[1]
            headings[(grade, township)] = int(m[2])
        elif grade and township:
            for name in line.split("、"):
                named[(grade, township, name)] += 1
                grade_counts[grade] += 1
                township_counts[(grade, township)] += 1
    assert headings == {**grade_counts, **township_counts}, "a heading's count differs from its names"
    return lines, named


def test_public_notice_objection_and_naming(
    page, server, run, demo, freeze, log_in, shot, browser, browser_context_args, tmp_path
):
    page.on("dialog", lambda dialog: dialog.accept())
    results = run.results.count()

    # --- 1. The county admin creates the notice from the submitted run and publishes it ------------
    log_in("admin")
    page.goto(f"{server}/grading/runs/{run.pk}/")
    expect(page.get_by_role("button", name="已提交公示")).to_be_disabled()
    page.get_by_test_id("notice-create-link").click()
    expect(page.get_by_role("heading", name="发布公示")).to_be_visible()
    preview_notice(page, STARTS)
    preview = page.get_by_test_id("notice-preview")
    expect(preview).to_contain_text("网站")
    expect(preview).to_contain_text("2026年12月14日")
    assert not NoticeBatch.objects.exists()  # a preview creates nothing
    shot(page, "create-preview")
    with page.expect_navigation(url=re.compile(r"/notices/\d+/$")):
        page.get_by_role("button", name="创建公示草稿").click()
    batch = NoticeBatch.objects.get()
    expect(page).to_have_url(f"{server}/notices/{batch.pk}/")
    expect(alert(page, "已创建公示草稿（截止2026年12月18日）")).to_have_count(1)
    assert (batch.state, batch.channel, batch.starts, batch.ends) == ("draft", "website", STARTS, ENDS)
    assert batch.entries.count() == results
    expect(page.get_by_test_id("notice-facts")).to_contain_text(
        "2026年12月14日 至 2026年12月18日（5个工作日）"
    )
    expect(page.get_by_test_id("notice-facts")).to_contain_text("发布后可访问")
    page.get_by_test_id("publish").click()
    expect(alert(page, "公示已发布，公开链接已可访问")).to_have_count(1)
    expect(page.get_by_text("公示中", exact=True)).to_be_visible()
    link = page.get_by_test_id("public-link")
    public_url = link.inner_text().strip()
    assert public_url == f"{server}{link.get_attribute('href')}"
    assert public_url == f"{server}/gs/{batch.token}/"
    shot(page, "published")
    log_out(page)

    # The branch objected to, its township's reviewer, and a branch of another township.
    entries = list(batch.entries.select_related("organization").order_by("order"))
    target = next(e for e in entries if e.grade == "优秀" and reviewer_of(e))
    reviewer = reviewer_of(target)
    other = next(e for e in entries if e.grade == "良好" and reviewer_of(e) not in (None, reviewer))

    # --- 2. An anonymous visitor objects on a phone ------------------------------------------------
    phone_context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    try:
        phone = phone_context.new_page()
        phone.set_default_timeout(10_000)
        phone.goto(public_url)
        expect(phone).to_have_url(public_url)  # no login
        expect(phone.get_by_test_id("notice-title")).to_have_text(batch.title)
        expect(phone.get_by_test_id("notice-meta")).to_contain_text("网站")
        expect(phone.get_by_test_id("notice-meta")).to_contain_text(
            "2026年12月14日至2026年12月18日（5个工作日）"
        )
        expect(phone.get_by_test_id("notice-entry")).to_have_count(results)
        expect(phone.get_by_test_id("notice-summary")).to_contain_text(f"共公示{results}个党组织")
        expect(grade_section(phone, target.grade)).to_contain_text(target.name)
        expect(phone.get_by_test_id("notice-qr").locator("svg")).to_be_visible()
        expect(phone.get_by_test_id("share-url")).to_have_value(public_url)
        check_public_page(phone)
        shot(phone, "phone-notice")

        code = file_objection(phone, target, OBJECTION, OBJECTOR, OBJECTOR_PHONE)
        shot(phone, "phone-thanks")
        phone.get_by_role("link", name="查看办理情况").click()
        expect(phone.get_by_test_id("objection-state")).to_have_text("已受理")
        status = phone.get_by_test_id("objection-status")
        expect(status).to_contain_text(target.name)
        expect(status).to_contain_text("异议正在办理中")
        html = check_public_page(phone)
        assert OBJECTOR not in html and OBJECTION not in html
        status_url = phone.url
        shot(phone, "phone-status-received")

        # A second objection, anonymous, about a branch of another township.
        phone.goto(public_url)
        second_code = file_objection(phone, other, SECOND_OBJECTION)
        assert second_code != code
        objection = Objection.objects.get(tracking_code=code)
        assert (objection.name, objection.phone, objection.state) == (OBJECTOR, OBJECTOR_PHONE, "received")
        assert Objection.objects.get(tracking_code=second_code).entry == other

        # --- 3. The township's reviewer answers the objection: 不成立 ---------------------------------
        log_in(reviewer)
        page.locator("#main-nav").get_by_role("link", name="公示审定").click()
        expect(page).to_have_url(f"{server}/notices/")
        page.get_by_role("link", name="异议处理").click()
        expect(page).to_have_url(f"{server}/notices/objections/")
        rows = page.get_by_test_id("objection-row")
        expect(rows).to_have_count(1)  # the other township's objection is not the reviewer's
        expect(rows).to_contain_text(target.name)
        expect(rows).to_contain_text("已受理")
        assert OBJECTOR_PHONE not in page.content()
        rows.get_by_role("link", name=target.name).click()
        expect(page).to_have_url(f"{server}/notices/objections/{objection.pk}/")
        expect(page.get_by_test_id("phone")).to_have_text("138****5678")
        expect(page.get_by_test_id("objection-facts")).to_contain_text(OBJECTOR)
        expect(page.get_by_test_id("objection-content")).to_have_text(OBJECTION)
        assert OBJECTOR_PHONE not in page.content()
        shot(page, "reviewer-objection")
        answer_objection(page, "不成立", ANSWER)
        objection.refresh_from_db()
        assert objection.state == "dismissed" and objection.answered_by.username == reviewer
        shot(page, "reviewer-answered")
        log_out(page)

        phone.goto(status_url)
        expect(phone.get_by_test_id("objection-state")).to_have_text("不成立")
        expect(phone.get_by_test_id("objection-answer")).to_have_text(ANSWER)
        html = check_public_page(phone)
        assert OBJECTOR not in html and OBJECTION not in html
        shot(phone, "phone-status-dismissed")

        # --- 4. After the period: report, approval, naming documents ---------------------------------
        freeze(AFTER)
        phone.goto(public_url)
        expect(phone.get_by_test_id("notice-ended")).to_have_text("公示已结束，不再受理异议。")
        expect(phone.get_by_role("link", name="提出异议")).to_have_count(0)
        check_public_page(phone)
        phone.goto(f"{server}/gs/{batch.token}/{target.pk}/")
        expect(phone.get_by_test_id("notice-ended")).to_be_visible()
        expect(phone.get_by_role("button", name="提交异议")).to_have_count(0)
        check_public_page(phone)

        log_in("admin")
        page.goto(f"{server}/notices/{batch.pk}/")
        shot(page, "period-over-before-daily-job")
        # The daily job (`chuangyou notices end`) ends the notices whose period is over.
        (ended,) = notice_services.notices_end()
        assert ended.pk == batch.pk
        page.locator("#main-nav").get_by_role("link", name="公示审定").click()
        row = page.get_by_test_id("notice-row")
        expect(row).to_contain_text("公示结束")
        expect(row.get_by_test_id("open-count")).to_have_text("1")
        row.get_by_role("link", name=batch.title).click()
        expect(page).to_have_url(f"{server}/notices/{batch.pk}/")
        expect(page.get_by_test_id("objection-counts")).to_have_text(re.compile(r"^未办结 1 件，已办结 1 件"))
        # 公示无异议后上报: the report is refused while the second objection is open.
        page.get_by_test_id("report").click()
        expect(alert(page, f"以下组织有尚未办结的异议，办结后才能上报：{other.name}")).to_have_count(1)
        batch.refresh_from_db()
        assert batch.state == NoticeState.ENDED and not OfficialGrade.objects.exists()
        shot(page, "report-refused")

        page.get_by_role("link", name="异议处理").click()
        page.get_by_test_id("objection-filters").locator("select[name=state]").select_option(label="未办结")
        page.get_by_test_id("objection-filters").get_by_role("button", name="筛选").click()
        rows = page.get_by_test_id("objection-row")
        expect(rows).to_have_count(1)
        rows.get_by_role("link", name=other.name).click()
        expect(page.get_by_test_id("phone")).to_have_text("未留")
        expect(page.get_by_test_id("objection-facts")).to_contain_text("匿名")
        answer_objection(page, "不成立", SECOND_ANSWER)

        page.goto(f"{server}/notices/{batch.pk}/")
        expect(page.get_by_test_id("objection-counts")).to_have_text(re.compile(r"^未办结 0 件，已办结 2 件"))
        page.get_by_test_id("report").click()
        expect(alert(page, "已上报县委组织部审定")).to_have_count(1)
        expect(page.get_by_text("已上报", exact=True)).to_be_visible()

        page.goto(f"{server}/notices/{batch.pk}/")
        approve = page.get_by_test_id("approve-form")
        approve.locator("#id_document_number").fill(NUMBER)
        approve.get_by_role("button", name="审定").click()
        expect(alert(page, "已审定，可下载命名文件和挂牌名单")).to_have_count(1)
        expect(page.get_by_test_id("document-number")).to_have_text(NUMBER)
        batch.refresh_from_db()
        assert batch.state == NoticeState.APPROVED and batch.document_number == NUMBER
        shot(page, "approved")

        phone.goto(status_url)  # the visitor's status stays as answered
        expect(phone.get_by_test_id("objection-state")).to_have_text("不成立")
        phone.goto(f"{server}/gs/status/?code={second_code}")
        expect(phone.get_by_test_id("objection-answer")).to_have_text(SECOND_ANSWER)
        check_public_page(phone)
    finally:
        phone_context.close()

    # What was approved: every entry (no objection upheld, none held back), by the grade published.
    approved = Counter(
        NoticeEntry.objects.filter(batch=batch, held=False, withdrawn=False).values_list(
            "grade", "township", "name"
        )
    )
    assert sum(approved.values()) == results == OfficialGrade.objects.filter(batch=batch).count()
    assert approved == Counter(run.results.values_list("final_grade", "township", "name"))

    # The naming document.
    with page.expect_download() as download:
        page.get_by_test_id("naming-link").click()
    naming = tmp_path / download.value.suggested_filename
    download.value.save_as(naming)
    assert naming.name == "2026年度争先创优命名文件.docx"
    lines, named = docx_groups(naming)
    assert lines[0] == NUMBER and lines[1] == TITLE
    assert lines[2] == "各乡镇（街道）党（工）委，县直各党（工）委："
    assert lines[-2] == "中共示范县委组织部"
    assert "2026年12月14日至2026年12月18日通过网站进行公示" in lines[3]
    assert f"决定命名{results}个基层党组织" in lines[3]
    grades = [m[1] for line in lines if (m := GRADE_HEADING.match(line))]
    assert grades == [g for g in ("优秀", "良好", "一般", "软弱涣散") if g in {k[0] for k in approved}]
    assert named == approved

    # The plaque list.
    with page.expect_download() as download:
        page.get_by_test_id("plaques-link").click()
    plaques = tmp_path / download.value.suggested_filename
    download.value.save_as(plaques)
    assert plaques.name == "2026年度争先创优挂牌名单.xlsx"
    rows = list(openpyxl.load_workbook(plaques, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "组织名称", "所属党委", "等级", "年度", "文号")
    assert [r[0] for r in rows[1:]] == list(range(1, results + 1))
    assert Counter((r[3], r[2], r[1]) for r in rows[1:]) == approved
    assert {(r[4], r[5]) for r in rows[1:]} == {(2026, NUMBER)}

"""The demo county 示范县: about 600 organizations in 12 townships, and one account per role.

Deterministic (fixed random seed) and created only into an empty database, so running it twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from chuangyou.accounts.models import Role, RoleAssignment
from chuangyou.audit.services import record
from chuangyou.orgs.models import Domain, Kind, Organization

DEMO_PASSWORD = "Chuangyou@2026"  # noqa: S105 - the published password of the demo accounts
COUNTY_CODE = "SFX"

TOWNSHIPS = [
    ("城关镇", Kind.TOWNSHIP),
    ("青山镇", Kind.TOWNSHIP),
    ("河口镇", Kind.TOWNSHIP),
    ("石桥镇", Kind.TOWNSHIP),
    ("白沙镇", Kind.TOWNSHIP),
    ("龙泉镇", Kind.TOWNSHIP),
    ("柳林乡", Kind.TOWNSHIP),
    ("桃源乡", Kind.TOWNSHIP),
    ("东城街道", Kind.SUBDISTRICT),
    ("西城街道", Kind.SUBDISTRICT),
    ("南湖街道", Kind.SUBDISTRICT),
    ("北苑街道", Kind.SUBDISTRICT),
]
PLACE_FIRST = "东西南北上下前后新老大小石杨柳桃李王张马龙凤青白黄红金清长高"
PLACE_SECOND = "庄湾坪岭河沟坝寨营桥店铺塘岗峪口集堡屯园"
COMMUNITY_NAMES = [
    "和平",
    "幸福",
    "光明",
    "团结",
    "建设",
    "胜利",
    "朝阳",
    "文化",
    "花园",
    "滨河",
    "锦绣",
    "春晖",
    "翠苑",
    "明珠",
    "康宁",
    "振兴",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林"
GIVEN = [
    "建国",
    "志强",
    "秀英",
    "丽华",
    "海燕",
    "国栋",
    "红梅",
    "振华",
    "春生",
    "明亮",
    "晓东",
    "立新",
    "桂兰",
    "文斌",
    "玉珍",
    "永福",
    "卫东",
    "淑芬",
    "德明",
    "金凤",
]
COMPANIES = [
    "宏达机械",
    "恒信建材",
    "绿源农业",
    "华丰纺织",
    "鑫源物流",
    "兴业食品",
    "天成电子",
    "金穗米业",
    "瑞丰化工",
    "博远科技",
]
SOCIAL = [
    "个体劳动者协会",
    "志愿者协会",
    "物业管理协会",
    "律师事务所联合",
    "民办幼儿园联合",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org_code: str
    full_name: str


class DemoBuilder:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
        self.rows: list[tuple[str, dict]] = []  # (parent code, fields) in creation order
        self.accounts: list[DemoAccount] = []

    # -- helpers ---------------------------------------------------------------------------
    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(str(self.rng.randrange(10)) for _ in range(9))

    def founded(self) -> dt.date:
        return dt.date(self.rng.randrange(1958, 2024), self.rng.randrange(1, 13), self.rng.randrange(1, 28))

    def add(
        self, parent: str | None, code: str, name: str, kind: str, domain: str = "", members: int = 0
    ) -> str:
        full = members if members else 0
        probationary = self.rng.choice([0, 0, 0, 1, 1, 2]) if kind in (Kind.BRANCH,) else 0
        self.rows.append(
            (
                parent or "",
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "domain": domain,
                    "full_members": full,
                    "probationary_members": probationary,
                    "secretary_name": self.person(),
                    "secretary_phone": self.phone(),
                    "founded": self.founded(),
                },
            )
        )
        return code

    def branch(self, parent: str, code: str, name: str, domain: str, low: int, high: int) -> str:
        return self.add(parent, code, name, Kind.BRANCH, domain, self.rng.randint(low, high))

    # -- structure -------------------------------------------------------------------------
    def build(self) -> DemoBuilder:
        county = self.add(None, COUNTY_CODE, "中共示范县委员会", Kind.COUNTY)
        for index, (name, kind) in enumerate(TOWNSHIPS, start=1):
            code = f"{COUNTY_CODE}{index:02d}"
            prefix = name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            label = f"中共示范县{name}{'工作委员会' if kind == Kind.SUBDISTRICT else '委员会'}"
            self.add(county, code, label, kind)
            if kind == Kind.SUBDISTRICT:
                self.subdistrict(code, name, prefix)
            else:
                self.township(code, name, prefix)
            self.accounts.append(
                DemoAccount(f"township{index:02d}", Role.TOWNSHIP_REVIEWER, code, f"{name}审核员")
            )
        self.county_organs(county)
        self.accounts[:0] = [
            DemoAccount("admin", Role.COUNTY_ADMIN, county, "组织部管理员"),
            DemoAccount("leader", Role.LEADING_GROUP, county, "领导小组成员"),
            DemoAccount("auditor", Role.AUDITOR, county, "纪检审计员"),
        ]
        return self

    def township(self, code: str, name: str, prefix: str) -> None:
        seq = iter(range(1, 1000))
        used: set[str] = set()
        villages = self.rng.randint(28, 36)
        for _ in range(villages):
            village = self.place_name(used) + "村"
            n = next(seq)
            if self.rng.random() < 0.12:
                total = self.add(
                    code, f"{code}{n:03d}", f"{village}党总支", Kind.GENERAL_BRANCH, Domain.VILLAGE
                )
                for group in range(1, self.rng.randint(2, 4)):
                    self.branch(
                        total, f"{total}{group:02d}", f"{village}第{group}党支部", Domain.VILLAGE, 12, 35
                    )
            else:
                self.branch(code, f"{code}{n:03d}", f"{village}党支部", Domain.VILLAGE, 8, 45)
        for c in range(self.rng.randint(1, 2)):
            self.branch(
                code,
                f"{code}{next(seq):03d}",
                f"{prefix}{COMMUNITY_NAMES[c]}社区党支部",
                Domain.COMMUNITY,
                10,
                40,
            )
        self.branch(code, f"{code}{next(seq):03d}", f"{name}机关党支部", Domain.ORGAN, 20, 48)
        self.branch(code, f"{code}{next(seq):03d}", f"{name}中心学校党支部", Domain.SCHOOL, 8, 30)
        self.branch(code, f"{code}{next(seq):03d}", f"{name}卫生院党支部", Domain.HOSPITAL, 5, 20)
        self.companies(code, seq, prefix, count=self.rng.randint(2, 4), most_members=15)
        self.branch(code, f"{code}{next(seq):03d}", f"{name}离退休干部党支部", Domain.RETIRED, 6, 25)
        # A small branch that trips the seed-001 warning (fewer than 3 full members).
        self.branch(
            code,
            f"{code}{next(seq):03d}",
            f"示范县{prefix}家庭农场联合党支部",
            Domain.PRIVATE_ENTERPRISE,
            2,
            2,
        )

    def subdistrict(self, code: str, name: str, prefix: str) -> None:
        seq = iter(range(1, 1000))
        for c, community in enumerate(self.rng.sample(COMMUNITY_NAMES, self.rng.randint(12, 15))):
            label = f"{prefix}{community}社区"
            n = next(seq)
            if c == 0:
                committee = self.add(code, f"{code}{n:03d}", f"{label}党委", Kind.COMMITTEE, Domain.COMMUNITY)
                for grid in range(1, 5):
                    self.branch(
                        committee,
                        f"{committee}{grid:02d}",
                        f"{label}第{grid}网格党支部",
                        Domain.COMMUNITY,
                        15,
                        40,
                    )
            else:
                self.branch(code, f"{code}{n:03d}", f"{label}党支部", Domain.COMMUNITY, 10, 48)
        self.branch(code, f"{code}{next(seq):03d}", f"{name}机关党支部", Domain.ORGAN, 20, 45)
        self.branch(code, f"{code}{next(seq):03d}", f"{name}社区卫生服务中心党支部", Domain.HOSPITAL, 5, 18)
        self.companies(code, seq, prefix, count=self.rng.randint(4, 7), most_members=20)
        for social in self.rng.sample(SOCIAL, 2):
            self.branch(
                code, f"{code}{next(seq):03d}", f"{name}{social}党支部", Domain.SOCIAL_ORGANIZATION, 3, 10
            )

    def county_organs(self, county: str) -> None:
        organs = self.add(
            county, f"{COUNTY_CODE}90", "中共示范县直属机关工作委员会", Kind.COMMITTEE, Domain.ORGAN
        )
        departments = [
            "县委办公室",
            "县政府办公室",
            "县委组织部",
            "县委宣传部",
            "县委统战部",
            "县委政法委",
            "县发展和改革局",
            "县财政局",
            "县人力资源和社会保障局",
            "县自然资源局",
            "县住房和城乡建设局",
            "县交通运输局",
            "县水利局",
            "县农业农村局",
            "县商务局",
            "县文化和旅游局",
            "县民政局",
            "县司法局",
            "县审计局",
            "县统计局",
            "县市场监督管理局",
            "县应急管理局",
            "县生态环境局",
            "县退役军人事务局",
            "县医疗保障局",
            "县信访局",
            "县档案馆",
            "县总工会",
            "团县委",
            "县妇联",
        ]
        for n, dept in enumerate(departments, start=1):
            self.branch(organs, f"{organs}{n:03d}", f"{dept}机关党支部", Domain.ORGAN, 6, 45)
        education = self.add(
            county, f"{COUNTY_CODE}91", "中共示范县教育局委员会", Kind.COMMITTEE, Domain.SCHOOL
        )
        schools = [
            "第一中学",
            "第二中学",
            "实验中学",
            "职业中专",
            "实验小学",
            "城关小学",
            "第二小学",
            "特殊教育学校",
            "机关幼儿园",
        ]
        for n, school in enumerate(schools, start=1):
            if school == "第一中学":
                total = self.add(
                    education,
                    f"{education}{n:03d}",
                    "示范县第一中学党总支",
                    Kind.GENERAL_BRANCH,
                    Domain.SCHOOL,
                )
                for g, part in enumerate(("高一年级", "高二年级", "高三年级", "行政后勤"), start=1):
                    self.branch(
                        total, f"{total}{g:02d}", f"示范县第一中学{part}党支部", Domain.SCHOOL, 10, 25
                    )
            else:
                self.branch(education, f"{education}{n:03d}", f"示范县{school}党支部", Domain.SCHOOL, 6, 40)
        health = self.add(
            county, f"{COUNTY_CODE}92", "中共示范县卫生健康局委员会", Kind.COMMITTEE, Domain.HOSPITAL
        )
        hospital = self.add(health, f"{health}001", "示范县人民医院党委", Kind.COMMITTEE, Domain.HOSPITAL)
        for g, part in enumerate(("内科", "外科", "医技", "行政后勤", "护理"), start=1):
            self.branch(
                hospital, f"{hospital}{g:02d}", f"示范县人民医院{part}党支部", Domain.HOSPITAL, 15, 45
            )
        for n, unit in enumerate(("中医院", "妇幼保健院", "疾病预防控制中心"), start=2):
            self.branch(health, f"{health}{n:03d}", f"示范县{unit}党支部", Domain.HOSPITAL, 8, 40)
        soe = self.add(
            county,
            f"{COUNTY_CODE}93",
            "中共示范县城市建设投资集团有限公司委员会",
            Kind.COMMITTEE,
            Domain.STATE_ENTERPRISE,
        )
        for n, unit in enumerate(("集团机关", "水务公司", "公交公司", "燃气公司", "置业公司"), start=1):
            self.branch(soe, f"{soe}{n:03d}", f"示范县城投集团{unit}党支部", Domain.STATE_ENTERPRISE, 6, 40)
        retired = self.add(
            county, f"{COUNTY_CODE}94", "示范县老干部局离退休干部党总支", Kind.GENERAL_BRANCH, Domain.RETIRED
        )
        for g in range(1, 4):
            self.branch(
                retired, f"{retired}{g:02d}", f"示范县老干部局离退休干部第{g}党支部", Domain.RETIRED, 15, 40
            )
        # A branch over 50 members trips the "consider splitting" advice.
        self.branch(organs, f"{organs}099", "县公安局机关党支部", Domain.ORGAN, 62, 62)
        # Secretaries' accounts: the first basic organization of each township.
        first_branch = {}
        for parent, fields in self.rows:
            if (
                fields["kind"] == Kind.BRANCH
                and parent.startswith(COUNTY_CODE)
                and len(parent) == len(COUNTY_CODE) + 2
            ):
                first_branch.setdefault(parent, (fields["code"], fields["name"]))
        for index in range(1, len(TOWNSHIPS) + 1):
            code, name = first_branch[f"{COUNTY_CODE}{index:02d}"]
            self.accounts.append(
                DemoAccount(f"branch{index:02d}", Role.BRANCH_SECRETARY, code, f"{name}书记")
            )

    def companies(self, parent: str, seq: Iterator[int], prefix: str, *, count: int, most_members: int):
        for company in self.rng.sample(COMPANIES, count):
            name = f"示范县{prefix}{company}有限公司党支部"
            self.branch(parent, f"{parent}{next(seq):03d}", name, Domain.PRIVATE_ENTERPRISE, 3, most_members)

    def place_name(self, used: set[str]) -> str:
        while True:
            name = self.rng.choice(PLACE_FIRST) + self.rng.choice(PLACE_SECOND)
            if name not in used:
                used.add(name)
                return name


@transaction.atomic
def create_demo(*, stdout=None) -> list[DemoAccount] | None:
    """Create the demo county into an empty database; None when there is data already."""
    if Organization.objects.exists():
        return None
    from django.utils import timezone

    from chuangyou.core.demo_clock import stopped_clock
    from chuangyou.core.demo_schedule import demo_epoch

    # Dated before last year's campaign, which these organizations and accounts take part in.
    with stopped_clock(demo_epoch(timezone.localdate())) as clock:
        return _create_county(clock.now())


def _create_county(now) -> list[DemoAccount]:
    builder = DemoBuilder().build()
    by_code: dict[str, Organization] = {}
    for parent_code, fields in builder.rows:
        if parent_code:
            parent = by_code[parent_code]
            by_code[fields["code"]] = Organization.objects.add_child(parent, fields)
            parent.refresh_from_db(fields=["numchild"])
        else:
            by_code[fields["code"]] = Organization.objects.add_root(fields)
    User = get_user_model()
    for account in builder.accounts:
        user = User.objects.create_user(
            account.username, password=DEMO_PASSWORD, first_name=account.full_name, date_joined=now
        )
        RoleAssignment.objects.create(user=user, role=account.role, organization=by_code[account.org_code])
    county = by_code[COUNTY_CODE]
    record(
        actor=None,
        verb="demo.create",
        target=county,
        organization=county,
        after={"organizations": len(builder.rows), "accounts": len(builder.accounts)},
        note="生成示范县演示数据",
    )
    return builder.accounts


def create_demo_campaign(*, stages: bool = False):
    """This year's campaign of the demo county with its December round open, so that `make run`
    shows the self-assessment at once. Only when the county has no campaign for this year yet.
    Its phases, round and steps are dated around today (`demo_schedule.ThisYearSchedule`).

    By default most sheets are submitted and about a third reviewed (`advance_demo_campaign`); with
    `stages` the branches are spread over every stage of the workflow, up to a township's public
    notice with objections (`demo_stages`), as `chuangyou demo` builds it."""
    from django.utils import timezone

    from chuangyou.campaigns.models import Campaign
    from chuangyou.core.demo_campaign import open_december, start_campaign
    from chuangyou.core.demo_clock import stopped_clock
    from chuangyou.core.demo_schedule import ThisYearSchedule

    county = Organization.objects.filter(code=COUNTY_CODE).first()
    today = timezone.localdate()
    if county is None or Campaign.objects.filter(root=county, year=today.year).exists():
        return None
    admin = get_user_model().objects.get(username="admin")
    schedule = ThisYearSchedule.around(today)
    with stopped_clock(schedule.created) as clock:
        campaign = start_campaign(admin=admin, county=county, year=today.year, phases=schedule.phases())
        opens, closes = schedule.round
        clock.set(opens)
        open_december(admin=admin, campaign=campaign, opens=opens, closes=closes)
    if stages:
        from chuangyou.core.demo_stages import spread_demo_stages

        spread_demo_stages(campaign, admin, schedule)
    else:
        from chuangyou.core.demo_progress import advance_demo_campaign

        advance_demo_campaign(campaign, admin, schedule)
    return campaign

"""Fill the database with a synthetic key-project portfolio, for demos and benchmarks.

    python manage.py generate_portfolio --projects 100000 [--seed 1] [--year 2023]

Rows are written with `bulk_create` in chunks, and the projects' cached columns
(`cached_next_due_date`, `cached_last_visit_on`) are then set for all of them by
`project_caches_refresh`, the one UPDATE the services use too. This bypasses the services on purpose: going through
`status_update_create`, `milestone_create` and the rest (full_clean, row locks, one history row
per save) would take hours at 100,000 projects; their history rows ("created", via `command`)
are written in bulk too. The change feed gets no events for them (one per row, each read as the API reads
it, would cost what the services do): the feed is for the writes of a real portfolio. The data is built to keep the invariants the services
keep instead: statuses follow the workflow, reaching a status completes the milestone of its
kind on the day of the report, cumulative investment never goes down, and no completion,
visit or report is dated after today.

Project codes are `GEN{seed}-{year}-{n:06d}`, so generated rows never clash with real ones,
and runs with different seeds add to each other. The same seed gives the same data.
"""

import math
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from projects.domain.choices import (
    MILESTONE_KIND_REACHED_BY_STATUS,
    STATUS_PATH,
    ApprovalMode,
    BatchKind,
    MilestoneKind,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    VisitKind,
    statuses_passed,
)
from projects.domain.dates import today
from projects.domain.periods import parse_period
from projects.models import (
    ApprovalItem,
    Department,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    StatusUpdate,
    Visit,
)
from projects.models.history import bulk_history_create
from projects.services import project_caches_refresh

CODE_PREFIX = "GEN"
CHUNK = 2000  # projects per transaction
GENERATOR_USERNAME = "portfolio_generator"

S = ProjectStatus
C = ProjectCategory
K = MilestoneKind

# The seed's list: 81 开工类 and 150 在建类 of 360; 46 省市重点.
CATEGORY_WEIGHTS = {C.START: 81, C.CONSTRUCTION: 150, C.PREPARATION: 129}
LEVEL_WEIGHTS = {ProjectLevel.PROVINCIAL: 14, ProjectLevel.MUNICIPAL: 32, ProjectLevel.DISTRICT: 314}
SECTOR_WEIGHTS = {
    Sector.INDUSTRY: 30, Sector.INFRASTRUCTURE: 20, Sector.URBAN_RENEWAL: 9,
    Sector.CULTURE_SPORTS_EDUCATION: 10, Sector.COMMERCE: 13, Sector.HOUSING: 12, Sector.OTHER: 6,
}
ZONE_WEIGHTS = {
    "二七经开区": 22, "二七商圈": 12, "马寨镇": 8, "侯寨乡": 7, "长江路街道": 5, "京广路街道": 5,
    "德化街街道": 4, "解放路街道": 3, "铭功路街道": 3, "一马路街道": 3, "五里堡街道": 4, "淮河路街道": 4,
    "建中街街道": 3, "蜜蜂张街道": 3, "福华街街道": 3, "嵩山路街道": 3, "人和路街道": 2, "大学路街道": 3,
    "樱桃沟管理处": 3,
}
# Final status by category, consistent with what the category means in the annual list.
STATUS_WEIGHTS = {
    C.START: {S.PLANNED: 8, S.SIGNED: 22, S.UNDER_CONSTRUCTION: 62, S.SUSPENDED: 5, S.CANCELLED: 3},
    C.CONSTRUCTION: {S.UNDER_CONSTRUCTION: 70, S.COMPLETED: 16, S.OPERATING: 10, S.SUSPENDED: 4},
    C.PREPARATION: {S.PLANNED: 55, S.SIGNED: 35, S.SUSPENDED: 4, S.CANCELLED: 6},
}
SUSPENDED_FROM = {
    C.PREPARATION: [S.PLANNED, S.SIGNED], C.START: [S.SIGNED, S.UNDER_CONSTRUCTION],
    C.CONSTRUCTION: [S.UNDER_CONSTRUCTION, S.COMPLETED],
}
BATCH_KIND_OF_CATEGORY = {C.PREPARATION: BatchKind.SIGNING, C.START: BatchKind.STARTING,
                          C.CONSTRUCTION: BatchKind.COMMISSIONING}

DEPARTMENTS = {
    "fgw": "发展改革委", "gxj": "工业和信息化局", "jsj": "住房城乡建设局", "jyj": "教育局", "swj": "商务局",
    "wgl": "文化广电和旅游局", "cgj": "城市管理局", "zrzy": "自然资源和规划局", "hbj": "生态环境局",
    "rsj": "人力资源和社会保障局", "jkq": "二七经开区管委会", "sqb": "二七商圈建设办公室",
}
SECTOR_DEPARTMENTS = {
    Sector.INDUSTRY: ["gxj", "jkq", "fgw"], Sector.INFRASTRUCTURE: ["jsj", "cgj"],
    Sector.URBAN_RENEWAL: ["jsj", "zrzy"], Sector.CULTURE_SPORTS_EDUCATION: ["jyj", "wgl"],
    Sector.COMMERCE: ["swj", "sqb"], Sector.HOUSING: ["jsj"], Sector.OTHER: ["fgw", "rsj"],
}
OFFICIALS = [
    ("王建华", "区委常委、常务副区长", "fgw"), ("李红梅", "副区长", "jyj"), ("张国栋", "副区长", "jsj"),
    ("刘志强", "副区长", "gxj"), ("陈晓燕", "区委常委、宣传部部长", "wgl"), ("杨立新", "二七经开区党工委书记", "jkq"),
    ("赵文博", "二七经开区管委会主任", "jkq"), ("孙丽娟", "副区长", "swj"), ("周海涛", "区人大常委会副主任", "cgj"),
    ("吴振宇", "区政协副主席", "zrzy"),
]
APPROVALS = [
    ("项目备案", "fgw"), ("节能审查意见", "fgw"), ("建设用地规划许可证", "zrzy"), ("建设工程规划许可证", "zrzy"),
    ("不动产权证书", "zrzy"), ("环境影响评价批复", "hbj"), ("施工图设计文件审查", "jsj"), ("建筑工程施工许可证", "jsj"),
]
NAME_PARTS = {
    Sector.INDUSTRY: (["华智", "灏宇", "星驾", "名扬", "中恒", "明坤", "赛斯", "康源", "豫丰", "嵩岳", "博润", "金瑞"],
                      ["智能装备产业园", "数字包装产业园", "新材料生产基地", "医疗器械产业园", "氢能源项目",
                       "智能化改造项目", "科技创新园", "绿色低碳技改项目", "电子信息产业园"]),
    Sector.INFRASTRUCTURE: (["航海路", "大学路", "嵩山路", "京广路", "长江路", "陇海路", "兴华街", "南三环", "芦庄路",
                             "侯寨路", "马寨大道", "樱桃沟路"],
                            ["道路工程", "综合管廊工程", "雨污分流改造工程", "供热管网改造工程", "桥梁工程", "提升改造工程"]),
    Sector.URBAN_RENEWAL: (["德化街", "铭功路", "五里堡", "蜜蜂张", "福华街", "建中街", "大学路", "解放路"],
                           ["老旧小区改造", "城中村改造项目", "片区城市更新项目", "历史文化街区更新", "步行街提升改造"]),
    Sector.CULTURE_SPORTS_EDUCATION: (["陇西", "南华府", "华侨城", "长江路", "侯寨", "马寨", "樱桃沟", "嵩山"],
                                      ["小学", "中学", "全民健身中心", "体育公园", "文化馆", "幼儿园", "社区体育设施"]),
    Sector.COMMERCE: (["万象城", "大卫城", "锦尚", "金博大", "万达", "瑞光", "德化", "二七广场"],
                      ["商业综合体", "二期", "特色商业街区", "品牌体验中心", "夜经济街区", "总部大楼"]),
    Sector.HOUSING: (["马寨", "侯寨", "齐礼阎", "贾鲁河", "冯庄", "刘胡垌", "樱桃沟", "南岗"],
                     ["安置房项目", "保障性租赁住房", "人才公寓", "安置区二期", "保交楼项目"]),
    Sector.OTHER: (["二七", "郑州", "中原", "嵩岳"], ["智慧城市项目", "应急指挥中心", "数据中心", "物流园", "农业科技创新中心"]),
}
OWNER_SUFFIXES = ["有限公司", "置业有限公司", "建设投资有限公司", "科技有限公司", "实业有限公司"]
REPORT_NOTES = ["按计划推进", "主体施工中", "正在办理前期手续", "设备进场安装", "完成本月投资计划", "加快推进中"]
REPORT_PROBLEMS = ["", "", "", "土地手续尚未办结", "资金到位不及时", "需协调管线迁改", "施工许可待办理"]
OTHER_MILESTONES = {
    C.PREPARATION: ["完成项目备案", "完成土地摘牌", "完成规划方案审查", "完成环评批复", "完成施工图审查"],
    C.START: ["完成施工许可", "完成土地手续", "完成年度投资计划的一半", "完成施工图审查"],
    C.CONSTRUCTION: ["主体结构封顶", "完成年度投资计划", "完成竣工验收", "设备安装调试"],
}
# Money in 万元: projects of 1000万元 and up, most between 1 and 10 亿.
MIN_TOTAL, MAX_TOTAL = 1_000, 800_000


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _clip(day: date, first: date, last: date) -> date:
    return max(first, min(day, last))


def _deadline(rng: random.Random, year: int, quarters: tuple[int, int]) -> str:
    """A deadline as people state it: a quarter, a month or a day within `quarters` of `year`."""
    quarter = rng.randint(*quarters)
    style = rng.random()
    if style < 0.45:
        return f"{year}-Q{quarter}"
    month = 3 * quarter - rng.randint(0, 2)
    if style < 0.8:
        return f"{year}-{month:02d}"
    return date(year, month, rng.randint(1, 28)).isoformat()


class PortfolioGenerator:
    """Builds the rows of one run; one random.Random(seed) drives every choice, in order."""

    def __init__(self, *, seed: int, year: int, stdout=None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.year = year
        self.today = today()
        self.first_day = date(year, 1, 1)
        self.last_day = min(self.today, date(year, 12, 31))  # nothing is dated after today
        self.prefix = f"{CODE_PREFIX}{seed}-{year}-"
        self.counts = dict.fromkeys(["projects", "batches", "milestones", "status_updates", "visits", "approvals"], 0)

    # --- reference data ---------------------------------------------------------------------

    def prepare_references(self) -> None:
        """Reuse departments by code and officials by name and title; create what is missing."""
        self.departments = {}
        for code, name in DEPARTMENTS.items():
            self.departments[code], _ = Department.objects.get_or_create(code=code, defaults={"name": name})
        self.officials = []
        for name, title, dept in OFFICIALS:
            official, _ = Official.objects.get_or_create(
                name=name, title=title, defaults={"department": self.departments[dept]},
            )
            self.officials.append(official)
        self.user, _ = get_user_model().objects.get_or_create(
            username=GENERATOR_USERNAME, defaults={"is_active": False, "first_name": "generate_portfolio"},
        )

    # --- one project and its records --------------------------------------------------------

    def _project(self, n: int) -> tuple[Project, dict]:
        rng = self.rng
        category = _weighted(rng, CATEGORY_WEIGHTS)
        sector = _weighted(rng, SECTOR_WEIGHTS)
        zone = _weighted(rng, ZONE_WEIGHTS)
        status = _weighted(rng, STATUS_WEIGHTS[category])
        prefixes, cores = NAME_PARTS[sector]
        brand = rng.choice(prefixes)
        total = min(MAX_TOTAL, max(MIN_TOTAL, rng.lognormvariate(math.log(30_000), 1.0)))
        plan_share = {C.PREPARATION: (0.0, 0.15), C.START: (0.15, 0.4), C.CONSTRUCTION: (0.2, 0.5)}[category]
        plan = total * rng.uniform(*plan_share)
        plan_done = {
            S.PLANNED: (0, 0.1), S.SIGNED: (0, 0.3), S.UNDER_CONSTRUCTION: (0.2, 1.1), S.COMPLETED: (0.8, 1.2),
            S.OPERATING: (0.9, 1.2), S.SUSPENDED: (0.05, 0.5), S.CANCELLED: (0, 0),
        }[status]
        progress = {
            S.PLANNED: (0, 0), S.SIGNED: (0, 5), S.UNDER_CONSTRUCTION: (10, 90), S.COMPLETED: (100, 100),
            S.OPERATING: (100, 100), S.SUSPENDED: (5, 60), S.CANCELLED: (0, 0),
        }[status]
        project = Project(
            code=f"{self.prefix}{n:06d}",
            name=f"{brand}{rng.choice(cores)}",
            year=self.year,
            category=category,
            level=_weighted(rng, LEVEL_WEIGHTS),
            sector=sector,
            zone=zone,
            status=status,
            total_investment=_money(round(total, -1)),
            annual_plan_investment=_money(plan),
            completed_investment=_money(plan * rng.uniform(*plan_done)),
            progress_percent=rng.randint(*progress),
            floor_area=_money(rng.uniform(20_000, 300_000)) if sector == Sector.HOUSING else None,
            owner=f"郑州{brand}{rng.choice(OWNER_SUFFIXES)}",
            department=self.departments[rng.choice(SECTOR_DEPARTMENTS[sector])],
            lead_official=rng.choice(self.officials),
            description=f"{zone}{Sector(sector).label}项目。合成数据（generate_portfolio --seed {self.seed}）。",
        )
        return project, self._history(project)

    def _history(self, project: Project) -> dict:
        """The year's status moves [(day, status)], the status it began in, and the day each
        milestone kind was reached."""
        rng, status = self.rng, project.status
        if project.category == C.CONSTRUCTION:
            initial = S.UNDER_CONSTRUCTION
        elif project.category == C.START and status != S.PLANNED and rng.random() < 0.6:
            initial = S.SIGNED
        else:
            initial = S.PLANNED
        rank = STATUS_PATH.index
        tail = []
        if status in (S.SUSPENDED, S.CANCELLED):
            choices = SUSPENDED_FROM[project.category] if status == S.SUSPENDED else [S.PLANNED, S.SIGNED]
            stop = rng.choice([s for s in choices if rank(s) >= rank(initial)])
            if status == S.SUSPENDED:
                project.suspended_from = stop
            tail = [status]
        else:
            stop = status
        path = STATUS_PATH[rank(initial) + 1:rank(stop) + 1]
        # Now and then one report skips a status (planned → under_construction).
        moves = [s for i, s in enumerate(path) if i == len(path) - 1 or rng.random() > 0.15] + tail
        days = sorted(_day_between(rng, self.first_day, self.last_day) for _ in moves)
        reached = {}
        if initial != S.PLANNED:
            before = _day_between(rng, date(self.year - 1, 3, 1), date(self.year - 1, 12, 20))
            for passed in statuses_passed(S.PLANNED, initial):
                reached[MILESTONE_KIND_REACHED_BY_STATUS[passed]] = before
        current = initial
        for day, target in zip(days, moves):
            for passed in statuses_passed(current, target):
                reached[MILESTONE_KIND_REACHED_BY_STATUS[passed]] = day
            current = target
        return {"initial": initial, "moves": list(zip(days, moves)), "reached": reached}

    def _milestone_plan(self, project: Project, history: dict) -> list[tuple[str, str, str]]:
        """Three to five (kind, title, due_period) of the project, by category."""
        rng, year = self.rng, self.year
        plan = []
        if project.category == C.PREPARATION:
            plan.append((K.SIGNING, "完成项目签约", _deadline(rng, year, (1, 3))))
            start_due = rng.choice(["", _deadline(rng, year, (4, 4)), _deadline(rng, year + 1, (1, 2))])
            plan.append((K.START, "尽早开工" if not start_due else "力争开工", start_due))
        elif project.category == C.START:
            if history["initial"] == S.PLANNED:
                plan.append((K.SIGNING, "完成项目签约", _deadline(rng, year, (1, 2))))
            title, due = rng.choice([
                ("二季度实质性开工", f"{year}-Q2"), ("6月份开工建设", f"{year}-06"),
                ("上半年开工", f"{year}-06-30"), ("三季度开工", f"{year}-Q3"), ("一季度开工", f"{year}-Q1"),
            ])
            plan.append((K.START, title, due))
            if rng.random() < 0.5:
                plan.append((K.COMPLETION, "主体完工", rng.choice(["", _deadline(rng, year + 1, (2, 4))])))
        else:
            if rng.random() < 0.4:
                plan.append((K.START, "开工建设", _deadline(rng, year - 1, (1, 4))))
            title, due = rng.choice([
                ("二季度基本建成", f"{year}-Q2"), ("年底建成", f"{year}-12"), ("基本建成", _deadline(rng, year, (2, 4))),
                ("建成投用", _deadline(rng, year + 1, (1, 4))),
            ])
            plan.append((K.COMPLETION, title, due))
            if rng.random() < 0.6:
                plan.append((K.COMMISSIONING, "早日投产达效", ""))
        others = rng.sample(OTHER_MILESTONES[project.category], k=len(OTHER_MILESTONES[project.category]))
        wanted = rng.randint(3, 5)
        while len(plan) < wanted and others:
            plan.append((K.OTHER, others.pop(), rng.choice(["", _deadline(rng, year, (1, 4)),
                                                              _deadline(rng, year, (2, 4))])))
        return plan

    def _milestones(self, project: Project, history: dict) -> list[Milestone]:
        rng, rows = self.rng, []
        for kind, title, due_period in self._milestone_plan(project, history):
            due_date = parse_period(due_period).end if due_period else None
            if kind != K.OTHER:
                # Reaching the status completes the milestone of its kind on the report's day.
                completed = history["reached"].get(kind)
            elif due_date and due_date <= self.last_day:
                late = due_date + timedelta(days=rng.randint(-45, 40))
                completed = _clip(late, self.first_day, self.last_day) if rng.random() < 0.65 else None
            else:
                completed = _day_between(rng, self.first_day, self.last_day) if rng.random() < 0.2 else None
            rows.append(Milestone(project=project, kind=kind, title=title, due_period=due_period,
                                  due_date=due_date, completed_on=completed))
        return rows

    def _status_updates(self, project: Project, history: dict) -> list[StatusUpdate]:
        rng = self.rng
        events = [(day, target) for day, target in history["moves"]]
        events += [(_day_between(rng, self.first_day, self.last_day), None) for _ in range(rng.randint(0, 2))]
        events.sort(key=lambda event: event[0])
        if not events:
            return []
        # Cumulative figures rise to the project's current ones; the last report sets them.
        shares = sorted(rng.random() for _ in events[:-1]) + [1.0]
        rows, current = [], history["initial"]
        for (day, target), share in zip(events, shares):
            rows.append(StatusUpdate(
                project=project, status_from=current, status_to=target or current,
                completed_investment=_money(float(project.completed_investment) * share),
                progress_percent=int(project.progress_percent * share) if share < 1 else project.progress_percent,
                note=rng.choice(REPORT_NOTES), problems=rng.choice(REPORT_PROBLEMS), reported_on=day,
                reported_by=self.user,
            ))
            current = target or current
        return rows

    def _visits(self, project: Project) -> list[Visit]:
        rng = self.rng
        active = project.status not in (S.OPERATING, S.CANCELLED)
        days = [_day_between(rng, self.first_day, self.last_day) for _ in range(rng.randint(1, 5) if active else
                                                                                rng.randint(0, 2))]
        if active and self.last_day < self.today and rng.random() < 0.55:
            # Officials keep visiting after the list's year: a recent contact.
            days.append(_day_between(rng, self.today - timedelta(days=45), self.today))
        kinds = {VisitKind.SURVEY: 5, VisitKind.INSPECTION: 3, VisitKind.CALL: 2}
        return [Visit(project=project, official=project.lead_official, visited_on=day, kind=_weighted(rng, kinds))
                for day in days]

    def _approvals(self, project: Project) -> list[ApprovalItem]:
        rng, rows = self.rng, []
        modes = {ApprovalMode.NORMAL: 5, ApprovalMode.PARALLEL: 3, ApprovalMode.TOLERANCE: 2}
        for name, dept in rng.sample(APPROVALS, k=rng.choices([0, 1, 2, 3], weights=[35, 35, 20, 10])[0]):
            due = _day_between(rng, date(self.year, 2, 1), date(self.year, 12, 31))
            done = rng.random() < (0.9 if due <= self.last_day else 0.3)
            completed = None
            if done:
                completed = _clip(due + timedelta(days=rng.randint(-30, 20)), self.first_day, self.last_day)
            rows.append(ApprovalItem(project=project, name=name, department=self.departments[dept],
                                     mode=_weighted(rng, modes), due_date=due, completed_on=completed))
        return rows

    def _batches(self, project: Project) -> list[ProjectBatch]:
        if self.rng.random() >= 0.12:
            return []
        period = max(1, 2 * (self.year - 2020) + 1) + self.rng.randint(-1, 1)  # 2023: around the 7th
        return [ProjectBatch(project=project, period=period, kind=BATCH_KIND_OF_CATEGORY[project.category])]

    # --- writing ----------------------------------------------------------------------------

    def write_chunk(self, first: int, last: int) -> None:
        built = [self._project(n) for n in range(first, last + 1)]
        projects = [project for project, _ in built]
        Project.objects.bulk_create(projects, batch_size=500)  # ids come back (RETURNING)
        bulk_history_create(Project, projects)
        children = {ProjectBatch: [], Milestone: [], StatusUpdate: [], Visit: [], ApprovalItem: []}
        for project, history in built:
            children[ProjectBatch] += self._batches(project)
            children[Milestone] += self._milestones(project, history)
            children[StatusUpdate] += self._status_updates(project, history)
            children[Visit] += self._visits(project)
            children[ApprovalItem] += self._approvals(project)
        for model, rows in children.items():
            model.objects.bulk_create(rows, batch_size=1000)
            bulk_history_create(model, rows)
        self.counts["projects"] += len(projects)
        for key, model in (("batches", ProjectBatch), ("milestones", Milestone), ("status_updates", StatusUpdate),
                           ("visits", Visit), ("approvals", ApprovalItem)):
            self.counts[key] += len(children[model])

    def run(self, projects: int) -> dict:
        if Project.objects.filter(code__startswith=self.prefix).exists():
            raise CommandError(f"projects {self.prefix}… already exist: use another --seed")
        with transaction.atomic():
            self.prepare_references()
        for first in range(1, projects + 1, CHUNK):
            with transaction.atomic():
                self.write_chunk(first, min(projects, first + CHUNK - 1))
        with transaction.atomic():
            project_caches_refresh(projects=Project.objects.filter(code__startswith=self.prefix), events=False)
        self.analyze()
        return self.counts

    def analyze(self) -> None:
        """Refresh PostgreSQL's planner statistics and visibility map, which autovacuum would update only
        later after a bulk load (without the map, counting the projects reads the whole table, not an index)."""
        if connection.vendor != "postgresql":
            return
        models = (Project, ProjectBatch, Milestone, StatusUpdate, Visit, ApprovalItem)
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's): statistics only there.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{command} {', '.join(tables)}")


def generate_portfolio(*, projects: int, seed: int = 1, year: int = 2023) -> dict:
    """Generate `projects` synthetic projects with their records; returns the row counts."""
    if year > today().year:
        raise CommandError(f"--year {year} is after today's year: its events would be dated in the future")
    return PortfolioGenerator(seed=seed, year=year).run(projects)


class Command(BaseCommand):
    help = "Fill the database with a synthetic portfolio of N projects (bulk inserts; bypasses the services)."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help="how many projects to generate")
        parser.add_argument("--seed", type=int, default=1, help="random seed; codes are GEN{seed}-{year}-n")
        parser.add_argument("--year", type=int, default=2023, help="the annual list the projects belong to")

    def handle(self, *args, projects, seed, year, **options):
        if projects < 1:
            raise CommandError("--projects must be at least 1")
        started = time.perf_counter()
        counts = generate_portfolio(projects=projects, seed=seed, year=year)
        summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(f"generated {summary} (seed {seed}, year {year}) in {time.perf_counter() - started:.1f} s")

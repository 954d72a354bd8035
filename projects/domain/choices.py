"""Codes of the contract (English snake_case) with their Chinese labels, and the workflows (project status, lead stage, problem state)."""

from django.db import models


class ProjectCategory(models.TextChoices):
    START = "start", "开工类"
    CONSTRUCTION = "construction", "在建类"
    PREPARATION = "preparation", "前期类"


class ProjectLevel(models.TextChoices):
    PROVINCIAL = "provincial", "省重点"
    MUNICIPAL = "municipal", "市重点"
    DISTRICT = "district", "区重点"


class Sector(models.TextChoices):
    INDUSTRY = "industry", "产业"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    URBAN_RENEWAL = "urban_renewal", "城市更新"
    CULTURE_SPORTS_EDUCATION = "culture_sports_education", "文化体育教育"
    COMMERCE = "commerce", "商贸服务"
    HOUSING = "housing", "安居保障"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "谋划中"
    SIGNED = "signed", "已签约"
    UNDER_CONSTRUCTION = "under_construction", "在建"
    COMPLETED = "completed", "已建成"
    OPERATING = "operating", "已投产达效"
    SUSPENDED = "suspended", "停缓建"
    CANCELLED = "cancelled", "已取消"


class BatchKind(models.TextChoices):
    SIGNING = "signing", "签约一批"
    STARTING = "starting", "开工一批"
    COMMISSIONING = "commissioning", "投产一批"


class MilestoneKind(models.TextChoices):
    SIGNING = "signing", "签约"
    START = "start", "开工"
    COMPLETION = "completion", "建成"
    COMMISSIONING = "commissioning", "投产"
    OTHER = "other", "其他"


class MilestoneState(models.TextChoices):
    PENDING = "pending", "未到期"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "按期完成"
    DONE_LATE = "done_late", "逾期完成"


class VisitKind(models.TextChoices):
    SURVEY = "survey", "调研"
    INSPECTION = "inspection", "现场督导"
    CALL = "call", "电话联系"


class PhotoCheck(models.TextChoices):
    """What a photo's EXIF says about where and when it was taken (docs/photos.md)."""

    OK = "ok", "正常"
    NO_EXIF = "no_exif", "无拍摄信息"
    DATE_MISMATCH = "date_mismatch", "拍摄日期不符"
    OUTSIDE_AREA = "outside_area", "不在辖区内"


class ApprovalMode(models.TextChoices):
    NORMAL = "normal", "常规办理"
    PARALLEL = "parallel", "并联审批"
    TOLERANCE = "tolerance", "容缺办理"


class WarningLevel(models.TextChoices):
    RED = "red", "红灯"
    YELLOW = "yellow", "黄灯"
    GREEN = "green", "绿灯"


# The colour of each light, on every page that shows one.
LIGHT_COLOURS = {WarningLevel.RED: "#d93025", WarningLevel.YELLOW: "#f2a600", WarningLevel.GREEN: "#1e8e3e"}


class WarningRule(models.TextChoices):
    MILESTONE_OVERDUE = "milestone_overdue", "节点逾期"
    INVESTMENT_LAG = "investment_lag", "投资进度滞后"
    VISIT_OVERDUE = "visit_overdue", "超过一个月未调研"
    PROBLEM_OVERDUE = "problem_overdue", "问题超期未办结"


class TargetMetric(models.TextChoices):
    COMPLETED_INVESTMENT = "completed_investment", "完成投资"
    COMPLETION_RATE = "completion_rate", "投资完成率"
    START_RATE = "start_rate", "开工率"
    PROJECT_COUNT = "project_count", "项目个数"
    FLOOR_AREA_STARTED = "floor_area_started", "新开工面积"
    FLOOR_AREA_UNDER_CONSTRUCTION = "floor_area_under_construction", "在建面积"
    FLOOR_AREA_COMPLETED = "floor_area_completed", "新建成面积"
    COMPLETED_INVESTMENT_GROWTH = "completed_investment_growth", "完成投资增速"
    LEADS_SIGNED_AMOUNT = "leads_signed_amount", "招商引资签约总额"
    LEADS_SIGNED = "leads_signed", "招商引资签约项目数"
    LEADS_LANDED = "leads_landed", "招商引资落地项目数"


# The unit each metric is measured in; a target's value is in the same unit.
TARGET_METRIC_UNITS = {
    TargetMetric.COMPLETED_INVESTMENT: "万元",
    TargetMetric.COMPLETION_RATE: "%",
    TargetMetric.START_RATE: "%",
    TargetMetric.PROJECT_COUNT: "个",
    TargetMetric.FLOOR_AREA_STARTED: "㎡",
    TargetMetric.FLOOR_AREA_UNDER_CONSTRUCTION: "㎡",
    TargetMetric.FLOOR_AREA_COMPLETED: "㎡",
    TargetMetric.COMPLETED_INVESTMENT_GROWTH: "%",
    TargetMetric.LEADS_SIGNED_AMOUNT: "万元",
    TargetMetric.LEADS_SIGNED: "个",
    TargetMetric.LEADS_LANDED: "个",
}
# Metrics counted over the 招商引资 leads (reports.lead_stats), not over a scope of projects.
LEAD_METRICS = {TargetMetric.LEADS_SIGNED_AMOUNT, TargetMetric.LEADS_SIGNED, TargetMetric.LEADS_LANDED}


class TargetState(models.TextChoices):
    ACHIEVED = "achieved", "已完成"
    ON_TRACK = "on_track", "符合序时进度"
    BEHIND = "behind", "滞后于序时进度"
    MISSED = "missed", "逾期未完成"


class Role(models.TextChoices):
    ADMIN = "admin", "重点项目办"
    DEPARTMENT = "department", "责任单位填报员"
    OFFICIAL = "official", "分包领导"
    READER = "reader", "只读系统"


# The forward path of a project; a move may skip steps but never go back.
STATUS_PATH = [
    ProjectStatus.PLANNED,
    ProjectStatus.SIGNED,
    ProjectStatus.UNDER_CONSTRUCTION,
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
]
FINAL_STATUSES = {ProjectStatus.OPERATING, ProjectStatus.CANCELLED}
# Active projects owe their milestones and visits; suspended ones included.
ACTIVE_STATUSES = [status for status in ProjectStatus.values if status not in FINAL_STATUSES]
CANCELLABLE_FROM = {ProjectStatus.PLANNED, ProjectStatus.SIGNED, ProjectStatus.SUSPENDED}
STARTED_STATUSES = {
    ProjectStatus.UNDER_CONSTRUCTION,
    ProjectStatus.COMPLETED,
    ProjectStatus.OPERATING,
}
# Built: a report in these statuses stands for 形象进度 100%.
FINISHED_STATUSES = {ProjectStatus.COMPLETED, ProjectStatus.OPERATING}

# Reaching a status completes the open milestones of this kind.
MILESTONE_KIND_REACHED_BY_STATUS = {
    ProjectStatus.SIGNED: MilestoneKind.SIGNING,
    ProjectStatus.UNDER_CONSTRUCTION: MilestoneKind.START,
    ProjectStatus.COMPLETED: MilestoneKind.COMPLETION,
    ProjectStatus.OPERATING: MilestoneKind.COMMISSIONING,
}

# A "三个一批" round is achieved when the project's milestone of this kind is done.
MILESTONE_KIND_OF_BATCH = {
    BatchKind.SIGNING: MilestoneKind.SIGNING,
    BatchKind.STARTING: MilestoneKind.START,
    BatchKind.COMMISSIONING: MilestoneKind.COMMISSIONING,
}


def status_move_allowed(current: str, target: str, resume_to: str = "") -> bool:
    """Whether a project in `current` may move to `target` (`resume_to`: the status a suspension left)."""
    if target == current:
        return True
    if current in FINAL_STATUSES:
        return False
    if current == ProjectStatus.SUSPENDED:
        return target == ProjectStatus.CANCELLED or (bool(resume_to) and target == resume_to)
    if target == ProjectStatus.SUSPENDED:
        return True
    if target == ProjectStatus.CANCELLED:
        return current in CANCELLABLE_FROM
    return STATUS_PATH.index(target) > STATUS_PATH.index(current)


def statuses_passed(current: str, target: str) -> list[str]:
    """The statuses of the forward path reached by a move, `target` included."""
    if current not in STATUS_PATH or target not in STATUS_PATH:
        return []
    return STATUS_PATH[STATUS_PATH.index(current) + 1 : STATUS_PATH.index(target) + 1]


# --- investment-promotion leads (招商引资) -------------------------------------------------------


class LeadStage(models.TextChoices):
    LEAD = "lead", "线索"
    CONTACTED = "contacted", "已对接"
    NEGOTIATING = "negotiating", "在谈"
    SIGNED = "signed", "已签约"
    LANDED = "landed", "已落地"
    DROPPED = "dropped", "已终止"


# The forward path of a lead; a move may skip stages, and every stage it passes is dated by it.
LEAD_PATH = [
    LeadStage.LEAD,
    LeadStage.CONTACTED,
    LeadStage.NEGOTIATING,
    LeadStage.SIGNED,
    LeadStage.LANDED,
]
FINAL_LEAD_STAGES = {LeadStage.LANDED, LeadStage.DROPPED}
# The date field of a lead that records when it reached each stage.
LEAD_STAGE_DATE_FIELD = {
    LeadStage.LEAD: "received_on",
    LeadStage.CONTACTED: "contacted_on",
    LeadStage.NEGOTIATING: "negotiating_on",
    LeadStage.SIGNED: "signed_on",
    LeadStage.LANDED: "landed_on",
    LeadStage.DROPPED: "dropped_on",
}
# A lead may become a key project once it is signed.
LEAD_CONVERTIBLE_STAGES = {LeadStage.SIGNED, LeadStage.LANDED}


def lead_move_allowed(current: str, target: str) -> bool:
    """Whether a lead in `current` may move to `target`: forward, or dropped before it has landed."""
    if current in FINAL_LEAD_STAGES or target == current:
        return False
    if target == LeadStage.DROPPED:
        return True
    return LEAD_PATH.index(target) > LEAD_PATH.index(current)


def lead_stages_passed(current: str, target: str) -> list[str]:
    """The stages a move reaches, `target` included (a drop reaches only `dropped`)."""
    if target == LeadStage.DROPPED:
        return [LeadStage.DROPPED]
    return LEAD_PATH[LEAD_PATH.index(current) + 1 : LEAD_PATH.index(target) + 1]


class Via(models.TextChoices):
    """The channel a write came through, recorded on every history row."""

    API = "api", "API"
    ADMIN = "admin", "管理后台"
    IMPORT = "import", "后台导入"
    COMMAND = "command", "管理命令"


class EventAction(models.TextChoices):
    """What a write did to an object: the second half of an event's type (`project.changed`)."""

    CREATED = "created", "新建"
    CHANGED = "changed", "修改"
    DELETED = "deleted", "删除"


# The objects the change feed reports, in the contract's words; an event's type is `<object>.<action>`.
EVENT_OBJECT_TYPES = (
    "project", "milestone", "status_update", "visit", "approval", "lead", "lead_move", "target",
    "problem", "problem_move", "assessment", "photo",
)

EVENT_TYPES = tuple(f"{object_type}.{action}" for object_type in EVENT_OBJECT_TYPES for action in EventAction.values)


class NotificationKind(models.TextChoices):
    REPORT_DUE = "report_due", "进度填报提醒"
    VISIT_DUE = "visit_due", "调研提醒"
    MILESTONE_OVERDUE = "milestone_overdue", "节点逾期提醒"
    PROBLEM_ASSIGNED = "problem_assigned", "问题交办"
    PROBLEM_ESCALATED = "problem_escalated", "问题督办"
    WEEKLY_BULLETIN = "weekly_bulletin", "每周通报"
    WEBHOOK_DISABLED = "webhook_disabled", "推送订阅已停用"


class RobotKind(models.TextChoices):
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "邮件"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败（将重试）"
    GIVEN_UP = "given_up", "失败（已放弃）"


class WebhookDeliveryState(models.TextChoices):
    """One attempt to push one event to one subscription."""

    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败（将重试）"
    GIVEN_UP = "given_up", "失败（不再重试）"


# --- problems (问题台账) and supervision (督办) ------------------------------------------------------


class ProblemCategory(models.TextChoices):
    LAND = "land", "土地"
    PLANNING = "planning", "规划"
    FUNDING = "funding", "资金"
    APPROVAL = "approval", "审批手续"
    DEMOLITION = "demolition", "征迁"
    UTILITIES = "utilities", "水电气暖"
    CONSTRUCTION = "construction", "施工组织"
    OTHER = "other", "其他"


class ProblemSource(models.TextChoices):
    REPORT = "report", "进度填报"
    VISIT = "visit", "调研督导"
    OFFICE = "office", "重点项目办"
    MEETING = "meeting", "调度会"


class ProblemState(models.TextChoices):
    OPEN = "open", "待交办"
    ASSIGNED = "assigned", "已交办"
    ANSWERED = "answered", "已反馈"
    RESOLVED = "resolved", "已销号"
    CANCELLED = "cancelled", "已撤销"


class EscalationLevel(models.IntegerChoices):
    NORMAL = 0, "正常"
    URGED = 1, "催办"
    SUPERVISED = 2, "督办"
    REPORTED = 3, "通报"


class ProblemAction(models.TextChoices):
    """What a move does to a problem; each is an action of the policy table (projects.domain.roles)."""

    ASSIGN = "assign", "交办"
    ANSWER = "answer", "反馈"
    RETURN = "return", "退回"
    RESOLVE = "resolve", "销号"
    CANCEL = "cancel", "撤销"


# The workflow: (from, to) -> the action that move is. Any pair not listed is refused.
PROBLEM_MOVES = {
    (ProblemState.OPEN, ProblemState.ASSIGNED): ProblemAction.ASSIGN,
    (ProblemState.OPEN, ProblemState.CANCELLED): ProblemAction.CANCEL,
    (ProblemState.ASSIGNED, ProblemState.ANSWERED): ProblemAction.ANSWER,
    (ProblemState.ASSIGNED, ProblemState.CANCELLED): ProblemAction.CANCEL,
    (ProblemState.ANSWERED, ProblemState.RESOLVED): ProblemAction.RESOLVE,
    (ProblemState.ANSWERED, ProblemState.ASSIGNED): ProblemAction.RETURN,
}
FINAL_PROBLEM_STATES = {ProblemState.RESOLVED, ProblemState.CANCELLED}
# Not yet closed: counted as open in the figures.
OPEN_PROBLEM_STATES = [state for state in ProblemState.values if state not in FINAL_PROBLEM_STATES]
# The moves that name the responsible unit and the deadline (交办, 退回).
PROBLEM_ACTIONS_SETTING_DEADLINE = {ProblemAction.ASSIGN, ProblemAction.RETURN}


def problem_move_action(current: str, target: str) -> str | None:
    """The action a move of a problem from `current` to `target` is; None when the workflow refuses it."""
    return PROBLEM_MOVES.get((current, target))


def problem_move_allowed(current: str, target: str) -> bool:
    """Whether a problem in `current` may move to `target`."""
    return problem_move_action(current, target) is not None

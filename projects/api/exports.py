"""The columns of each spreadsheet download, read from the JSON representation of a row."""

from projects.api.renderers import BOOLEAN, DATE, INTEGER, MONEY, Column


def _name(key: str):
    return lambda row: (row.get(key) or {}).get("name")


def _project(key: str):
    return lambda row: row["project"][key]


def _delivery(key: str):
    return lambda row: (row["delivery"] or {}).get(key)


def _batches(row) -> str:
    return "、".join(f"第{b['period']}期{b['kind_display']}" for b in row["batches"])


PROJECT_COLUMNS = [
    Column("项目编号", lambda r: r["code"]),
    Column("项目名称", lambda r: r["name"]),
    Column("年度", lambda r: r["year"], INTEGER),
    Column("类别", lambda r: r["category_display"]),
    Column("级别", lambda r: r["level_display"]),
    Column("领域", lambda r: r["sector_display"]),
    Column("所在区域", lambda r: r["zone"]),
    Column("状态", lambda r: r["status_display"]),
    Column("“三个一批”", _batches),
    Column("总投资（万元）", lambda r: r["total_investment"], MONEY),
    Column("年度计划投资（万元）", lambda r: r["annual_plan_investment"], MONEY),
    Column("年度累计完成投资（万元）", lambda r: r["completed_investment"], MONEY),
    Column("形象进度（%）", lambda r: r["progress_percent"], INTEGER),
    Column("建设单位", lambda r: r["owner"]),
    Column("责任单位", _name("department")),
    Column("分包领导", _name("lead_official")),
    Column("最近节点期限", lambda r: r["next_due_date"], DATE),
    Column("是否逾期", lambda r: r["is_overdue"], BOOLEAN),
    Column("逾期节点数", lambda r: r["overdue_milestone_count"], INTEGER),
    Column("亮灯", lambda r: r["warning_level_display"]),
    Column("亮灯原因", lambda r: "；".join(reason["detail"] for reason in r["warning_reasons"])),
    Column("最近调研日期", lambda r: r["last_visit_on"], DATE),
    Column("调研超期", lambda r: r["visit_overdue"], BOOLEAN),
    Column("保交楼：一楼一策", _delivery("plan")),
    Column("保交楼：专班", _delivery("task_force")),
    Column("保交楼：合作银行", _delivery("bank")),
    Column("停工/窝工起始日", _delivery("stalled_since"), DATE),
]

MILESTONE_COLUMNS = [
    Column("项目编号", _project("code")),
    Column("项目名称", _project("name")),
    Column("节点", lambda r: r["title"]),
    Column("节点类型", lambda r: r["kind_display"]),
    Column("期限", lambda r: r["due_period"]),
    Column("截止日期", lambda r: r["due_date"], DATE),
    Column("完成日期", lambda r: r["completed_on"], DATE),
    Column("状态", lambda r: r["state_display"]),
    Column("逾期天数", lambda r: r["days_overdue"], INTEGER),
    Column("备注", lambda r: r["note"]),
]

STATUS_UPDATE_COLUMNS = [
    Column("项目编号", _project("code")),
    Column("项目名称", _project("name")),
    Column("填报日期", lambda r: r["reported_on"], DATE),
    Column("原状态", lambda r: r["status_from_display"]),
    Column("新状态", lambda r: r["status_to_display"]),
    Column("年度累计完成投资（万元）", lambda r: r["completed_investment"], MONEY),
    Column("形象进度（%）", lambda r: r["progress_percent"], INTEGER),
    Column("进展情况", lambda r: r["note"]),
    Column("存在问题", lambda r: r["problems"]),
    Column("下步计划", lambda r: r["next_steps"]),
    Column("填报人", lambda r: r["reported_by"]["name"]),
]

PROJECT_BRIEF_COLUMNS = [
    Column("项目编号", lambda r: r["code"]),
    Column("项目名称", lambda r: r["name"]),
    Column("状态", lambda r: r["status_display"]),
    Column("责任单位", _name("department")),
    Column("分包领导", _name("lead_official")),
]

DEPARTMENT_TABLE_COLUMNS = [
    Column("责任单位", _name("department")),
    Column("项目数", lambda r: r["projects"], INTEGER),
    Column("本周已填报", lambda r: r["updated"], INTEGER),
    Column("逾期项目", lambda r: r["overdue"], INTEGER),
    Column("红灯项目", lambda r: r["red"], INTEGER),
]

LEAD_COLUMNS = [
    Column("项目名称", lambda r: r["name"]),
    Column("企业", lambda r: r["enterprise"]),
    Column("领域", lambda r: r["sector_display"]),
    Column("计划投资（万元）", lambda r: r["amount"], MONEY),
    Column("线索来源", lambda r: r["source"]),
    Column("阶段", lambda r: r["stage_display"]),
    Column("责任单位", _name("department")),
    Column("对接领导", _name("official")),
    Column("收集日期", lambda r: r["received_on"], DATE),
    Column("对接日期", lambda r: r["contacted_on"], DATE),
    Column("在谈日期", lambda r: r["negotiating_on"], DATE),
    Column("签约日期", lambda r: r["signed_on"], DATE),
    Column("落地日期", lambda r: r["landed_on"], DATE),
    Column("终止日期", lambda r: r["dropped_on"], DATE),
    Column("转化的重点项目", lambda r: (r["project"] or {}).get("code")),
    Column("备注", lambda r: r["note"]),
]

LEAD_MOVE_COLUMNS = [
    Column("日期", lambda r: r["moved_on"], DATE),
    Column("线索", lambda r: r["lead"]["name"]),
    Column("企业", lambda r: r["lead"]["enterprise"]),
    Column("责任单位", lambda r: r["lead"]["department"]["name"]),
    Column("计划投资（万元）", lambda r: r["lead"]["amount"], MONEY),
    Column("原阶段", lambda r: r["stage_from_display"]),
    Column("新阶段", lambda r: r["stage_display"]),
    Column("说明", lambda r: r["note"]),
]

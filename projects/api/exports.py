"""The columns of each spreadsheet download, read from the JSON representation of a row.

Headers of project and milestone columns come from `projects.models.columns`, shared with the admin;
a column showing a field of another record is headed by the field's verbose_name, the rest here.
"""

from functools import partial

from projects.api.renderers import BOOLEAN, DATE, INTEGER, MONEY, NUMBER, Column
from projects.models import Lead, LeadMove, StatusUpdate, Target
from projects.models.columns import MILESTONE_HEADERS, PROJECT_HEADERS, field_header


def _name(key: str):
    return lambda row: (row.get(key) or {}).get("name")


def _project(key: str):
    return lambda row: row["project"][key]


def _delivery(key: str):
    return lambda row: (row["delivery"] or {}).get(key)


def _batches(row) -> str:
    return "、".join(f"第{b['period']}期{b['kind_display']}" for b in row["batches"])


P, M = PROJECT_HEADERS, MILESTONE_HEADERS
# The header of a field of a status update, a lead, a lead's move, a target.
S, L, LM, T = (partial(field_header, model) for model in (StatusUpdate, Lead, LeadMove, Target))

PROJECT_COLUMNS = [
    Column(P["code"], lambda r: r["code"]),
    Column(P["name"], lambda r: r["name"]),
    Column(P["year"], lambda r: r["year"], INTEGER),
    Column(P["category"], lambda r: r["category_display"]),
    Column(P["level"], lambda r: r["level_display"]),
    Column(P["sector"], lambda r: r["sector_display"]),
    Column(P["zone"], lambda r: r["zone"]),
    Column(P["status"], lambda r: r["status_display"]),
    Column(P["batches"], _batches),
    Column(P["total_investment"], lambda r: r["total_investment"], MONEY),
    Column(P["annual_plan_investment"], lambda r: r["annual_plan_investment"], MONEY),
    Column(P["completed_investment"], lambda r: r["completed_investment"], MONEY),
    Column(P["progress_percent"], lambda r: r["progress_percent"], INTEGER),
    Column(P["owner"], lambda r: r["owner"]),
    Column(P["department"], _name("department")),
    Column(P["lead_official"], _name("lead_official")),
    Column(P["next_due_date"], lambda r: r["next_due_date"], DATE),
    Column(P["is_overdue"], lambda r: r["is_overdue"], BOOLEAN),
    Column(P["overdue_milestone_count"], lambda r: r["overdue_milestone_count"], INTEGER),
    Column(P["warning_level"], lambda r: r["warning_level_display"]),
    Column(P["warning_reasons"], lambda r: "；".join(reason["detail"] for reason in r["warning_reasons"])),
    Column(P["last_visit_on"], lambda r: r["last_visit_on"], DATE),
    Column(P["visit_overdue"], lambda r: r["visit_overdue"], BOOLEAN),
    Column(P["delivery_plan"], _delivery("plan")),
    Column(P["delivery_task_force"], _delivery("task_force")),
    Column(P["delivery_bank"], _delivery("bank")),
    Column(P["delivery_stalled_since"], _delivery("stalled_since"), DATE),
]

MILESTONE_COLUMNS = [
    Column(M["project_code"], _project("code")),
    Column(M["project_name"], _project("name")),
    Column(M["title"], lambda r: r["title"]),
    Column(M["kind"], lambda r: r["kind_display"]),
    Column(M["due_period"], lambda r: r["due_period"]),
    Column(M["due_date"], lambda r: r["due_date"], DATE),
    Column(M["completed_on"], lambda r: r["completed_on"], DATE),
    Column(M["state"], lambda r: r["state_display"]),
    Column(M["days_overdue"], lambda r: r["days_overdue"], INTEGER),
    Column(M["note"], lambda r: r["note"]),
]

STATUS_UPDATE_COLUMNS = [
    Column(P["code"], _project("code")),
    Column(P["name"], _project("name")),
    Column(S("reported_on"), lambda r: r["reported_on"], DATE),
    Column(S("status_from"), lambda r: r["status_from_display"]),
    Column(S("status_to"), lambda r: r["status_to_display"]),
    Column(P["completed_investment"], lambda r: r["completed_investment"], MONEY),
    Column(P["progress_percent"], lambda r: r["progress_percent"], INTEGER),
    Column(S("note"), lambda r: r["note"]),
    Column(S("problems"), lambda r: r["problems"]),
    Column(S("next_steps"), lambda r: r["next_steps"]),
    Column(S("reported_by"), lambda r: r["reported_by"]["name"]),
]

PROJECT_BRIEF_COLUMNS = [
    Column(P["code"], lambda r: r["code"]),
    Column(P["name"], lambda r: r["name"]),
    Column(P["status"], lambda r: r["status_display"]),
    Column(P["department"], _name("department")),
    Column(P["lead_official"], _name("lead_official")),
]

DEPARTMENT_TABLE_COLUMNS = [
    Column(P["department"], _name("department")),
    Column("项目数", lambda r: r["projects"], INTEGER),
    Column("本周已填报", lambda r: r["updated"], INTEGER),
    Column("逾期项目", lambda r: r["overdue"], INTEGER),
    Column("红灯项目", lambda r: r["red"], INTEGER),
    Column("按时填报率（%）", lambda r: r["reported_on_time"], NUMBER),
    Column("考核得分", lambda r: r["score"], NUMBER),
    Column("排名", lambda r: r["rank"], INTEGER),
]

# 红黑榜: rows of the bulletin's top_three (红榜) then bottom_three (黑榜), each with its `roll`.
HONOUR_ROLL_COLUMNS = [
    Column("榜单", lambda r: r["roll"]),
    Column("名次", lambda r: r["rank"], INTEGER),
    Column("单位", _name("department")),
    Column("考核得分", lambda r: r["score"], NUMBER),
]

LEAD_COLUMNS = [
    Column(L("name"), lambda r: r["name"]),
    Column(L("enterprise"), lambda r: r["enterprise"]),
    Column(L("sector"), lambda r: r["sector_display"]),
    Column(L("amount"), lambda r: r["amount"], MONEY),
    Column(L("source"), lambda r: r["source"]),
    Column(L("stage"), lambda r: r["stage_display"]),
    Column(L("department"), _name("department")),
    Column(L("official"), _name("official")),
    Column(L("received_on"), lambda r: r["received_on"], DATE),
    Column(L("contacted_on"), lambda r: r["contacted_on"], DATE),
    Column(L("negotiating_on"), lambda r: r["negotiating_on"], DATE),
    Column(L("signed_on"), lambda r: r["signed_on"], DATE),
    Column(L("landed_on"), lambda r: r["landed_on"], DATE),
    Column(L("dropped_on"), lambda r: r["dropped_on"], DATE),
    Column(L("project"), lambda r: (r["project"] or {}).get("code")),
    Column(L("note"), lambda r: r["note"]),
]

LEAD_MOVE_COLUMNS = [
    Column(LM("moved_on"), lambda r: r["moved_on"], DATE),
    Column(LM("lead"), lambda r: r["lead"]["name"]),
    Column(L("enterprise"), lambda r: r["lead"]["enterprise"]),
    Column(L("department"), lambda r: r["lead"]["department"]["name"]),
    Column(L("amount"), lambda r: r["lead"]["amount"], MONEY),
    Column(LM("stage_from"), lambda r: r["stage_from_display"]),
    Column(LM("stage"), lambda r: r["stage_display"]),
    Column(LM("note"), lambda r: r["note"]),
]

TARGET_PROGRESS_COLUMNS = [
    Column(T("year"), lambda r: r["year"], INTEGER),
    Column("目标", lambda r: r["name"]),  # the target's name (目标名称), shorter in a sheet of targets
    Column(T("metric"), lambda r: r["metric_display"]),
    Column(T("scope"), lambda r: r["scope"] or "全部项目"),
    Column(T("value"), lambda r: r["value"], MONEY),
    Column("单位", lambda r: r["unit"]),
    Column("实际", lambda r: r["actual"], MONEY),
    Column("完成率（%）", lambda r: r["rate"], NUMBER),
    Column("时序进度（%）", lambda r: r["time_progress"], NUMBER),
    Column(T("due_date"), lambda r: r["due_date"], DATE),
    Column("状态", lambda r: r["state_display"]),
]

SUMMARY_FIGURE_COLUMNS = [
    Column("指标", lambda r: r["label"]),
    Column("数值", lambda r: r["value"], NUMBER),
]

COUNT_COLUMNS = [
    Column("分类", lambda r: r["label"]),
    Column("项目数", lambda r: r["count"], INTEGER),
]

BATCH_COLUMNS = [
    Column("期数", lambda r: r["period"], INTEGER),
    Column("批次类型", lambda r: r["kind_display"]),
    Column("项目数", lambda r: r["count"], INTEGER),
    Column("已完成", lambda r: r["achieved"], INTEGER),
]


def _last_note(row) -> str:
    return row["moves"][-1]["note"] if row["moves"] else ""


PROBLEM_COLUMNS = [
    Column(P["code"], _project("code")),
    Column(P["name"], _project("name")),
    Column("问题", lambda r: r["title"]),
    Column("类别", lambda r: r["category_display"]),
    Column("来源", lambda r: r["source_display"]),
    Column("提出日期", lambda r: r["raised_on"], DATE),
    Column("提出人", lambda r: (r["raised_by"] or {}).get("name")),
    Column("责任单位", _name("responsible_department")),
    Column("协调领导", _name("coordinating_official")),
    Column("限时办结", lambda r: r["due_date"], DATE),
    Column("状态", lambda r: r["state_display"]),
    Column("逾期天数", lambda r: r["days_overdue"], INTEGER),
    Column("督办等级", lambda r: r["escalation_level_display"]),
    Column("销号日期", lambda r: r["resolved_on"], DATE),
    Column("具体情况", lambda r: r["description"]),
    Column("最近办理情况", _last_note),
]

ESCALATED_PROBLEM_COLUMNS = [
    Column(P["code"], _project("code")),
    Column(P["name"], _project("name")),
    Column("问题", lambda r: r["title"]),
    Column("责任单位", _name("responsible_department")),
    Column("限时办结", lambda r: r["due_date"], DATE),
    Column("逾期天数", lambda r: r["days_overdue"], INTEGER),
    Column("督办等级", lambda r: r["escalation_level_display"]),
]

LIGHTS_DIFFER_COLUMNS = [
    Column(P["code"], lambda r: r["code"]),
    Column(P["name"], lambda r: r["name"]),
    Column(P["department"], _name("department")),
    Column(P["warning_level"], lambda r: r["warning_level_display"]),
    Column("人工研判", lambda r: r["assessed_level_display"]),
    Column("研判理由", lambda r: r["assessed_reason"]),
    Column("研判有效期至", lambda r: r["assessed_until"], DATE),
]

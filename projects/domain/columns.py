"""The Chinese headers of every project and milestone spreadsheet: API downloads, admin export and import.

A column has the same header in every file that carries it, so a file exported from one place
reads (and, for the import columns, imports) like one from another. Each file picks its
columns and their order where it is built (`api/exports.py`, `admin/resources.py`).
"""

PROJECT_HEADERS = {
    "code": "项目编号",
    "name": "项目名称",
    "year": "年度",
    "category": "类别",
    "level": "级别",
    "sector": "领域",
    "zone": "所在区域",
    "status": "状态",
    "batches": "三个一批",
    "total_investment": "总投资（万元）",
    "annual_plan_investment": "年度计划投资（万元）",
    "completed_investment": "年度累计完成投资（万元）",
    "progress_percent": "形象进度（%）",
    "floor_area": "建筑面积（㎡）",
    "owner": "建设单位",
    "department": "责任单位",  # its name
    "department_code": "责任单位代码",  # its code, as the import reads it
    "lead_official": "分包领导",
    "description": "项目简介",
    "delivery_plan": "保交楼：一楼一策",
    "delivery_task_force": "保交楼：专班",
    "delivery_bank": "保交楼：合作银行",
    "delivery_stalled_since": "停工/窝工起始日",
    "next_due_date": "最近节点期限",
    "is_overdue": "节点逾期",
    "overdue_milestone_count": "逾期节点数",
    "warning_level": "亮灯",
    "warning_reasons": "亮灯原因",
    "last_visit_on": "最近调研日期",
    "visit_overdue": "超期未调研",
}

MILESTONE_HEADERS = {
    "project_code": PROJECT_HEADERS["code"],
    "project_name": PROJECT_HEADERS["name"],
    "department": PROJECT_HEADERS["department"],
    "kind": "节点类型",
    "title": "节点名称",
    "due_period": "期限",
    "due_date": "截止日期",
    "completed_on": "完成日期",
    "state": "状态",
    "days_overdue": "逾期天数",
    "note": "备注",
}

"""The three schedules (SCHEDULES in the settings, Asia/Shanghai): who is reminded of what, for a given day.

Each takes the day (`as_of`) and records its notices through services.notices_record, which the
unique constraints make idempotent: running a schedule twice for the same day (two workers, a
restart, `manage.py run_schedule`) records and sends nothing the second time.
"""

from collections import defaultdict
from datetime import date, timedelta

from projects import reports, selectors
from projects.domain.choices import ACTIVE_STATUSES, EscalationLevel, NotificationKind, ProblemAction, Role
from projects.domain.schedules import week_of
from projects.models import Milestone, Problem, Project
from projects.querysets import open_on
from projects.services import GroupNotice, Notice, Recorded, notices_record, recipients
from projects.services import notices as words

# The roles whose group robots get the district-wide view of each reminder.
OVERSEERS = {
    NotificationKind.REPORT_DUE: (Role.DEPARTMENT, Role.ADMIN),
    NotificationKind.MILESTONE_OVERDUE: (Role.OFFICIAL, Role.ADMIN),
    NotificationKind.WEEKLY_BULLETIN: (Role.OFFICIAL, Role.ADMIN),
}


def reminders(as_of: date) -> Recorded:
    """Thursday: the week's unreported projects (the bulletin's 本周未填报) to their departments' clerks and robots."""
    monday, week = week_of(as_of)
    unreported = list(
        reports.projects_without_update(project_ids=Project.objects.values("pk"), monday=monday, as_of=as_of)
        .select_related("department")
    )
    by_department = defaultdict(list)
    for project in unreported:
        by_department[project.department].append(project)
    clerks = recipients(Role.DEPARTMENT, "department", [d.pk for d in by_department])
    notices, groups = [], []
    for department, projects in by_department.items():
        title, body = words.report_due_text(unit=department.name, projects=projects, monday=monday, as_of=as_of)
        link = (words.report_link(projects[0].pk) if len(projects) == 1
                else words.changelist("project", department__id__exact=department.pk))
        subject = f"department:{department.pk}"
        if clerks.get(department.pk):
            notices.append(Notice(NotificationKind.REPORT_DUE, subject, week, title, body, link,
                                  tuple(clerks[department.pk])))
        groups.append(GroupNotice(
            NotificationKind.REPORT_DUE, subject, week, title,
            words.report_due_markdown(title=title, groups=[(department.name, projects)], monday=monday, as_of=as_of),
            more="请登录系统查看", department_ids=(department.pk,),
        ))
    if by_department:
        title = f"进度填报提醒：全区本周还有 {len(unreported)} 个项目未填报"
        groups.append(GroupNotice(
            NotificationKind.REPORT_DUE, "district", week, title,
            words.report_due_markdown(title=title, groups=[(d.name, p) for d, p in by_department.items()],
                                      monday=monday, as_of=as_of),
            more="请登录系统查看", roles=OVERSEERS[NotificationKind.REPORT_DUE],
        ))
    return notices_record(notices=notices, group_notices=groups)


def bulletin(as_of: date) -> Recorded:
    """Monday: the last week's bulletin to the officials and the office (mail with the PDF, once it exists)."""
    monday = week_of(as_of)[0] - timedelta(days=7)
    data = reports.weekly_bulletin(projects=selectors.project_list(as_of=as_of), as_of=as_of, monday=monday)
    week = data["week"]
    link = words.bulletin_link(week, as_of)
    readers = [*recipients(Role.OFFICIAL)[None], *recipients(Role.ADMIN)[None]]
    notices = [Notice(NotificationKind.WEEKLY_BULLETIN, "district", week, data["title"], words.bulletin_text(data),
                      link, tuple(readers))] if readers else []
    groups = [GroupNotice(NotificationKind.WEEKLY_BULLETIN, "district", week, data["title"],
                          words.bulletin_markdown(data, link), more="请下载通报查看全文",
                          roles=OVERSEERS[NotificationKind.WEEKLY_BULLETIN])]
    return notices_record(notices=notices, group_notices=groups)


def overdue(as_of: date) -> Recorded:
    """Daily: the milestones that became overdue today to the clerks and lead officials of their projects,
    and the problems whose escalation rose today (escalated_problems)."""
    period = as_of.isoformat()
    milestones = list(
        reports.milestones_became_overdue(
            Milestone.objects.filter(project__status__in=ACTIVE_STATUSES), first=as_of, last=as_of, as_of=as_of,
        ).filter(open_on(as_of))
        .select_related("project__department", "project__lead_official")
        .order_by("project__department__code", "project__code", "due_date", "id")
    )
    by_department, by_official = defaultdict(list), defaultdict(list)
    for milestone in milestones:
        by_department[milestone.project.department].append(milestone)
        if milestone.project.lead_official_id:
            by_official[milestone.project.lead_official].append(milestone)
    clerks = recipients(Role.DEPARTMENT, "department", [d.pk for d in by_department])
    leaders = recipients(Role.OFFICIAL, "official", [o.pk for o in by_official])
    notices, groups = [], []
    for department, items in by_department.items():
        title, body = words.milestone_overdue_text(unit=department.name, milestones=items, as_of=as_of)
        link = (words.milestone_link(items[0].pk) if len(items) == 1 else words.changelist(
            "milestone", is_overdue="1", project__department__id__exact=department.pk))
        subject = f"department:{department.pk}"
        if clerks.get(department.pk):
            notices.append(Notice(NotificationKind.MILESTONE_OVERDUE, subject, period, title, body, link,
                                  tuple(clerks[department.pk])))
        groups.append(GroupNotice(
            NotificationKind.MILESTONE_OVERDUE, subject, period, title,
            words.milestone_overdue_markdown(title=title, groups=[(department.name, items)], as_of=as_of),
            more="请登录系统查看", department_ids=(department.pk,),
        ))
    for official, items in by_official.items():
        if not leaders.get(official.pk):
            continue
        title, body = words.milestone_overdue_text(unit=official.name, milestones=items, as_of=as_of)
        link = (words.milestone_link(items[0].pk) if len(items) == 1 else words.changelist(
            "milestone", is_overdue="1", project__lead_official__id__exact=official.pk))
        notices.append(Notice(NotificationKind.MILESTONE_OVERDUE, f"official:{official.pk}", period, title, body,
                              link, tuple(leaders[official.pk])))
    if milestones:
        title = f"节点逾期提醒：全区今日新增 {len(milestones)} 个逾期节点"
        groups.append(GroupNotice(
            NotificationKind.MILESTONE_OVERDUE, "district", period, title,
            words.milestone_overdue_markdown(title=title, groups=[(d.name, m) for d, m in by_department.items()],
                                             as_of=as_of),
            more="请登录系统查看", roles=OVERSEERS[NotificationKind.MILESTONE_OVERDUE],
        ))
    problem_notices, problem_groups = escalated_problems(as_of)
    return notices_record(notices=notices + problem_notices, group_notices=groups + problem_groups)


def escalated_problems(as_of: date) -> tuple[list[Notice], list[GroupNotice]]:
    """The problems whose escalation level (催办, 督办, 通报) rose on `as_of`: a Notice of kind
    `problem_escalated` (subject `problem:<id>`, period the day) to the responsible department's
    clerks and the coordinating official, and a message to the department's robots.

    The levels are the ledger's own for the day and the day before (reports.with_levels_between, as
    the bulletin finds a week's), so a run repeated the same day finds the same problems, and the
    notifications' constraint keeps them once.
    """
    risen = list(
        reports.with_levels_between(Problem.objects.all(), as_of - timedelta(days=1), as_of).filter(reports.LEVEL_ROSE)
        .select_related("project").order_by("pk")
    )
    clerks = recipients(Role.DEPARTMENT, "department", [p.responsible_department_id for p in risen])
    leaders = recipients(Role.OFFICIAL, "official", [p.coordinating_official_id for p in risen])
    period, notices, groups = as_of.isoformat(), [], []
    for problem in risen:
        title, body = words.problem_text(
            kind_label=EscalationLevel(problem.level_at_end).label, title=problem.title, project=problem.project,
            due_date=problem.due_at_end, escalation_level=problem.level_at_end,
        )
        users = (*clerks.get(problem.responsible_department_id, ()), *leaders.get(problem.coordinating_official_id, ()))
        subject = f"problem:{problem.pk}"
        if users:
            notices.append(Notice(NotificationKind.PROBLEM_ESCALATED, subject, period, title, body,
                                  words.problem_move_link(problem.pk, ProblemAction.ANSWER), tuple(users)))
        if problem.responsible_department_id:
            groups.append(GroupNotice(
                NotificationKind.PROBLEM_ESCALATED, subject, period, title, f"### {title}\n\n{body}",
                more="请登录系统查看", department_ids=(problem.responsible_department_id,),
            ))
    return notices, groups


SCHEDULES = {"reminders": reminders, "bulletin": bulletin, "overdue": overdue}


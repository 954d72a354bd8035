"""The words of every reminder: Chinese titles and bodies for people, markdown for group robots.

A reminder names the projects it is about (name and code) and links to the admin page where the
thing is done. Links are paths; mail and robots get them absolute when SITE_URL is set.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

WEEKDAY_NAMES = "一二三四五六日"


def absolute(path: str) -> str:
    """`path` on the site (SITE_URL), or the path itself where the site's address is not set."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL and path.startswith("/") else path


def day_name(day: date) -> str:
    """5月12日（星期五）."""
    return f"{day.month}月{day.day}日（星期{WEEKDAY_NAMES[day.isoweekday() - 1]}）"


def week_name(monday: date) -> str:
    """2023年第19周."""
    year, week, _ = monday.isocalendar()
    return f"{year}年第{week}周"


def due_day(monday: date) -> date:
    """The day a week's progress report is due (REPORT_DUE_WEEKDAY, default Friday)."""
    return monday + timedelta(days=settings.REPORT_DUE_WEEKDAY - 1)


def project_name(project) -> str:
    """仲景医药健康产业园（EQ2023-001）."""
    return f"{project.name}（{project.code}）"


def report_link(project_id: int) -> str:
    """The 进度填报 form, prefilled with the project."""
    return f"{reverse('admin:projects_statusupdate_add')}?project={project_id}"


def changelist(model: str, **filters) -> str:
    """An admin list, filtered."""
    path = reverse(f"admin:projects_{model}_changelist")
    return f"{path}?{urlencode(filters)}" if filters else path


def problem_move_link(problem_id: int, action: str) -> str:
    """The admin form of one move of a problem (反馈, 交办, …): where a handed-over or escalated problem is dealt with."""
    return f"{reverse('admin:projects_problemmove_add')}?{urlencode({'problem': problem_id, 'action': action})}"


def milestone_link(milestone_id: int) -> str:
    return reverse("admin:projects_milestone_change", args=[milestone_id])


def bulletin_link(week: str, as_of: date, fmt: str = "xlsx") -> str:
    """The bulletin as the meeting downloads it, with the figures of `as_of`."""
    return f"{reverse('reports-weekly')}?{urlencode({'week': week, 'as_of': as_of.isoformat(), 'format': fmt})}"


def numbered(lines: Iterable[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def markdown_items(items: Iterable[tuple[str, str]]) -> str:
    """`- [text](link)` lines (plain `- text` where links cannot be absolute)."""
    return "\n".join(f"- [{text}]({absolute(link)})" if settings.SITE_URL else f"- {text}" for text, link in items)


def report_due_text(*, unit: str, projects: list, monday: date, as_of: date) -> tuple[str, str]:
    """The title and body of a department's reminder to report."""
    title = f"进度填报提醒：{unit}本周还有 {len(projects)} 个项目未填报"
    body = (
        f"{unit}：截至{day_name(as_of)}，以下 {len(projects)} 个重点项目{week_name(monday)}尚未填报进度，"
        f"请于{day_name(due_day(monday))}前在“进度填报”中填报：\n"
        f"{numbered(project_name(p) for p in projects)}"
    )
    return title, body


def report_due_markdown(*, title: str, groups: list[tuple[str, list]], monday: date, as_of: date) -> str:
    """A robot's reminder to report: the unreported projects, under their department's name."""
    lines = [
        f"#### {title}",
        f"> 截至{day_name(as_of)}，{week_name(monday)}尚未填报进度的项目如下，请于{day_name(due_day(monday))}前填报。",
    ]
    for unit, projects in groups:
        lines += ["", f"**{unit}**（{len(projects)} 个）",
                  markdown_items((project_name(p), report_link(p.pk)) for p in projects)]
    return "\n".join(lines)


def milestone_line(milestone) -> str:
    """仲景医药健康产业园（EQ2023-001）：二季度实质性开工，6月30日到期."""
    due = milestone.due_date
    return f"{project_name(milestone.project)}：{milestone.title}，{due.month}月{due.day}日到期"


def milestone_overdue_text(*, unit: str, milestones: list, as_of: date) -> tuple[str, str]:
    """The title and body of the day's newly overdue milestones, to a department's clerks or an official."""
    title = f"节点逾期提醒：{unit}今日新增 {len(milestones)} 个逾期节点"
    body = (
        f"{unit}：截至{day_name(as_of)}，以下 {len(milestones)} 个节点已过期限仍未完成，"
        f"请尽快推进并在系统中更新：\n{numbered(milestone_line(m) for m in milestones)}"
    )
    return title, body


def milestone_overdue_markdown(*, title: str, groups: list[tuple[str, list]], as_of: date) -> str:
    lines = [f"#### {title}", f"> 截至{day_name(as_of)}，以下节点已过期限仍未完成。"]
    for unit, milestones in groups:
        lines += ["", f"**{unit}**（{len(milestones)} 个）",
                  markdown_items((milestone_line(m), milestone_link(m.pk)) for m in milestones)]
    return "\n".join(lines)


def bulletin_text(bulletin: dict) -> str:
    """The bulletin in a few lines: the week's counts, the table per department, the projects that did not report."""
    silent = list(bulletin["projects_without_update"])
    lines = [
        bulletin["title"],
        "",
        f"本周进度填报 {len(bulletin['status_updates'])} 条，完成节点 {len(bulletin['milestones_completed'])} 个，"
        f"新增逾期节点 {len(bulletin['milestones_became_overdue'])} 个，未填报项目 {len(silent)} 个。",
        "",
        "各单位：",
    ]
    lines += [
        f"{row['department']['name']}：项目 {row['projects']} 个，已填报 {row['updated']} 个，"
        f"逾期 {row['overdue']} 个，红灯 {row['red']} 个"
        for row in bulletin["departments"]
    ]
    if silent:
        lines += ["", "本周未填报的项目：", numbered(project_name(p) for p in silent)]
    return "\n".join(lines)


def bulletin_markdown(bulletin: dict, link: str) -> str:
    body = bulletin_text(bulletin).split("\n", 2)[2]
    download = f"\n\n[下载通报]({absolute(link)})" if settings.SITE_URL else ""
    return f"#### {bulletin['title']}\n{body}{download}"


def problem_text(*, kind_label: str, title: str, project, due_date: date | None, escalation_level: int) -> tuple[str, str]:
    """The title and body of a problem handed to a unit (交办) or escalated (督办).

    Shaped for the problems ledger: its services build a Notice from this when a problem is
    assigned, and the daily schedule's escalated_problems() when one is escalated.
    """
    due = f"，限{due_date.month}月{due_date.day}日前办结" if due_date else ""
    level = f"（督办等级 {escalation_level}）" if escalation_level else ""
    return (
        f"{kind_label}：{title}",
        f"{project_name(project)}的问题“{title}”{level}需要你方办理{due}。请在系统中查看并反馈。",
    )

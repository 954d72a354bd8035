"""The figures leaders read, computed in SQL for an explicit as_of: summary, weekly bulletin, 考核, leads, targets, the dashboard's."""

from projects.reports.departments import (  # noqa: F401
    department_weeks,
    week_mondays,
)
from projects.reports.leads import (  # noqa: F401
    lead_stats,
)
from projects.reports.problems import (  # noqa: F401
    LEVEL_ROSE,
    escalated_problems,
    lights_differ,
    problem_ledger,
    problem_stats,
    week_problems,
    with_levels_between,
)
from projects.reports.summary import (  # noqa: F401
    CENTS,
    SUMMARY_COLUMNS,
    WARNING_RANK,
    batch_rounds,
    has_started,
    investment_by,
    lights_by_department,
    stats_summary,
    visits_by_official,
)
from projects.reports.weekly import (  # noqa: F401
    milestones_became_overdue,
    projects_without_update,
    week_reports,
    weekly_bulletin,
    weekly_bulletin_title,
)

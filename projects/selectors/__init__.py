"""Reads: the querysets every list and detail starts from, the project filters, the project history."""

from projects.selectors.portfolio import (  # noqa: F401
    approval_item_list,
    assessment_list,
    department_list,
    lead_list,
    lead_move_list,
    milestone_list,
    official_list,
    photo_list,
    problem_list,
    problem_move_list,
    project_list,
    status_update_list,
    target_list,
    visit_list,
)
from projects.selectors.notifications import (  # noqa: F401
    notification_list,
    notification_unread_count,
)
from projects.selectors.webhooks import (  # noqa: F401
    webhook_delivery_list,
    webhook_subscription_list,
)
from projects.selectors.events import (  # noqa: F401
    events_frontier,
    events_pruned_through,
    events_visible,
)

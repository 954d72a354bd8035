"""Every write of the service, one module per area: `<entity>_<action>(*, …, user, …)`, atomic, validated with full_clean(), row-locked where it moves state."""

from projects.services.projects import (  # noqa: F401
    project_caches_refresh,
    project_create,
    project_update,
    project_delete,
)
from projects.services.references import (  # noqa: F401
    department_create,
    department_update,
    department_delete,
    official_create,
    official_update,
    official_delete,
)
from projects.services.records import (  # noqa: F401
    CHANGED_BY_REPORT,
    status_update_fingerprint,
    status_update_create,
    milestone_create,
    milestone_update,
    milestone_delete,
    visit_create,
    visit_update,
    visit_delete,
    approval_item_create,
    approval_item_update,
    approval_item_delete,
)
from projects.services.leads import (  # noqa: F401
    lead_create,
    lead_update,
    lead_delete,
    lead_move_fingerprint,
    lead_move_create,
    lead_project_create,
)
from projects.services.targets import (  # noqa: F401
    target_create,
    target_update,
    target_delete,
)
from projects.services.accounts import (  # noqa: F401
    user_role_assign,
    user_password_set,
    token_issue,
    token_revoke_all,
)
from projects.services.notifications import (  # noqa: F401
    RATE_WINDOW,
    Notice,
    GroupNotice,
    Recorded,
    recipients,
    notices_record,
    notification_mark_read,
    notifications_mark_read,
    Claim,
    delivery_claim,
    delivery_sent,
    delivery_failed,
    deliveries_due,
    deliveries_stalled,
    robot_create,
    robot_update,
    robot_delete,
)
from projects.services.problems import (  # noqa: F401
    ORIGIN_FIELDS,
    ASSESSMENT_MAX_DAYS,
    ASSESSMENT_DEFAULT_DAYS,
    DEFAULT_SOURCE,
    problem_create,
    problems_raise,
    problem_update,
    problem_delete,
    problem_move_fingerprint,
    problem_move_create,
    assessment_create,
)
from projects.services.webhooks import (  # noqa: F401
    HookClaim,
    HookOutcome,
    webhook_secret_new,
    webhook_create,
    webhook_update,
    webhook_delete,
    webhook_redeliver,
    webhook_fan_out,
    webhook_subscriptions_active,
    webhook_subscriptions_with_work,
    webhook_claim,
    webhook_delivered,
    webhook_failed,
)
from projects.services.events import (  # noqa: F401
    events_prune,
)
from projects.services.photos import (  # noqa: F401
    DecodedPhoto,
    photo_decode,
    photo_create,
    photo_delete,
    photo_files_discard,
)

"""Every write of the service, one module per area: `<entity>_<action>(*, …, user, …)`, atomic, validated with full_clean(), row-locked where it moves state."""

from projects.services.accounts import (  # noqa: F401
    token_issue,
    token_revoke_all,
    user_password_set,
    user_role_assign,
)
from projects.services.leads import (  # noqa: F401
    MOVED_FIELDS,
    lead_create,
    lead_delete,
    lead_move_create,
    lead_move_fingerprint,
    lead_project_create,
    lead_update,
)
from projects.services.problems import (  # noqa: F401
    assessment_create,
    problem_create,
    problem_delete,
    problem_move_create,
    problem_move_fingerprint,
    problem_update,
    problems_raise,
)
from projects.services.projects import (  # noqa: F401
    project_caches_refresh,
    project_create,
    project_delete,
    project_update,
)
from projects.services.records import (  # noqa: F401
    CHANGED_BY_REPORT,
    approval_item_create,
    approval_item_delete,
    approval_item_update,
    milestone_create,
    milestone_delete,
    milestone_update,
    status_update_create,
    status_update_fingerprint,
    visit_create,
    visit_delete,
    visit_update,
)
from projects.services.references import (  # noqa: F401
    department_create,
    department_delete,
    department_update,
    official_create,
    official_delete,
    official_update,
)
from projects.services.targets import (  # noqa: F401
    target_create,
    target_delete,
    target_update,
)

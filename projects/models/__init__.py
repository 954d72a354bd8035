"""The models of the one app, one module per area; every model is importable from here (the app label stays `projects`)."""

from projects.models.accounts import (  # noqa: F401
    ApiToken,
    UserProfile,
)
from projects.models.base import (  # noqa: F401
    MONEY,
    NON_NEGATIVE,
    CodeManager,
)
from projects.models.events import (  # noqa: F401
    Event,
    EventsPruned,
)
from projects.models.leads import (  # noqa: F401
    Lead,
    LeadManager,
    LeadMove,
    LeadMoveManager,
)
from projects.models.portfolio import (  # noqa: F401
    DELIVERY_FIELDS,
    REPORTED_FIELDS,
    Department,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    ProjectBatchManager,
)
from projects.models.photos import (  # noqa: F401
    PHOTO_TYPES,
    Photo,
)
from projects.models.problems import (  # noqa: F401
    Assessment,
    Problem,
    ProblemMove,
)
from projects.models.records import (  # noqa: F401
    ApprovalItem,
    StatusUpdate,
    Visit,
)
from projects.models.targets import (  # noqa: F401
    Target,
    TargetManager,
)
from projects.models.notifications import (  # noqa: F401
    Delivery,
    Notification,
    Robot,
    RobotMessage,
)
from projects.models.webhooks import (  # noqa: F401
    WebhookDelivery,
    WebhookSubscription,
)

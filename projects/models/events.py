"""The change feed's outbox: one `Event` row per object written, in the writing transaction.

Other systems keep their copy in step by reading the events in id order (`/api/v1/events/`) and
by webhooks. An event names its object by type and id and carries the object's read
representation (as the API's detail returns it) at the time of the write; a deletion carries
`{"id"}` and still names its project. The project and the user are plain values, not foreign
keys: an event outlives both, and must read the same after a rename or a deletion.

`EventsPruned` remembers how far retention has deleted the feed, so that the feed can tell a
client that resumes from an older id to copy the data again rather than let it skip events.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from projects.domain.choices import Via
from projects.models.base import _choices_check

# A claim on PostgreSQL (projects/selectors/events.py) is a shared advisory lock on CLAIM_BASE + the
# sequence's last id: its high half (pg_locks.classid) starts at CLAIM_CLASS_BASE, far above the
# small keys other advisory locks use, so the feed reads only claims.
CLAIM_CLASS_BASE = 1 << 30
CLAIM_BASE = CLAIM_CLASS_BASE << 32


class Event(models.Model):
    """One write of one object: created, changed or deleted."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField("事件类型", max_length=40)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    object_type = models.CharField("对象类型", max_length=30)
    object_id = models.BigIntegerField("对象 ID")
    project_id = models.BigIntegerField("项目 ID", null=True, blank=True)
    user_id = models.BigIntegerField("用户 ID", null=True, blank=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    via = models.CharField("途径", max_length=10, choices=Via.choices)
    data = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "变更事件"
        verbose_name_plural = "变更事件"
        ordering = ["id"]
        constraints = [
            _choices_check("via", Via.values, "event_via_valid"),
            models.CheckConstraint(
                condition=Q(type__endswith=".created") | Q(type__endswith=".changed") | Q(type__endswith=".deleted"),
                name="event_type_has_action",
            ),
        ]
        indexes = [
            # The feed's filters walk these in id order.
            models.Index(fields=["type", "id"], name="event_type_id"),
            models.Index(fields=["project_id", "id"], name="event_project_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.type} {self.object_id}"

    @property
    def user(self) -> dict | None:
        """`{id, username}` of who wrote it, as they were named then; None for writes with no user."""
        if self.user_id is None and not self.username:
            return None
        return {"id": self.user_id, "username": self.username}


class EventsPruned(models.Model):
    """How far retention has deleted the feed: one row, the highest event id pruned and when."""

    through_id = models.BigIntegerField("已清理至事件 ID", default=0)
    at = models.DateTimeField("清理时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件清理记录"
        verbose_name_plural = "事件清理记录"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="events_pruned_single_row")]

    def __str__(self) -> str:
        return f"≤ #{self.through_id}"

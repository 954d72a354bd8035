"""Notifications: the schedules at their times (a controlled clock), made once per user, kind, subject
and period, listed and marked read through the API and in the admin.

The clock is moved with time-machine; huey's own scheduler test (`read_periodic`) decides which
periodic tasks are due at that minute, and they run as the worker would run them.
"""

import threading
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.utils import utcnow

from projects.domain.choices import DeliveryState, NotificationKind, ProjectStatus, Role
from projects.models import Delivery, Notification
from projects.reports.pdf import PdfUnavailable
from projects.tasks import deliveries, schedules
from projects.tasks.jobs import schedule_run
from tests.factories import (
    MilestoneFactory,
    ProblemFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
    UserProfileFactory,
    move_problem,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime(2023, 5, 11, 9, 0, 5, tzinfo=SHANGHAI)  # week 2023-W19 (8–14 May)
MONDAY = datetime(2023, 5, 15, 8, 30, 5, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_HOST = "smtp.test"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://xmb.erqi.example.cn"


def person(username, role, email="", **scope):
    profile = UserProfileFactory(user=UserFactory(username=username, email=email), role=role, **scope)
    return profile.user


@pytest.fixture
def week(dept_a, dept_b, official_a, official_b):
    """Week 19: in department A one project reported on Tuesday, one last week only, one operating, one on
    Friday (after Thursday's reminder); in department B one never. A clerk for each, an official, the office."""
    reported = ProjectFactory(department=dept_a, lead_official=official_a, code="EQ2023-101", name="已填报项目")
    StatusUpdateFactory(project=reported, reported_on=date(2023, 5, 9))
    silent_a = ProjectFactory(department=dept_a, lead_official=official_a, code="EQ2023-001", name="仲景医药健康产业园")
    StatusUpdateFactory(project=silent_a, reported_on=date(2023, 5, 5))
    ProjectFactory(department=dept_a, lead_official=official_a, code="EQ2023-102", name="已投产项目",
                   status=ProjectStatus.OPERATING)
    friday = ProjectFactory(department=dept_a, lead_official=official_a, code="EQ2023-103", name="周五填报项目")
    StatusUpdateFactory(project=friday, reported_on=date(2023, 5, 12))
    silent_b = ProjectFactory(department=dept_b, lead_official=official_b, code="EQ2023-002", name="陇西南华府小学")
    return {
        "silent_a": silent_a, "friday": friday, "silent_b": silent_b,
        "clerk_a": person("clerk_a", Role.DEPARTMENT, "clerk_a@erqi.example.cn", department=dept_a),
        "clerk_b": person("clerk_b", Role.DEPARTMENT, department=dept_b),  # no address: no mail
        "leader": person("leader", Role.OFFICIAL, "leader@erqi.example.cn", official=official_a),
        "office": person("office", Role.ADMIN, "office@erqi.example.cn"),
    }


def run_due_tasks(moment: datetime) -> list[str]:
    """Travel to `moment` and run every periodic task huey finds due then, as a worker would."""
    with time_machine.travel(moment, tick=False):
        due = HUEY.read_periodic(utcnow())
        for task in due:
            HUEY.execute(task)
    return sorted(task.name for task in due)


@pytest.mark.django_db
def test_thursday_0900_reminds_the_clerks_of_exactly_the_unreported_projects(week, dept_a, dept_b):
    ran = run_due_tasks(THURSDAY)

    assert ran == ["overdue_at_its_time", "reminders_at_their_time", "sweep_deliveries", "sweep_webhooks"]
    reminders = Notification.objects.filter(kind=NotificationKind.REPORT_DUE).order_by("user__username")
    assert [(n.user.username, n.subject, n.period) for n in reminders] == [
        ("clerk_a", f"department:{dept_a.pk}", "2023-W19"), ("clerk_b", f"department:{dept_b.pk}", "2023-W19"),
    ]
    to_a, to_b = reminders
    # Department A: the project silent since last week and the one that reports on Friday, named with codes.
    assert "仲景医药健康产业园（EQ2023-001）" in to_a.body and "周五填报项目（EQ2023-103）" in to_a.body
    assert "已填报项目" not in to_a.body and "已投产项目" not in to_a.body
    assert to_a.title == "进度填报提醒：发展改革委本周还有 2 个项目未填报"
    assert "5月12日（星期五）前" in to_a.body
    assert to_a.link == f"/admin/projects/project/?department__id__exact={dept_a.pk}"
    assert "陇西南华府小学（EQ2023-002）" in to_b.body
    assert to_b.link == f"/admin/projects/statusupdate/add/?project={week['silent_b'].pk}"
    # Mailed to the clerk with an address only, in Chinese, with the absolute link.
    assert [m.to for m in mail.outbox] == [["clerk_a@erqi.example.cn"]]
    assert mail.outbox[0].subject == to_a.title
    assert "https://xmb.erqi.example.cn/admin/projects/project/?department__id__exact=" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_second_run_the_same_day_sends_nothing(week):
    run_due_tasks(THURSDAY)
    notifications, deliveries_made = Notification.objects.count(), Delivery.objects.count()
    run_due_tasks(THURSDAY + timedelta(hours=3))  # nothing due at 12:00
    with time_machine.travel(THURSDAY + timedelta(hours=5), tick=False):
        again = schedule_run("reminders", date(2023, 5, 11))  # an operator's rerun
    assert (again.notifications, again.messages, again.pending) == (0, 0, [])
    assert Notification.objects.count() == notifications and Delivery.objects.count() == deliveries_made
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("moment", [
    THURSDAY - timedelta(days=1),  # Wednesday 09:00
    THURSDAY + timedelta(minutes=1),  # Thursday 09:01
    THURSDAY.replace(hour=1),  # 09:00 UTC is 17:00 in Shanghai: the host's zone plays no part
])
def test_the_reminders_run_only_at_their_time_in_shanghai(week, moment):
    assert "reminders_at_their_time" not in run_due_tasks(moment)
    assert not Notification.objects.filter(kind=NotificationKind.REPORT_DUE).exists()


@pytest.mark.django_db
def test_schedule_times_are_settings(week, settings):
    settings.SCHEDULES = {**settings.SCHEDULES, "reminders": "wed 17:30"}
    assert "reminders_at_their_time" in run_due_tasks(datetime(2023, 5, 10, 17, 30, tzinfo=SHANGHAI))
    assert Notification.objects.filter(kind=NotificationKind.REPORT_DUE, period="2023-W19").count() == 2


@pytest.mark.django_db
def test_monday_0830_sends_the_last_weeks_bulletin_to_officials_and_the_office(week):
    assert "bulletin_at_its_time" in run_due_tasks(MONDAY)
    bulletins = Notification.objects.filter(kind=NotificationKind.WEEKLY_BULLETIN).order_by("user__username")
    assert [(n.user.username, n.period) for n in bulletins] == [("leader", "2023-W19"), ("office", "2023-W19")]
    bulletin = bulletins[0]
    assert bulletin.title == "二七区重点项目每周通报 2023年第19周（5月8日—5月14日）"
    assert "发展改革委：项目 4 个，已填报 2 个" in bulletin.body
    assert "陇西南华府小学（EQ2023-002）" in bulletin.body  # did not report that week
    assert bulletin.link == "/api/v1/reports/weekly/?week=2023-W19&as_of=2023-05-15&format=xlsx"
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@erqi.example.cn", "office@erqi.example.cn"]
    # Each mail carries the week's PDF, drawn as ?format=pdf draws it.
    assert [a[0] for m in mail.outbox for a in m.attachments] == ["二七区重点项目每周通报-2023-W19.pdf"] * 2
    content, mimetype = mail.outbox[0].attachments[0][1:]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_bulletin_mail_goes_without_its_pdf_where_the_host_cannot_draw_one(week, monkeypatch):
    asked = []

    def cannot_draw(*, monday, as_of):
        asked.append((monday, as_of))
        raise PdfUnavailable("缺少排版组件")

    monkeypatch.setattr(deliveries, "_bulletin_pdf", cannot_draw)
    run_due_tasks(MONDAY)
    assert set(asked) == {(date(2023, 5, 8), date(2023, 5, 15))}
    assert sorted(m.to[0] for m in mail.outbox) == ["leader@erqi.example.cn", "office@erqi.example.cn"]
    assert all(m.attachments == [] for m in mail.outbox)


@pytest.mark.django_db
def test_daily_0900_names_the_milestones_that_became_overdue_that_day(week, dept_a, official_a):
    project = week["silent_a"]
    MilestoneFactory(project=project, title="二季度实质性开工", due_date=date(2023, 5, 10))  # overdue from 11 May
    MilestoneFactory(project=project, title="早已逾期", due_date=date(2023, 5, 1))  # overdue since 2 May
    MilestoneFactory(project=project, title="按期完成", due_date=date(2023, 5, 10), completed_on=date(2023, 5, 10))
    assert "overdue_at_its_time" in run_due_tasks(THURSDAY)
    overdue = Notification.objects.filter(kind=NotificationKind.MILESTONE_OVERDUE).order_by("user__username")
    assert [(n.user.username, n.subject, n.period) for n in overdue] == [
        ("clerk_a", f"department:{dept_a.pk}", "2023-05-11"), ("leader", f"official:{official_a.pk}", "2023-05-11"),
    ]
    for notification in overdue:
        assert "仲景医药健康产业园（EQ2023-001）：二季度实质性开工，5月10日到期" in notification.body
        assert "早已逾期" not in notification.body and "按期完成" not in notification.body
        assert notification.link.startswith("/admin/projects/milestone/")
    run_due_tasks(THURSDAY + timedelta(days=1))  # the next day: nothing new became overdue
    assert Notification.objects.filter(kind=NotificationKind.MILESTONE_OVERDUE).count() == 2


@pytest.mark.django_db
def test_escalated_problems_have_a_hook_and_no_made_up_data():
    assert schedules.escalated_problems(date(2023, 5, 11)) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_each_notification_once(week):
    """Two threads, each on its own database connection, run the same schedule at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL (SQLite: tests/tasks/test_worker.py's two processes)")
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait(timeout=30)
            schedules.reminders(date(2023, 5, 11))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Notification.objects.filter(kind=NotificationKind.REPORT_DUE).count() == 2
    assert Delivery.objects.filter(channel="email").count() == 1


# The API


@pytest.fixture
def inbox(week):
    clerk = week["clerk_a"]
    run_due_tasks(THURSDAY)
    MilestoneFactory(project=week["silent_a"], title="节点A", due_date=date(2023, 5, 11))
    run_due_tasks(THURSDAY + timedelta(days=1))
    return clerk


def test_the_api_lists_the_callers_own_notifications_newest_first(inbox, week, api_client_for):
    client = api_client_for(inbox)
    body = client.get("/api/v1/notifications/").json()
    assert [n["kind"] for n in body["results"]] == ["milestone_overdue", "report_due"]
    first = body["results"][0]
    assert set(first) == {"id", "kind", "kind_display", "title", "body", "link", "created_at", "read_at"}
    assert first["kind_display"] == "节点逾期提醒" and first["read_at"] is None
    assert first["created_at"].endswith("+08:00")
    other = api_client_for(week["clerk_b"]).get("/api/v1/notifications/").json()
    assert [n["kind"] for n in other["results"]] == ["report_due"]
    assert {n["id"] for n in other["results"]}.isdisjoint(n["id"] for n in body["results"])


def test_reading_one_marks_it_read_once_and_the_unread_filter_follows(inbox, api_client_for):
    client = api_client_for(inbox)
    newest = client.get("/api/v1/notifications/?unread=true").json()["results"][0]
    response = client.post(f"/api/v1/notifications/{newest['id']}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    again = client.post(f"/api/v1/notifications/{newest['id']}/read/").json()
    assert again["read_at"] == response.json()["read_at"]  # the first reading's time is kept
    assert [n["id"] for n in client.get("/api/v1/notifications/?unread=false").json()["results"]] == [newest["id"]]
    assert newest["id"] not in [n["id"] for n in client.get("/api/v1/notifications/?unread=1").json()["results"]]


def test_someone_elses_notification_is_404_and_bad_filters_400(inbox, week, api_client_for):
    mine = Notification.objects.filter(user=inbox).first()
    stranger = api_client_for(week["clerk_b"])
    assert stranger.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 404
    assert stranger.get(f"/api/v1/notifications/{mine.pk}/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    response = stranger.get("/api/v1/notifications/?unread=maybe")
    assert response.status_code == 400 and "unread" in response.json()


def test_every_role_reads_its_own_notifications_and_anonymous_is_401(role_clients):
    for name, client in role_clients.items():
        expected = 401 if name == "anonymous" else 200
        assert client.get("/api/v1/notifications/").status_code == expected, name


@pytest.fixture
def api_client_for(db):
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


# The admin


def test_the_admin_header_counts_the_unread_and_the_page_lists_only_ones_own(inbox, week, client):
    client.force_login(inbox)
    page = client.get(reverse("admin:projects_notification_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="unread-count"' in html and ">2</span>" in html
    assert "进度填报提醒：发展改革委本周还有 2 个项目未填报" in html
    assert "陇西南华府小学" not in html  # department B's reminder is not this clerk's


def test_opening_a_notification_marks_it_read_and_goes_where_it_is_done(inbox, client):
    client.force_login(inbox)
    notification = Notification.objects.filter(user=inbox, kind=NotificationKind.REPORT_DUE).get()
    response = client.get(reverse("admin:projects_notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.link
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(notification.link).status_code == 200


def test_mark_read_action_and_someone_elses_notification(inbox, week, client):
    client.force_login(inbox)
    ids = list(Notification.objects.filter(user=inbox).values_list("pk", flat=True))
    client.post(reverse("admin:projects_notification_changelist"),
                {"action": "mark_read", "_selected_action": ids})
    assert not Notification.objects.filter(user=inbox, read_at__isnull=True).exists()
    html = client.get(reverse("admin:projects_notification_changelist")).content.decode()
    assert 'id="unread-count"' not in html
    theirs = Notification.objects.filter(user=week["clerk_b"]).first()
    assert client.get(reverse("admin:projects_notification_open", args=[theirs.pk])).status_code == 404


def test_the_office_manages_robots_and_reads_the_deliveries(week, client):
    client.force_login(week["office"])
    for name in ("robot_changelist", "robot_add", "delivery_changelist"):
        assert client.get(reverse(f"admin:projects_{name}")).status_code == 200, name
    clerk = week["clerk_a"]
    client.force_login(clerk)
    assert client.get(reverse("admin:projects_robot_changelist")).status_code == 403
    assert client.get(reverse("admin:projects_delivery_changelist")).status_code == 403


def test_deliveries_of_a_run_are_recorded_per_channel(week):
    run_due_tasks(THURSDAY)
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.state, delivery.attempt, delivery.notification.user.username) == (
        DeliveryState.SENT, 1, "clerk_a")
    assert delivery.sent_at is not None and delivery.last_error == ""


# The commands


@pytest.mark.django_db
def test_run_schedule_runs_one_schedule_now_and_once(week):
    out = StringIO()
    with time_machine.travel(THURSDAY, tick=False):
        call_command("run_schedule", "reminders", "--as-of", "2023-05-11", stdout=out)
        call_command("run_schedule", "reminders", "--as-of", "2023-05-11", stdout=out)
    first, second = out.getvalue().splitlines()
    assert first.startswith("reminders 2023-05-11: 2 new notification(s)")
    assert second.startswith("reminders 2023-05-11: 0 new notification(s), 0 new robot message(s), 0 delivery")
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("run_schedule", "reminders", "--as-of", "2023-02-30")


@pytest.mark.django_db
def test_issue_token_records_the_address_reminders_are_mailed_to(dept_a):
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("issue_token", "clerk_x", "--role", "department", "--department", dept_a.code,
                 "--email", "clerk_x@erqi.example.cn", **quiet)
    assert get_user_model().objects.get(username="clerk_x").email == "clerk_x@erqi.example.cn"
    with pytest.raises(CommandError, match="不是有效的邮箱地址"):
        call_command("issue_token", "clerk_x", "--role", "department", "--department", dept_a.code,
                     "--email", "not-an-address", **quiet)


@pytest.mark.django_db
def test_the_daily_run_names_each_problem_on_the_day_its_escalation_rises(week, dept_a, dept_b):
    """Handed to department B, due 1 May: 催办 from 2 May (1 day over), 督办 from 9 May (8 days), 通报 from 1 June."""
    problem = move_problem(ProblemFactory(project=week["silent_a"], title="征迁未完成", raised_on=date(2023, 4, 20)),
                           ("assigned", "2023-04-21", {"responsible_department": dept_b, "due_date": date(2023, 5, 1)}))
    escalated = lambda: list(Notification.objects.filter(kind=NotificationKind.PROBLEM_ESCALATED)  # noqa: E731
                             .order_by("period").values_list("user__username", "subject", "period", "title"))
    for day in (date(2023, 5, 1), date(2023, 5, 2), date(2023, 5, 3), date(2023, 5, 9), date(2023, 5, 9)):
        schedules.overdue(day)
    assert escalated() == [
        ("clerk_b", f"problem:{problem.pk}", "2023-05-02", "催办：征迁未完成"),
        ("clerk_b", f"problem:{problem.pk}", "2023-05-09", "督办：征迁未完成"),
    ]
    body = Notification.objects.get(kind=NotificationKind.PROBLEM_ESCALATED, period="2023-05-09").body
    assert "仲景医药健康产业园（EQ2023-001）" in body and "督办等级 2" in body


@pytest.mark.django_db
def test_a_problem_handed_to_a_unit_tells_its_clerks_once_a_day(week, dept_b):
    """交办 to department B: its clerk is told (not department A's); the same day again adds nothing;
    a 退回 on another day tells again. Only rows are written: the worker mails them."""
    problem = ProblemFactory(project=week["silent_a"], title="征迁未完成", raised_on=date(2023, 4, 20))
    move_problem(problem, ("assigned", "2023-04-21", {"responsible_department": dept_b, "due_date": date(2023, 5, 1)}))
    told = lambda: list(Notification.objects.filter(kind=NotificationKind.PROBLEM_ASSIGNED)  # noqa: E731
                        .order_by("period").values_list("user__username", "subject", "period"))
    assert told() == [("clerk_b", f"problem:{problem.pk}", "2023-04-21")]
    notification = Notification.objects.get(kind=NotificationKind.PROBLEM_ASSIGNED)
    assert notification.title == "问题交办：征迁未完成"
    assert "仲景医药健康产业园（EQ2023-001）" in notification.body and "限5月1日前办结" in notification.body
    assert notification.link == f"/admin/projects/problemmove/add/?problem={problem.pk}&action=answer"
    move_problem(problem, ("answered", "2023-04-25"), ("assigned", "2023-04-26", {"due_date": date(2023, 5, 8)}))
    assert told() == [("clerk_b", f"problem:{problem.pk}", "2023-04-21"),
                      ("clerk_b", f"problem:{problem.pk}", "2023-04-26")]

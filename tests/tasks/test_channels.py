"""The ways out: 企业微信 and 钉钉 robots against a real HTTP server on 127.0.0.1, the one outgoing
guard, the robots' size and rate limits, retries with backoff that never block another channel."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from projects.domain.choices import DeliveryState, NotificationKind, RobotKind, Role
from projects.domain.messages import MAX_BYTES, MAX_PARTS, split_markdown
from projects.models import Delivery, Notification, Robot, RobotMessage
from projects.outbound import guard
from projects.outbound.guard import Refused, SendError, check_url, post_json
from projects.outbound.robots import dingtalk_signed_url, robot_send
from projects.services import GroupNotice, notices_record
from projects.tasks import jobs
from projects.tasks.deliveries import delivery_send
from projects.tasks.schedules import reminders
from tests.channels import RobotServer, TricklingServer
from tests.factories import ProjectFactory, UserFactory, UserProfileFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2023, 5, 11)


@pytest.fixture
def robots_server(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.OUTBOUND_HTTP_HOSTS = ["127.0.0.1"]
    with RobotServer(secrets={"/dingtalk/office": "SEC-test-secret"}) as server:
        yield server


def robot(server, kind, name, **audience):
    path = "/wecom/send?key=k-" + name if kind == RobotKind.WECOM else f"/dingtalk/{name}?access_token=t-{name}"
    secret = "SEC-test-secret" if kind == RobotKind.DINGTALK else ""
    return Robot.objects.create(name=name, kind=kind, webhook_url=server.base_url + path, secret=secret, **audience)


# The guard


@pytest.mark.parametrize("url, message", [
    ("ftp://qyapi.weixin.qq.com/x", "https"),
    ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "只能用 https"),
    ("https://user:secret@qyapi.weixin.qq.com/x", "用户名或密码"),
    ("https://evil.example.com/x", "不在允许的外发主机"),
    ("https://qyapi.weixin.qq.com.evil.example.com/x", "不在允许的外发主机"),
    ("https:///nohost", "主机名"),
])
def test_the_guard_refuses_bad_urls_before_anything_is_sent(url, message, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    with pytest.raises(Refused, match=message):
        check_url(url)


def test_the_guard_allows_https_to_listed_hosts_and_subdomains(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["qyapi.weixin.qq.com", "*.erqi.example.cn"]
    assert check_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1").path == "/cgi-bin/webhook/send?key=1"
    assert check_url("https://hooks.erqi.example.cn:8443/x").port == 8443


def test_a_host_that_resolves_to_loopback_is_refused_unless_the_address_is_listed(robots_server, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["localhost"]
    settings.OUTBOUND_HTTP_HOSTS = ["localhost"]
    with pytest.raises(Refused, match="内部地址"):
        post_json(f"http://localhost:{robots_server.port}/wecom/send", {"a": 1})
    assert robots_server.received == []
    settings.OUTBOUND_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"]
    assert post_json(f"http://localhost:{robots_server.port}/wecom/send", {"a": 1}).status == 200


def test_redirects_are_not_followed(robots_server):
    robots_server.script.append((302, {"errcode": 0}))
    with pytest.raises(SendError, match="重定向"):
        post_json(f"{robots_server.base_url}/wecom/send", {"a": 1})
    assert len(robots_server.received) == 1


def test_a_slow_server_times_out(robots_server, settings):
    settings.OUTBOUND_TIMEOUT = 0.5
    robots_server.script.append(3)
    started = time.monotonic()
    with pytest.raises(SendError, match="Timeout|timed out|超时"):
        post_json(f"{robots_server.base_url}/wecom/send", {"a": 1})
    assert time.monotonic() - started < 2.5


def test_a_robot_answer_that_trickles_in_within_each_read_timeout_is_a_success(robots_server, settings):
    """A robot's message that arrived is not sent again because the answer came slowly (the whole-
    exchange limit is the webhooks' rule, not the robots')."""
    settings.OUTBOUND_TIMEOUT = 1
    with TricklingServer() as server:
        started = time.monotonic()
        answer = post_json(server.url, {"a": 1})
    assert time.monotonic() - started > 1 and (answer.status, answer.body) == (200, b"ok!!")


def test_the_answer_is_read_only_up_to_its_bound(robots_server, monkeypatch):
    monkeypatch.setattr(guard, "MAX_RESPONSE_BYTES", 1024)
    robots_server.script.append((200, b"x" * 1_000_000))
    answer = post_json(f"{robots_server.base_url}/wecom/send", {"a": 1})
    assert len(answer.body) == 1024


# The robots


def test_wecom_gets_markdown_content(robots_server, db):
    robot_send(kind=RobotKind.WECOM, webhook_url=f"{robots_server.base_url}/wecom/send?key=abc", secret="",
               title="标题", text="#### 进度填报提醒\n- 仲景医药健康产业园（EQ2023-001）")
    (request,) = robots_server.received
    assert request.query == {"key": "abc"}
    assert request.body == {"msgtype": "markdown",
                            "markdown": {"content": "#### 进度填报提醒\n- 仲景医药健康产业园（EQ2023-001）"}}
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"


def test_dingtalk_signs_its_url_and_the_server_checks_it(robots_server):
    robot_send(kind=RobotKind.DINGTALK, webhook_url=f"{robots_server.base_url}/dingtalk/office?access_token=t",
               secret="SEC-test-secret", title="每周通报", text="#### 每周通报")
    (request,) = robots_server.received
    assert request.signature_ok is True and request.query["access_token"] == "t"
    assert request.body == {"msgtype": "markdown", "markdown": {"title": "每周通报", "text": "#### 每周通报"}}
    with pytest.raises(SendError, match="310000"):  # a wrong secret: the server refuses it
        robot_send(kind=RobotKind.DINGTALK, webhook_url=f"{robots_server.base_url}/dingtalk/office?access_token=t",
                   secret="SEC-wrong", title="每周通报", text="x")


def test_the_dingtalk_signature_is_the_documented_one():
    # timestamp 1577262236757, secret "this is secret": HMAC-SHA256 over "timestamp\nsecret", base64, URL-encoded.
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "this is secret",
                              timestamp_ms=1577262236757)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1577262236757&sign=")
    assert "%2B" in url or "%2F" in url or "%3D" in url  # base64 characters are URL-encoded


# Size limits


def test_a_long_message_is_split_between_lines_within_each_robots_limit():
    lines = [f"- 二七区重点项目第{n:03d}号（EQ2023-{n:03d}）" for n in range(1, 121)]
    text = "#### 进度填报提醒\n" + "\n".join(lines)
    for kind in RobotKind.values:
        parts = split_markdown(text, kind)
        assert all(len(part.encode()) <= MAX_BYTES[kind] for part in parts)
        joined = "\n".join(parts)
        assert all(line in joined for line in lines)  # every project, none cut in two
    wecom = split_markdown(text, RobotKind.WECOM)
    assert len(wecom) == 2 and wecom[0].startswith("**（第 1/2 段）**")
    assert split_markdown(text, RobotKind.DINGTALK) == [text]  # fits in one


def test_a_line_longer_than_the_limit_is_cut_between_characters():
    text = "问" * 3000  # 9000 bytes, one line
    parts = split_markdown(text, RobotKind.WECOM)
    assert all(len(part.encode()) <= 4096 for part in parts)
    assert "".join(part.split("\n\n", 1)[1] for part in parts) == text


def test_past_the_last_part_the_message_is_cut_with_a_pointer():
    text = "\n".join(f"- 项目{n}（EQ2023-{n:04d}）" for n in range(3000))
    parts = split_markdown(text, RobotKind.WECOM, more="请登录系统查看")
    assert len(parts) == MAX_PARTS and all(len(p.encode()) <= 4096 for p in parts)
    assert parts[-1].endswith("……（未完，请登录系统查看）")


@pytest.mark.django_db
def test_a_department_robot_gets_its_reminder_in_parts_that_fit(robots_server, dept_a):
    for n in range(150):
        ProjectFactory(department=dept_a, code=f"EQ2023-{n:03d}", name=f"二七区城市更新重点项目第{n}号")
    robot(robots_server, RobotKind.WECOM, "fgw", department=dept_a)
    robot(robots_server, RobotKind.DINGTALK, "office", role=Role.ADMIN)
    with time_machine.travel(datetime(2023, 5, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        reminders(THURSDAY)
        for delivery_id in Delivery.objects.order_by("id").values_list("pk", flat=True):
            delivery_send(delivery_id)
    wecom = [r for r in robots_server.received if r.path == "/wecom/send"]
    dingtalk = [r for r in robots_server.received if r.path == "/dingtalk/office"]
    assert len(wecom) >= 2 and all(len(r.body["markdown"]["content"].encode()) <= 4096 for r in wecom)
    sent = "\n".join(r.body["markdown"]["content"] for r in wecom)
    assert all(f"二七区城市更新重点项目第{n}号（EQ2023-{n:03d}）" in sent for n in range(150))
    assert len(dingtalk) == 1 and dingtalk[0].signature_ok
    assert "全区本周还有 150 个项目未填报" in dingtalk[0].body["markdown"]["title"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


# Rate limits


@pytest.mark.django_db
def test_a_robot_gets_at_most_its_rate_a_minute_and_the_rest_later(robots_server, dept_a, settings):
    settings.ROBOT_RATE_PER_MINUTE = 20
    wecom = robot(robots_server, RobotKind.WECOM, "fgw", department=dept_a)
    start = datetime(2023, 5, 11, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        recorded = notices_record(notices=[], group_notices=[
            GroupNotice(NotificationKind.REPORT_DUE, f"test:{n}", "2023-W19", f"消息{n}", f"第 {n} 条",
                        department_ids=(dept_a.pk,))
            for n in range(25)
        ])
        assert len(recorded.pending) == 25
        outcomes = [delivery_send(delivery_id) for delivery_id in recorded.pending]
    assert len(robots_server.received) == 20
    held = [o for o in outcomes if o.state is None]
    assert len(held) == 5 and all(55 <= o.wait <= 60 for o in held)
    assert Delivery.objects.filter(robot=wecom, state=DeliveryState.PENDING).count() == 5
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        jobs.sweep_deliveries.call_local()  # the minute is not over: nothing more
    assert len(robots_server.received) == 20
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        jobs.sweep_deliveries.call_local()
    assert len(robots_server.received) == 25
    assert Delivery.objects.filter(robot=wecom, state=DeliveryState.SENT).count() == 25


@pytest.mark.django_db
def test_the_robots_own_rate_limit_answer_is_retried_after_a_minute(robots_server, dept_a):
    robot(robots_server, RobotKind.WECOM, "fgw", department=dept_a)
    robots_server.script.append((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    start = datetime(2023, 5, 11, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        recorded = notices_record(notices=[], group_notices=[GroupNotice(
            NotificationKind.REPORT_DUE, "x", "2023-W19", "t", "text", department_ids=(dept_a.pk,))])
        outcome = delivery_send(recorded.pending[0])
    assert outcome.state == DeliveryState.FAILED and "45009" in Delivery.objects.get(attempt=1).last_error
    assert outcome.next_attempt.due_at >= start + timedelta(seconds=60)


# A failing channel


@pytest.fixture
def clerk(dept_a):
    return UserProfileFactory(user=UserFactory(username="clerk", email="clerk@erqi.example.cn"),
                              role=Role.DEPARTMENT, department=dept_a).user


@pytest.mark.django_db
def test_a_failing_robot_is_retried_with_backoff_and_never_blocks_the_mail(robots_server, dept_a, clerk, settings):
    settings.EMAIL_HOST = "smtp.test"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_RETRY_DELAYS = [60, 300]
    ProjectFactory(department=dept_a, code="EQ2023-001", name="仲景医药健康产业园")
    robot(robots_server, RobotKind.WECOM, "fgw", department=dept_a)
    robots_server.script += [(500, {"errcode": -1}), (503, {"errcode": -1}), (500, {"errcode": -1})]
    start = datetime(2023, 5, 11, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        jobs.schedule_run("reminders", THURSDAY)  # queues (and, immediately, sends) every delivery
    assert [m.to for m in mail.outbox] == [["clerk@erqi.example.cn"]]  # the mail went, the robot failed
    assert Notification.objects.filter(user=clerk).count() == 1
    first = Delivery.objects.get(channel=RobotKind.WECOM, attempt=1)
    assert first.state == DeliveryState.FAILED and "HTTP 500" in first.last_error
    second = Delivery.objects.get(channel=RobotKind.WECOM, attempt=2)
    assert second.state == DeliveryState.PENDING and second.due_at == start + timedelta(seconds=60)

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        jobs.sweep_deliveries.call_local()  # not yet due
    assert len(robots_server.received) == 1
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        jobs.sweep_deliveries.call_local()
    second.refresh_from_db()
    assert second.state == DeliveryState.FAILED and "HTTP 503" in second.last_error
    third = Delivery.objects.get(channel=RobotKind.WECOM, attempt=3)
    with time_machine.travel(start + timedelta(seconds=61 + 301), tick=False):
        jobs.sweep_deliveries.call_local()
    third.refresh_from_db()
    assert third.state == DeliveryState.GIVEN_UP  # the last of the delays: given up, logged, kept
    assert not Delivery.objects.filter(attempt=4).exists()
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=clerk).count() == 1


@pytest.mark.django_db
def test_a_robot_then_answering_is_sent_on_the_next_attempt(robots_server, dept_a):
    robot(robots_server, RobotKind.DINGTALK, "office", role=Role.ADMIN)
    robots_server.script.append((502, b"bad gateway"))
    start = datetime(2023, 5, 11, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        notices_record(notices=[], group_notices=[GroupNotice(
            NotificationKind.WEEKLY_BULLETIN, "district", "2023-W19", "每周通报", "#### 每周通报", roles=(Role.ADMIN,))])
        jobs.sweep_deliveries.call_local()
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        jobs.sweep_deliveries.call_local()
    assert [d.state for d in Delivery.objects.order_by("attempt")] == [DeliveryState.FAILED, DeliveryState.SENT]
    assert RobotMessage.objects.count() == 1 and all(r.signature_ok for r in robots_server.received)


@pytest.mark.django_db
def test_a_refused_address_fails_the_delivery_without_sending(dept_a, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["qyapi.weixin.qq.com"]
    Robot.objects.create(name="内网", kind=RobotKind.WECOM, webhook_url="https://intranet.example/x", department=dept_a)
    recorded = notices_record(notices=[], group_notices=[GroupNotice(
        NotificationKind.REPORT_DUE, "x", "2023-W19", "t", "text", department_ids=(dept_a.pk,))])
    delivery_send(recorded.pending[0])
    assert "不在允许的外发主机" in Delivery.objects.get(attempt=1).last_error


def test_the_robot_form_refuses_a_host_outside_the_list(client, db, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    office = UserProfileFactory(user=UserFactory(username="office", is_staff=True), role=Role.ADMIN).user
    client.force_login(office)
    response = client.post("/admin/projects/robot/add/", {
        "name": "外部", "kind": "wecom", "webhook_url": "https://evil.example.com/hook", "role": "admin",
        "is_active": "on",
    })
    assert response.status_code == 200 and "不在允许的外发主机" in response.content.decode()
    response = client.post("/admin/projects/robot/add/", {
        "name": "领导群", "kind": "dingtalk", "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x",
        "secret": "SECabc", "role": "official", "is_active": "on",
    })
    assert response.status_code == 302
    assert Robot.objects.get().role == Role.OFFICIAL

"""`/api/v1/webhooks/`: the secret once, the guard's refusals as 400s that change nothing, the delivery log, redelivery."""

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import WebhookDelivery, WebhookSubscription
from projects.services import webhook_create, webhook_fan_out
from projects.tasks.webhooks import webhook_send_next
from tests.snapshots import snapshot
from tests.webhook_receiver import Receiver
from tests.webhooks.conftest import append_events

URL = "https://127.0.0.1:8443/hooks/portfolio"


@pytest.fixture
def hooks(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "*.erqi.example.cn", "localhost"]
    return settings


def test_the_secret_is_shown_once(admin_client, hooks):
    response = admin_client.post("/api/v1/webhooks/", {
        "url": URL, "types": ["project.changed", "problem.created"], "description": "市重点项目平台",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(base64.b64decode(body["secret"][6:])) == 32
    assert {k: body[k] for k in ("url", "types", "description", "is_active", "disabled_reason")} == {
        "url": URL, "types": ["project.changed", "problem.created"], "description": "市重点项目平台",
        "is_active": True, "disabled_reason": "",
    }
    hook = body["id"]
    detail = admin_client.get(f"/api/v1/webhooks/{hook}/").json()
    listed = admin_client.get("/api/v1/webhooks/").json()["results"]
    patched = admin_client.patch(f"/api/v1/webhooks/{hook}/", {"is_active": False}, format="json").json()
    for shown in (detail, *listed, patched):
        assert "secret" not in shown and body["secret"] not in str(shown)
    assert WebhookSubscription.objects.get(pk=hook).secret == body["secret"]
    # History of the subscription, without its secret.
    history = WebhookSubscription.history.filter(id=hook).order_by("history_id")
    assert [row.history_type for row in history] == ["+", "~"] and [row.via for row in history] == ["api", "api"]
    assert not hasattr(history[0], "secret")


def test_empty_types_mean_every_type_and_delete_removes_the_log(admin_client, hooks):
    body = admin_client.post("/api/v1/webhooks/", {"url": URL}, format="json").json()
    assert body["types"] == [] and body["is_active"] is True
    assert admin_client.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 204
    assert admin_client.get(f"/api/v1/webhooks/{body['id']}/").status_code == 404


@pytest.mark.parametrize("body, field, message", [
    ({"url": "ftp://127.0.0.1/x"}, "url", "https"),
    ({"url": "http://127.0.0.1/x"}, "url", "WEBHOOK_ALLOW_HTTP=1"),
    ({"url": "https://user:secret@127.0.0.1/x"}, "url", "用户名或密码"),
    ({"url": "https://hooks.example.com/x"}, "url", "不在允许的外发主机（WEBHOOK_ALLOWED_HOSTS）"),
    ({"url": "https://127.0.0.1.evil.example.com/x"}, "url", "不在允许的外发主机"),
    ({"url": "https:///x"}, "url", "主机名"),
    ({"url": "https://[::1]:8443/x"}, "url", "不在允许的外发主机"),
    ({"url": "https://127.0.0.1:99999/x"}, "url", "地址无效"),
    ({"url": ""}, "url", "不能为空"),
    ({"url": URL, "types": ["project.moved"]}, "types", "未知的事件类型：project.moved"),
    ({"url": URL, "types": "project.changed"}, "types", "列表"),
])
def test_bad_subscriptions_are_400_in_chinese_and_change_nothing(admin_client, hooks, body, field, message):
    before = snapshot()
    response = admin_client.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert snapshot() == before


def test_an_internal_address_is_refused_unless_that_address_is_listed_exactly(admin_client, settings):
    before = snapshot()
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]  # the name is allowed, its loopback address is not listed
    refused = admin_client.post("/api/v1/webhooks/", {"url": "https://localhost/x"}, format="json")
    assert refused.status_code == 400 and "内部地址" in refused.json()["url"][0]
    settings.WEBHOOK_ALLOWED_HOSTS = ["*.example.cn", "10.20.30.40"]
    refused = admin_client.post("/api/v1/webhooks/", {"url": "https://192.168.1.5/x"}, format="json")
    assert refused.status_code == 400 and "不在允许的外发主机" in refused.json()["url"][0]
    assert snapshot() == before
    assert admin_client.post("/api/v1/webhooks/", {"url": "https://10.20.30.40/x"}, format="json").status_code == 201
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost", "127.0.0.0/8", "::1/128"]  # a range lists no address
    refused = admin_client.post("/api/v1/webhooks/", {"url": "https://localhost/x"}, format="json")
    assert refused.status_code == 400 and "内部地址" in refused.json()["url"][0]


def test_a_patch_with_an_unknown_type_is_400_and_changes_nothing(admin_client, hooks):
    hook = webhook_create(user=None, url=URL)
    before = snapshot()
    response = admin_client.patch(f"/api/v1/webhooks/{hook.pk}/", {"types": ["project.moved"]}, format="json")
    assert response.status_code == 400 and "未知的事件类型：project.moved" in response.json()["types"][0]
    assert snapshot() == before


def test_with_no_allowed_hosts_set_every_address_is_refused(admin_client, settings):
    """WEBHOOK_ALLOWED_HOSTS is empty unless the deployment names hosts."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    before = snapshot()
    response = admin_client.post("/api/v1/webhooks/", {"url": "https://hooks.example.com/x"}, format="json")
    assert response.status_code == 400 and "WEBHOOK_ALLOWED_HOSTS" in response.json()["url"][0]
    assert snapshot() == before


def test_plain_http_is_taken_only_with_webhook_allow_http(admin_client, hooks):
    url = "http://127.0.0.1:8080/hooks/portfolio"
    hooks.WEBHOOK_ALLOW_HTTP = False
    assert admin_client.post("/api/v1/webhooks/", {"url": url}, format="json").status_code == 400
    hooks.WEBHOOK_ALLOW_HTTP = True
    response = admin_client.post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["url"] == url


def test_a_patch_is_checked_by_the_guard_too(admin_client, hooks):
    hook = webhook_create(user=None, url=URL)
    before = snapshot()
    response = admin_client.patch(f"/api/v1/webhooks/{hook.pk}/", {"url": "https://evil.example.com/x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()
    assert snapshot() == before


def test_the_delivery_log_newest_first_in_constant_queries(admin_client, hooks):
    hook = webhook_create(user=None, url=URL)

    def page_queries(count: int) -> tuple[int, list]:
        WebhookDelivery.objects.all().delete()
        events = append_events(count)
        WebhookDelivery.objects.bulk_create([
            WebhookDelivery(subscription=hook, event=event, attempt=1, state="delivered", status_code=200,
                            duration_ms=12) for event in events
        ])
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/?page_size=100")
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    one, _ = page_queries(1)
    many, rows = page_queries(30)
    assert one == many
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)
    assert set(rows[0]) == {"id", "event", "attempt", "at", "status_code", "error", "duration_ms", "state",
                            "state_display"}
    assert (rows[0]["status_code"], rows[0]["error"], rows[0]["duration_ms"]) == (200, "", 12)
    assert rows[0]["at"].endswith("+08:00")


def test_redeliver_sends_the_event_again_by_the_worker(admin_client, hook_settings):
    hook = webhook_create(user=None, url="http://127.0.0.1:9/x")
    with Receiver(hook.secret) as receiver:
        WebhookSubscription.objects.filter(pk=hook.pk).update(url=receiver.url)
        [event] = append_events(1)
        webhook_fan_out(subscription_id=hook.pk)
        webhook_send_next(hook.pk)
        first = WebhookDelivery.objects.get(subscription=hook)
        response = admin_client.post(f"/api/v1/webhooks/{hook.pk}/deliveries/{first.pk}/redeliver/")
        assert response.status_code == 202, response.content
        assert (response.json()["attempt"], response.json()["state"], response.json()["event"]) == (2, "pending", event.pk)
        assert len(receiver.hits) == 1  # the request only wrote a row: the worker sends it
        webhook_send_next(hook.pk)
        assert [hit.webhook_id for hit in receiver.hits] == [str(event.pk)] * 2
        assert all(hit.verified for hit in receiver.hits)
    assert [d.state for d in WebhookDelivery.objects.filter(subscription=hook).order_by("attempt")] == [
        "delivered", "delivered"]


def test_redeliver_of_an_event_waiting_for_its_retry_sends_it_now(admin_client, hook_settings):
    """The receiver is fixed: pressing redeliver must not leave the event behind its retry, due in 5 s
    (or 10 h); the waiting attempt is made due now, with a fresh run of retries."""
    hook = webhook_create(user=None, url="http://127.0.0.1:9/x")
    with Receiver(hook.secret, script=[(500, b"down")]) as receiver:
        WebhookSubscription.objects.filter(pk=hook.pk).update(url=receiver.url)
        [event] = append_events(1)
        webhook_fan_out(subscription_id=hook.pk)
        webhook_send_next(hook.pk)
        failed, waiting = WebhookDelivery.objects.filter(subscription=hook).order_by("attempt")
        assert (failed.state, waiting.state) == ("failed", "pending") and waiting.due_at > timezone.now()
        response = admin_client.post(f"/api/v1/webhooks/{hook.pk}/deliveries/{failed.pk}/redeliver/")
        assert response.status_code == 202, response.content
        assert (response.json()["id"], response.json()["attempt"]) == (waiting.pk, 2)
        webhook_send_next(hook.pk)
        assert [hit.webhook_id for hit in receiver.hits] == [str(event.pk)] * 2
    assert [(d.attempt, d.state, d.tries) for d in WebhookDelivery.objects.filter(subscription=hook)
            .order_by("attempt")] == [(1, "failed", 1), (2, "delivered", 1)]


def test_redeliver_refusals(admin_client, reader_client, hooks):
    hook = webhook_create(user=None, url=URL)
    other = webhook_create(user=None, url=URL)
    [event] = append_events(1)
    delivery = WebhookDelivery.objects.create(subscription=other, event=event, attempt=1, state="delivered")
    before = snapshot()
    assert admin_client.post(f"/api/v1/webhooks/{hook.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert admin_client.post(f"/api/v1/webhooks/{hook.pk}/deliveries/abc/redeliver/").status_code == 404
    assert reader_client.post(f"/api/v1/webhooks/{other.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 403
    WebhookSubscription.objects.filter(pk=other.pk).update(is_active=False)
    before = snapshot()
    response = admin_client.post(f"/api/v1/webhooks/{other.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 409 and "停用" in response.json()["detail"]
    assert snapshot() == before

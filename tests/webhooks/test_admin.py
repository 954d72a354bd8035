"""The office's admin pages for webhooks: create (the secret shown once), refusals on the form, history, the log."""

import pytest
from django.urls import reverse

from projects.domain.choices import Role
from projects.models import WebhookDelivery, WebhookSubscription
from projects.services import webhook_create
from tests.factories import UserFactory, UserProfileFactory
from tests.webhooks.conftest import append_events


@pytest.fixture
def office(db, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    return UserProfileFactory(user=UserFactory(username="office", is_staff=True), role=Role.ADMIN).user


def test_the_office_creates_a_subscription_and_sees_its_secret_once(client, office):
    client.force_login(office)
    add = reverse("admin:projects_webhooksubscription_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"url": "https://127.0.0.1:8443/hooks", "types": ["project.changed", "problem.created"],
                                 "description": "市重点项目平台", "is_active": "on"})
    subscription = WebhookSubscription.objects.get()
    change = reverse("admin:projects_webhooksubscription_change", args=[subscription.pk])
    assert response.status_code == 302 and response["Location"] == change
    assert subscription.types == ["project.changed", "problem.created"]
    first = client.get(change).content.decode()
    assert subscription.secret in first and "只显示这一次" in first
    again = client.get(change).content.decode()
    assert subscription.secret not in again
    assert subscription.secret not in client.get(reverse("admin:projects_webhooksubscription_changelist")).content.decode()
    history = client.get(reverse("admin:projects_webhooksubscription_history", args=[subscription.pk]))
    assert history.status_code == 200
    assert subscription.history.get().via == "admin"


def test_the_form_refuses_what_the_guard_refuses(client, office):
    client.force_login(office)
    response = client.post(reverse("admin:projects_webhooksubscription_add"),
                           {"url": "https://evil.example.com/x", "description": "", "is_active": "on"})
    assert response.status_code == 200
    assert "不在允许的外发主机（WEBHOOK_ALLOWED_HOSTS）" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_pages_are_the_offices_alone(client, office, dept_a):
    hook = webhook_create(user=None, url="https://127.0.0.1:8443/hooks")
    [event] = append_events(1)
    WebhookDelivery.objects.create(subscription=hook, event=event, attempt=1, state="failed", status_code=500,
                                   error="HTTP 500：down", duration_ms=3)
    client.force_login(office)
    for name in ("webhooksubscription_changelist", "webhooksubscription_add", "webhookdelivery_changelist"):
        assert client.get(reverse(f"admin:projects_{name}")).status_code == 200, name
    page = client.get(reverse("admin:projects_webhooksubscription_change", args=[hook.pk])).content.decode()
    log = f'{reverse("admin:projects_webhookdelivery_changelist")}?subscription__id__exact={hook.pk}'
    assert log in page and "查看 1 条推送记录" in page
    assert "HTTP 500：down" in client.get(log).content.decode()
    clerk = UserProfileFactory(user=UserFactory(username="clerk"), role=Role.DEPARTMENT, department=dept_a).user
    client.force_login(clerk)
    for name in ("webhooksubscription_changelist", "webhookdelivery_changelist"):
        assert client.get(reverse(f"admin:projects_{name}")).status_code == 403, name

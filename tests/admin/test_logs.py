"""The worker's logs in the admin (notification deliveries, webhook attempts): the office reads them and
nothing else; no row is added, changed or deleted from their pages."""

import pytest
from django.urls import reverse

from django.contrib.admin import site
from projects.domain.choices import Role
from projects.models import Delivery, WebhookDelivery
from tests.admin.clients import signed_in


@pytest.mark.parametrize("model", [Delivery, WebhookDelivery])
def test_a_log_is_read_only_even_for_the_office(db, model):
    office = signed_in(Role.ADMIN)
    page = site._registry[model]
    request = type("Request", (), {"user": office.user})()
    assert page.has_view_permission(request)
    assert not page.has_add_permission(request)
    assert not page.has_change_permission(request)
    assert not page.has_delete_permission(request)
    add = reverse(f"admin:projects_{model._meta.model_name}_add")
    assert office.get(add).status_code == 403

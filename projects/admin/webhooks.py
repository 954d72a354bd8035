"""推送订阅 (webhooks), the office's alone: subscriptions with their history, the secret shown once, and the delivery log."""

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from projects import services
from projects.admin.roles import OfficeOnlyMixin
from projects.admin.writes import ReadOnlyHistoryMixin, ReadOnlyLogMixin, ServiceErrorsMixin, adopt, form_data, fresh, service_call
from projects.domain.choices import EVENT_TYPES, EventAction
from projects.models import WebhookDelivery, WebhookSubscription
from projects.outbound.guard import Refused
from projects.outbound.webhooks import webhook_url_check

# The secret of a subscription just created waits here, in the server-side session, until its page shows it once.
SECRET_ONCE = "webhook_secret_once"
ACTION_LABELS = dict(EventAction.choices)


def _type_label(event_type: str) -> str:
    return f"{event_type}（{ACTION_LABELS[event_type.rsplit('.', 1)[1]]}）"


class WebhookSubscriptionForm(forms.ModelForm):
    types = forms.MultipleChoiceField(
        label="事件类型", required=False, choices=[(t, _type_label(t)) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple, help_text="不选表示接收全部类型",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "types", "description", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            webhook_url_check(url)
        except Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(OfficeOnlyMixin, ServiceErrorsMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """Other systems' subscriptions to the change feed. The secret is shown once, right after creation."""

    form = WebhookSubscriptionForm
    list_display = ["__str__", "url", "types_display", "is_active", "disabled_reason", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = ["created_at", "disabled_reason", "deliveries_link"]

    def get_fields(self, request, obj=None):
        shown = ["created_at", "disabled_reason", "deliveries_link"] if obj else []
        return ["url", "types", "description", "is_active", *shown]

    @admin.display(description="推送记录")
    def deliveries_link(self, subscription):
        url = reverse("admin:projects_webhookdelivery_changelist")
        count = subscription.deliveries.count()
        return format_html('<a class="text-primary-600 underline" href="{}?subscription__id__exact={}">查看 {} 条推送记录</a>',
                           url, subscription.pk, count)

    @admin.display(description="事件类型")
    def types_display(self, subscription):
        return "、".join(subscription.types) or "全部"

    def save_model(self, request, obj, form, change):
        with service_call(WebhookSubscription):
            if change:
                saved = services.webhook_update(webhook=fresh(obj), user=request.user,
                                                **form_data(form, form.changed_data))
            else:
                saved = services.webhook_create(user=request.user, **form_data(form))
                request.session[SECRET_ONCE] = {"id": saved.pk, "secret": saved.secret}
        adopt(obj, saved)

    def delete_model(self, request, obj):
        with service_call(WebhookSubscription):
            services.webhook_delete(webhook=fresh(obj), user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            self.delete_model(request, subscription)

    def response_add(self, request, obj, post_url_continue=None):
        """After creation the subscription's own page, which shows the secret once."""
        return HttpResponseRedirect(reverse("admin:projects_webhooksubscription_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        once = request.session.get(SECRET_ONCE)
        extra_context = dict(extra_context or {})
        if request.method == "GET" and once and str(once.get("id")) == str(object_id):
            extra_context["webhook_secret"] = once["secret"]
            del request.session[SECRET_ONCE]
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyLogMixin, OfficeOnlyMixin, ModelAdmin):
    """Every attempt to push an event, with its answer or error: read only."""

    list_display = ["id", "subscription", "event", "attempt", "state", "at_display", "status_code", "short_error",
                    "duration_ms"]
    list_filter = ["state", "subscription"]
    list_select_related = ["subscription"]
    search_fields = ["error"]
    fields = ["subscription", "event", "attempt", "tries", "state", "due_at", "started_at", "status_code", "error",
              "duration_ms", "created_at"]
    readonly_fields = fields

    @admin.display(description="时间")
    def at_display(self, delivery):
        return delivery.at

    @admin.display(description="错误")
    def short_error(self, delivery):
        return delivery.error[:80] or "-"

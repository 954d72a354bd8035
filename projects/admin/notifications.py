"""我的通知 (everyone's own), and the office's channels: group robots and the delivery records."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from projects import services
from projects.admin.roles import OfficeOnlyMixin
from projects.admin.writes import ReadOnlyLogMixin, ServiceErrorsMixin, adopt, form_data, fresh, service_call
from projects.domain.choices import RobotKind
from projects.models import Delivery, Notification, Robot
from projects.outbound.guard import Refused, check_url


class UnreadFilter(admin.SimpleListFilter):
    title = "是否已读"
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("1", "未读"), ("0", "已读")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "0"):
            return queryset.filter(read_at__isnull=self.value() == "1")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    """Each user's own notifications; opening one marks it read and goes to the page where it is done."""

    list_display = ["opened_title", "kind", "created_at", "read_state"]
    list_filter = [UnreadFilter, "kind"]
    search_fields = ["title", "body"]
    fields = ["kind", "title", "body", "link_to_page", "created_at", "read_at"]
    readonly_fields = fields
    actions = ["mark_read"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:pk>/open/", self.admin_site.admin_view(self.open_view), name="projects_notification_open"),
            *super().get_urls(),
        ]

    def open_view(self, request, pk):
        """Mark the notification read and go where the thing is done (its own page when it has no link)."""
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        services.notification_mark_read(notification=notification, user=request.user)
        if notification.link.startswith("/"):
            return HttpResponseRedirect(notification.link)
        return HttpResponseRedirect(reverse("admin:projects_notification_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Reading a notification marks it read."""
        notification = Notification.objects.filter(pk=object_id, user=request.user).first()
        if notification is not None:
            services.notification_mark_read(notification=notification, user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="标题", ordering="title")
    def opened_title(self, notification):
        url = reverse("admin:projects_notification_open", args=[notification.pk])
        weight = "font-semibold" if notification.read_at is None else ""
        return format_html('<a class="{} text-primary-600 underline" href="{}">{}</a>', weight, url, notification.title)

    @admin.display(description="状态", ordering="read_at")
    def read_state(self, notification):
        return "未读" if notification.read_at is None else "已读"

    @admin.display(description="办理页面")
    def link_to_page(self, notification):
        if not notification.link.startswith("/"):
            return notification.link or "-"
        return format_html('<a class="text-primary-600 underline" href="{}">前往办理</a>', notification.link)

    @admin.action(description="标记为已读")
    def mark_read(self, request, queryset):
        count = services.notifications_mark_read(user=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"已将 {count} 条通知标记为已读。", messages.SUCCESS)


class RobotForm(forms.ModelForm):
    class Meta:
        model = Robot
        fields = ["name", "kind", "webhook_url", "secret", "department", "role", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"].strip()
        try:
            check_url(url)
        except Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("department")) == bool(cleaned.get("role")):
            raise forms.ValidationError("请在“责任单位”和“角色”中选择且只选择一项。")
        if cleaned.get("kind") == RobotKind.WECOM and cleaned.get("secret"):
            self.add_error("secret", "企业微信群机器人没有加签密钥，请留空。")
        return cleaned


@admin.register(Robot)
class RobotAdmin(OfficeOnlyMixin, ServiceErrorsMixin, SimpleHistoryAdmin, ModelAdmin):
    """企业微信 and 钉钉 group robots, each for one department or one role: the office manages them."""

    form = RobotForm
    list_display = ["name", "kind", "audience", "is_active", "created_at"]
    list_filter = ["kind", "is_active", "department", "role"]
    search_fields = ["name"]
    list_select_related = ["department"]

    @admin.display(description="接收范围")
    def audience(self, robot):
        return robot.department.name if robot.department_id else robot.get_role_display()

    def save_model(self, request, obj, form, change):
        with service_call(Robot):
            if change:
                saved = services.robot_update(robot=fresh(obj), user=request.user,
                                              **form_data(form, form.changed_data))
            else:
                saved = services.robot_create(user=request.user, **form_data(form))
        adopt(obj, saved)

    def delete_model(self, request, obj):
        with service_call(Robot):
            services.robot_delete(robot=fresh(obj), user=request.user)

    def delete_queryset(self, request, queryset):
        for robot in queryset:
            self.delete_model(request, robot)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyLogMixin, OfficeOnlyMixin, ModelAdmin):
    """Every attempt to mail a notification or post a robot message, with its error: read only."""

    list_display = ["created_at", "channel", "recipient", "subject_title", "attempt", "state", "due_at", "sent_at",
                    "short_error"]
    list_filter = ["state", "channel"]
    list_select_related = ["notification__user", "message", "robot"]
    search_fields = ["notification__title", "message__title", "last_error"]
    fields = ["channel", "recipient", "subject_title", "attempt", "state", "due_at", "started_at", "sent_at",
              "last_error", "created_at"]
    readonly_fields = fields

    @admin.display(description="接收方")
    def recipient(self, delivery):
        if delivery.notification_id:
            user = delivery.notification.user
            return f"{user.username} <{user.email}>" if user.email else user.username
        return delivery.robot.name

    @admin.display(description="标题")
    def subject_title(self, delivery):
        if delivery.notification_id:
            return delivery.notification.title
        message = delivery.message
        return message.title if message.part == 1 else f"{message.title}（第 {message.part} 段）"

    @admin.display(description="错误")
    def short_error(self, delivery):
        return delivery.last_error[:80] or "-"

"""The API tokens page: tokens are listed and revoked here, issued with `manage.py issue_token`."""

from django.contrib import admin
from knox.models import AuthToken
from unfold.admin import ModelAdmin

from projects.admin.roles import OfficeOnlyMixin
from projects.models import ApiToken

admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(OfficeOnlyMixin, ModelAdmin):
    """Tokens are issued with `manage.py issue_token` (the key is shown once); here they are revoked."""

    list_display = ["key_prefix", "owner", "created_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="令牌前缀", ordering="token_key")
    def key_prefix(self, token):
        return f"{token.token_key}…"

    @admin.display(description="用户", ordering="user__username")
    def owner(self, token):
        return token.user

    @admin.display(description="签发时间", ordering="created")
    def created_at(self, token):
        return token.created

    @admin.display(description="过期时间", ordering="expiry")
    def expires_at(self, token):
        return token.expiry or "永不过期"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Pages of the users of the API and their roles (set with user_role_assign)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from unfold.admin import ModelAdmin, StackedInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from projects.admin.roles import OfficeOnlyMixin
from projects.admin.writes import ServiceErrorsMixin, adopt, service_call
from projects.models import UserProfile
from projects.services import user_role_assign


def _assign_role(user, profile_data: dict) -> None:
    with service_call(UserProfile):
        user_role_assign(
            username=user.username, role=profile_data["role"],
            department=profile_data.get("department"), official=profile_data.get("official"),
        )


@admin.register(UserProfile)
class UserProfileAdmin(OfficeOnlyMixin, ServiceErrorsMixin, ModelAdmin):
    """Who may do what through the API; roles are set with user_role_assign. To revoke, set 只读系统."""

    list_display = ["user", "role", "department", "official"]
    list_filter = ["role", "department"]
    list_select_related = ["user", "department", "official"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "official"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _assign_role(obj.user, {name: getattr(obj, name) for name in ("role", "department", "official")})
        adopt(obj, UserProfile.objects.get(user=obj.user))


class UserProfileInline(OfficeOnlyMixin, StackedInline):
    model = UserProfile
    can_delete = False
    max_num = 1
    fields = ["role", "department", "official"]
    autocomplete_fields = ["official"]


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class PortfolioGroupAdmin(OfficeOnlyMixin, GroupAdmin, ModelAdmin):
    pass


@admin.register(User)
class PortfolioUserAdmin(OfficeOnlyMixin, ServiceErrorsMixin, UserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    inlines = [UserProfileInline]
    list_display = [*UserAdmin.list_display, "role"]
    list_filter = [*UserAdmin.list_filter, "portfolio_profile__role"]
    list_select_related = ["portfolio_profile"]

    @admin.display(description="角色", ordering="portfolio_profile__role")
    def role(self, user):
        profile = getattr(user, "portfolio_profile", None)
        return profile.get_role_display() if profile else "-"

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if profile_form.has_changed():
                _assign_role(form.instance, profile_form.cleaned_data)
                formset.changed_objects.append((profile_form.instance, profile_form.changed_data))


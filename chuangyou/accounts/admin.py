from django.contrib import admin

from chuangyou.accounts import services
from chuangyou.accounts.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Grants go through the audited services; a grant is revoked (kept), never deleted."""

    list_display = ["user", "role", "organization", "active", "created_at"]
    list_filter = ["role", "active"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["organization"]  # found by name or code
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "organization", "active"] if obj else ["active"]

    def save_model(self, request, obj, form, change):
        if not change:
            granted = services.role_grant(
                actor=request.user, user=obj.user, role=obj.role, organization=obj.organization
            )
            obj.pk = granted.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="收回所选角色")
    def revoke(self, request, queryset):
        for assignment in queryset.select_related("user", "organization"):
            services.role_revoke(actor=request.user, assignment=assignment)

from django.contrib import admin

from chuangyou.accounts.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "active", "created_at"]
    list_filter = ["role", "active"]
    raw_id_fields = ["user", "organization"]

from django.contrib import admin

from chuangyou.orgs.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Read-only: lets the role grant find an organization by name or code. The tree itself is changed
    on the organization pages, through the audited services."""

    list_display = ["name", "code", "kind", "status"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

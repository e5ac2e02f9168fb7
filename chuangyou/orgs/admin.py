from django.contrib import admin

from chuangyou.lib.admin import ReadOnlyAdmin
from chuangyou.orgs.models import Organization


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Read-only: lets the role grant find an organization by name or code. The tree itself is changed
    on the organization pages, through the audited services."""

    list_display = ["name", "code", "kind", "status"]
    search_fields = ["name", "code"]
    ordering = ["path"]

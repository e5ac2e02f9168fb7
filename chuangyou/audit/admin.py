from django.contrib import admin

from chuangyou.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, in the admin too."""

    list_display = ["created_at", "actor_name", "verb", "target_label", "ip"]
    list_filter = ["verb"]
    search_fields = ["actor_name", "target_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

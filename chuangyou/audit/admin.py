from django.contrib import admin

from chuangyou.audit.models import AuditEvent
from chuangyou.lib.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only, in the admin too."""

    list_display = ["created_at", "actor_name", "verb", "target_label", "ip"]
    list_filter = ["verb"]
    search_fields = ["actor_name", "target_label"]

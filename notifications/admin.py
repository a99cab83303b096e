"""Staff's view of follows, choices and every email: what was sent, what waits, what failed and why."""

from django.contrib import admin, messages

from .models import Delivery, Follow, Preference
from .sending import send_again
from .tasks import send_delivery


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "target", "created_at"]
    list_select_related = ["user", "cell", "principle", "tag", "person"]
    search_fields = ["user__email"]
    raw_id_fields = ["user", "cell", "principle", "tag", "person"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "frequency", "updated_at"]
    list_filter = ["kind", "frequency"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.action(description="Send the selected failed emails again")
def retry(modeladmin, request, queryset):
    failed = list(queryset.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
    send_again(Delivery.objects.filter(pk__in=failed))
    for delivery_id in failed:
        send_delivery.enqueue(delivery_id)
    messages.success(request, f"{len(failed)} failed email(s) queued to be sent again.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """A record: read-only, never added or deleted by hand (failed ones can be sent again)."""

    list_display = ["key", "recipient", "kind", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "key"]
    actions = [retry]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

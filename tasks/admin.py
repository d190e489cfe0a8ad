from django.contrib import admin

from tasks.models import CalendarDay, Heartbeat


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "name_km", "name_en"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "sent_at", "received_at"]

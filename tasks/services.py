from datetime import datetime

from django.utils import timezone

from tasks.models import Heartbeat


def heartbeat_record(*, name: str, sent_at: datetime) -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"sent_at": sent_at, "received_at": timezone.now()}
    )
    return beat

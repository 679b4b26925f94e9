from typing import Any

from django.core.management.base import BaseCommand

from core.beat import beat_schedule_seed


class Command(BaseCommand):
    help = "Create the missing periodic tasks of CELERY_BEAT_SCHEDULE (never overwrites admin edits)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = beat_schedule_seed()
        self.stdout.write(f"created: {', '.join(created) or '-'}")

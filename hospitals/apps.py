from typing import Any

from django.apps import AppConfig


def update_last_login_on_the_clock(sender: Any, user: Any, **kwargs: Any) -> None:
    """Django's ``update_last_login`` stamps the real time; 上次登录 in the user admin reads the clock."""
    from core import clock

    user.last_login = clock.now()
    user.save(update_fields=["last_login"])


class HospitalsConfig(AppConfig):
    name = "hospitals"
    verbose_name = "机构与用户"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.versions import watch

        # The hospital roster registers itself with the export registry.
        from hospitals import workbooks  # noqa: F401
        from hospitals.models import Hospital, MedicalAlliance, OrgUnit, Person, Post

        # The scope of every cached figure and count, the leaders of the milestones, the 医共体 that
        # O4.2-b applies to (core.versions).
        watch(Hospital, OrgUnit, Person, Post, MedicalAlliance)
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_on_the_clock, dispatch_uid="update_last_login_on_the_clock")

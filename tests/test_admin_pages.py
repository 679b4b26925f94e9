"""Every admin changelist and add page answers 200 for an admin; nobody else gets in (docs/decisions.md
"Accounts"), and the changelists stay scoped."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.conftest import Alxa


def _admin_urls() -> list[str]:
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        if model_admin.has_add_permission.__func__ is admin.ModelAdmin.has_add_permission:  # type: ignore[attr-defined]
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
    return urls


@pytest.mark.django_db
def test_every_admin_page_answers_200(alxa: Alxa) -> None:
    client = Client()
    client.force_login(alxa.admin)
    urls = _admin_urls()
    assert len(urls) >= 20
    failures = {url: client.get(url).status_code for url in urls}
    assert {u: c for u, c in failures.items() if c != 200} == {}


@pytest.mark.django_db
def test_the_admin_is_for_admins_only(alxa: Alxa) -> None:
    """Reviewers and hospitals work on the pages and the API; the admin sends them to its login."""
    from django.contrib.auth.models import Permission

    alxa.banner_reviewer.user_permissions.add(Permission.objects.get(codename="view_hospital"))
    client = Client()
    for user in (alxa.reporter, alxa.banner_reviewer, alxa.league_reviewer):
        client.force_login(user)
        for url in (reverse("admin:index"), reverse("admin:hospitals_hospital_changelist")):
            response = client.get(url)
            assert response.status_code == 302, (user.username, url)
            assert response["Location"].startswith(reverse("admin:login")), (user.username, url)


@pytest.mark.django_db
def test_admin_hospital_list_is_scoped(alxa: Alxa) -> None:
    from django.test import RequestFactory

    from hospitals.models import Hospital

    request = RequestFactory().get(reverse("admin:hospitals_hospital_changelist"))
    request.user = alxa.banner_reviewer
    scoped = admin.site._registry[Hospital].get_queryset(request)
    assert set(scoped.values_list("code", flat=True)) == {"H001", "H002", "H003", "H004", "H005"}

"""The admin reaches the same services: a refused rule is a form error, writes record history (channel
admin), changelists are scoped. Only admins reach it (docs/decisions.md "Accounts")."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from campaign.models import ActionItem, LectureMaterial, LectureSession
from campaign.services import lecture_create, material_upload
from hospitals.models import ChangeRecord, User
from tests.campaign.conftest import kind, lecture_data, person, task, upload
from tests.conftest import Alxa
from tests.samples import PDF

pytestmark = pytest.mark.django_db


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lecture_form(alxa: Alxa, **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "campaign": alxa.campaign.pk,
        "kind": kind(alxa, "in_hospital").pk,
        "hospital": alxa.h004.pk,
        "held_on": "2021-07-10",
        "title": "后台录入的宣讲",
        "speaker": person("H004-P01").pk,
        "speaker_role": "",
        "attendance_expected": 420,
        "attendance_present": 400,
        "on_duty_exempt": 5,
        "supervision_note": "",
        "online_link": "",
        "materials-TOTAL_FORMS": 0,
        "materials-INITIAL_FORMS": 0,
    }
    form.update(overrides)
    return form


def test_admin_add_goes_through_the_service(alxa: Alxa) -> None:
    url = reverse("admin:campaign_lecturesession_add")
    document = alxa.campaign.key_documents.get(number=2)
    layer = alxa.campaign.layers.get(order=1)
    response = admin_client(alxa.admin).post(url, lecture_form(alxa, coverage=[f"{document.pk}:{layer.pk}"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    lecture = LectureSession.objects.get()
    assert lecture.speaker_role == "secretary"
    assert [(c.document.number, c.layer.name) for c in lecture.coverage.all()] == [(2, "讲授")]
    assert ChangeRecord.objects.get(object_id=str(lecture.pk)).channel == "admin"


def test_admin_shows_a_refused_rule_on_the_form(alxa: Alxa) -> None:
    url = reverse("admin:campaign_lecturesession_add")
    form = lecture_form(
        alxa,
        kind=kind(alxa, "exchange").pk,
        host_hospital=alxa.h001.pk,
        party_history="on",
        held_on="2021-08-10",
    )
    response = admin_client(alxa.admin).post(url, form)
    assert response.status_code == 200
    assert "党史宣讲仅在本医院宣讲" in response.content.decode()
    assert not LectureSession.objects.exists()
    substitute = admin_client(alxa.admin).post(url, lecture_form(alxa, speaker=person("H004-P03").pk))
    assert "院内宣讲须由本院党委书记或院长宣讲" in substitute.content.decode()
    assert not LectureSession.objects.exists()
    # Issue 15: a supervising official who is not of a health commission is refused here too.
    official = admin_client(alxa.admin).post(
        url, lecture_form(alxa, supervising_officials=[person("H004-P03").pk])
    )
    assert official.status_code == 200
    assert (
        "出席指导的卫生健康委领导须为本旗(区)、盟或自治区卫生健康委主要负责人或分管领导"
        in official.content.decode()
    )
    assert not LectureSession.objects.exists()


def test_admin_change_and_delete_record_history(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.admin, channel="api", data=lecture_data(alxa))
    client = admin_client(alxa.admin)
    url = reverse("admin:campaign_lecturesession_change", args=[lecture.pk])
    response = client.post(
        url, lecture_form(alxa, title="改过的题目", attendance_expected=400, attendance_present=380)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    update = ChangeRecord.objects.get(object_id=str(lecture.pk), action="update")
    assert update.changes["title"] == ["推动公立医院高质量发展", "改过的题目"]
    assert update.channel == "admin"
    delete = client.post(reverse("admin:campaign_lecturesession_delete", args=[lecture.pk]), {"post": "yes"})
    assert delete.status_code == 302
    assert not LectureSession.objects.exists()
    assert ChangeRecord.objects.filter(object_id=str(lecture.pk), action="delete", channel="admin").exists()


def test_admin_action_item_rules(alxa: Alxa) -> None:
    url = reverse("admin:campaign_actionitem_add")
    form = {
        "hospital": alxa.h004.pk,
        "task": task(alxa, "A5.1").pk,
        "part": "全面推行总会计师制度",
        "title": "设立总会计师",
        "responsible": person("H004-P02").pk,
        "starts_on": "2021-07-01",
        "due_on": "2021-12-31",
        "roadmap": "2021-09-30 提出人选",
        "roadmap-TOTAL_FORMS": 0,
        "roadmap-INITIAL_FORMS": 0,
        "progress-TOTAL_FORMS": 0,
        "progress-INITIAL_FORMS": 0,
    }
    response = admin_client(alxa.admin).post(url, form)
    assert "仅适用于三级医院" in response.content.decode()
    assert not ActionItem.objects.exists()
    ok = admin_client(alxa.admin).post(url, {**form, "part": ""})
    assert ok.status_code == 302
    assert ActionItem.objects.get().title == "设立总会计师"


def test_material_recommendation_in_admin_is_the_leagues(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.admin, channel="api", data=lecture_data(alxa))
    material = material_upload(
        actor=alxa.admin, channel="api", lecture=lecture, kind="courseware", file=upload("a.pdf", PDF)
    )
    url = reverse("admin:campaign_lecturematerial_changelist")
    body = {"action": "recommend", "_selected_action": [material.pk]}
    for reviewer in (alxa.banner_reviewer, alxa.league_reviewer):  # not staff: sent to the admin's login
        reviewer.user_permissions.add(*Permission.objects.filter(codename__endswith="_lecturematerial"))
        refused = admin_client(reviewer).post(url, body)
        assert refused.status_code == 302
        assert refused["Location"].startswith(reverse("admin:login"))
    material.refresh_from_db()
    assert not material.recommended_for_publicity
    admin_client(alxa.admin).post(url, body)
    material.refresh_from_db()
    assert material.recommended_for_publicity


def test_admin_changelist_is_scoped(alxa: Alxa) -> None:
    lecture_create(actor=alxa.admin, channel="api", data=lecture_data(alxa, title="左旗的宣讲"))
    lecture_create(
        actor=alxa.admin,
        channel="api",
        data=lecture_data(alxa, hospital=alxa.h006, speaker=person("H006-P01"), title="右旗的宣讲"),
    )
    changelist = reverse("admin:campaign_lecturesession_changelist")
    page = admin_client(alxa.admin).get(changelist).content.decode()
    assert "左旗的宣讲" in page
    assert "右旗的宣讲" in page
    month = admin_client(alxa.admin).get(changelist + "?month=2021-07")
    assert month.status_code == 200
    # A reviewer never reaches it, even with the permission: not staff, sent to the admin's login.
    reviewer = alxa.banner_reviewer
    reviewer.user_permissions.add(Permission.objects.get(codename="view_lecturesession"))
    refused = admin_client(reviewer).get(changelist)
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("admin:login"))
    # The changelist still reads through the scope selector (should a non-admin ever get in).
    request = RequestFactory().get(changelist)
    request.user = reviewer
    scoped = admin.site._registry[LectureSession].get_queryset(request)
    assert sorted(scoped.values_list("title", flat=True)) == ["左旗的宣讲"]


def test_upload_in_admin_checks_the_bytes(alxa: Alxa) -> None:
    lecture = lecture_create(actor=alxa.admin, channel="api", data=lecture_data(alxa))
    url = reverse("admin:campaign_lecturematerial_add")
    exe = b"MZ" + b"\x00" * 100
    response = admin_client(alxa.admin).post(
        url, {"lecture": lecture.pk, "kind": "courseware", "title": "", "file": upload("课件.pdf", exe)}
    )
    assert "文件内容不是允许的类型" in response.content.decode()
    assert not LectureMaterial.objects.exists()
    ok = admin_client(alxa.admin).post(
        url, {"lecture": lecture.pk, "kind": "courseware", "title": "", "file": upload("课件.pdf", PDF)}
    )
    assert ok.status_code == 302
    assert LectureMaterial.objects.get().content_type == "application/pdf"
    listing = (
        admin_client(alxa.admin).get(reverse("admin:campaign_lecturematerial_changelist")).content.decode()
    )
    assert "/api/v1/lecture-materials/" in listing
    assert "/media/" not in listing

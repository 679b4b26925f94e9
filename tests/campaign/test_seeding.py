from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from campaign.management.commands.load_seed import DEFAULT_SEEDS
from campaign.models import ActionTask, Campaign, Indicator, KeyDocument, Layer, LectureKind, Milestone
from campaign.seeding import SeedError, seed_load
from hospitals.models import Department, Hospital, MedicalAlliance, OrgUnit, Person, Post, User

MODELS = [
    OrgUnit,
    Hospital,
    Person,
    Post,
    Department,
    MedicalAlliance,
    User,
    Campaign,
    Milestone,
    KeyDocument,
    Layer,
    LectureKind,
    ActionTask,
    Indicator,
]
DEFAULT_PATHS = [settings.BASE_DIR / p for p in DEFAULT_SEEDS]


def _dump() -> dict[str, list[tuple]]:
    """Every row of every seeded model, as values, so two loads can be compared exactly."""
    return {m.__name__: sorted(map(tuple, m.objects.values_list())) for m in MODELS}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_load_twice_changes_nothing() -> None:
    first = seed_load(paths=DEFAULT_PATHS)
    assert first.created["医院"] == 10
    assert first.created["出成效指标"] == 23
    assert first.created["见行动任务"] == 11
    before = _dump()
    second = seed_load(paths=DEFAULT_PATHS)
    assert not second.changed
    assert _dump() == before


@pytest.mark.django_db
def test_2021_catalogues_match_the_notice() -> None:
    seed_load(paths=DEFAULT_PATHS)
    campaign = Campaign.objects.get(code="alxa-2021")
    assert campaign.league.name == "阿拉善盟"
    assert [(m.code, str(m.due_on)) for m in campaign.milestones.order_by("due_on", "code")][:5] == [
        ("launch", "2021-06-25"),
        ("centralised_lecture", "2021-06-30"),
        ("lecture_plan", "2021-06-30"),
        ("leaders_in_hospital", "2021-07-31"),
        ("external_lecture", "2021-08-31"),
    ]
    assert campaign.key_documents.count() == 4
    assert list(campaign.layers.values_list("name", flat=True)) == ["讲授", "讲解", "讲评", "讲述"]
    assert campaign.action_areas.count() == 5
    kinds = dict(campaign.lecture_kinds.values_list("code", "speaker_rule"))
    assert kinds["exchange"] == LectureKind.SpeakerRule.LEADER_IN_PERSON
    assert kinds["centralised"] == LectureKind.SpeakerRule.COMMISSION_LEADER
    ind = {i.code: i for i in campaign.indicators.all()}
    assert ind["O1.2-b"].reporting_level == "banner"
    assert ind["O1.2-b"].target_params == {"pp": 10}
    assert ind["O3.1-a"].target_params == {"tertiary": 0.6, "secondary": 0.75}
    assert ind["O5.1-a"].applies_to == "city_tertiary"
    assert ind["O1.2-a"].parts == ["人员通", "信息通", "资源通"]
    assert ind["O2.3-a"].numerator_may_exceed is True
    a51 = campaign.action_tasks.get(code="A5.1")
    h001 = Hospital.objects.get(code="H001")
    h004 = Hospital.objects.get(code="H004")
    assert "全面推行总会计师制度" in a51.parts_for(h001)
    assert "全面推行总会计师制度" not in a51.parts_for(h004)


@pytest.mark.django_db
def test_edited_file_updates_only_the_rows_it_names(tmp_path: Path) -> None:
    seed_load(paths=DEFAULT_PATHS)
    data = yaml.safe_load((settings.BASE_DIR / "seeds/alxa-2021.yaml").read_text(encoding="utf-8"))
    data["campaign"]["report_due_day"] = 8
    data["campaign"]["indicators"][0]["name"] = "党员社区志愿服务活动次数(修订)"
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = seed_load(paths=[edited])
    assert result.updated == {"活动": 1, "出成效指标": 1}
    assert not result.created
    campaign = Campaign.objects.get(code="alxa-2021")
    assert campaign.report_due_day == 8
    assert campaign.indicators.get(code="O1.1-a").name == "党员社区志愿服务活动次数(修订)"
    assert campaign.indicators.get(code="O1.1-b").name == "党员领导干部解决“急难愁盼”问题数"


@pytest.mark.django_db
def test_second_campaign_loads_without_code_change() -> None:
    seed_load(paths=DEFAULT_PATHS)
    seed_load(paths=[settings.BASE_DIR / "tests/data/other-campaign.yaml"])
    other = Campaign.objects.get(code="baotou-2022")
    assert other.league.name == "包头市"
    assert other.league.parent == OrgUnit.objects.get(code="150000")
    assert other.report_due_day == 10
    assert list(other.indicators.values_list("code", "target_kind")) == [
        ("X1", "increase_pct"),
        ("X2", "decrease"),
    ]
    assert other.action_tasks.get().area.name == "高质量发展"
    # The first campaign is untouched.
    assert Campaign.objects.get(code="alxa-2021").indicators.count() == 23
    assert OrgUnit.objects.get(code="150200").path == "/150000/150200/"


@pytest.mark.django_db
def test_broken_file_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "org_units:\n  - {code: X1, name: 某盟, kind: league}\n"
        "hospitals:\n  - {code: B1, name: 某院, banner: NOPE}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match="NOPE"):
        seed_load(paths=[bad])
    assert not OrgUnit.objects.filter(code="X1").exists()


@pytest.mark.django_db
def test_command_reports_no_change_on_rerun(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_seed")
    capsys.readouterr()
    call_command("load_seed")
    assert "无变化" in capsys.readouterr().out

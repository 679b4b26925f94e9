import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign.models import Campaign, ProgressStatus
from campaign.services import lecture_create
from reporting.evaluation.models import Evaluation
from reporting.evaluation.services import evaluation_build, evaluation_rules, evaluation_scores
from tests.campaign.conftest import enter_on, full_coverage, h004_action_item, lecture_data, person
from tests.conftest import Alxa
from tests.factories import HospitalFactory
from tests.reporting.conftest import SetClock, make_report

pytestmark = pytest.mark.django_db


def _record_h004_year(alxa: Alxa) -> None:
    """Secretary (all four documents in all four layers) and president lecture; one action item done;
    July's report on time. The lectures are entered on their day (a milestone asks when, too)."""
    enter_on(dt.date(2021, 7, 10))
    lecture_create(actor=alxa.reporter, channel="web", data=lecture_data(alxa, coverage=full_coverage(alxa)))
    lecture_create(
        actor=alxa.reporter,
        channel="web",
        data=lecture_data(alxa, speaker=person("H004-P02"), title="院长讲医改"),
    )
    enter_on(dt.date(2021, 8, 3), hour=10)
    h004_action_item(alxa, current_status=ProgressStatus.DONE)
    make_report(alxa, state="approved")


def test_scores_follow_the_campaign_rules_and_rank_the_hospitals(alxa: Alxa, set_clock: SetClock) -> None:
    _record_h004_year(alxa)
    Campaign.objects.filter(pk=alxa.campaign.pk).update(
        evaluation_rules={**alxa.campaign.evaluation_rules, "commendation_min_score": 40}
    )
    set_clock("2021-12-20 10:00")
    rows = evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert len(rows) == 10
    h004 = Evaluation.objects.get(hospital=alxa.h004)
    details = h004.details
    # 讲医改: 1 of 6 lecture milestones (secretary and president), 4 of 4 documents in all layers.
    assert details["lecture"] == {
        "milestones_met": 1,
        "milestones": 6,
        "documents_all_layers": 4,
        "documents": 4,
    }
    assert h004.lecture_score == Decimal("58.33")  # 50 × 1/6 + 50 × 4/4
    # 见行动: the one item done and not overdue (entered before the roadmap rule: none), 1 of the 5
    # reports due by 12-20 (July to November; December's is due in January) on time.
    assert (details["action"]["items"], details["action"]["without_roadmap"]) == (1, 1)
    assert (details["action"]["reports_on_time"], details["action"]["report_months"]) == (1, 5)
    assert h004.action_score == Decimal("76.00")  # 40 × 1 + 30 × 1 + 30 × 1/5
    outcome = details["outcome"]
    applicable = outcome["met"] + outcome["not_met"] + outcome["no_data"]
    assert outcome["met"] >= 2
    assert h004.outcome_score == (Decimal(100) * outcome["met"] / applicable).quantize(Decimal("0.01"))
    # No 绩效考核 result imported: its 15 points are spread over the other three (35 / 25 / 25 of 85).
    assert details["assessment"] == {"national": None, "regional": None, "missing": True}
    assert h004.assessment_score is None
    expected_total = (
        (Decimal(35) * Decimal("58.33") + Decimal(25) * 76 + Decimal(25) * h004.outcome_score) / 85
    ).quantize(Decimal("0.01"))
    assert abs(h004.total_score - expected_total) <= Decimal("0.01")
    assert (h004.rank, h004.proposed_commendation) == (1, True)
    others = Evaluation.objects.exclude(hospital=alxa.h004)
    assert set(others.values_list("rank", "total_score", "proposed_commendation")) == {
        (2, Decimal("0.00"), False)
    }

    # Rebuilding replaces, never duplicates.
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    assert Evaluation.objects.count() == 10


def test_only_a_league_reviewer_evaluates_and_only_in_december(alxa: Alxa, set_clock: SetClock) -> None:
    set_clock("2021-12-01 09:00")
    with pytest.raises(PermissionDenied):
        evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.banner_reviewer)
    set_clock("2021-11-30 09:00")
    with pytest.raises(ValidationError, match="12月"):
        evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)


def test_weights_must_add_up_to_100(alxa: Alxa, set_clock: SetClock) -> None:
    alxa.campaign.evaluation_rules = {"weights": {"lecture": 50, "action": 30, "outcome": 30}}
    with pytest.raises(ValidationError, match=r"权重.*之和须为100"):
        evaluation_scores(alxa.campaign)
    # Weights given are the whole set: three parts that make 100 weigh the assessment 0.
    alxa.campaign.evaluation_rules = {"weights": {"lecture": 40, "action": 30, "outcome": 30}}
    assert evaluation_rules(alxa.campaign)["weights"] == {
        "lecture": 40,
        "action": 30,
        "outcome": 30,
        "assessment": 0,
    }
    # The seed's: the assessment weighs 15 of the 100.
    seeded = Campaign.objects.get(pk=alxa.campaign.pk)
    assert evaluation_rules(seeded)["weights"]["assessment"] == 15


def test_the_scores_take_a_fixed_number_of_queries(alxa: Alxa, django_assert_max_num_queries) -> None:
    campaign = Campaign.objects.select_related("league").get(pk=alxa.campaign.pk)
    with django_assert_max_num_queries(30) as small:
        evaluation_scores(campaign)
    HospitalFactory.create_batch(20, banner=alxa.youqi)
    with django_assert_max_num_queries(30) as large:
        assert len(evaluation_scores(campaign)) == 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_run_on_12_03_it_judges_every_date_on_the_clock(alxa: Alxa, set_clock: SetClock) -> None:
    """Issue 15: an item due 12-15 is not overdue on 12-03, one due 11-30 is; only the reports already
    due count (July to October: November's is due 12-05, December's in January)."""
    make_report(alxa, state="approved")  # July's, on time (the clock stands at 08-03)
    h004_action_item(alxa, title="年底前完成", due_on=dt.date(2021, 12, 15))
    h004_action_item(alxa, title="11月底完成", due_on=dt.date(2021, 11, 30))
    set_clock("2021-12-03 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    action = Evaluation.objects.get(hospital=alxa.h004).details["action"]
    assert (action["items"], action["done"], action["overdue"]) == (2, 0, 1)
    # On 12-03 four reports are due (July to October: November's is due 12-05), not six.
    assert (action["reports_on_time"], action["report_months"]) == (1, 4)
    # 40 × 0 + 30 × 1/2 + 30 × 1/4
    assert Evaluation.objects.get(hospital=alxa.h004).action_score == Decimal("22.50")
    set_clock("2021-12-31 10:00")
    evaluation_build(campaign_id=alxa.campaign.pk, actor=alxa.league_reviewer)
    action = Evaluation.objects.get(hospital=alxa.h004).details["action"]
    assert (action["overdue"], action["report_months"]) == (2, 5)  # never December's before January
    Evaluation.objects.all().delete()
    set_clock("2021-12-06 10:00")  # the day after November's due day: five, December's still not
    assert (
        evaluation_scores(Campaign.objects.get(pk=alxa.campaign.pk))[0].details["action"]["report_months"]
        == 5
    )

"""Agreement metrics, the dataset reader and the eval run (offline grader on real human grades)."""

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from interviewer.errors import LLMConfigError, UserError
from interviewer.eval.evaluation import (
    GradedAnswer,
    evaluate_async,
    evaluate_sync,
    format_report,
    mae,
    pearson,
    per_question_pearson,
    quadratic_weighted_kappa,
    ranks,
    pearson_ci95,
    read_dataset,
    too_little_to_evaluate,
    rmse,
    score_step,
    spearman,
)
from interviewer.grading.interface import Grade, failed_grade

ROOT = Path(__file__).resolve().parents[1]
MOHLER_DEV = ROOT.parent / "shared" / "asag" / "mohler2011_dev.jsonl"


def line(**fields):
    base = {"question": "Q?", "reference": "R.", "answer": "A.", "score": 3, "scale_max": 5}
    return json.dumps(base | fields)


# --------------------------------------------------------------------------- metrics


def test_pearson_and_spearman():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 2, 3], [5, 5, 5]) is None
    assert pearson([1], [1]) is None
    # Monotone but not linear: Spearman sees a perfect order, Pearson does not.
    xs, ys = [1, 2, 3, 4], [1, 4, 9, 100]
    assert spearman(xs, ys) == pytest.approx(1.0)
    assert pearson(xs, ys) < 0.95


def test_ranks_share_ties():
    assert ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_errors():
    assert rmse([1, 3], [2, 5]) == pytest.approx((0.5 * (1 + 4)) ** 0.5)
    assert mae([1, 3], [2, 5]) == pytest.approx(1.5)
    assert rmse([], []) is None


def test_score_step_is_the_coarsest_that_fits():
    assert score_step([0, 1, 5]) == 1.0
    assert score_step([0, 2.5, 4.5]) == 0.5
    assert score_step([0.25, 1]) == 0.25


def test_quadratic_weighted_kappa():
    human = [0, 1, 2, 3, 4, 5]
    assert quadratic_weighted_kappa(human, human, 1.0) == pytest.approx(1.0)
    # Predictions are rounded to the human steps before comparing.
    assert quadratic_weighted_kappa([0.1, 0.9, 2.2, 2.8, 4.1, 5], human, 1.0) == pytest.approx(1.0)
    reversed_ = quadratic_weighted_kappa(list(reversed(human)), human, 1.0)
    assert reversed_ == pytest.approx(-1.0)
    off_by_one = quadratic_weighted_kappa([1, 2, 3, 4, 5, 5], human, 1.0)
    assert 0 < off_by_one < 1


def test_per_question_pearson_needs_three_varied_answers():
    predicted = [1, 2, 3, 1, 2, 4, 4]
    human = [1, 2, 3, 3, 2, 1, 4]
    groups = ["a", "a", "a", "b", "b", "b", "c"]
    # "c" has one answer: no figure. "b" is strongly negative.
    assert per_question_pearson(predicted, human, groups) == pytest.approx([1.0, pearson([1, 2, 4], [3, 2, 1])])
    assert pearson([1, 2, 4], [3, 2, 1]) < -0.9


# --------------------------------------------------------------------------- reading


def test_read_dataset_reports_bad_lines_with_their_numbers(tmp_path):
    path = tmp_path / "graded.jsonl"
    path.write_text(
        "\n".join(
            [
                line(qid="1.1", extra="ignored"),
                "{not json",
                line(score="high"),
                "",
                line(score=7),
                json.dumps([1, 2]),
                line(answer=None),
                line(score=4.5),
            ]
        )
        + "\n"
    )
    answers, problems = read_dataset(path)
    assert [a.line for a in answers] == [1, 8]
    assert answers[0].qid == "1.1" and answers[1].qid is None
    assert [p.split(": ")[0] for p in problems] == [f"{path}:{n}" for n in (2, 3, 5, 6, 7)]
    assert "score" in problems[1] and "outside" in problems[2]


def test_pearson_ci95_is_fishers_interval():
    low, high = pearson_ci95(0.5, 28)  # z = 0.5493, half-width 1.96/5 = 0.392
    assert (low, high) == (pytest.approx(0.1552, abs=1e-3), pytest.approx(0.7361, abs=1e-3))
    assert pearson_ci95(None, 50) is None and pearson_ci95(0.9, 3) is None
    assert pearson_ci95(1.0, 12)[1] == pytest.approx(1.0)


def test_too_little_to_evaluate_needs_ten_answers_and_a_usable_majority():
    assert too_little_to_evaluate(9, 0) and too_little_to_evaluate(2, 7) and too_little_to_evaluate(12, 13)
    assert too_little_to_evaluate(10, 0) is None and too_little_to_evaluate(12, 12) is None


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        read_dataset(tmp_path / "nope.jsonl")


# --------------------------------------------------------------------------- runs


def answers(n, scale=5.0):
    return [GradedAnswer(i + 1, f"Q{i}", "R", f"A{i}", float(i % 6), scale, qid=str(i % 2)) for i in range(n)]


def perfect_grade(item):
    human = float(item.answer[1:]) % 6
    return Grade(score=human / 5 * 10, feedback="", grader="fake", grader_version="1")


def test_evaluate_sync_maps_scores_to_the_file_scale():
    report = evaluate_sync(answers(12), perfect_grade, "fake", "1")
    data = report.to_dict()
    assert data["n"] == 12
    assert data["pearson"] == pytest.approx(1.0)
    assert data["rmse"] == pytest.approx(0.0)
    assert data["within1"] == 1.0
    assert data["mean_predicted"] == data["mean_human"]
    assert data["answers_per_s"] > 0


def test_failed_grades_are_counted_and_left_out():
    def sometimes_fails(item):
        if item.answer in ("A1", "A2"):
            return failed_grade("fake", "1", "server said no")
        return perfect_grade(item)

    data = evaluate_sync(answers(12), sometimes_fails, "fake", "1").to_dict()
    assert data["n"] == 10 and data["failed"] == 2
    assert data["pearson"] == pytest.approx(1.0)


async def test_evaluate_async_bounds_concurrency_and_keeps_order():
    class SlowGrader:
        name, version = "slow", "1"
        in_flight = peak = 0

        async def grade(self, item, on_feedback=None):
            SlowGrader.in_flight += 1
            SlowGrader.peak = max(SlowGrader.peak, SlowGrader.in_flight)
            await asyncio.sleep(0.01 if item.answer.endswith("0") else 0)
            SlowGrader.in_flight -= 1
            return perfect_grade(item)

    report = await evaluate_async(answers(20), SlowGrader(), concurrency=3)
    assert SlowGrader.peak == 3
    assert report.to_dict()["rmse"] == pytest.approx(0.0)


async def test_evaluate_async_counts_cached_grades():
    class HalfCached:
        name, version = "cached", "1"

        async def grade(self, item, on_feedback=None):
            grade = perfect_grade(item)
            return replace(grade, cached=int(item.answer[1:]) % 2 == 0)

    data = (await evaluate_async(answers(10), HalfCached())).to_dict()
    assert data["cached"] == 5 and data["n"] == 10
    assert "served from cache" in format_report(data, "x.jsonl")
    assert evaluate_sync(answers(4), perfect_grade, "fake", "1").to_dict()["cached"] == 0


async def test_a_config_error_stops_the_run_and_cancels_the_grades_in_flight():
    class RefusedKey:
        name, version = "llm", "1"
        started = finished = 0

        async def grade(self, item, on_feedback=None):
            RefusedKey.started += 1
            if item.answer == "A2":
                raise LLMConfigError("the server rejected the API key")
            await asyncio.sleep(0.05)
            RefusedKey.finished += 1
            return perfect_grade(item)

    with pytest.raises(LLMConfigError, match="rejected"):
        await evaluate_async(answers(30), RefusedKey(), concurrency=4)
    assert RefusedKey.started <= 5  # nothing new starts once the key is refused
    assert RefusedKey.finished == 0  # and the grades in flight were cancelled, not left running
    await asyncio.sleep(0.1)
    assert RefusedKey.finished == 0


# --------------------------------------------------------------------------- real human grades


@pytest.mark.skipif(not MOHLER_DEV.exists(), reason=f"{MOHLER_DEV} not found (shared ASAG data)")
def test_offline_grader_agrees_with_humans_on_the_mohler_dev_set():
    from interviewer.grading.offline.grader import OfflineGrader

    records, problems = read_dataset(MOHLER_DEV)
    assert not problems and len(records) == 1192
    grader = OfflineGrader()
    data = evaluate_sync(records, grader.grade_now, grader.name, grader.version).to_dict()
    assert data["pearson"] >= 0.60
    assert data["rmse"] <= 0.90
    assert data["spearman"] >= 0.60
    assert data["answers_per_s"] >= 300  # target 1,000 on an idle core; this guards against regressions


async def test_evaluation_shares_the_run_loop_a_rate_limit_is_retried_after_its_retry_after():
    from interviewer.testing.clock import FakeClock

    class RateLimitedOnce:
        name, version = "llm", "1"
        seen: set[str] = set()

        async def grade(self, item, on_feedback=None):
            if item.answer not in self.seen:
                self.seen.add(item.answer)
                if item.answer == "A1":
                    return failed_grade("llm", "1", "rate limited", retryable=True, retry_after_s=42.0)
            return perfect_grade(item)

    clock = FakeClock()
    report = await evaluate_async(answers(12), RateLimitedOnce(), concurrency=2, clock=clock, sleep=clock.sleep)
    assert report.failed == 0 and len(report.predicted) == 12 and clock.slept == [42.0]
    assert report.human == [a.score for a in answers(12)]  # still in file order

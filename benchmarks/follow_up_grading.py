"""Benchmark: what a right follow-up answer scores offline against its own points vs the parent's.

    python benchmarks/follow_up_grading.py

For each of the shipped bank's 100 follow-ups, the follow-up's reference is taken as the answer
and graded offline twice: on the follow-up's own reference and key points (today, via
``grading.follow_ups.follow_up_item``) and on the main question's (what the session did before).
Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from interviewer.bank import open_bank
    from interviewer.grading.follow_ups import follow_up_item
    from interviewer.grading.interface import GradingItem
    from interviewer.grading.offline.grader import OfflineGrader

    grader = OfflineGrader()
    own, parent = [], []
    for question in open_bank():
        follow_up = question.follow_up
        answer = follow_up.reference
        item = follow_up_item(question, follow_up.question, first_answer=question.reference, answer=answer)
        own.append(grader.grade_now(item).score)
        before = GradingItem(question=follow_up.question, answer=answer, reference=question.reference,
                             key_points=question.key_points)
        parent.append(grader.grade_now(before).score)
    print(json.dumps({
        "follow_ups": len(own),
        "mean_own_points": round(statistics.mean(own), 2),
        "mean_parent_points": round(statistics.mean(parent), 2),
        "passing_own_points": sum(s >= 7 for s in own),
        "passing_parent_points": sum(s >= 7 for s in parent),
    }))


if __name__ == "__main__":
    main()

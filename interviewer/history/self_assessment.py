"""The candidate's own verdict on a key point of a graded answer, kept beside the grader's.

After any grade the candidate may say "I did cover that" or "no, I missed that". The mark
is stored in its own table of the history (``self_assessments``), never in place of the
grader's verdict, which is kept with it; review scheduling counts the candidate's word for
the points they marked (``Attempt.missed_for_review``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.transcript import now_iso

#: What the candidate may say of a point.
SELF_VERDICTS = ("covered", "missed")

MIGRATION: tuple[str, ...] = (
    """CREATE TABLE self_assessments (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        follow_up_of TEXT,
        point TEXT NOT NULL,
        verdict TEXT NOT NULL,
        grader_verdict TEXT NOT NULL,
        marked_at TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE UNIQUE INDEX self_assessments_identity "
    "ON self_assessments (session_id, question_id, COALESCE(follow_up_of, ''), attempt, point)",
)

UPSERT = """
    INSERT INTO self_assessments
        (session_id, question_id, follow_up_of, point, verdict, grader_verdict, marked_at, attempt)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (session_id, question_id, COALESCE(follow_up_of, ''), attempt, point) DO UPDATE SET
    verdict = excluded.verdict, grader_verdict = excluded.grader_verdict, marked_at = excluded.marked_at
"""
DELETE = """
    DELETE FROM self_assessments
    WHERE session_id = ? AND question_id = ? AND COALESCE(follow_up_of, '') = ? AND attempt = ? AND point = ?
"""
SELECT = (
    "SELECT session_id, question_id, follow_up_of, point, verdict, grader_verdict, marked_at, attempt "
    "FROM self_assessments ORDER BY marked_at, id"
)


@dataclass(frozen=True)
class SelfAssessment:
    """The candidate's verdict on one key point of one attempt; ``verdict`` None takes the mark back."""

    session_id: str
    question_id: str
    point: str
    verdict: str | None
    #: What the grader said of the point (covered, partial, missed, contradicted), kept as it was.
    grader_verdict: str
    follow_up_of: str | None = None
    marked_at: str = field(default_factory=now_iso)
    #: Which try at the question in its session (a retry with ctrl+y counts on).
    attempt: int = 1

    def __post_init__(self) -> None:
        if self.verdict is not None and self.verdict not in SELF_VERDICTS:
            raise ValueError(f"a self-assessment is covered or missed, not {self.verdict!r}")

    @property
    def attempt_identity(self) -> tuple[str, str, str, int]:
        return (self.session_id, self.question_id, self.follow_up_of or "", int(self.attempt))

    def row(self) -> tuple:
        return (self.session_id, self.question_id, self.follow_up_of or None, self.point, self.verdict,
                self.grader_verdict, self.marked_at, int(self.attempt))

    def key(self) -> tuple:
        return (self.session_id, self.question_id, self.follow_up_of or "", int(self.attempt), self.point)


def next_self_verdict(current: str | None, grader_verdict: str) -> str | None:
    """The mark one more press gives: first the opposite of the grader's, then the other, then none."""
    first = "missed" if grader_verdict == "covered" else "covered"
    cycle = [None, first, "missed" if first == "covered" else "covered"]
    return cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else first

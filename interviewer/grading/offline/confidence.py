"""How sure an offline grade is, from signals a person can check: length, shared words, partial matches.

The offline grade is an estimate from the reference's wording. It is most trustworthy when
the answer uses the reference's words (a match is then hard to get wrong), or is very short
and in the reference's words; least when a long answer on the topic shares few words with the
reference yet scores in the middle, since it may make the points in words the grader does not
know. (Scoring below ``LOW_SCORE`` it is mostly about something else: answers to another
question share a word or two with any reference.) ``offline_confidence`` names the
signal that decided, in one line.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.grading.interface import Confidence, Grade, GradingItem
from interviewer.text.analysis import content_tokens, stem

#: An answer of at least this many content words is "long"; below ``SHORT_WORDS`` "very short".
LONG_WORDS = 25
SHORT_WORDS = 4
#: Shares of the answer's distinct content words found in the reference and key points.
FEW_SHARED = 0.25
MANY_SHARED = 0.6
#: From ``LOW_SCORE`` up to ``TRUSTED_SCORE`` a long answer sharing few words may be under-graded;
#: below ``LOW_SCORE`` an answer sharing no word with the question or reference is surely off the mark.
TRUSTED_SCORE = 7.0
LOW_SCORE = 3.0
#: From this share of partly matched key points the verdicts are uncertain.
MANY_PARTIAL = 0.5


@lru_cache(maxsize=1024)
def _stems(text: str) -> frozenset[str]:
    """The content stems of a question's reference, key points or wording (cached: a batch
    cycles through more questions than the word-token cache holds, so each answer redid them)."""
    return frozenset(stem(word) for word in content_tokens(text))


def offline_confidence(item: GradingItem, grade: Grade) -> Confidence:
    """The confidence of an offline ``grade`` of ``item``, with its reason."""
    words = content_tokens(item.answer)
    if not words:
        return Confidence("high", "no answer to judge")
    answer = {stem(word) for word in words}
    reference = _stems(item.reference) | _stems(" ".join(item.key_points))
    shared = len(answer & reference) / len(answer)
    on_topic = bool(answer & (reference | _stems(item.question)))
    verdicts = [result.verdict for result in grade.key_points]
    partial = verdicts.count("partial") / len(verdicts) if verdicts else 0.0
    score = grade.score or 0.0
    if grade.flags:
        return Confidence("low", "the answer has warning signs (see the flags); judge it yourself")
    if len(words) >= LONG_WORDS and shared < FEW_SHARED and on_topic and score < TRUSTED_SCORE:
        return Confidence(
            "low",
            f"a long answer on the topic sharing few words with the reference ({shared:.0%}): "
            "it may make the points in other words",
        )
    if not on_topic and score >= LOW_SCORE:
        # Without key points, answers sharing no word with the reference still average a middling
        # score (in the Mohler set they are mostly right in other words): so is "I like pizza".
        return Confidence("low", "the answer shares no word with the question or the reference, and its score "
                                 "is only the estimate for such answers: judge it yourself")
    if len(words) < SHORT_WORDS and shared >= FEW_SHARED:
        # In other words than the reference's a short answer is a guess: "as many as you need"
        # for "Unlimited number" scored 5.6 of 10 where people gave full marks.
        return Confidence("high", "a very short answer in the reference's words: there is little in it to miss")
    if partial >= MANY_PARTIAL:
        return Confidence("medium", "several key points match only in part")
    if shared >= MANY_SHARED:
        return Confidence("high", f"{shared:.0%} of the answer's words are the reference's, so its matches are clear")
    if score < LOW_SCORE and not on_topic:
        return Confidence("high", "the answer shares no words with the question or the reference")
    return Confidence("medium", f"{shared:.0%} of the answer's words are the reference's; a paraphrase may be missed")

"""``interviewer stats``: attempts, averages and trends per topic, from the practice history."""

from __future__ import annotations

import argparse
import json
import sys

from interviewer.errors import EXIT_BAD_INPUT, EXIT_OK

NO_HISTORY = "No attempts yet: run `interviewer` to practise."
BAR_CELLS = 10
BAR_FULL, BAR_EMPTY = "▇", "▁"
SPARK = "▁▂▃▄▅▆▇█"
#: A trend smaller than this (in points out of 10) shows as flat.
FLAT_TREND = 0.3


def register(subparsers) -> None:
    stats = subparsers.add_parser(
        "stats",
        help="show your progress: attempts, averages and trends per topic",
        description="Show your practice history: attempts, average score and trend per topic. "
        "The trend compares your last 5 graded answers in a topic with the 5 before them.",
    )
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument("--topic", metavar="T", help="only this topic")
    stats.set_defaults(run=run)


def score_bar(average: float | None, cells: int = BAR_CELLS) -> str:
    """``6.4`` -> ``▇▇▇▇▇▇▁▁▁▁`` (one cell per point out of 10 when ``cells`` is 10)."""
    if average is None:
        return " " * cells
    filled = max(0, min(cells, round(average / 10 * cells)))
    return BAR_FULL * filled + BAR_EMPTY * (cells - filled)


def trend_arrow(trend: float | None) -> str:
    """``+1.2`` -> ``↑ +1.2``; a small change is ``→``; no trend yet is blank."""
    if trend is None:
        return ""
    arrow = "↑" if trend >= FLAT_TREND else "↓" if trend <= -FLAT_TREND else "→"
    return f"{arrow} {trend:+.1f}"


def sparkline(values: list[float | None]) -> str:
    """One character per value on a 0-10 scale; a gap where there is no score."""
    return "".join(" " if v is None else SPARK[min(len(SPARK) - 1, int(v / 10 * len(SPARK)))] for v in values)


def _day(iso: str | None) -> str:
    from interviewer.history.stats import local_day

    return local_day(iso) if iso else ""


def render_text(stats) -> str:
    """The stats as a small table with a bar per topic and a trend arrow."""
    from interviewer.grading.interface import score_band

    average = "not graded yet" if stats.average is None else f"{stats.average:.1f}/10 ({score_band(stats.average)})"
    lines = [
        f"{stats.attempts} attempt{'s' if stats.attempts != 1 else ''} in {stats.sessions} "
        f"session{'s' if stats.sessions != 1 else ''}, {stats.questions} question"
        f"{'s' if stats.questions != 1 else ''}; average {average}",
        "",
    ]
    width = max([len("topic"), *(len(t.topic) for t in stats.topics)])
    lines.append(f"{'topic':<{width}}  attempts  {'average':<{BAR_CELLS + 6}}  {'trend':<7}  last practised")
    for topic in stats.topics:
        score = "  -" if topic.average is None else f"{topic.average:>4.1f}"
        lines.append(
            f"{topic.topic:<{width}}  {topic.attempts:>8}  {score_bar(topic.average)} {score:<5}  "
            f"{trend_arrow(topic.trend):<7}  {_day(topic.last_practised)}"
        )
    if len(stats.by_day) > 1:
        days = stats.by_day[-30:]
        lines += ["", f"by day ({days[0].label} to {days[-1].label}): {sparkline([d.average for d in days])}"]
    lines += spoken_lines(stats.spoken)
    return "\n".join(lines)


def spoken_lines(points) -> list[str]:
    """Pace and fillers of spoken answers across sessions (first session, then the latest)."""
    if not points:
        return []
    answers = sum(p.answers for p in points)
    first, last = points[0], points[-1]
    if len(points) == 1:
        pace = f"{last.words_per_minute:.0f} words/min"
        fillers = f"{last.fillers_per_answer:.1f} fillers and {last.pauses_per_answer:.1f} pauses per answer"
    else:
        pace = f"{first.words_per_minute:.0f} -> {last.words_per_minute:.0f} words/min"
        fillers = (f"fillers per answer {first.fillers_per_answer:.1f} -> {last.fillers_per_answer:.1f}, "
                   f"pauses {first.pauses_per_answer:.1f} -> {last.pauses_per_answer:.1f}")
    sessions = f"{len(points)} session{'s' if len(points) != 1 else ''}"
    return ["", f"spoken answers: {answers} in {sessions}; pace {pace}; {fillers}",
            f"  pace by session: {sparkline(_scaled([p.words_per_minute for p in points]))}"
            f"  fillers by session: {sparkline(_scaled([p.fillers_per_answer for p in points]))}"]


def _scaled(values: list[float]) -> list[float]:
    """Values on the sparkline's 0-10 scale, the largest at the top."""
    top = max(values, default=0) or 1.0
    return [min(9.99, 10 * v / top) for v in values]


def _bank_topics(settings) -> list[str]:
    """The topics of the bank practice would use (an unreadable bank has none to offer)."""
    from interviewer.bank import open_bank
    from interviewer.errors import UserError

    try:
        return list(open_bank(None, settings).used_topics())
    except UserError:
        return []


def _known_topic(topic: str, settings, practised: list[str]) -> bool:
    """A topic practised before or in the bank: asking for it is not a mistake, even with no attempts."""
    wanted = topic.lower()
    return any(t.lower() == wanted for t in (*practised, *_bank_topics(settings)))


def run(args: argparse.Namespace, settings) -> int:
    from interviewer.history.store import History

    with History(settings.history_path) as history:
        stats = history.stats(topic=args.topic)
        practised = [t.topic for t in history.stats().topics] if args.topic and stats.empty else []
    if args.topic and stats.empty and not _known_topic(args.topic, settings, practised):
        known = sorted(set(practised) | set(_bank_topics(settings)))
        print(f"interviewer: unknown topic {args.topic!r}; known topics: {', '.join(known)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if stats.empty:
        if args.json:
            print(json.dumps(stats.to_dict(), ensure_ascii=False))
        if args.topic and practised:
            print(f"No attempts yet for topic {args.topic!r}; practised so far: {', '.join(practised)}.", file=sys.stderr)
        else:
            print(NO_HISTORY, file=sys.stderr if args.json else sys.stdout)
        return EXIT_OK
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False))
    else:
        print(render_text(stats))
    return EXIT_OK

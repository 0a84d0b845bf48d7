"""The grade cache: lazy file, round trip, no failed grades, concurrent use, a broken file is survivable."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import threading

from interviewer.grading.llm.cache import GradeCache, cache_key
from interviewer.grading.interface import Grade, KeyPointResult, TokenUsage, failed_grade


def a_grade(score: float = 7.5, **extra) -> Grade:
    return Grade(
        score=score,
        feedback="Covers the mechanism; misses inference-time behaviour.",
        grader="llm",
        grader_version="1",
        criteria={"correctness": 8.0, "completeness": 6.0, "depth": 7.0, "communication": 9.0},
        key_points=(KeyPointResult("Randomly drops neurons", "covered", "switched off"),),
        model="gpt-4o-mini",
        prompt_hash="abc123",
        flags=("addresses the grader: asks for a score",),
        notes=("answer truncated",),
        usage=TokenUsage(410, 120),
        cost_usd=0.0001,
        **extra,
    )


def test_nothing_is_created_until_first_use(tmp_path):
    path = tmp_path / "deep" / "cache.sqlite3"
    cache = GradeCache(path)
    assert not path.parent.exists()
    assert cache.get("missing") is None
    assert path.exists()
    cache.close()


def test_a_grade_round_trips_and_comes_back_marked_cached(tmp_path):
    with GradeCache(tmp_path / "c.sqlite3") as cache:
        grade = a_grade()
        cache.put("k", grade)
        again = cache.get("k")
    assert again is not None and again.cached
    assert again == Grade(**{**grade.__dict__, "cached": True})


def test_failed_grades_are_never_stored(tmp_path):
    with GradeCache(tmp_path / "c.sqlite3") as cache:
        cache.put("k", failed_grade("llm", "1", "timeout", retryable=True))
        assert cache.get("k") is None
        assert len(cache) == 0


def test_a_later_put_replaces_the_entry(tmp_path):
    with GradeCache(tmp_path / "c.sqlite3") as cache:
        cache.put("k", a_grade(5.0))
        cache.put("k", a_grade(6.0))
        assert cache.get("k").score == 6.0
        assert len(cache) == 1


def test_the_file_is_in_wal_mode_and_shared_between_instances(tmp_path):
    path = tmp_path / "c.sqlite3"
    with GradeCache(path) as writer, GradeCache(path) as reader:
        writer.put("k", a_grade())
        assert reader.get("k").score == 7.5
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_keys_are_canonical_and_sensitive_to_every_part():
    base = cache_key("gpt-4o-mini", "h1", "What is dropout?", "It drops units.")
    assert base == cache_key("gpt-4o-mini", "h1", "What is dropout?", "It drops units.", "")
    assert len(base) == 64 and int(base, 16) >= 0
    variants = {
        cache_key("gpt-4o", "h1", "What is dropout?", "It drops units."),
        cache_key("gpt-4o-mini", "h2", "What is dropout?", "It drops units."),
        cache_key("gpt-4o-mini", "h1", "What is dropout? ", "It drops units."),
        cache_key("gpt-4o-mini", "h1", "What is dropout?", "It drops units!"),
        cache_key("gpt-4o-mini", "h1", "What is dropout?", "It drops units.", "follow-up"),
        cache_key("gpt-4o-mini", "h1", "What is dropout?", "It drops units.", reference="ref v2"),
        # Parts cannot run into each other.
        cache_key("gpt-4o-mini", "h1", "What is dropout?It", " drops units."),
    }
    assert base not in variants and len(variants) == 7


async def test_concurrent_asyncio_and_thread_use_in_one_process(tmp_path):
    cache = GradeCache(tmp_path / "c.sqlite3")

    async def worker(n: int) -> None:
        for i in range(20):
            await asyncio.to_thread(cache.put, f"{n}-{i}", a_grade(float(i % 10)))
            assert (await asyncio.to_thread(cache.get, f"{n}-{i}")).score == float(i % 10)

    await asyncio.gather(*(worker(n) for n in range(8)))
    assert len(cache) == 160
    cache.close()


def _write_many(path: str, prefix: str) -> None:
    with GradeCache(path) as cache:
        for i in range(40):
            cache.put(f"{prefix}-{i}", a_grade())
        assert cache.disabled_reason is None


def test_several_processes_write_the_same_file(tmp_path):
    path = tmp_path / "c.sqlite3"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(path), f"p{n}")) for n in range(3)]
    for worker in workers:
        worker.start()
    _write_many(str(path), "main")
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with GradeCache(path) as cache:
        assert len(cache) == 160


def test_a_corrupt_file_switches_the_cache_off_without_raising(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    cache = GradeCache(path)
    cache.put("k", a_grade())
    assert cache.get("k") is None
    assert cache.disabled_reason and str(path) in cache.disabled_reason


def test_threads_share_one_connection_safely(tmp_path):
    cache = GradeCache(tmp_path / "c.sqlite3")
    errors = []

    def hammer(n):
        try:
            for i in range(30):
                cache.put(f"{n}:{i}", a_grade())
                cache.get(f"{n}:{i}")
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(cache) == 180
    cache.close()

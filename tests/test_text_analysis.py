"""Tokens, stop words, stemming and related forms used by the offline grader."""

from interviewer.text.analysis import (
    clauses,
    content_tokens,
    is_content,
    sentences,
    similarity,
    stem,
    tokens,
)


def test_inflections_and_derivations_meet_at_one_stem():
    assert len({stem(w) for w in ("initialize", "initialized", "initialization", "initialise")}) == 1
    assert len({stem(w) for w in ("declare", "declared", "declaration")}) == 1
    assert len({stem(w) for w in ("recursion", "recursive", "recursively")}) == 1
    assert len({stem(w) for w in ("call", "calls", "called", "calling")}) == 1
    assert stem("copies") == stem("copy")
    assert stem("stopped") == stem("stop")
    assert stem("regularisation") == stem("regularization")
    # "-ative" and "-ated"/"-ating" met neither "-ation" nor "-ate": "iterative" earned nothing
    # for "Through iteration." (a Mohler question).
    assert len({stem(w) for w in ("iterate", "iterated", "iterating", "iteration", "iterative", "iteratively")}) == 1
    assert len({stem(w) for w in ("generate", "generated", "generation", "generative")}) == 1
    assert stem("stated") == stem("state") != stem("start")
    assert stem("generally") != stem("generative")  # a generic word: it would halve the weight of "generative"


def test_stemmer_keeps_distinct_words_apart():
    assert stem("class") != stem("call")
    assert stem("process") == "process"  # "ss" is not a plural
    assert stem("analysis") == "analysis"


def test_fillers_are_not_content_and_spoken_phrases_vanish():
    words = tokens("um, so, like, dropout basically drops neurons, you know, kind of randomly")
    content = [w for w in words if is_content(w)]
    assert content == ["dropout", "drops", "neurons", "randomly"]
    assert "know" not in words


def test_tokens_keep_language_names_and_read_number_words_as_digits():
    assert "c++" in tokens("Programs in C++ start at main")
    assert tokens("one element") == ("1", "element")
    assert content_tokens("It is not the same") == ["not"]  # negation is content


def test_similarity_grades_matches():
    assert similarity(stem("training"), stem("trained")) == 1.0
    assert similarity(stem("defintion"), stem("definition")) == 0.9  # a typo
    assert similarity(stem("stop"), stem("halt")) == 0.8  # related form
    assert similarity(stem("big"), stem("large")) == 0.8
    assert similarity(stem("nuerons"), stem("neurons")) == 0.9  # two letters swapped
    assert similarity(stem("neuron"), stem("banana")) == 0.0


def test_sentences_and_clauses():
    assert sentences("First one. Second, i.e. more; third!") == ["First one", "Second, i.e. more", "third"]
    parts = clauses("Divide the problem, solve the parts, and then combine the results.")
    assert parts == ["Divide the problem, solve the parts", "combine the results"]

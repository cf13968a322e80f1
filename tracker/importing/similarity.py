"""Suggested task -> problem links: which problems a next-year task most plausibly
remedies, by how much of its wording it shares with them. Text in, suggestions
out: no ORM, so the admin's import preview (a parsed tree) and the task's page
(stored obligations) ask the same function.

The measure is character-bigram TF-IDF cosine, the usual baseline for Chinese
text without a word segmenter: a report names the same things with the same
characters (执法人员, 法治观念), and bigrams catch them without a dictionary. The
weights are scikit-learn's defaults (raw counts, smoothed idf
``ln((1 + n) / (1 + df)) + 1``), the document frequencies taken over every
obligation of the report, so words every passage uses (法治, 建设) weigh little.
The figures on the seed report, and why these thresholds: docs/link-suggestions.md.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from .tree import PROBLEM, TASK, WORK_ITEM

# A suggestion needs at least this cosine, and a task gets at most this many:
# measured on the seed report (docs/link-suggestions.md, tests/test_similarity.py).
MIN_SCORE = 0.06
MAX_PER_TASK = 3
# A follow-up match (an earlier task or problem -> a later report's item) needs
# at least this cosine, and an earlier item gets at most this many: measured on
# tests/data/wuxi-2023-report.txt (docs/link-suggestions.md, tests/test_similarity.py).
FOLLOWUP_MIN_SCORE = 0.1
FOLLOWUP_MAX_PER_ITEM = 2
# How many shared terms a suggestion gives as its reason.
MAX_TERMS = 5

# The numbering a passage starts with (一是, 1., (一)) is the report's layout, not
# its content: two passages that both start with 一是 share nothing.
_LEADING_NUMBER_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}是|\d{1,2}[.、．]|[(（][一二三四五六七八九十]{1,3}[)）])"
)
# Bigrams are taken inside runs of Chinese characters only: punctuation, digits and
# Latin letters break a run (a figure such as 2023 is not a shared concern).
_HAN_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Suggestion:
    """A problem suggested for a task: both by code, the cosine, and the terms the
    two passages share, the most telling first."""

    task: str
    problem: str
    score: float
    terms: tuple[str, ...]


def _runs(text: str) -> list[str]:
    return _HAN_RUN_RE.findall(_LEADING_NUMBER_RE.sub("", text))


def _bigrams(text: str) -> list[str]:
    return [run[i : i + 2] for run in _runs(text) for i in range(len(run) - 1)]


def _document_frequency(corpus: list[str]) -> tuple[Counter, int]:
    counts = Counter()
    for document in corpus:
        counts.update(set(_bigrams(document)))
    return counts, len(corpus)


def _weights(texts: dict, corpus: list[str]) -> dict:
    """Each text's TF-IDF vector, L2-normalised, as {bigram: weight}."""
    document_frequency, n = _document_frequency(corpus)
    vectors = {}
    for key, text in texts.items():
        counts = Counter(_bigrams(text))
        vector = {
            gram: count * (math.log((1 + n) / (1 + document_frequency[gram])) + 1)
            for gram, count in counts.items()
        }
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        vectors[key] = {gram: weight / norm for gram, weight in vector.items()}
    return vectors


def _shared_terms(task_text: str, problem_text: str, contribution: dict[str, float]):
    """The longest runs of shared bigrams in the task's text that the problem's text
    also contains (执法人员 rather than 执法, 法人, 人员), by summed contribution to
    the cosine."""
    terms = {}
    for run in _runs(task_text):
        i = 0
        while i < len(run) - 1:
            if run[i : i + 2] not in contribution:
                i += 1
                continue
            j = i + 1
            while j < len(run) - 1 and run[j : j + 2] in contribution:
                j += 1
            # run[i : j + 1] is made of shared bigrams; keep the longest pieces of it
            # that the problem's text contains as a whole.
            start = i
            while start < j:
                end = j + 1
                while end - start > 2 and run[start:end] not in problem_text:
                    end -= 1
                term = run[start:end]
                weight = sum(
                    contribution.get(term[k : k + 2], 0.0) for k in range(len(term) - 1)
                )
                terms[term] = max(terms.get(term, 0.0), weight)
                start = end - 1
            i = j
    chosen = []
    for term, _weight in sorted(terms.items(), key=lambda item: (-item[1], item[0])):
        # 人员 says nothing more once 执法人员 is given.
        if not any(term in longer for longer in chosen):
            chosen.append(term)
    return tuple(chosen[:MAX_TERMS])


def _ranked(queries: dict, candidates: dict, *, corpus, min_score, limit):
    """For each query (``{key: text}``, in the order given), the candidates it
    shares the most wording with, as (query, candidate, score, terms): at most
    ``limit`` of them, each with a cosine of at least ``min_score``, best first."""
    query_vectors = _weights(queries, corpus)
    candidate_vectors = _weights(candidates, corpus)
    for query, query_text in queries.items():
        scored = []
        for candidate, candidate_text in candidates.items():
            query_vector = query_vectors[query]
            candidate_vector = candidate_vectors[candidate]
            contribution = {
                gram: weight * candidate_vector[gram]
                for gram, weight in query_vector.items()
                if gram in candidate_vector
            }
            score = sum(contribution.values())
            if score > 0 and score >= min_score:
                terms = _shared_terms(query_text, candidate_text, contribution)
                scored.append((query, candidate, round(score, 3), terms))
        scored.sort(key=lambda each: -each[2])
        yield from scored[:limit]


def suggest_links(
    tasks: dict[str, str],
    problems: dict[str, str],
    *,
    corpus: list[str] | None = None,
    min_score: float = MIN_SCORE,
    max_per_task: int = MAX_PER_TASK,
) -> list[Suggestion]:
    """For each task (``{code: text}``), the problems (``{code: text}``) it shares
    the most wording with: at most ``max_per_task`` of them, each with a cosine of
    at least ``min_score``, best first within a task, tasks in the order given.

    ``corpus`` is every passage of the report (work items too), for the document
    frequencies; without it, the tasks and problems themselves."""
    if not tasks or not problems:
        return []
    if corpus is None:
        corpus = [*tasks.values(), *problems.values()]
    if set(tasks) & set(problems):
        raise ValueError("A code cannot be both a task and a problem.")
    return [
        Suggestion(*each)
        for each in _ranked(
            tasks, problems, corpus=corpus, min_score=min_score, limit=max_per_task
        )
    ]


def suggest_for_report(passages, *, tasks=None) -> list[Suggestion]:
    """Suggestions for the tasks of one report, from ``(code, kind, text)`` of every
    obligation in it (a parsed tree's or the stored ones): all of its tasks, or only
    those whose codes are in ``tasks``. Every passage counts for the document
    frequencies."""
    passages = list(passages)
    wanted = None if tasks is None else set(tasks)
    return suggest_links(
        {
            code: text
            for code, kind, text in passages
            if kind == TASK and (wanted is None or code in wanted)
        },
        {code: text for code, kind, text in passages if kind == PROBLEM},
        corpus=[text for _code, _kind, text in passages],
    )


@dataclass(frozen=True)
class FollowUpMatch:
    """An item of the later report suggested as reporting on a task or problem of
    the earlier one: both by code, the cosine, and the shared terms."""

    earlier: str
    later: str
    score: float
    terms: tuple[str, ...]


def match_followups(
    earlier_passages,
    later_passages,
    *,
    only=None,
    min_score: float = FOLLOWUP_MIN_SCORE,
    max_per_item: int | None = FOLLOWUP_MAX_PER_ITEM,
) -> list[FollowUpMatch]:
    """Which items of next year's report report on each task and problem of this
    year's, from ``(code, kind, text)`` of every obligation of each report: at
    most ``max_per_item`` (None: all) with a cosine of at least ``min_score`` for
    each earlier item, or for those whose codes are in ``only``.

    The earlier report's tasks and problems are matched to the later report's work
    items and problems (a later task is a promise, not a report of what was done;
    a later problem is either what became of a task or a problem again). Every
    passage of both reports counts for the document frequencies, so the genre's
    words that every year's report uses (法治, 进一步, 加强) weigh little."""
    earlier_passages, later_passages = list(earlier_passages), list(later_passages)
    earlier = {
        code: text
        for code, kind, text in earlier_passages
        if kind in (TASK, PROBLEM) and (only is None or code in only)
    }
    later = {
        code: text
        for code, kind, text in later_passages
        if kind in (WORK_ITEM, PROBLEM)
    }
    if not earlier or not later:
        return []
    corpus = [text for _c, _k, text in [*earlier_passages, *later_passages]]
    return [
        FollowUpMatch(*each)
        for each in _ranked(
            earlier, later, corpus=corpus, min_score=min_score, limit=max_per_item
        )
    ]

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

Bigrams do not see that 普法 and 法治宣传教育 are the same work. So the score adds,
at ``CONCEPT_WEIGHT``, a second cosine over the field's concepts: the passage cut
into words by jieba with a user dictionary of rule-of-law terms
(``segmentation``), each word of the thesaurus (``thesaurus``: shipped with the app,
extended by administrators, handed in as data) standing for its group. The reason
shown is whole words, a synonym named as such (普法 ≈ 法治宣传教育).

A report groups its work by theme (（二）多元化解矛盾纠纷: 1. 三调联动…, 2. 诉前调解…),
and next year's report answers a task with a whole group more often than with one
item of it. So a follow-up's score blends, at ``GROUP_WEIGHT``, the item's own
score with its group's (the group's heading and every item of it, as one
passage), and an earlier item gets every candidate that scores at least
``FOLLOWUP_MIN_SHARE`` of its best one, at most ``FOLLOWUP_MAX_PER_ITEM``.
The figures on the seed report and the gold set, and why these thresholds and this
weight: docs/link-suggestions.md.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from .segmentation import words
from .thesaurus import Thesaurus, shipped_thesaurus
from .tree import PROBLEM, TASK, WORK_ITEM

# A suggestion needs at least this cosine, and a task gets at most this many:
# measured on the seed report (docs/link-suggestions.md, tests/test_similarity.py).
MIN_SCORE = 0.06
MAX_PER_TASK = 3
# A follow-up match (an earlier task or problem -> a later report's item) needs
# at least this score and this share of the earlier item's best one, and an
# earlier item gets at most this many: chosen on the four development pairs of the
# gold set, then checked on the held-out one (docs/link-suggestions.md,
# tests/test_similarity.py).
FOLLOWUP_MIN_SCORE = 0.16
FOLLOWUP_MIN_SHARE = 0.5
FOLLOWUP_MAX_PER_ITEM = 3
# How much a later work item's group (its heading and its siblings) weighs in its
# score against the item alone: same measure.
GROUP_WEIGHT = 0.4
# How much the cosine over the thesaurus' concepts adds to the bigram cosine:
# measured on the gold set of three report pairs (docs/link-suggestions.md).
CONCEPT_WEIGHT = 0.5
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


def _concepts(passage_words: list[str], thesaurus: Thesaurus) -> list[tuple[str, str]]:
    """The thesaurus' concepts a passage's words name, as (concept, the word it
    uses): a thesaurus word, or one inside a longer word (普法 in 精准普法)."""
    found = []
    for word in passage_words:
        if word in thesaurus.concept:
            found.append((thesaurus.concept[word], word))
            continue
        found.extend(
            (thesaurus.concept[inner], inner)
            for inner in thesaurus.words
            if len(inner) >= 2 and inner in word
        )
    return found


def _words(text: str, thesaurus: Thesaurus) -> list[str]:
    """The passage's words of two characters or more, its numbering left out."""
    return [
        word
        for word in words(_LEADING_NUMBER_RE.sub("", text), keep_whole=thesaurus.words)
        if len(word) >= 2 and _HAN_RUN_RE.fullmatch(word)
    ]


def _weights(features: dict[str, list[str]], corpus: list[list[str]]) -> dict:
    """Each passage's TF-IDF vector (``features``: its bigrams or its concepts),
    L2-normalised, as {feature: weight}; the document frequencies over ``corpus``."""
    document_frequency = Counter()
    for document in corpus:
        document_frequency.update(set(document))
    n = len(corpus)
    vectors = {}
    for key, items in features.items():
        vector = {
            item: count * (math.log((1 + n) / (1 + document_frequency[item])) + 1)
            for item, count in Counter(items).items()
        }
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        vectors[key] = {item: weight / norm for item, weight in vector.items()}
    return vectors


def _contribution(first: dict, second: dict) -> dict[str, float]:
    return {item: w * second[item] for item, w in first.items() if item in second}


def _term_weights(query, candidate, bigrams, concepts):
    """Whole words both passages use, each weighed by its bigrams' share of the
    score, and the synonyms that joined them (普法 ≈ 法治宣传教育), by the concept's
    share. ``query`` and ``candidate``: each passage's words
    and concepts."""
    (query_words, query_concepts), (candidate_words, candidate_concepts) = (
        query,
        candidate,
    )
    candidate_words = set(candidate_words)
    weights = {}
    for word in dict.fromkeys(query_words):
        if word not in candidate_words:
            continue
        weight = sum(bigrams.get(word[k : k + 2], 0.0) for k in range(len(word) - 1))
        weights[word] = weight
    query_surfaces, candidate_surfaces = {}, {}
    for concept, word in query_concepts:
        query_surfaces.setdefault(concept, word)
    for concept, word in candidate_concepts:
        candidate_surfaces.setdefault(concept, word)
    for concept, weight in concepts.items():
        said, answered = query_surfaces[concept], candidate_surfaces[concept]
        term = said if said == answered else f"{said} ≈ {answered}"
        weights[term] = weights.get(term, 0.0) + CONCEPT_WEIGHT * weight
    return weights


def _chosen_terms(weights):
    """The terms of ``_term_weights``, at most ``MAX_TERMS``, the most telling
    first, a word inside an already given one left out (人员 says nothing more
    once 执法人员 is given)."""
    chosen = []
    for term, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        if weight > 0 and not any(term in longer for longer in chosen):
            chosen.append(term)
    return tuple(chosen[:MAX_TERMS])


def _ranked(
    queries: dict,
    candidates: dict,
    *,
    corpus,
    min_score,
    limit,
    thesaurus,
    groups=None,
    group_weight=0.0,
    min_share=0.0,
):
    """For each query (``{key: text}``, in the order given), the candidates it
    shares the most wording or concepts with, as (query, candidate, score, terms):
    at most ``limit`` of them, each scoring at least ``min_score`` and at least
    ``min_share`` of the query's best score, best first.

    The score is the bigram cosine plus ``CONCEPT_WEIGHT`` times the cosine over
    the thesaurus' concepts; each with its document frequencies over ``corpus``.
    ``groups`` gives some candidates the text of their group (``{candidate: the
    group's heading and items as one text}``): their score is ``1 - group_weight``
    times their own plus ``group_weight`` times the group's, and the group's shared
    words join their reason, after their own."""
    thesaurus = shipped_thesaurus() if thesaurus is None else thesaurus
    groups = groups or {}
    # Each passage is cut into words once, whatever the number of pairs it is in.
    analysed = {}
    for text in [*corpus, *queries.values(), *candidates.values(), *groups.values()]:
        if text not in analysed:
            passage_words = _words(text, thesaurus)
            analysed[text] = (passage_words, _concepts(passage_words, thesaurus))

    def concepts_of(text):
        return [concept for concept, _word in analysed[text][1]]

    def vectors(feature):
        documents = [feature(text) for text in corpus]
        group_texts = {text: text for text in groups.values()}
        return (
            _weights({k: feature(t) for k, t in queries.items()}, documents),
            _weights({k: feature(t) for k, t in candidates.items()}, documents),
            _weights({k: feature(t) for k, t in group_texts.items()}, documents),
        )

    query_bigrams, candidate_bigrams, group_bigrams = vectors(_bigrams)
    query_concepts, candidate_concepts, group_concepts = vectors(concepts_of)

    def measure(query, candidate_bigram, candidate_concept):
        bigrams = _contribution(query_bigrams[query], candidate_bigram)
        concepts = _contribution(query_concepts[query], candidate_concept)
        score = sum(bigrams.values()) + CONCEPT_WEIGHT * sum(concepts.values())
        return score, bigrams, concepts

    def reason(query_text, candidate_text, own, from_group):
        """The item's own shared terms, then those it shares through its group."""
        terms = _chosen_terms(
            _term_weights(analysed[query_text], analysed[candidate_text], *own)
        )
        if from_group is not None:
            group_text, bigrams, concepts = from_group
            by_group = _term_weights(
                analysed[query_text], analysed[group_text], bigrams, concepts
            )
            terms += tuple(
                term
                for term in _chosen_terms(by_group)
                if not any(term in given for given in terms)
            )
        return terms[:MAX_TERMS]

    for query, query_text in queries.items():
        scored = []
        for candidate in candidates:
            score, *own = measure(
                query, candidate_bigrams[candidate], candidate_concepts[candidate]
            )
            group_text, from_group = groups.get(candidate), None
            if group_text is not None:
                group_score, *shared = measure(
                    query, group_bigrams[group_text], group_concepts[group_text]
                )
                score = (1 - group_weight) * score + group_weight * group_score
                from_group = (group_text, *shared)
            if score > 0 and score >= min_score:
                scored.append((round(score, 3), candidate, own, from_group))
        scored.sort(key=lambda each: -each[0])
        best = scored[0][0] if scored else 0.0
        for score, candidate, own, from_group in scored[:limit]:
            if score < min_share * best:
                break
            terms = reason(query_text, candidates[candidate], own, from_group)
            yield query, candidate, score, terms


def suggest_links(
    tasks: dict[str, str],
    problems: dict[str, str],
    *,
    corpus: list[str] | None = None,
    min_score: float = MIN_SCORE,
    max_per_task: int = MAX_PER_TASK,
    thesaurus: Thesaurus | None = None,
) -> list[Suggestion]:
    """For each task (``{code: text}``), the problems (``{code: text}``) it shares
    the most wording with: at most ``max_per_task`` of them, each with a cosine of
    at least ``min_score``, best first within a task, tasks in the order given.

    ``corpus`` is every passage of the report (work items too), for the document
    frequencies; without it, the tasks and problems themselves. ``thesaurus``:
    the synonyms to use (None: those shipped with the app)."""
    if not tasks or not problems:
        return []
    if corpus is None:
        corpus = [*tasks.values(), *problems.values()]
    if set(tasks) & set(problems):
        raise ValueError("A code cannot be both a task and a problem.")
    return [
        Suggestion(*each)
        for each in _ranked(
            tasks,
            problems,
            corpus=corpus,
            min_score=min_score,
            limit=max_per_task,
            thesaurus=thesaurus,
        )
    ]


def suggest_for_report(passages, *, tasks=None, thesaurus=None) -> list[Suggestion]:
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
        thesaurus=thesaurus,
    )


@dataclass(frozen=True)
class FollowUpMatch:
    """An item of the later report suggested as reporting on a task or problem of
    the earlier one: both by code, the cosine, and the shared terms."""

    earlier: str
    later: str
    score: float
    terms: tuple[str, ...]


def _unpack(passage):
    """``(code, kind, text, group)`` from a passage given with or without the
    title of the group (the section inside a chapter) that holds it."""
    code, kind, text, *rest = passage
    return code, kind, text, (rest[0] if rest else "") or ""


def _groups(later_passages) -> dict[str, str]:
    """Each later work item in a group, with its group as one text: the group's
    heading and every work item of it, in order."""
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for code, kind, text, group in later_passages:
        if kind == WORK_ITEM and group:
            parent = code.rsplit(".", 1)[0]
            members.setdefault((parent, group), []).append((code, text))
    return {
        code: "\n".join([heading, *(text for _c, text in items)])
        for (_parent, heading), items in members.items()
        for code, _text in items
    }


def match_followups(
    earlier_passages,
    later_passages,
    *,
    only=None,
    min_score: float = FOLLOWUP_MIN_SCORE,
    max_per_item: int | None = FOLLOWUP_MAX_PER_ITEM,
    min_share: float = FOLLOWUP_MIN_SHARE,
    group_weight: float = GROUP_WEIGHT,
    thesaurus: Thesaurus | None = None,
) -> list[FollowUpMatch]:
    """Which items of next year's report report on each task and problem of this
    year's, from ``(code, kind, text)`` or ``(code, kind, text, group)`` of every
    obligation of each report (``group``: the title of the section inside a
    chapter that holds it, empty when a chapter holds it directly): for each
    earlier item, or those whose codes are in ``only``, at most ``max_per_item``
    (None: all) scoring at least ``min_score`` and ``min_share`` of its best.

    The earlier report's tasks and problems are matched to the later report's work
    items and problems (a later task is a promise, not a report of what was done;
    a later problem is either what became of a task or a problem again). Every
    passage of both reports counts for the document frequencies, so the genre's
    words that every year's report uses (法治, 进一步, 加强) weigh little. A later
    work item in a group is scored with its group at ``group_weight``: a task is
    answered by a theme more often than by one item of it."""
    earlier_passages = [_unpack(each) for each in earlier_passages]
    later_passages = [_unpack(each) for each in later_passages]
    earlier = {
        code: text
        for code, kind, text, _group in earlier_passages
        if kind in (TASK, PROBLEM) and (only is None or code in only)
    }
    later = {
        code: text
        for code, kind, text, _group in later_passages
        if kind in (WORK_ITEM, PROBLEM)
    }
    if not earlier or not later:
        return []
    corpus = [text for _c, _k, text, _g in [*earlier_passages, *later_passages]]
    return [
        FollowUpMatch(*each)
        for each in _ranked(
            earlier,
            later,
            corpus=corpus,
            min_score=min_score,
            limit=max_per_item,
            thesaurus=thesaurus,
            groups=_groups(later_passages) if group_weight else None,
            group_weight=group_weight,
            min_share=min_share,
        )
    ]

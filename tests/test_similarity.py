"""Suggested task -> problem links (tracker.similarity), measured on the seed report
against its six editorial links, and suggested follow-ups across years, measured on
the seed report and tests/data/wuxi-2023-report.txt against the 17 editorial
follow-ups of tests/data/wuxi-2023-followups.json. The figures are those of
docs/link-suggestions.md: a change that lowers them fails here."""

import json

from django.conf import settings

from tests.followup_helpers import WUXI_2023, gold_followups
from tracker import importing
from tracker.importing.segmentation import words
from tracker.importing.similarity import (
    CONCEPT_WEIGHT,
    FOLLOWUP_MAX_PER_ITEM,
    FOLLOWUP_MIN_SCORE,
    MAX_PER_TASK,
    MIN_SCORE,
    match_followups,
    suggest_links,
)
from tracker.importing.thesaurus import Thesaurus, shipped_thesaurus

SOURCE = settings.BASE_DIR / "fixtures" / "source"
DATA = settings.BASE_DIR / "tests" / "data"
# docs/link-suggestions.md: precision 5/5, recall 5/6 at MIN_SCORE 0.06, 3 per task.
DOCUMENTED_PRECISION = 1.0
DOCUMENTED_RECALL = 5 / 6


def _seed_suggestions(**options):
    tree = importing.parse_report_file(SOURCE / "wuxi-2022-rule-of-law-report.txt")
    obligations = [obligation for _section, obligation in tree.obligations()]
    tasks = {o.code: o.body for o in obligations if o.kind == importing.TASK}
    problems = {o.code: o.body for o in obligations if o.kind == importing.PROBLEM}
    corpus = [o.body for o in obligations]
    return suggest_links(tasks, problems, corpus=corpus, **options)


def _editorial_links():
    data = json.loads((SOURCE / "wuxi-2022-links.json").read_text(encoding="utf-8"))
    return {(link["task"], link["problem"]) for link in data["links"]}


def test_seed_suggestions_keep_the_documented_precision_and_recall():
    suggested = {(s.task, s.problem) for s in _seed_suggestions()}
    editorial = _editorial_links()
    correct = suggested & editorial
    precision = len(correct) / len(suggested)
    recall = len(correct) / len(editorial)
    assert (MIN_SCORE, MAX_PER_TASK) == (0.06, 3), "update docs/link-suggestions.md"
    assert precision >= DOCUMENTED_PRECISION, sorted(suggested - editorial)
    assert recall >= DOCUMENTED_RECALL, sorted(editorial - suggested)


def test_suggestion_gives_the_wording_both_passages_share_as_its_reason():
    by_pair = {(s.task, s.problem): s for s in _seed_suggestions()}
    assert by_pair[("4.4", "3.1")].terms[0] == "执法人员"
    assert "法治思维" in by_pair[("4.1", "3.1")].terms  # a whole word, not 用法治思维


def test_a_task_gets_its_best_problem_first_and_no_more_than_the_limit():
    suggestions = _seed_suggestions(min_score=0.0, max_per_task=2)
    for4_4 = [s for s in suggestions if s.task == "4.4"]
    assert ("4.4", for4_4[0].problem) in _editorial_links()
    assert len(for4_4) == 2
    assert for4_4[0].score >= for4_4[1].score


def test_numbering_alone_is_not_a_shared_concern():
    suggestions = suggest_links(
        {"2.1": "一是完善公共法律服务体系。"},
        {"1.1": "一是执法队伍素质有待提高。"},
        min_score=0.0,
    )
    assert suggestions == []


def test_no_problems_means_no_suggestions():
    assert suggest_links({"2.1": "完善法律顾问制度。"}, {}) == []


# --- Follow-up across years -----------------------------------------------------
# docs/link-suggestions.md: on the Wuxi 2022 -> 2023 pair, 13 of 14 suggestions
# right, 13 of the 17 editorial follow-ups found, at FOLLOWUP_MIN_SCORE 0.13 and 2
# per earlier item, with the shipped thesaurus.
DOCUMENTED_FOLLOWUP_PRECISION = 13 / 14
DOCUMENTED_FOLLOWUP_RECALL = 13 / 17


def _followup_matches(**options):
    def passages(path):
        tree = importing.parse_report_file(path)
        return [(o.code, o.kind, o.body) for _section, o in tree.obligations()]

    return match_followups(
        passages(SOURCE / "wuxi-2022-rule-of-law-report.txt"),
        passages(WUXI_2023),
        **options,
    )


def test_followup_suggestions_keep_the_documented_precision_and_recall():
    suggested = {(m.earlier, m.later) for m in _followup_matches()}
    gold = gold_followups()
    correct = suggested & gold
    assert (FOLLOWUP_MIN_SCORE, FOLLOWUP_MAX_PER_ITEM, CONCEPT_WEIGHT) == (
        0.13,
        2,
        0.5,
    ), "update docs/link-suggestions.md"
    assert len(correct) / len(suggested) >= DOCUMENTED_FOLLOWUP_PRECISION, sorted(
        suggested - gold
    )
    assert len(correct) / len(gold) >= DOCUMENTED_FOLLOWUP_RECALL, sorted(
        gold - suggested
    )


def test_each_earlier_task_and_problem_gets_a_right_follow_up_first():
    best = {}
    for match in _followup_matches():
        best.setdefault(match.earlier, match.later)  # best first per earlier item

    assert set(best) == {"3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "4.4"}
    assert set(best.items()) <= gold_followups()


def test_a_later_task_is_never_suggested_as_a_follow_up():
    matches = _followup_matches(min_score=0.0, max_per_item=None)

    assert matches
    assert not any(m.later.startswith("4.") for m in matches)


def test_followups_of_reports_that_share_nothing_are_none():
    assert (
        match_followups(
            [("4.1", importing.TASK, "一是完善公共法律服务体系。")],
            [("1.1", importing.WORK_ITEM, "一是修建道路桥梁。")],
            min_score=0.0,
        )
        == []
    )


# --- The gold set over three report pairs ---------------------------------------
# docs/link-suggestions.md, "The gold set over three report pairs": 43 editorial
# follow-ups over the Wuxi 2022 -> 2023, Chengkou 2024 -> 2025 and Wushan 2023 ->
# 2024 pairs. Before (bigrams only: an empty thesaurus, FOLLOWUP_MIN_SCORE 0.1, 2
# per earlier item): 24 of 27 suggestions right and 24 of the 43 found. After (the
# shipped thesaurus, 0.13, 2 per item): 34 of 37 right, 34 of the 43 found.
REPORT_PAIRS = [
    (
        SOURCE / "wuxi-2022-rule-of-law-report.txt",
        WUXI_2023,
        DATA / "wuxi-2023-followups.json",
    ),
    (
        DATA / "chengkou-2024-report.txt",
        DATA / "chengkou-2025-report.txt",
        DATA / "chengkou-2025-followups.json",
    ),
    (
        DATA / "wushan-2023-report.txt",
        DATA / "wushan-2024-report.txt",
        DATA / "wushan-2024-followups.json",
    ),
]
DOCUMENTED_GOLD_SET = {"suggested": 37, "correct": 34, "gold": 43}
DOCUMENTED_GOLD_SET_BEFORE = {"suggested": 27, "correct": 24, "gold": 43}


def _passages(path):
    tree = importing.parse_report_file(path)
    return [(o.code, o.kind, o.body) for _section, o in tree.obligations()]


def _gold(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(each["earlier"], each["later"]) for each in data["followups"]}


def test_the_gold_set_holds_at_least_40_pairs_of_real_items_over_three_pairs():
    total = 0
    for earlier, later, gold_file in REPORT_PAIRS:
        gold = _gold(gold_file)
        earlier_kinds = {code: kind for code, kind, _t in _passages(earlier)}
        later_kinds = {code: kind for code, kind, _t in _passages(later)}
        for earlier_code, later_code in gold:
            assert earlier_kinds[earlier_code] in (importing.TASK, importing.PROBLEM)
            assert later_kinds[later_code] in (importing.WORK_ITEM, importing.PROBLEM)
        total += len(gold)

    assert len(REPORT_PAIRS) >= 3 and total >= 40


def _gold_set_figures(**options):
    suggested = correct = gold_total = 0
    for earlier, later, gold_file in REPORT_PAIRS:
        gold = _gold(gold_file)
        found = {
            (m.earlier, m.later)
            for m in match_followups(_passages(earlier), _passages(later), **options)
        }
        suggested += len(found)
        correct += len(found & gold)
        gold_total += len(gold)
    return {"suggested": suggested, "correct": correct, "gold": gold_total}


def test_followups_over_the_three_report_pairs_keep_the_documented_figures():
    figures = _gold_set_figures()
    documented = DOCUMENTED_GOLD_SET

    assert figures["gold"] == documented["gold"]
    assert figures["correct"] / figures["suggested"] >= 0.9
    assert figures["correct"] / figures["suggested"] >= (
        documented["correct"] / documented["suggested"]
    )
    assert figures["correct"] / figures["gold"] >= (
        documented["correct"] / documented["gold"]
    )


def test_bigrams_alone_give_the_documented_before_figures():
    figures = _gold_set_figures(thesaurus=Thesaurus(), min_score=0.1)

    assert figures == DOCUMENTED_GOLD_SET_BEFORE


def test_the_thesaurus_finds_follow_ups_that_bigrams_miss():
    before = _gold_set_figures(thesaurus=Thesaurus())
    after = _gold_set_figures()

    assert after["correct"] >= before["correct"] + 10


def test_a_synonym_used_is_named_in_the_reason():
    by_pair = {(m.earlier, m.later): m for m in _followup_matches()}

    assert "法治宣传教育 ≈ 普法" in by_pair[("4.3", "1.5.1")].terms


def test_every_term_of_a_reason_is_a_whole_word_of_both_passages():
    thesaurus = shipped_thesaurus()
    earlier = {
        c: t for c, _k, t in _passages(SOURCE / "wuxi-2022-rule-of-law-report.txt")
    }
    later = {c: t for c, _k, t in _passages(WUXI_2023)}
    for match in _followup_matches():
        earlier_words = set(words(earlier[match.earlier], keep_whole=thesaurus.words))
        later_words = set(words(later[match.later], keep_whole=thesaurus.words))
        for term in match.terms:
            said, synonym, answered = term.partition(" ≈ ")
            if not synonym:  # the same word in both passages
                assert term in earlier_words and term in later_words, term
                continue
            # Two words of the thesaurus, each a word of its passage or inside one
            # (普法 in 精准普法), never a piece cut mid-word.
            assert thesaurus.concept[said] == thesaurus.concept[answered], term
            assert any(said in word for word in earlier_words), term
            assert any(answered in word for word in later_words), term


def test_a_pair_added_to_the_thesaurus_makes_two_words_match():
    earlier = [("4.1", importing.TASK, "要深化营商环境优化工作。")]
    later = [("1.1", importing.WORK_ITEM, "推进简政放权，办事更便利。")]
    without = match_followups(earlier, later, min_score=0.0)
    thesaurus = shipped_thesaurus().with_pairs([("营商环境优化", "简政放权")])

    matches = match_followups(earlier, later, min_score=0.0, thesaurus=thesaurus)

    assert without == []
    assert [m.later for m in matches] == ["1.1"]
    assert matches[0].terms == ("营商环境优化 ≈ 简政放权",)


def test_the_recurring_problem_is_suggested_on_the_wuxi_pair():
    assert ("3.3", "3.1") in {(m.earlier, m.later) for m in _followup_matches()}


# --- The held-out pair -----------------------------------------------------------
# docs/link-suggestions.md, "A held-out pair": 彭水县 2024 -> 2025, written (report
# and gold pairs, commit "A fourth report pair…") after the thesaurus and the
# settings were fixed, so its figures are the honest ones: 9 of 10 suggestions
# right, 9 of the 14 gold pairs found (0.90 / 0.64); bigrams alone 8 of 9.
HELD_OUT = (
    DATA / "pengshui-2024-report.txt",
    DATA / "pengshui-2025-report.txt",
    DATA / "pengshui-2025-followups.json",
)


def _held_out_figures(**options):
    earlier, later, gold_file = HELD_OUT
    gold = _gold(gold_file)
    found = {
        (m.earlier, m.later)
        for m in match_followups(_passages(earlier), _passages(later), **options)
    }
    return {"suggested": len(found), "correct": len(found & gold), "gold": len(gold)}


def test_the_held_out_pair_keeps_its_documented_figures():
    assert _held_out_figures() == {"suggested": 10, "correct": 9, "gold": 14}


def test_on_the_held_out_pair_the_thesaurus_adds_to_the_bigrams():
    bigrams = _held_out_figures(thesaurus=Thesaurus(), min_score=0.1)

    assert bigrams == {"suggested": 9, "correct": 8, "gold": 14}
    assert _held_out_figures()["correct"] > bigrams["correct"]


def test_an_administrators_synonyms_find_what_the_held_out_pair_words_otherwise():
    # What the admin's Thesaurus entries are for: the county's own wording.
    extended = shipped_thesaurus().with_pairs(
        [("备案审查", "报备"), ("政务诚信", "诚信政府")]
    )

    figures = _held_out_figures(thesaurus=extended)

    assert figures["correct"] > 9
    assert figures["correct"] / figures["suggested"] >= 0.9

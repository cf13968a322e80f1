"""Suggested task -> problem links (tracker.similarity), measured on the seed report
against its six editorial links, and suggested follow-ups across years, measured on
the gold set of five report pairs (75 editorial follow-ups, the Wuxi 2022 -> 2023
pair among them). The figures are those of docs/link-suggestions.md: a change
that lowers them, or changes them without the doc, fails here."""

import json

from django.conf import settings

from tests.followup_helpers import WUXI_2023, gold_followups
from tracker import importing
from tracker.importing.segmentation import words
from tracker.importing.similarity import (
    CONCEPT_WEIGHT,
    FOLLOWUP_MAX_PER_ITEM,
    FOLLOWUP_MIN_SCORE,
    FOLLOWUP_MIN_SHARE,
    GROUP_WEIGHT,
    MAX_PER_TASK,
    MIN_SCORE,
    match_followups,
    suggest_links,
)
from tracker.importing.thesaurus import Thesaurus, parse_thesaurus, shipped_thesaurus

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
# docs/link-suggestions.md: on the Wuxi 2022 -> 2023 pair, 15 of 15 suggestions
# right, 15 of the 17 editorial follow-ups found, at the shipped settings.
DOCUMENTED_FOLLOWUP_PRECISION = 15 / 15
DOCUMENTED_FOLLOWUP_RECALL = 15 / 17


def _passages(path):
    """``(code, kind, text, group)`` of every obligation of a report file, as the
    selectors give them (``group``: the title of the section inside a chapter)."""
    tree = importing.parse_report_file(path)
    return [
        (o.code, o.kind, o.body, "" if section.is_chapter else section.title)
        for section, o in tree.obligations()
    ]


def _followup_matches(**options):
    return match_followups(
        _passages(SOURCE / "wuxi-2022-rule-of-law-report.txt"),
        _passages(WUXI_2023),
        **options,
    )


def test_followup_suggestions_keep_the_documented_precision_and_recall():
    suggested = {(m.earlier, m.later) for m in _followup_matches()}
    gold = gold_followups()
    correct = suggested & gold
    settings_ = (
        FOLLOWUP_MIN_SCORE,
        FOLLOWUP_MIN_SHARE,
        FOLLOWUP_MAX_PER_ITEM,
        CONCEPT_WEIGHT,
        GROUP_WEIGHT,
    )
    assert settings_ == (0.16, 0.5, 3, 0.5, 0.4), "update docs/link-suggestions.md"
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
    matches = _followup_matches(min_score=0.0, min_share=0.0, max_per_item=None)

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


# --- The gold set over five report pairs -----------------------------------------
# docs/link-suggestions.md, "Follow-up by meaning, second round": 75 editorial
# follow-ups over five pairs of reports of our own writing. The first four were
# the development pairs of the second round (the settings were chosen on them);
# 秀山县 2023 -> 2024 was written, with its gold pairs, before the second round
# changed anything, and checked once the settings were fixed.
REPORT_PAIRS = {
    "巫溪县 2022 → 2023": (
        SOURCE / "wuxi-2022-rule-of-law-report.txt",
        WUXI_2023,
        DATA / "wuxi-2023-followups.json",
    ),
    "城口县 2024 → 2025": (
        DATA / "chengkou-2024-report.txt",
        DATA / "chengkou-2025-report.txt",
        DATA / "chengkou-2025-followups.json",
    ),
    "巫山县 2023 → 2024": (
        DATA / "wushan-2023-report.txt",
        DATA / "wushan-2024-report.txt",
        DATA / "wushan-2024-followups.json",
    ),
    "彭水县 2024 → 2025": (
        DATA / "pengshui-2024-report.txt",
        DATA / "pengshui-2025-report.txt",
        DATA / "pengshui-2025-followups.json",
    ),
    "秀山县 2023 → 2024": (
        DATA / "xiushan-2023-report.txt",
        DATA / "xiushan-2024-report.txt",
        DATA / "xiushan-2024-followups.json",
    ),
}
HELD_OUT = "秀山县 2023 → 2024"
# (suggested, right, gold) per pair, as docs/link-suggestions.md gives them.
DOCUMENTED_AFTER = {
    "巫溪县 2022 → 2023": (15, 15, 17),
    "城口县 2024 → 2025": (12, 11, 14),
    "巫山县 2023 → 2024": (11, 10, 12),
    "彭水县 2024 → 2025": (12, 12, 14),
    "秀山县 2023 → 2024": (17, 16, 18),
}
# Before the second round: the first round's thesaurus (kept in tests/data) and
# settings (score >= 0.13, 2 per earlier item, no group, no share of the best).
DOCUMENTED_BEFORE = {
    "巫溪县 2022 → 2023": (14, 13, 17),
    "城口县 2024 → 2025": (12, 11, 14),
    "巫山县 2023 → 2024": (11, 10, 12),
    "彭水县 2024 → 2025": (10, 9, 14),
    "秀山县 2023 → 2024": (11, 10, 18),
}
FIRST_ROUND_SETTINGS = {
    "min_score": 0.13,
    "max_per_item": 2,
    "min_share": 0.0,
    "group_weight": 0.0,
}


def _first_round_thesaurus():
    return parse_thesaurus(
        (DATA / "thesaurus-issue26-first-round.txt").read_text(encoding="utf-8")
    )


def _gold(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(each["earlier"], each["later"]) for each in data["followups"]}


def _figures(pairs=REPORT_PAIRS, **options):
    """(suggested, right, gold) of each pair."""
    figures = {}
    for name, (earlier, later, gold_file) in pairs.items():
        gold = _gold(gold_file)
        found = {
            (m.earlier, m.later)
            for m in match_followups(_passages(earlier), _passages(later), **options)
        }
        figures[name] = (len(found), len(found & gold), len(gold))
    return figures


def _total(figures):
    suggested, right, gold = (
        sum(each[i] for each in figures.values()) for i in range(3)
    )
    return suggested, right, gold


def test_the_gold_set_holds_at_least_40_pairs_of_real_items_over_three_pairs():
    total = 0
    for earlier, later, gold_file in REPORT_PAIRS.values():
        gold = _gold(gold_file)
        earlier_kinds = {code: kind for code, kind, _t, _g in _passages(earlier)}
        later_kinds = {code: kind for code, kind, _t, _g in _passages(later)}
        for earlier_code, later_code in gold:
            assert earlier_kinds[earlier_code] in (importing.TASK, importing.PROBLEM)
            assert later_kinds[later_code] in (importing.WORK_ITEM, importing.PROBLEM)
        total += len(gold)

    assert len(REPORT_PAIRS) >= 3 and total >= 40
    assert HELD_OUT in REPORT_PAIRS


def test_follow_up_by_meaning_reaches_the_goal_on_the_whole_gold_set():
    # Issue 26, item 4: recall >= 0.80 at precision >= 0.90, the held-out pair in.
    figures = _figures()
    suggested, right, gold = _total(figures)

    assert figures == DOCUMENTED_AFTER, "update docs/link-suggestions.md"
    assert right / suggested >= 0.9
    assert right / gold >= 0.8


def test_the_held_out_pair_meets_the_goal_on_its_own():
    suggested, right, gold = _figures()[HELD_OUT]

    assert right / suggested >= 0.9
    assert right / gold >= 0.8


def test_before_the_second_round_the_figures_were_the_documented_ones():
    figures = _figures(thesaurus=_first_round_thesaurus(), **FIRST_ROUND_SETTINGS)
    suggested, right, gold = _total(figures)

    assert figures == DOCUMENTED_BEFORE
    assert right / gold < 0.8  # the goal was not met


def test_the_group_and_the_share_of_the_best_alone_find_more_than_before():
    # The method without the grown thesaurus: what the group prior and the share
    # of the best give by themselves (docs: "Each means measured").
    first = _first_round_thesaurus()
    before = _figures(thesaurus=first, **FIRST_ROUND_SETTINGS)
    group_only = _figures(thesaurus=first)

    assert _total(group_only)[1] > _total(before)[1] + 3
    assert group_only[HELD_OUT][1] > before[HELD_OUT][1]
    suggested, right, _gold_total = _total(group_only)
    assert right / suggested >= 0.9


def test_bigrams_alone_give_the_documented_before_figures_of_the_first_round():
    three = dict(list(REPORT_PAIRS.items())[:3])
    figures = _figures(
        three, thesaurus=Thesaurus(), **{**FIRST_ROUND_SETTINGS, "min_score": 0.1}
    )

    assert _total(figures) == (27, 24, 43)


def test_the_thesaurus_finds_follow_ups_that_bigrams_miss():
    before = _total(_figures(thesaurus=Thesaurus()))
    after = _total(_figures())

    assert after[1] >= before[1] + 15


def test_a_synonym_used_is_named_in_the_reason():
    by_pair = {(m.earlier, m.later): m for m in _followup_matches()}

    assert "法治宣传教育 ≈ 普法" in by_pair[("4.3", "1.5.1")].terms


def test_every_term_of_a_reason_is_a_whole_word_of_both_passages():
    # A later work item's reason may give words of its group (its heading or
    # another item of it) after its own: whole words of the group's text.
    thesaurus = shipped_thesaurus()
    for earlier_file, later_file, _gold_file in REPORT_PAIRS.values():
        earlier = {c: t for c, _k, t, _g in _passages(earlier_file)}
        later_passages = _passages(later_file)
        later = {c: t for c, _k, t, _g in later_passages}
        group_text = {
            code: "\n".join(
                [group]
                + [
                    t
                    for c, k, t, g in later_passages
                    if g == group and c.rsplit(".", 1)[0] == code.rsplit(".", 1)[0]
                ]
            )
            for code, kind, _t, group in later_passages
            if group and kind == importing.WORK_ITEM
        }
        matches = match_followups(_passages(earlier_file), later_passages)
        for match in matches:
            earlier_words = set(
                words(earlier[match.earlier], keep_whole=thesaurus.words)
            )
            later_words = set(words(later[match.later], keep_whole=thesaurus.words))
            if match.later in group_text:
                later_words |= set(
                    words(group_text[match.later], keep_whole=thesaurus.words)
                )
            for term in match.terms:
                said, synonym, answered = term.partition(" ≈ ")
                if not synonym:  # the same word in both passages
                    assert term in earlier_words and term in later_words, term
                    continue
                # Two words of the thesaurus, each a word of its passage or inside
                # one (普法 in 精准普法), never a piece cut mid-word.
                assert thesaurus.concept[said] == thesaurus.concept[answered], term
                assert any(said in word for word in earlier_words), term
                assert any(answered in word for word in later_words), term


def test_a_work_item_is_suggested_with_its_group():
    # 2.2 says nothing of 诉源治理 itself; its group does: 多元化解矛盾纠纷 and
    # its sibling's 调解联动.
    earlier = [
        ("3.1", importing.TASK, "推进诉源治理，健全人民调解、行政调解联动机制。")
    ]
    later = [
        (
            "1.1.1",
            importing.WORK_ITEM,
            "建成调解组织网络，推行人民调解、行政调解联动。",
            "多元化解矛盾纠纷",
        ),
        (
            "1.1.2",
            importing.WORK_ITEM,
            "在乡镇设立工作站，把纠纷化解在诉讼之前。",
            "多元化解矛盾纠纷",
        ),
        (
            "1.2.1",
            importing.WORK_ITEM,
            "建成政务数据共享平台，部门数据互通。",
            "加快数字政府建设",
        ),
    ]
    # Three passages make a sharp best: the share of the best is left out here.
    alone = match_followups(earlier, later, group_weight=0.0, min_share=0.0)
    grouped = match_followups(earlier, later, min_share=0.0)

    assert [m.later for m in alone] == ["1.1.1"]
    assert [m.later for m in grouped] == ["1.1.1", "1.1.2"]
    assert "诉源治理 ≈ 多元化解" in grouped[1].terms


def test_an_item_gets_only_candidates_near_its_best():
    earlier = [("3.1", importing.TASK, "完善公共法律服务体系，加强法律援助。")]
    later = [
        ("1.1", importing.WORK_ITEM, "完善公共法律服务体系，办理法律援助案件。"),
        ("1.2", importing.WORK_ITEM, "完善政务服务体系。"),
    ]

    everything = match_followups(earlier, later, min_score=0.0, min_share=0.0)
    near_the_best = match_followups(earlier, later, min_score=0.0)

    assert [m.later for m in everything] == ["1.1", "1.2"]
    assert everything[1].score < FOLLOWUP_MIN_SHARE * everything[0].score
    assert [m.later for m in near_the_best] == ["1.1"]


def test_asking_for_some_items_gives_what_the_whole_report_gives_them():
    earlier_file, later_file, _gold_file = REPORT_PAIRS[HELD_OUT]
    whole = match_followups(_passages(earlier_file), _passages(later_file))
    some = match_followups(
        _passages(earlier_file), _passages(later_file), only={"2.2", "3.4"}
    )

    assert some == [m for m in whole if m.earlier in {"2.2", "3.4"}]


def test_a_pair_added_to_the_thesaurus_makes_two_words_match():
    earlier = [("4.1", importing.TASK, "要深化营商环境优化工作。")]
    later = [("1.1", importing.WORK_ITEM, "推进减证便民，办事更便利。")]
    without = match_followups(earlier, later, min_score=0.0)
    thesaurus = shipped_thesaurus().with_pairs([("营商环境优化", "减证便民")])

    matches = match_followups(earlier, later, min_score=0.0, thesaurus=thesaurus)

    assert without == []
    assert [m.later for m in matches] == ["1.1"]
    assert matches[0].terms == ("营商环境优化 ≈ 减证便民",)


def test_the_recurring_problem_is_suggested_on_the_wuxi_pair():
    assert ("3.3", "3.1") in {(m.earlier, m.later) for m in _followup_matches()}

"""The field's synonyms, as data: what one year's report calls 法治宣传教育 the next
calls 普法. Pure (no ORM): the groups shipped with the app (data/thesaurus.txt),
joined by the pairs administrators add in the admin (``ThesaurusEntry``, read by
``selectors.thesaurus``), are handed to ``similarity`` as a ``Thesaurus``."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_THESAURUS = DATA / "thesaurus.txt"


@dataclass(frozen=True)
class Thesaurus:
    """Groups of words that mean the same in a report. ``concept`` maps each word
    to its group's name (the group's first word)."""

    concept: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.concept)

    def with_pairs(self, pairs) -> "Thesaurus":
        """This thesaurus with ``(word, synonym)`` pairs added: a pair joins the two
        groups (or words) it names into one."""
        groups: dict[str, set[str]] = {}
        for word, name in self.concept.items():
            groups.setdefault(name, set()).add(word)
        group_of = dict(self.concept)
        for first, second in pairs:
            first, second = first.strip(), second.strip()
            if not first or not second or first == second:
                continue
            name_a = group_of.get(first, first)
            name_b = group_of.get(second, second)
            if name_a == name_b:
                continue
            merged = groups.pop(name_a, {first}) | groups.pop(name_b, {second})
            groups[name_a] = merged
            for word in merged:
                group_of[word] = name_a
        return Thesaurus(concept=group_of)


def parse_thesaurus(text: str) -> Thesaurus:
    """Groups from text: one a line, words separated by spaces, ``#`` comments. A
    word in two lines joins them."""
    thesaurus = Thesaurus()
    pairs = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        pairs.extend((words[0], word) for word in words[1:])
    return thesaurus.with_pairs(pairs)


@cache
def shipped_thesaurus() -> Thesaurus:
    """The thesaurus shipped with the app (data/thesaurus.txt)."""
    return parse_thesaurus(SHIPPED_THESAURUS.read_text(encoding="utf-8"))

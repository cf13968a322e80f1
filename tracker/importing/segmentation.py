"""Words of a report's passage: jieba with a user dictionary of rule-of-law terms
(data/rule_of_law_terms.txt) so that 法治宣传教育, 合法性审核 and 执法人员 stay whole.
Pure: text in, words out."""

import logging
import threading
from functools import cache

import jieba

from .thesaurus import DATA

USER_DICTIONARY = DATA / "rule_of_law_terms.txt"
# A word added at run time (a thesaurus word) is kept whole: as frequent as the
# user dictionary's terms.
TERM_FREQUENCY = 1000

_lock = threading.Lock()


@cache
def _tokenizer() -> jieba.Tokenizer:
    # jieba's own tokenizer, not the module-wide one: the app's dictionary does not
    # change what other code gets from jieba.cut. Its prefix dictionary is built
    # (about a second, cached on disk by jieba) the first time a passage is cut.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(USER_DICTIONARY))
    return tokenizer


def words(text: str, *, keep_whole=frozenset()) -> list[str]:
    """The words of ``text`` in order (jieba's precise mode, no HMM guesses for
    unknown words), punctuation and spaces left out; each of ``keep_whole`` (the
    thesaurus' words) is one word wherever it occurs."""
    tokenizer = _tokenizer()
    with _lock:
        for word in keep_whole:
            if tokenizer.FREQ.get(word, 0) < TERM_FREQUENCY:
                tokenizer.add_word(word, TERM_FREQUENCY)
        pieces = tokenizer.lcut(text, HMM=False)
    return [piece for piece in pieces if piece.strip()]

"""Finding policies from what people type: ``bhyt``, ``bao hiem``, ``vay von``, ``hoc phi``.

Cadres type on phones, often without tone marks, with abbreviations and typos, so matching is
done on folded words (:func:`poverty.text.fold`):

- each query word is compared with the words of a policy's name and keywords (strong) and of its
  summary (weak, worth :data:`WEAK_FIELD`); a word of four letters or more also matches a word
  that differs by a typo (similarity ratio from :mod:`difflib` of at least :data:`TYPO_RATIO`);
- words found in many policies (``hộ``, ``nghèo``, ``hỗ trợ``) weigh less than rare ones, so the
  words that tell policies apart decide the ranking;
- a query that is a name or keyword (or nearly, ignoring spaces: ``bhtyt``, ``baohiemyte``), or
  that contains one as whole words, gets a bonus; initials of long keywords count as keywords
  (``nhcsxh``, ``tgpl``).

Results close to the best one are returned, best first, catalogue order breaking ties, so
``vay von`` lists every loan while ``bao hiem y te`` gives BHYT alone. A query that is exactly
a name or keyword of some policies gives those alone (``điện``: the electricity support, not
the policy whose keyword ``điện thoại`` contains the word).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from poverty.policies import Policy, load_policies
from poverty.text import fold

__all__ = [
    "MAX_QUERY_LENGTH",
    "PolicyHit",
    "PolicyIndex",
    "closest_phrase",
    "is_policy_query",
    "rank_policies",
    "search_policies",
]

MAX_QUERY_LENGTH = 200
"""Longer text is a message, not a search; it finds nothing."""
MAX_QUERY_WORDS = 12
TYPO_MIN_LENGTH = 4
TYPO_RATIO = 0.8
TYPO_WEIGHT = 0.9
"""A word matched through a typo counts this much of an exact match (times the ratio)."""
WEAK_FIELD = 0.4
"""A word found only in the summary counts this much of a word of the name or keywords."""
EXACT_BONUS = 1.0
CONTAINS_BONUS = 0.5
COMPACT_RATIO = 0.85
MIN_SCORE = 0.5
CLAIM_SCORE = 1.0 + CONTAINS_BONUS
"""A lone hit covering every query word with its name or keywords (and containing the query)."""
RELATIVE_CUTOFF = 0.6
"""Hits scoring less than this share of the best hit are left out."""
INITIALISM_MIN_WORDS = 3
SIMILAR_CACHE = 4096
"""Query words whose near spellings are remembered per catalogue index."""

STOP_WORDS = frozenset(
    {
        "a",
        "biet",
        "cac",
        "cho",
        "cua",
        "duoc",
        "gi",
        "khong",
        "minh",
        "muon",
        "nao",
        "nhe",
        "nhung",
        "oi",
        "policies",
        "policy",
        "toi",
        "va",
        "voi",
        "xin",
    }
)
"""Folded filler words dropped from queries. Words that fold like a meaningful one are kept:
``cần``/``cận`` (``can``), ``hỏi``/``hội`` (``hoi``), ``về``/``vệ`` (``ve``), ``thẻ`` (``the``),
``sách``/``sạch`` (``sach``)."""
LEADING_PHRASES = (("chinh", "sach"), ("tra", "cuu"), ("cs",))
"""How people start a policy question; dropped from the front of a query."""

_WORD = re.compile(r"[0-9a-z]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _query_words(text: str) -> list[str]:
    words = _words(text)
    stripped = True
    while stripped:
        stripped = False
        for lead in LEADING_PHRASES:
            if tuple(words[: len(lead)]) == lead:
                words, stripped = words[len(lead) :], True
    return [word for word in words if word not in STOP_WORDS]


@dataclass(frozen=True)
class PolicyHit:
    """A policy found by a query. ``exact``: the query is one of its names or keywords (nearly,
    or contains one as whole words), which is what lets free text be read as a policy question."""

    policy: Policy
    score: float
    exact: bool
    named: bool = False
    """The query is one of its names or keywords, spelled as the catalogue spells it."""


@dataclass(frozen=True)
class _Entry:
    policy: Policy
    phrases: tuple[str, ...]
    strong: frozenset[str]
    weak: frozenset[str]


def _entry(policy: Policy) -> _Entry:
    phrases = [" ".join(_words(text)) for text in (policy.name, *policy.keywords)]
    initials = [
        "".join(word[0] for word in phrase.split())
        for phrase in phrases
        if len(phrase.split()) >= INITIALISM_MIN_WORDS
    ]
    phrases = [p for p in dict.fromkeys([*phrases, *initials]) if p]
    strong = frozenset(word for phrase in phrases for word in phrase.split())
    weak = frozenset(_words(policy.summary)) - strong
    return _Entry(policy, tuple(phrases), strong, weak)


def _ratio_at_least(a: str, b: str, threshold: float) -> float:
    """difflib's similarity ratio of ``a`` and ``b`` when it reaches ``threshold``, else 0.
    The quick upper bounds rule most pairs out before the full comparison."""
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else 0.0


def closest_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The folded phrase ``text`` is a near spelling of (``kiem tar`` → ``kiem tra``), by the
    same measure as a typo in a policy word: spaces ignored, at least :data:`TYPO_MIN_LENGTH`
    letters, similarity ratio of at least :data:`TYPO_RATIO`; the closest wins, the first on a
    tie. None when nothing is that close (or ``text`` is one of the phrases already)."""
    compact = fold(text).replace(" ", "")
    if len(compact) < TYPO_MIN_LENGTH or len(compact) > MAX_QUERY_LENGTH:
        return None
    best, found = 0.0, None
    for phrase in phrases:
        packed = fold(phrase).replace(" ", "")
        if packed == compact:
            return None
        if len(packed) < TYPO_MIN_LENGTH:
            continue
        ratio = _ratio_at_least(compact, packed, TYPO_RATIO)
        if ratio > best:
            best, found = ratio, fold(phrase)
    return found


def _similar(word: str, other: str) -> float:
    if len(word) < TYPO_MIN_LENGTH or len(other) < TYPO_MIN_LENGTH - 1:
        return 0.0
    return _ratio_at_least(word, other, TYPO_RATIO) * TYPO_WEIGHT


def _phrase_bonus(query: str, phrases: Sequence[str], typos: bool) -> tuple[float, bool]:
    """The best bonus of the query against one policy's phrases, and whether it is exact.
    ``typos``: the query has a word no policy uses, so near spellings are tried too."""
    compact = query.replace(" ", "")
    best, exact = 0.0, False
    for phrase in phrases:
        packed = phrase.replace(" ", "")
        if query == phrase or compact == packed:
            return EXACT_BONUS, True
        if f" {query} " in f" {phrase} ":
            best = max(best, CONTAINS_BONUS)
        elif f" {phrase} " in f" {query} " and (" " in phrase or len(phrase) >= 4):
            best, exact = max(best, CONTAINS_BONUS), True
        elif typos and min(len(compact), len(packed)) >= TYPO_MIN_LENGTH:
            ratio = _ratio_at_least(compact, packed, COMPACT_RATIO)
            if ratio:
                bonus = EXACT_BONUS * ratio * TYPO_WEIGHT
                if bonus > best:
                    best, exact = bonus, True
    return best, exact


class PolicyIndex:
    """Folded words and phrases of a catalogue, with how many policies each word appears in."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._entries = tuple(_entry(policy) for policy in policies)
        counts: dict[str, int] = {}
        for entry in self._entries:
            for word in entry.strong | entry.weak:
                counts[word] = counts.get(word, 0) + 1
        self._counts: Mapping[str, int] = counts
        # People ask with the same few words (and the same typos) again and again.
        self._similar = functools.lru_cache(maxsize=SIMILAR_CACHE)(self._stands_for)

    def _stands_for(self, word: str) -> Mapping[str, float]:
        """Catalogue words ``word`` stands for: itself when some policy uses it, otherwise the
        words it may be a typo of, with how close each is."""
        if word in self._counts:
            return {word: 1.0}
        return {other: s for other in self._counts if (s := _similar(word, other)) > 0}

    def _weight(self, matches: Mapping[str, float]) -> float:
        """Rare words weigh more: the inverse policy frequency of the words a query word hits."""
        total = len(self._entries)
        frequency = max((self._counts[word] for word in matches), default=1)
        return math.log(1 + total / frequency)

    def rank(self, query: str, limit: int = 5) -> list[PolicyHit]:
        """Policies for ``query``, best first; empty for text that is no search."""
        if limit < 1 or len(query) > MAX_QUERY_LENGTH:
            return []
        words = _query_words(query)
        if not words or len(words) > MAX_QUERY_WORDS:
            return []
        similar = [self._similar(word) for word in words]
        typos = any(word not in self._counts for word in words)
        weights = [self._weight(matches) for matches in similar]
        phrase = " ".join(words)
        hits = []
        for entry in self._entries:
            covered = 0.0
            for matches, weight in zip(similar, weights, strict=True):
                strong = max((s for w, s in matches.items() if w in entry.strong), default=0.0)
                weak = max((s for w, s in matches.items() if w in entry.weak), default=0.0)
                covered += weight * max(strong, WEAK_FIELD * weak)
            bonus, exact = _phrase_bonus(phrase, entry.phrases, typos)
            score = covered / sum(weights) + bonus
            if score >= MIN_SCORE:
                named = not typos and phrase in entry.phrases
                hits.append(PolicyHit(entry.policy, score, exact, named))
        if not hits:
            return []
        if any(hit.named for hit in hits):
            # ``điện`` names the electricity support; ``điện thoại`` only contains it.
            hits = [hit for hit in hits if hit.named]
        hits.sort(key=lambda hit: -hit.score)
        floor = hits[0].score * RELATIVE_CUTOFF
        return [hit for hit in hits if hit.score >= floor][:limit]


@functools.cache
def _catalogue_index() -> PolicyIndex:
    return PolicyIndex(load_policies())


def rank_policies(query: str, limit: int = 5) -> list[PolicyHit]:
    """Hits of the packaged catalogue for ``query``, best first, with their scores."""
    return _catalogue_index().rank(query, limit)


def search_policies(query: str, limit: int = 5) -> list[Policy]:
    """Policies of the packaged catalogue for ``query``, best first (accent-insensitive,
    abbreviation- and typo-tolerant; see the module docstring)."""
    return [hit.policy for hit in rank_policies(query, limit)]


def is_policy_query(text: str) -> bool:
    """Whether free text plainly asks about a policy (``bao hiem y te``, ``bhyt``, ``vay von``,
    ``tro cap``): its best hit names a policy or one of its keywords, or it is the only hit and
    every word of the text belongs to its name or keywords. ``hộ nghèo`` alone claims nothing."""
    hits = rank_policies(text, limit=2)
    if not hits:
        return False
    return hits[0].exact or (len(hits) == 1 and hits[0].score >= CLAIM_SCORE)


def names_policy(text: str) -> bool:
    """Whether ``text`` is a policy's name or keyword (or holds one as whole words): ``bhyt``,
    ``hoc phi``, ``vay von``; not a single word of a name (``sua``, ``tam``), which
    :func:`is_policy_query` accepts outside a conversation."""
    hits = rank_policies(text, limit=1)
    return bool(hits) and hits[0].exact

"""The spaCy pipelines that find cues: lemma/norm lookup, the span ruler, and negation.

Every cue is a span in `doc.spans["cues"]` whose label is the cue code and whose `id_` is the
pattern id from its family file in `nlp/families/` (see `nlp.families`), so each reason traces
back to one rule.
"""
from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language
import srsly
from spacy.tokens import Doc

from nlp import families
from nlp.text import unaccent
from nlp.types import Cue

SPANS_KEY = "cues"
# Cues that are requests: "we will never ask for X" turns them into security advice.
REQUEST_CUES = frozenset({"bank_request", "credential_request", "nir_request",
                          "personal_data_request", "payment_request", "otp_request"})
_NEGATIONS = frozenset({"jamais", "never", "not", "pas", "n't"})
MAX_TEXT = 100_000
_CLAUSE_END = frozenset({".", "!", "?", ";", ",", ":", "\n"})


# Nouns the lookup table reads as a form of a verb: "vos données personnelles" is not "donnez"
# (request patterns list the verb "donner"; the data patterns list the noun "donnee").
NOUN_LEMMAS = {"fr": {"donnée": "donnée", "données": "donnée"}}


@Language.factory("vigie_lemma_norm", default_config={"lookup_lang": "fr"})
def make_lemma_norm(nlp: Language, name: str, lookup_lang: str) -> "LemmaNorm":
    """Lookup lemmas on the lower-cased word, then NORM = the lemma without accents."""
    return LemmaNorm(lookup_lang)


class LemmaNorm:
    """Sets `token.lemma_` from spacy-lookups-data and `token.norm_` = unaccented lemma.

    Lookups are case- and accent-insensitive: "etre", "livree", "PAYEZ" find their lemma. An
    unaccented word that is also another word ("livre" for "livré") keeps its own lemma, and the
    patterns of the other lemma also accept it (`collisions`, used by `_normed`).
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        # "xx" (other languages) has no lemma table: the norm is the unaccented word.
        self.table: dict[str, Any] = {} if lang == "xx" else _lemma_table(lang)
        self.table.update(NOUN_LEMMAS.get(lang, {}))
        self.folded: dict[str, str] = {}  # unaccented form -> lemma, when only the accented form is known
        self.collisions: dict[str, set[str]] = {}  # norm of a lemma -> unaccented forms taken by other words
        self.lemmas = {v for v in self.table.values() if isinstance(v, str)}
        for word, lemma in self.table.items():
            if word.isascii():
                continue
            bare = _fold(word)
            if bare == word:
                continue
            lemma = lemma[0] if isinstance(lemma, list) else lemma
            other = self.table.get(bare)
            if other is None:
                self.folded.setdefault(bare, lemma)
            elif _fold(other[0] if isinstance(other, list) else other) != _fold(lemma):
                self.collisions.setdefault(_fold(lemma), set()).add(bare)

    def lemma(self, word: str) -> str:
        """The lookup lemma of a lower-cased word (itself when unknown)."""
        word = word.replace("’", "'")
        lemma = self.table.get(word)
        if lemma is None:
            lemma = self.folded.get(_fold(word)) or self._verb(word) or word
        return lemma[0] if isinstance(lemma, list) else lemma  # some tables hold candidate lists

    def _verb(self, word: str) -> str | None:
        """French verbs the table lacks ("reprogrammez"): the infinitive when it is a known lemma."""
        if self.lang != "fr" or len(word) < 6 or not word.isalpha():
            return None
        for ending in ("ez", "ées", "és", "ée", "é", "ees", "ee"):
            if word.endswith(ending):
                infinitive = word[:-len(ending)] + "er"
                return infinitive if ending == "ez" or infinitive in self.lemmas else None
        return None

    def norm(self, word: str) -> str:
        """The unaccented lemma: what patterns match on."""
        return unaccent(self.lemma(word.lower()))

    def __call__(self, doc: Doc) -> Doc:
        shouting = _shouting(doc.text)
        for token in doc:
            if token.is_upper and len(token) <= 5 and not shouting:
                # acronyms (CHU, CPAM) are not words to lemmatise, unless the whole text is in capitals
                token.lemma_ = token.norm_ = unaccent(token.lower_)
                continue
            lemma = self.lemma(_unleet(token.lower_))
            token.lemma_ = lemma
            token.norm_ = unaccent(lemma)
        return doc


def _lemma_table(lang: str) -> dict[str, Any]:
    """The lookup table as a plain dict of strings (spaCy's Table keeps only hashes of the keys)."""
    import spacy_lookups_data

    return srsly.read_gzip_json(spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz"))


_FOLD = {c: unaccent(chr(c)) for c in range(0xC0, 0x250)}


def _fold(word: str) -> str:
    """`unaccent` for lower-case words, fast on Latin letters (the tables are large)."""
    folded = word.translate(_FOLD)
    return folded if folded.isascii() else unaccent(folded)


def _shouting(text: str) -> bool:
    """True when the text is written in capitals (then short upper-case words are words, not acronyms)."""
    upper = lower = 0
    for ch in text[:2000]:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    return upper >= 12 and upper > 3 * lower


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "5": "s", "@": "a", "$": "s"})


def _unleet(word: str) -> str:
    """'w0n' -> 'won', 'bl0cked' -> 'blocked': digits standing for letters inside a word."""
    letters = sum(ch.isalpha() for ch in word)
    if letters >= 2 and any(ch in "0135@$" for ch in word) and sum(ch.isdigit() for ch in word) <= 2:
        return word.translate(_LEET)
    return word


@Language.factory("vigie_negation")
def make_negation(nlp: Language, name: str) -> "Negation":
    """Move negated request cues ("ne demande jamais vos coordonnées") to `doc.spans['advice']`."""
    return Negation()


class Negation:
    """A request cue with a negation inside it or just before it, in the same clause, is advice."""

    window = 4

    def __call__(self, doc: Doc) -> Doc:
        kept, advice = [], list(doc.spans.get("advice", []))
        for span in doc.spans.get(SPANS_KEY, []):
            if span.label_ in REQUEST_CUES and self._negated(doc, span):
                advice.append(span)
            else:
                kept.append(span)
        doc.spans[SPANS_KEY] = kept
        doc.spans["advice"] = advice
        return doc

    def _negated(self, doc: Doc, span: Any) -> bool:
        if any(t.norm_ in _NEGATIONS for t in span):
            return True
        for i in range(span.start - 1, max(span.start - self.window, 0) - 1, -1):
            if doc[i].text in _CLAUSE_END or "\n" in doc[i].text:
                return False
            if doc[i].norm_ in _NEGATIONS:
                return True
        return False


def _patterns(lang: str, norm: "LemmaNorm") -> list[dict[str, Any]]:
    patterns = families.patterns(lang)
    for pattern in patterns:
        for token in pattern["pattern"]:
            if "NORM" in token:
                token["NORM"] = _normed(token["NORM"], norm)
    return patterns


def _normed(value: Any, norm: "LemmaNorm") -> Any:
    """A pattern word also matches through the same lemma lookup as the text ("vitale" -> "vital"),
    and through its forms written without accents that are other words ("livre" for "livré")."""
    if isinstance(value, dict) and "NOT_IN" in value:  # a word that must not be there, in all its forms
        return {"NOT_IN": _forms(value["NOT_IN"], norm)}
    expanded = _forms([value] if isinstance(value, str) else value.get("IN", []), norm)
    return expanded[0] if len(expanded) == 1 else {"IN": expanded}


def _forms(words: list[str], norm: "LemmaNorm") -> list[str]:
    return sorted({w for word in words for w in (word, norm.norm(word)) for w in (w, *norm.collisions.get(w, ()))})


def build(lang: str) -> Language:
    """The cue pipeline for `lang` ("fr": fr_core_news_sm's tokenizer; "en": spaCy's English)."""
    if lang == "fr":
        # The statistical components cost ~4 ms a message; lookup lemmas give the rules what they need.
        nlp = spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser",
                                                     "senter", "ner", "attribute_ruler", "lemmatizer"])
    else:
        nlp = spacy.blank(lang)
    nlp.max_length = MAX_TEXT  # the analyser cuts texts well before; this refuses anything that slipped by
    norm = nlp.add_pipe("vigie_lemma_norm", config={"lookup_lang": lang})
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "validate": True,
                                               "overwrite": False})
    ruler.add_patterns(_patterns(lang, norm))
    nlp.add_pipe("vigie_negation")
    return nlp


class CueFinder:
    """Runs the cue pipelines; one per language, built on first use."""

    def __init__(self, langs: tuple[str, ...] = ("fr", "en", "xx")) -> None:
        self._nlp: dict[str, Language] = {}
        for lang in langs:
            self._nlp[lang] = build(lang)
        self._lexicons: list[LemmaNorm] = [self._nlp[lang].get_pipe("vigie_lemma_norm")
                                           for lang in ("fr", "en") if lang in self._nlp]

    def is_word(self, folded: str) -> bool:
        """Is this lower-cased, unaccented word a French or English dictionary word (a form in the
        lemma tables)? A real word is no misspelling of a brand: "government" is not "gouvernement"."""
        return any(folded in norm.table or folded in norm.folded or folded in norm.lemmas
                   for norm in self._lexicons)

    def find(self, text: str, lang: str, other_language: bool = False) -> tuple[list[Cue], list[Cue]]:
        """(cues, advice) found in `text`; with `other_language`, also the multilingual keywords."""
        nlp = self._nlp.get(lang) or self._nlp["en"]
        doc = nlp(text)
        cues, advice = _cues(doc, SPANS_KEY), _cues(doc, "advice")
        if other_language and "xx" in self._nlp:
            cues += _cues(self._nlp["xx"](text), SPANS_KEY)
        return cues, advice


def _cues(doc: Doc, key: str) -> list[Cue]:
    return [Cue(s.label_, s.id_, (s.start_char, s.end_char), s.text) for s in doc.spans.get(key, [])]

"""torchtext 0.18's ``data.utils``: :func:`get_tokenizer` and :func:`ngrams_iterator`.

``get_tokenizer("basic_english")`` applies torchtext's normalisation rules exactly: lowercase,
then, in this order, ``'`` gets a space before and two after, ``"`` is removed, ``.``, ``,``,
``(``, ``)``, ``!`` and ``?`` get a space on each side, ``<br />`` becomes a space, ``;`` and
``:`` become a space, and the text is split on whitespace.

Example:
    >>> tokenizer = get_tokenizer("basic_english")
    >>> tokenizer("You can now install TorchText using pip!")
    ['you', 'can', 'now', 'install', 'torchtext', 'using', 'pip', '!']
    >>> tokenizer('It\\'s "great"; really.<br />Go (now)')
    ['it', "'", 's', 'great', 'really', '.', 'go', '(', 'now', ')']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from nlptransfer._util.errors import UnknownNameError
from nlptransfer._util.extras import require

logger = logging.getLogger(__name__)

Tokenize = Callable[[str], list[str]]

#: torchtext's ``basic_english`` rules: (pattern, replacement), applied in this order after
#: lowercasing; the result is split on whitespace.
BASIC_ENGLISH_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\'", " '  "),
        (r"\"", ""),
        (r"\.", " . "),
        (r"<br \/>", " "),
        (r",", " , "),
        (r"\(", " ( "),
        (r"\)", " ) "),
        (r"\!", " ! "),
        (r"\?", " ? "),
        (r"\;", " "),
        (r"\:", " "),
        (r"\s+", " "),
    )
)

#: The names torchtext 0.18 took that need a third-party tokenizer this package does not bring;
#: pass that tokenizer's function instead (a callable is returned as it is).
_THIRD_PARTY = {
    "moses": "sacremoses.MosesTokenizer().tokenize",
    "toktok": "nltk.tokenize.toktok.ToktokTokenizer().tokenize",
    "revtok": "revtok.tokenize",
    "subword": "functools.partial(revtok.tokenize, decap=True)",
}


def basic_english_normalize(line: str) -> list[str]:
    """torchtext's ``basic_english`` tokenizer: lowercase, the rules of
    :data:`BASIC_ENGLISH_RULES`, split on whitespace.

    Example:
        >>> basic_english_normalize("Don't stop: it's 9.5/10, (really)?")
        ['don', "'", 't', 'stop', 'it', "'", 's', '9', '.', '5/10', ',', '(', 'really', ')', '?']
    """
    line = line.lower()
    for pattern, replacement in BASIC_ENGLISH_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def split_tokenizer(text: str) -> list[str]:
    """``get_tokenizer(None)``: ``str.split()`` (runs of whitespace).

    >>> split_tokenizer("  a  b\\tc ")
    ['a', 'b', 'c']
    """
    return text.split()


def _spacy_tokenize(text: str, spacy: Any) -> list[str]:
    return [token.text for token in spacy.tokenizer(text)]


def _load_spacy(language: str) -> Any:
    """What torchtext's ``spacy.load(language)`` gave, as far as its tokenizer goes.

    An installed pipeline (``en_core_web_sm``, a path) is loaded as torchtext loaded it; the
    spaCy 2 shortcut ``"en"`` means ``en_core_web_sm`` (torchtext's fallback too). When that
    pipeline is not installed, the language's blank pipeline is used: its tokenizer applies the
    same rules, without a model download.
    """
    spacy = require("spacy", extra="torch", purpose="the spaCy tokenizer")
    shortcuts = getattr(spacy.errors, "OLD_MODEL_SHORTCUTS", {})
    name = shortcuts.get(language, language)
    if spacy.util.is_package(name) or Path(name).exists():
        return spacy.load(name)
    logger.info("spaCy pipeline %r is not installed: using spacy.blank(%r)", name, language)
    return spacy.blank(language)


def get_tokenizer(tokenizer: str | Tokenize | None, language: str = "en") -> Tokenize:
    """A function that splits a string into tokens, as torchtext 0.18's ``get_tokenizer``.

    Args:
        tokenizer: ``None`` (``str.split``), ``"basic_english"`` (torchtext's rules, see
            :func:`basic_english_normalize`), ``"spacy"`` (spaCy's tokenizer for ``language``,
            whitespace tokens kept, as torchtext kept them), or a callable, returned as it is.
        language: for ``"spacy"``, a language code or an installed pipeline; ``basic_english``
            is English only.

    Raises:
        UnknownNameError: an unknown name (a ``ValueError``, as torchtext's), or
            ``basic_english`` for a language other than ``"en"``. torchtext's ``moses``,
            ``toktok``, ``revtok`` and ``subword`` are not built in: the message names the
            function to pass instead.
        MissingExtraError: ``"spacy"`` without spaCy installed.

    Example:
        >>> get_tokenizer(None)("Hello  World")
        ['Hello', 'World']
        >>> get_tokenizer("spacy")("Don't panic!")
        ['Do', "n't", 'panic', '!']
        >>> get_tokenizer(str.lower)("ABC")
        'abc'
        >>> get_tokenizer("mosses")
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.UnknownNameError: unknown tokenizer 'mosses'; expected None, a callable, 'basic_english' or 'spacy'
    """
    if tokenizer is None:
        return split_tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise UnknownNameError(
                f"basic_english normalization is only available for English (language='en'), "
                f"got language={language!r}",
                kind="language",
                name=language,
                known=("en",),
            )
        return basic_english_normalize
    if callable(tokenizer):
        return tokenizer
    if tokenizer == "spacy":
        return partial(_spacy_tokenize, spacy=_load_spacy(language))
    hint = ""
    if tokenizer in _THIRD_PARTY:
        hint = f"; pass the function itself instead: get_tokenizer({_THIRD_PARTY[tokenizer]})"
    raise UnknownNameError(
        f"unknown tokenizer {tokenizer!r}; expected None, a callable, 'basic_english' or "
        f"'spacy'{hint}",
        kind="tokenizer",
        name=str(tokenizer),
        known=("basic_english", "spacy"),
    )


def ngrams_iterator(token_list: Sequence[str], ngrams: int) -> Iterator[str]:
    """The tokens, then every run of 2 to ``ngrams`` tokens joined by a space (torchtext's).

    Example:
        >>> list(ngrams_iterator(["here", "we", "are"], 2))
        ['here', 'we', 'are', 'here we', 'we are']
    """
    yield from token_list
    for n in range(2, ngrams + 1):
        for start in range(len(token_list) - n + 1):
            yield " ".join(token_list[start : start + n])

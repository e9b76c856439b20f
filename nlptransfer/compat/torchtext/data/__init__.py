"""torchtext 0.18's ``data``: the tokenizers of ``data.utils`` and ``to_map_style_dataset``.

Example:
    >>> from nlptransfer.compat.torchtext.data import get_tokenizer
    >>> get_tokenizer("basic_english")("Hello, World!")
    ['hello', ',', 'world', '!']
"""

from nlptransfer.compat.torchtext.data.functional import to_map_style_dataset
from nlptransfer.compat.torchtext.data.utils import get_tokenizer, ngrams_iterator

__all__ = ["get_tokenizer", "ngrams_iterator", "to_map_style_dataset"]

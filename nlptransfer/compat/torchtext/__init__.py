"""torchtext 0.18's ``vocab`` and ``data.utils``, for code that must outlive torchtext.

torchtext's last release (0.18) supports PyTorch up to 2.3. Code written for it runs here with
its imports changed and nothing else::

    from torchtext.data.utils import get_tokenizer                          # before
    from nlptransfer.compat.torchtext.data.utils import get_tokenizer       # after
    from nlptransfer.compat.torchtext.vocab import GloVe, build_vocab_from_iterator

``import nlptransfer.compat.torchtext as torchtext`` works too (``torchtext.vocab.GloVe``).
Named vectors come from this library's catalogue (downloads verified, TLS always on) and load
from its native store; what differs from torchtext is in ``docs/migration-torchtext.md``.
Needs the ``torch`` extra: without PyTorch, importing this package raises
:class:`~nlptransfer.errors.MissingExtraError` naming ``pip install 'nlptransfer[torch]'``.

Example:
    >>> import nlptransfer.compat.torchtext as torchtext
    >>> v = torchtext.vocab.build_vocab_from_iterator([["a", "b", "a"]], specials=["<unk>"])
    >>> v.get_itos()
    ['<unk>', 'a', 'b']
"""

from nlptransfer._util.extras import require

require("torch", extra="torch", purpose="torchtext's vocab and vectors (nlptransfer.compat)")

from nlptransfer.compat.torchtext import data, vocab

__all__ = ["data", "vocab"]

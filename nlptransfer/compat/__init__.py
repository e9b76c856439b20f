"""Bridges for code written for other libraries: it runs here with only its imports changed.

- :mod:`nlptransfer.compat.torchtext`: torchtext 0.18's ``vocab`` (``Vectors``, ``GloVe``,
  ``FastText``, ``Vocab``, ``build_vocab_from_iterator``, ``vocab``) and ``data.utils``
  (``get_tokenizer``), on this library's verified catalogue and native store (the ``torch``
  extra). See ``docs/migration-torchtext.md``.
"""

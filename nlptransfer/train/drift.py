"""Why fine-tuning helped: the words whose vectors moved most, and their neighbours before and after.

Kim (2014, Table 3) showed it for word2vec and sentiment: in the static vectors ``bad`` is
closest to ``good`` (words used in the same contexts), and after fine-tuning on sentiment
labels it is closest to ``terrible``, ``horrible``, ``lousy``. A fine-tuned embedding layer
keeps its starting rows (the ``pretrained`` buffer, saved in every model folder), so the same
table can be read off any fine-tuned model:

- *moved most*: the words seen at least ``min_count`` times in training, ranked by the cosine
  distance between their starting and tuned vectors;
- *neighbours*: the ``k`` nearest words by cosine similarity among the rows that started from a
  pretrained vector, in the starting vectors (before) and in the tuned ones (after); the probe
  words default to Kim's (``bad``, ``good``, ``n't``, ``!``, ``,``) where the vocabulary has them.

Example:
    >>> import numpy as np
    >>> words = ["<pad>", "<unk>", "good", "bad", "great", "awful"]
    >>> before = np.array([[0, 0], [0, 0], [1, 0.1], [1, 0.2], [1, -0.1], [0.9, 0.3]], np.float32)
    >>> after = before.copy(); after[3] = [-1, 0.3]; after[5] = [-1, 0.4]   # bad, awful flip
    >>> mask = np.array([False, False, True, True, True, True])
    >>> drift = embedding_drift(before, after, words, mask, probe=["bad"], k=2, min_count=0)
    >>> drift.words[0].word, drift.words[0].before[0][0], drift.words[0].after[0][0]
    ('bad', 'good', 'awful')
    >>> [w for w, _ in drift.probes[0].before], [w for w, _ in drift.probes[0].after]
    (['good', 'awful'], ['awful', 'good'])
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlptransfer._util.errors import NLPTransferError
from nlptransfer.text.vocab import Vocab

if TYPE_CHECKING:
    from nlptransfer.nn.embedding import PretrainedEmbedding

#: Kim (2014), Table 3's probe words.
KIM_PROBES = ("bad", "good", "n't", "!", ",")


@dataclass
class WordDrift:
    """One word: how far its vector moved, and its nearest neighbours before and after."""

    word: str
    #: 1 - cosine(start, tuned)
    distance: float
    #: times seen in training (0 when the vocabulary kept no counts)
    count: int
    before: list[tuple[str, float]]
    after: list[tuple[str, float]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "cosine_distance": round(self.distance, 5),
            "count": self.count,
            "before": [[w, round(s, 4)] for w, s in self.before],
            "after": [[w, round(s, 4)] for w, s in self.after],
        }


@dataclass
class EmbeddingDrift:
    """How a fine-tuned embedding moved away from its pretrained start."""

    #: rows that started from a pretrained vector (the ones compared)
    pretrained_rows: int
    #: mean and median cosine distance over those rows that training saw
    mean_distance: float
    median_distance: float
    #: the words that moved most, farthest first
    words: list[WordDrift] = field(default_factory=list)
    #: the probe words (Kim's by default), in the order asked
    probes: list[WordDrift] = field(default_factory=list)
    min_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "pretrained_rows": self.pretrained_rows,
            "mean_cosine_distance": round(self.mean_distance, 5),
            "median_cosine_distance": round(self.median_distance, 5),
            "min_count": self.min_count,
            "moved_most": [w.to_dict() for w in self.words],
            "probes": [w.to_dict() for w in self.probes],
        }

    def markdown(self, *, heading: str = "##") -> str:
        """The drift as a Markdown section: Kim's table for the probes, then the movers."""
        lines = [
            f"{heading} What fine-tuning changed",
            "",
            f"{self.pretrained_rows:,} rows started from pretrained vectors; over those seen in "
            f"training, the cosine distance between start and tuned vector is "
            f"{self.mean_distance:.4f} on average (median {self.median_distance:.4f}).",
        ]
        if self.probes:
            lines += [
                "",
                "Nearest neighbours (cosine, among the pretrained rows), before and after "
                "fine-tuning (as Kim 2014, Table 3):",
                "",
                "| word | before (pretrained) | after (fine-tuned) |",
                "|---|---|---|",
                *(_row(w) for w in self.probes),
            ]
        if self.words:
            lines += [
                "",
                f"The words that moved most (seen at least {self.min_count} times in training; "
                "cosine distance from the start):",
                "",
                "| word | distance | count | before (pretrained) | after (fine-tuned) |",
                "|---|---|---|---|---|",
                *(
                    f"| {_cell(w.word)} | {w.distance:.4f} | {w.count} | "
                    f"{_neighbours(w.before)} | {_neighbours(w.after)} |"
                    for w in self.words
                ),
            ]
        return "\n".join(lines)


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _neighbours(items: Sequence[tuple[str, float]]) -> str:
    return ", ".join(_cell(w) for w, _ in items)


def _row(w: WordDrift) -> str:
    return f"| {_cell(w.word)} | {_neighbours(w.before)} | {_neighbours(w.after)} |"


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def embedding_drift(
    initial: np.ndarray,
    tuned: np.ndarray,
    words: Sequence[str],
    pretrained_mask: np.ndarray,
    *,
    counts: Mapping[str, int] | None = None,
    top: int = 10,
    k: int = 4,
    probe: Sequence[str] | None = None,
    min_count: int = 5,
) -> EmbeddingDrift:
    """The drift of ``tuned`` from ``initial`` (both ``[rows, dim]``, row ``i`` is ``words[i]``).

    Args:
        pretrained_mask: True for rows that started from a pretrained vector; only those are
            ranked and only those are neighbours.
        counts: how often each word was seen in training (``Vocab.counts``); words seen fewer
            than ``min_count`` times are not ranked (a word seen once barely moves, and a word
            added from the test texts never does). Without counts every row is ranked.
        top: how many of the words that moved most to list.
        k: neighbours per word.
        probe: words to show neighbours for (default: Kim's, :data:`KIM_PROBES`, those present).
    """
    initial = np.asarray(initial, np.float32)
    tuned = np.asarray(tuned, np.float32)
    mask = np.asarray(pretrained_mask, bool)
    if initial.shape != tuned.shape or mask.shape != (initial.shape[0],) or len(words) != len(mask):
        raise ValueError(
            f"expected matching shapes, got initial {initial.shape}, tuned {tuned.shape}, "
            f"mask {mask.shape}, {len(words)} words"
        )
    rows = [int(r) for r in np.flatnonzero(mask)]
    start, end = _unit(initial[rows]), _unit(tuned[rows])
    distance = 1.0 - np.sum(start * end, axis=1)
    seen = np.asarray([counts is None or counts.get(words[r], 0) >= min_count for r in rows])
    index = {words[r]: i for i, r in enumerate(rows)}

    def word_drift(i: int) -> WordDrift:
        def nearest(unit: np.ndarray) -> list[tuple[str, float]]:
            sims = unit @ unit[i]
            sims[i] = -np.inf
            best = np.argsort(-sims, kind="stable")[:k]
            return [(words[rows[j]], float(sims[j])) for j in best]

        word = words[rows[i]]
        return WordDrift(
            word, float(distance[i]), int((counts or {}).get(word, 0)), nearest(start), nearest(end)
        )

    ranked = [i for i in np.argsort(-distance, kind="stable") if seen[i]][:top]
    wanted = KIM_PROBES if probe is None else probe
    probes = [word_drift(index[w]) for w in wanted if w in index]
    moved = distance[seen] if seen.any() else distance
    return EmbeddingDrift(
        pretrained_rows=len(rows),
        mean_distance=float(moved.mean()) if len(moved) else 0.0,
        median_distance=float(np.median(moved)) if len(moved) else 0.0,
        words=[word_drift(int(i)) for i in ranked],
        probes=probes,
        min_count=min_count if counts is not None else 0,
    )


def layer_drift(
    embedding: PretrainedEmbedding, vocab: Vocab, **options: Any
) -> EmbeddingDrift | None:
    """The drift of a trained embedding layer; ``None`` when its pretrained rows cannot move
    (``frozen`` or ``random`` mode, or only the unknown rows trained)."""
    if not _tunes_pretrained_rows(embedding.mode, embedding.trainable_rows):
        return None
    tuned = embedding.channels[-1].detach().cpu().numpy()
    return embedding_drift(
        embedding.pretrained.detach().cpu().numpy(),
        tuned,
        vocab.tokens,
        embedding.pretrained_mask.detach().cpu().numpy(),
        counts=vocab.counts or None,
        **options,
    )


def _tunes_pretrained_rows(mode: str, trainable_rows: str | None) -> bool:
    return mode in ("finetune", "multichannel") and trainable_rows != "oov"


def drift_card_lines(embedding: PretrainedEmbedding, vocab: Vocab) -> list[str]:
    """The model card's drift section (empty for a layer whose pretrained rows cannot move)."""
    drift = layer_drift(embedding, vocab, top=8, k=4)
    if drift is None or not drift.pretrained_rows:
        return []
    return ["", drift.markdown(heading="##")]


def folder_drift(folder: str | Path, **options: Any) -> EmbeddingDrift:
    """The drift of the classifier saved in ``folder`` (a model folder, see ``model_folder``).

    Reads only ``config.json``, ``vocab.json`` and the embedding's tensors of
    ``model.safetensors``: the starting rows are saved there beside the tuned ones.

    Raises:
        NLPTransferError: not a model folder, or its embedding could not move (frozen, random,
            only unknown rows trained).

    Example:
        >>> # nlptransfer.train.drift.folder_drift("runs/sst2-finetune").markdown()
    """
    from safetensors.numpy import load_file

    folder = Path(folder)
    config_path = folder / "config.json"
    weights_path = folder / "model.safetensors"
    if not config_path.is_file() or not weights_path.is_file():
        raise NLPTransferError(
            f"{folder}: expected a model folder (config.json, model.safetensors), found none"
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
        raise NLPTransferError(
            f"{config_path}: expected a model folder's JSON config ({error})"
        ) from None
    embedding = config.get("embedding") or {}
    mode = embedding.get("mode")
    if not _tunes_pretrained_rows(str(mode), embedding.get("trainable_rows")):
        raise NLPTransferError(
            f"{folder}: its embedding is {mode!r}"
            + (
                " with only the unknown rows trained"
                if mode in ("finetune", "multichannel")
                else ""
            )
            + ": no pretrained vector moved, so there is no drift to show (train with mode finetune)"
        )
    tensors = load_file(str(weights_path))
    try:
        start = tensors["embedding.pretrained"]
        tuned = tensors["embedding.weight"]
        mask = tensors["embedding.pretrained_mask"]
    except KeyError as missing:
        raise NLPTransferError(
            f"{weights_path}: expected the embedding's tensor {missing}, found "
            f"{', '.join(sorted(t for t in tensors if t.startswith('embedding.')))}"
        ) from None
    vocab = Vocab.load(folder / "vocab.json")
    if len(vocab) != len(mask):
        raise NLPTransferError(
            f"{folder / 'vocab.json'}: {len(vocab)} tokens for {len(mask)} embedding rows"
        )
    return embedding_drift(start, tuned, vocab.tokens, mask, counts=vocab.counts or None, **options)

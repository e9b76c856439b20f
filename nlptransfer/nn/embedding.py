"""``PretrainedEmbedding``: pretrained word vectors as a PyTorch layer, in every way they are used.

Modes (Kim 2014's names in brackets):

- ``frozen`` [static]: the pretrained rows never change;
- ``finetune`` [non-static]: every row is trained;
- ``multichannel``: a frozen and a fine-tuned copy side by side;
- ``random`` [rand]: no pretrained knowledge, the baseline every comparison needs.

Options: how rows without a pretrained vector start (``oov``); ``trainable_rows="oov"`` to train
only those rows; ``unfreeze_at`` to start frozen and fine-tune from a given epoch or step; a
learning-rate scale for the embedding's parameter group; an L2 pull toward the pretrained
vectors; ``max_norm``; sparse gradients; an optional linear projection. The padding row is zero
and never updated. Only the vocabulary's rows are held, never the whole pretrained matrix.

Example:
    >>> import numpy as np, torch
    >>> from nlptransfer import Vectors, Vocab
    >>> vectors = Vectors(["good", "bad"], np.array([[1, 0], [0, 1]], np.float32))
    >>> vocab = Vocab.build([["good", "movie"], ["bad", "movie"]])
    >>> emb = PretrainedEmbedding.from_vectors(vectors, vocab, mode="frozen", seed=0)
    >>> emb(torch.tensor([[vocab["good"], 0]])).tolist()
    [[[1.0, 0.0], [0.0, 0.0]]]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlptransfer.nn.names import EMBEDDING_MODES
from nlptransfer.text.vocab import Vocab
from nlptransfer.vectors.store import Vectors

logger = logging.getLogger(__name__)

#: The layer's options besides mode and projection (what a model folder records).
LAYER_OPTIONS = (
    "trainable_rows",
    "unfreeze_at",
    "unfreeze_unit",
    "lr_scale",
    "l2_to_pretrained",
    "max_norm",
    "sparse",
)
Mode = Literal["frozen", "finetune", "multichannel", "random"]


class PretrainedEmbedding(nn.Module):
    """An embedding layer initialised from pretrained vectors; see the module docstring.

    Build it with :meth:`from_vectors`. The output of ``forward(ids)`` is ``[..., output_dim]``:
    the channels concatenated along the last axis (and projected, if ``projection`` is set).
    :meth:`forward_channels` gives the channels separately, as Kim's multichannel CNN wants.

    Args:
        initial: float32 array ``[vocab_size, dim]``, the rows to start from (row 0 = padding).
        pretrained_mask: bool array ``[vocab_size]``, True for rows that came from the vectors.
        mode: one of :data:`EMBEDDING_MODES`.
        trainable_rows: ``"all"``, or ``"oov"`` to train only the rows with no pretrained vector.
        unfreeze_at: start frozen, become trainable at this epoch (or step, see
            ``unfreeze_unit``); ``None`` keeps the mode as it is. Only with ``finetune``.
        unfreeze_unit: ``"epoch"`` or ``"step"``.
        lr_scale: multiplies the learning rate of the embedding's parameter group.
        l2_to_pretrained: weight of ``sum((tuned - pretrained)^2)`` over pretrained rows, returned
            by :meth:`regularization_loss` for the trainer to add to the loss.
        max_norm: renormalise looked-up rows to at most this L2 norm (as ``nn.Embedding``).
        sparse: sparse gradients (use an optimizer that accepts them, e.g. ``SparseAdam``).
        projection: if set, a linear layer from the concatenated channels to this many features.
        words: the token of each row (for :meth:`export_vectors`).
    """

    # Buffers registered in __init__, declared for type checkers (register_buffer is untyped).
    pretrained: torch.Tensor
    pretrained_mask: torch.Tensor

    def __init__(
        self,
        initial: np.ndarray | torch.Tensor,
        pretrained_mask: np.ndarray | torch.Tensor,
        *,
        mode: Mode = "finetune",
        trainable_rows: Literal["all", "oov"] = "all",
        unfreeze_at: int | None = None,
        unfreeze_unit: Literal["epoch", "step"] = "epoch",
        lr_scale: float = 1.0,
        l2_to_pretrained: float = 0.0,
        max_norm: float | None = None,
        sparse: bool = False,
        projection: int | None = None,
        words: Sequence[str] | None = None,
        padding_idx: int = 0,
    ) -> None:
        super().__init__()
        check_layer_options(
            mode,
            {
                "trainable_rows": trainable_rows,
                "unfreeze_at": unfreeze_at,
                "unfreeze_unit": unfreeze_unit,
                "lr_scale": lr_scale,
                "l2_to_pretrained": l2_to_pretrained,
                "sparse": sparse,
            },
        )
        weight = torch.as_tensor(np.asarray(initial, dtype=np.float32)).clone()
        mask = torch.as_tensor(np.asarray(pretrained_mask, dtype=bool))
        if weight.ndim != 2 or mask.shape != (weight.shape[0],):
            raise ValueError(
                f"expected initial [n, dim] and pretrained_mask [n], got {tuple(weight.shape)} "
                f"and {tuple(mask.shape)}"
            )
        weight[padding_idx] = 0.0
        mask[padding_idx] = False
        self.mode = mode
        self.trainable_rows = trainable_rows
        self.unfreeze_at = unfreeze_at
        self.unfreeze_unit = unfreeze_unit
        self.lr_scale = lr_scale
        self.l2_to_pretrained = l2_to_pretrained
        self.max_norm = max_norm
        self.sparse = sparse
        self.padding_idx = padding_idx
        self.words = list(words) if words is not None else None
        self.register_buffer("pretrained_mask", mask, persistent=True)
        # The pretrained rows, kept for the L2 pull, row-level freezing and the static channel.
        self.register_buffer("pretrained", weight.clone(), persistent=True)
        # With trainable_rows="oov", rows with a pretrained vector are read from the buffer (see
        # _effective_weight), so whatever the optimizer does to those rows of `weight` is unused.
        self.weight = nn.Parameter(weight, requires_grad=mode != "frozen")
        dim = weight.shape[1]
        n_channels = 2 if mode == "multichannel" else 1
        self.proj = nn.Linear(dim * n_channels, projection) if projection else None
        self.channel_dim = dim
        self.output_dim = projection or dim * n_channels
        if unfreeze_at is not None and unfreeze_at > 0:
            self.weight.requires_grad_(False)
        self._unfrozen = unfreeze_at is None or unfreeze_at <= 0

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_vectors(
        cls,
        vectors: Vectors | None,
        vocab: Vocab,
        *,
        mode: Mode = "finetune",
        oov: str | dict[str, Any] | None = None,
        seed: int = 0,
        **options: Any,
    ) -> PretrainedEmbedding:
        """Build the layer for ``vocab`` from ``vectors`` (``None`` only with ``mode="random"``).

        Args:
            vectors: the pretrained vectors; only the vocabulary's rows are copied.
            vocab: the task's vocabulary (row ``i`` is ``vocab.tokens[i]``).
            mode: ``frozen``, ``finetune``, ``multichannel`` or ``random``.
            oov: how rows that no fallback rule finds in the vectors start (see
                :mod:`nlptransfer.vectors.oov`): ``uniform`` with ``scale="auto"`` by default
                (U[-a, a] with the pretrained rows' variance, as Kim did), ``zero``, ``normal``,
                ``subword`` (fastText); a name or a dict ``{"name": ..., **options}``. In
                ``random`` mode every row starts this way.
            seed: seeds the random rows, so the same arguments give the same layer.
            **options: the constructor's options (``trainable_rows``, ``unfreeze_at``, ...).
        """
        from nlptransfer.nn.init import initial_rows

        if mode not in EMBEDDING_MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(EMBEDDING_MODES)}")
        if vectors is None and mode != "random":
            raise ValueError(f"mode {mode!r} needs pretrained vectors; only 'random' works without")
        initial, mask = initial_rows(vectors, vocab, mode=mode, oov=oov, seed=seed)
        return cls(initial, mask, mode=mode, words=vocab.tokens, **options)

    # -- forward ------------------------------------------------------------------------------
    @property
    def channels(self) -> list[torch.Tensor]:
        """The weight of each channel: ``[weight]``, or ``[static, tuned]`` for multichannel."""
        tuned = self._effective_weight()
        return [self.pretrained, tuned] if self.mode == "multichannel" else [tuned]

    def _effective_weight(self) -> torch.Tensor:
        if self.trainable_rows == "oov" and self.mode in ("finetune", "multichannel"):
            mask = self.pretrained_mask.unsqueeze(1)
            return torch.where(mask, self.pretrained, self.weight)
        return self.weight

    def _lookup(self, ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return F.embedding(
            ids, weight, padding_idx=self.padding_idx, max_norm=self.max_norm, sparse=self.sparse
        )

    def forward_channels(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """One ``[..., dim]`` tensor per channel (static first for multichannel)."""
        return [self._lookup(ids, w) for w in self.channels]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Embed token ids: ``[...]`` -> ``[..., output_dim]``."""
        channels = self.forward_channels(ids)
        out = channels[0] if len(channels) == 1 else torch.cat(channels, dim=-1)
        return self.proj(out) if self.proj is not None else out

    # -- training schedule ----------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        """Whether the (tuned) weight currently receives gradients."""
        return self.weight.requires_grad

    def on_epoch_start(self, epoch: int) -> None:
        """Called by the trainer at the start of each epoch (counted from 0)."""
        if self.unfreeze_unit == "epoch":
            self._maybe_unfreeze(epoch)

    def on_step(self, step: int) -> None:
        """Called by the trainer before each optimiser step (counted from 0)."""
        if self.unfreeze_unit == "step":
            self._maybe_unfreeze(step)

    def _maybe_unfreeze(self, count: int) -> None:
        if not self._unfrozen and self.unfreeze_at is not None and count >= self.unfreeze_at:
            self.weight.requires_grad_(True)
            self._unfrozen = True
            logger.info("embedding unfrozen at %s %d", self.unfreeze_unit, count)

    def regularization_loss(self) -> torch.Tensor:
        """``l2_to_pretrained * sum((weight - pretrained)^2)`` over pretrained rows (0 if off)."""
        if not self.l2_to_pretrained or not self.weight.requires_grad:
            return self.weight.new_zeros(())
        diff = (self.weight - self.pretrained)[self.pretrained_mask]
        return self.l2_to_pretrained * diff.pow(2).sum()

    # -- inspection -----------------------------------------------------------------------------
    def export_vectors(self) -> Vectors:
        """The current (tuned) rows as :class:`Vectors`, padding and unknown rows left out.

        Compare neighbours before and after training to see how fine-tuning moved words.
        """
        if self.words is None:
            raise ValueError("this embedding was built without words; pass words= to export")
        weight = self.channels[-1].detach().cpu().numpy().astype(np.float32)
        keep = [i for i in range(len(self.words)) if i not in (self.padding_idx, Vocab.unk_index)]
        meta = {
            "source": "PretrainedEmbedding.export_vectors",
            "format": "torch",
            "mode": self.mode,
        }
        return Vectors([self.words[i] for i in keep], weight[keep].copy(), meta=meta)

    def extra_repr(self) -> str:
        rows, dim = self.weight.shape
        parts = [f"{rows}, {dim}", f"mode={self.mode}"]
        if self.trainable_rows != "all":
            parts.append(f"trainable_rows={self.trainable_rows}")
        if self.unfreeze_at is not None:
            parts.append(f"unfreeze_at={self.unfreeze_at} {self.unfreeze_unit}")
        if self.lr_scale != 1.0:
            parts.append(f"lr_scale={self.lr_scale}")
        return ", ".join(parts)


def check_layer_options(mode: str, options: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` when the layer ``options`` (keys of :data:`LAYER_OPTIONS`) don't suit
    ``mode`` or each other; absent options take the layer's defaults.

    Example:
        >>> check_layer_options("finetune", {"unfreeze_at": 2})
        >>> check_layer_options("frozen", {"unfreeze_at": 2})
        Traceback (most recent call last):
        ...
        ValueError: unfreeze_at applies to mode 'finetune' only, not 'frozen'
    """
    trainable_rows = options.get("trainable_rows", "all")
    if mode not in EMBEDDING_MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(EMBEDDING_MODES)}")
    if trainable_rows not in ("all", "oov"):
        raise ValueError(f"trainable_rows must be 'all' or 'oov', got {trainable_rows!r}")
    if options.get("unfreeze_unit", "epoch") not in ("epoch", "step"):
        raise ValueError(
            f"unfreeze_unit must be 'epoch' or 'step', got {options['unfreeze_unit']!r}"
        )
    if options.get("unfreeze_at") is not None and mode != "finetune":
        raise ValueError(f"unfreeze_at applies to mode 'finetune' only, not {mode!r}")
    lr_scale = options.get("lr_scale", 1.0)
    if not isinstance(lr_scale, int | float) or lr_scale <= 0:
        raise ValueError(f"lr_scale must be a number > 0, got {lr_scale!r}")
    l2 = options.get("l2_to_pretrained", 0.0)
    if not isinstance(l2, int | float) or l2 < 0:
        raise ValueError(f"l2_to_pretrained must be a number >= 0, got {l2!r}")
    if options.get("sparse") and trainable_rows == "oov":
        raise ValueError("sparse gradients work with trainable_rows='all' only")


def embedding_param_groups(model: nn.Module, lr: float) -> list[dict[str, Any]]:
    """Optimizer parameter groups: each PretrainedEmbedding at ``lr * lr_scale``, the rest at ``lr``.

    Frozen weights are included (they have no gradient, so optimizers skip them) so that an
    embedding unfrozen later by its schedule is already in the optimizer.

    Example:
        >>> import numpy as np, torch
        >>> emb = PretrainedEmbedding(np.ones((3, 2), np.float32), np.ones(3, bool), lr_scale=0.1)
        >>> [round(g["lr"], 4) for g in embedding_param_groups(torch.nn.Sequential(emb), 1.0)]
        [0.1]
    """
    groups: list[dict[str, Any]] = []
    seen: set[int] = set()
    for module in model.modules():
        if isinstance(module, PretrainedEmbedding):
            params = [module.weight]
            seen.update(id(p) for p in params)
            groups.append({"params": params, "lr": lr * module.lr_scale, "name": "embedding"})
    rest = [p for p in model.parameters() if id(p) not in seen]
    if rest:
        groups.append({"params": rest, "lr": lr, "name": "model"})
    return groups

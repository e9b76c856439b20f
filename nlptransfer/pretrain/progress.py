"""Progress of gensim training: a bar over words with words/second, and one log line per epoch.

gensim reports its progress only through ``logging`` (``EPOCH 2 - PROGRESS: at 41.27% words,
512345 words/s``, about once a second). :class:`TrainingProgress` turns those records into
movements of a tqdm bar, and, through a gensim callback (its public ``CallbackAny2Vec``), logs
each epoch's time, words/second and, for word2vec, the training loss of that epoch. While the bar
is shown, gensim's progress lines are held back; its other lines pass as its loggers' levels say.
In ``corpus_file`` mode gensim reports progress only when a worker thread finishes its share of
the corpus (with 2 workers: at 50% and 100% of each epoch).

Example:
    >>> progress = TrainingProgress(epochs=2, corpus_words=1000, enabled=False)
    >>> progress.epoch_report(epoch=0, seconds=0.5, loss=12.0)
    {'epoch': 1, 'seconds': 0.5, 'words_per_second': 2000.0, 'loss': 12.0}
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from typing import Any

from gensim.models.callbacks import CallbackAny2Vec
from tqdm.auto import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

logger = logging.getLogger(__name__)

#: The gensim loggers that report training progress.
GENSIM_LOGGERS = ("gensim.models.word2vec", "gensim.models.fasttext")
_PROGRESS = re.compile(r"EPOCH (\d+)(?: - PROGRESS)?: at ([\d.]+)% (?:words|examples)")


class _ProgressFilter(logging.Filter):
    """Moves the bar on gensim's progress records and drops them; other records pass only when
    their logger would have let them through before the bar lowered its level to INFO."""

    def __init__(self, progress: TrainingProgress) -> None:
        super().__init__()
        self.progress = progress
        self.threshold: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        match = _PROGRESS.match(record.getMessage())
        if match is None:
            return record.levelno >= self.threshold.get(record.name, logging.NOTSET)
        epoch, percent = int(match.group(1)), float(match.group(2))
        self.progress.at(epoch, percent / 100.0)
        return False


class _EpochCallback(CallbackAny2Vec):
    def __init__(self, progress: TrainingProgress) -> None:
        self.progress = progress
        self.epoch = 0
        self.started = 0.0
        self.loss_before = 0.0

    def on_epoch_begin(self, model: Any) -> None:
        self.started = time.perf_counter()
        self.loss_before = _running_loss(model)

    def on_epoch_end(self, model: Any) -> None:
        loss = _running_loss(model) - self.loss_before if _has_loss(model) else None
        self.progress.epoch_report(self.epoch, time.perf_counter() - self.started, loss)
        self.epoch += 1


def _has_loss(model: Any) -> bool:
    return bool(getattr(model, "compute_loss", False)) and type(model).__name__ == "Word2Vec"


def _running_loss(model: Any) -> float:
    return float(model.get_latest_training_loss()) if _has_loss(model) else 0.0


class TrainingProgress:
    """A words bar over all epochs plus per-epoch reports; use as a context manager.

    Args:
        epochs: epochs to train.
        corpus_words: raw words in one pass over the corpus.
        enabled: show the bar (the per-epoch log lines are written either way).

    Attributes:
        epochs_done: one dict per finished epoch: ``epoch`` (1-based), ``seconds``,
            ``words_per_second`` (raw corpus words) and ``loss`` (word2vec only, else ``None``).
    """

    def __init__(self, *, epochs: int, corpus_words: int, enabled: bool) -> None:
        self.epochs = epochs
        self.corpus_words = corpus_words
        self.enabled = enabled
        self.epochs_done: list[dict[str, Any]] = []
        self._bar: Any = None
        self._filter = _ProgressFilter(self)
        self._redirect = contextlib.ExitStack()
        self._levels: dict[str, int] = {}

    def callback(self) -> CallbackAny2Vec:
        """The gensim callback to pass to ``train(callbacks=[...])``."""
        return _EpochCallback(self)

    def __enter__(self) -> TrainingProgress:
        if self.enabled:
            self._redirect.enter_context(logging_redirect_tqdm())  # log lines above the bar
            self._bar = tqdm(
                total=self.epochs * self.corpus_words,
                unit="word",
                unit_scale=True,
                desc="training",
            )
            for name in GENSIM_LOGGERS:
                # gensim's progress records are INFO: let them be made even when the logger
                # shows only warnings, and pass on only what it showed before.
                gensim_logger = logging.getLogger(name)
                self._levels[name] = gensim_logger.level
                self._filter.threshold[name] = gensim_logger.getEffectiveLevel()
                gensim_logger.setLevel(min(logging.INFO, gensim_logger.getEffectiveLevel()))
                gensim_logger.addFilter(self._filter)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, level in self._levels.items():
            gensim_logger = logging.getLogger(name)
            gensim_logger.removeFilter(self._filter)
            gensim_logger.setLevel(level)
        self._levels.clear()
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._redirect.close()

    def at(self, epoch: int, fraction: float) -> None:
        """Move the bar to ``fraction`` of epoch ``epoch`` (0-based)."""
        if self._bar is not None:
            position = int((min(epoch, self.epochs - 1) + min(fraction, 1.0)) * self.corpus_words)
            self._bar.update(max(position - self._bar.n, 0))

    def epoch_report(self, epoch: int, seconds: float, loss: float | None) -> dict[str, Any]:
        """Record (and log) a finished epoch; returns its record."""
        record = {
            "epoch": epoch + 1,
            "seconds": round(seconds, 3),
            "words_per_second": round(self.corpus_words / max(seconds, 1e-9), 1),
            "loss": loss,
        }
        self.epochs_done.append(record)
        self.at(epoch, 1.0)
        if self._bar is not None:
            postfix = f"epoch {epoch + 1}/{self.epochs}"
            if loss is not None:
                postfix += f", loss {loss:.4g}"
            self._bar.set_postfix_str(postfix)
        logger.info(
            "epoch %d/%d: %.1f s, %s words/s%s",
            epoch + 1,
            self.epochs,
            seconds,
            f"{record['words_per_second']:,.0f}",
            "" if loss is None else f", loss {loss:.6g}",
        )
        return record

"""The Hugging Face hub as a fallback source, tried only when online.

Offline means any of ``NLPTRANSFER_OFFLINE``, ``HF_HUB_OFFLINE`` or ``HF_DATASETS_OFFLINE`` is
set to ``1`` (or ``true``, ``yes``, ``on``); a hub call that fails (no connection, no such
repository) counts as offline too, and the failure goes into the not-found error's list of places
looked in. Hub labels that are a ``ClassLabel`` whose names are the catalogue's (ignoring case)
are mapped by name, otherwise by id.

Example:
    >>> import os
    >>> os.environ["NLPTRANSFER_OFFLINE"] = "1"
    >>> offline_reason()
    'NLPTRANSFER_OFFLINE=1'
    >>> del os.environ["NLPTRANSFER_OFFLINE"]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nlptransfer.data.catalog import HubSplit
from nlptransfer.data.columns import choose_columns
from nlptransfer.data.raw_split import RawSplit

if TYPE_CHECKING:
    import datasets

logger = logging.getLogger(__name__)

#: Environment variables that switch the hub off.
OFFLINE_VARIABLES = ("NLPTRANSFER_OFFLINE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
_TRUE = {"1", "true", "yes", "on"}


def offline_reason() -> str | None:
    """``"VARIABLE=value"`` for the first offline switch that is on, else ``None``."""
    for variable in OFFLINE_VARIABLES:
        value = os.environ.get(variable, "")
        if value.strip().lower() in _TRUE:
            return f"{variable}={value}"
    return None


def hub_load(repo: str, config: str | None, split: str) -> datasets.Dataset:
    """Load one split from the hub (the only function here that touches the network)."""
    import datasets

    return datasets.load_dataset(repo, config, split=split)


def read_hub_split(spec: HubSplit, label_names: Sequence[str]) -> RawSplit:
    """One hub split as a :class:`RawSplit` (labels as names where the hub's names are ours).

    Raises:
        Exception: whatever the hub client raises (no connection, no such repository...).
    """
    import datasets

    source = f"hub:{spec.repo}" + (f"/{spec.config}" if spec.config else "") + f"[{spec.split}]"
    logger.info("loading %s from the Hugging Face hub", source)
    table = hub_load(spec.repo, spec.config, spec.split)
    split = RawSplit(source, unit="row")
    texts, label, note = choose_columns(
        table.column_names, source, spec.text_column, spec.label_column
    )
    text = texts[0]  # a catalogue entry names one text column
    split.notes.append(note)
    labels = table[label]
    feature = table.features[label]
    if isinstance(feature, datasets.ClassLabel):
        ours = {name.lower() for name in label_names}
        if all(name.lower() in ours for name in feature.names):
            labels = [
                feature.names[value] if value is not None and value >= 0 else None
                for value in labels
            ]
    for number, (value, target) in enumerate(zip(table[text], labels, strict=True), 1):
        split.add_checked(number, value, target)
    return split

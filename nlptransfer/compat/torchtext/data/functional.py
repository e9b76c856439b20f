"""torchtext 0.18's ``data.functional.to_map_style_dataset`` (the text classification
tutorial's way to give a ``DataLoader`` and ``random_split`` a dataset with a length).

Example:
    >>> dataset = to_map_style_dataset((label, text) for label, text in [(1, "good"), (0, "bad")])
    >>> len(dataset), dataset[1]
    (2, (0, 'bad'))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import torch.utils.data

T = TypeVar("T")


class MapStyleDataset(torch.utils.data.Dataset, Generic[T]):
    """The items of an iterable, held in a list: indexable, with a length."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = list(items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> T:
        return self._items[index]


def to_map_style_dataset(iter_data: Iterable[T]) -> MapStyleDataset[T]:
    """Read an iterable-style dataset into a map-style one (every item, in order)."""
    return MapStyleDataset(iter_data)

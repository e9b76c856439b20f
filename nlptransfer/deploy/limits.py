"""The largest request ``nlptransfer serve`` accepts (no FastAPI import: the command's options
are read before the server starts).

Example:
    >>> ServeLimits(max_batch=32).max_batch
    32
    >>> ServeLimits(max_batch=0)
    Traceback (most recent call last):
    ...
    ValueError: ServeLimits.max_batch: expected a positive integer, found 0
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ServeLimits:
    """The largest request the server accepts; a larger one gets 413 with the limit named.

    Attributes:
        max_batch: texts in one request.
        max_text_chars: characters in one text.
        max_body_bytes: bytes in one request body.
    """

    max_batch: int = 256
    max_text_chars: int = 20_000
    max_body_bytes: int = 2_000_000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"ServeLimits.{name}: expected a positive integer, found {value!r}"
                )

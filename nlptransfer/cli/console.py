"""The one rich console every command prints to.

``soft_wrap``: messages are never broken at the terminal's width, so a path or a number in them
stays whole when the output is piped, logged or read by a script; tables still fit the width.
"""

from __future__ import annotations

from rich.console import Console

console = Console(soft_wrap=True)

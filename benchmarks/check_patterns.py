"""How well ``check_pattern`` tells catastrophic regular expressions from safe ones.

Random patterns (seeded) are checked, then every one is run, accepted or refused, on a few
adversarial texts of 28 characters under a 0.3 s alarm (Python's ``re`` checks for signals
while it backtracks). A pattern the check accepts and that runs past the alarm is a miss; a
refused one that never does is refused to be safe (the nesting rule is conservative).

Usage::

    python benchmarks/check_patterns.py [--patterns 10000] [--seed 1]

Writes ``benchmarks/results/patterns.md``.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
from pathlib import Path

from nlptransfer.errors import UnsafePatternError
from nlptransfer.text.pattern_safety import check_pattern

ATOMS = ["a", "b", "ab", r"\w", r"\d", r"\s", ".", "[a-c]", "[^b]", r"\b", "$"]
QUANTIFIERS = ["", "+", "*", "?", "{1,3}", "{2,}", "+?", "++"]
TEXTS = [
    c * (28 // len(c)) + end for c in ("a", "ab", " ", "1", "abc", "aab", "b", "ba") for end in "!"
]
TEXTS.append("a" * 28 + "\n")
LIMIT_S = 0.3


class _Slow(Exception):
    pass


def random_pattern(rng: random.Random, depth: int = 4) -> str:
    if depth == 0 or rng.random() < 0.5:
        return rng.choice(ATOMS)
    inner = [random_pattern(rng, depth - 1) for _ in range(rng.randint(1, 3))]
    shape = rng.choice(["seq", "alt", "group", "atomic", "look"])
    body = "|".join(inner) if shape == "alt" else "".join(inner)
    wrapped = {"atomic": f"(?>{body})", "look": f"(?={body})"}.get(shape, f"(?:{body})")
    return wrapped + rng.choice(QUANTIFIERS)


def is_slow(regex: re.Pattern[str]) -> bool:
    for text in TEXTS:
        signal.setitimer(signal.ITIMER_REAL, LIMIT_S)
        try:
            regex.search(text)
            regex.fullmatch(text)
        except _Slow:
            return True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "patterns.md"
    )
    args = parser.parse_args()

    def expire(signum, frame):
        raise _Slow

    signal.signal(signal.SIGALRM, expire)
    rng = random.Random(args.seed)
    table = {(accepted, slow): 0 for accepted in (True, False) for slow in (True, False)}
    misses: list[str] = []
    seen: set[str] = set()
    while len(seen) < args.patterns:
        pattern = random_pattern(rng)
        if pattern in seen:
            continue
        seen.add(pattern)
        try:
            check_pattern(pattern)
            accepted = True
        except UnsafePatternError:
            accepted = False
        slow = is_slow(re.compile(pattern))
        table[accepted, slow] += 1
        if accepted and slow:
            misses.append(pattern)
    lines = [
        f"# check_pattern on {args.patterns:,} random patterns (seed {args.seed})",
        "",
        f"Command: `python benchmarks/check_patterns.py --patterns {args.patterns} --seed {args.seed}`."
        f" Slow: past {LIMIT_S} s on one of {len(TEXTS)} adversarial texts of 28-29 characters.",
        "",
        "| | slow | not slow |",
        "|---|---:|---:|",
        f"| accepted | {table[True, True]:,} | {table[True, False]:,} |",
        f"| refused | {table[False, True]:,} | {table[False, False]:,} |",
        "",
        "Accepted and slow (misses): " + (", ".join(f"`{p}`" for p in misses[:20]) or "none"),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Gates: the cheap necessary condition in front of each line rule, so the scan skips the rules no line of a text
can match (most lines of a skill are prose and code that no rule matches).

A gate is written as lowercase substrings, "a, b & c" meaning (a or b) and c, and is checked with `in` on the
lowercased text before the rule's regex runs. A gate must hold on every line its rule can match; the tests
compare the gated scan with the ungated one on every rule's samples.
"""

from __future__ import annotations

Gate = tuple[tuple[str, ...], ...]


def gate(spec: str) -> Gate:
    """ "a, b & c" -> (("a", "b"), ("c",)): every group needs one of its substrings."""
    return tuple(tuple(key.strip() for key in group.split(",")) for group in spec.split(" & "))


def passes(required: Gate, lowered: str) -> bool:
    # Plain loops: this runs for every rule on every line that holds a key of it, so it has to be cheap.
    for group in required:
        for key in group:
            if key in lowered:
                break
        else:
            return False
    return True

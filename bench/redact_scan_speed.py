"""Speed of secret redaction and of the security scanner, on ordinary text and on inputs built to
make regular expressions backtrack. Prints figures; tests only check these inputs are handled.

    .venv/bin/python bench/redact_scan_speed.py
"""

from __future__ import annotations

import time

from skillwarden.core.security.redact import redact
from skillwarden.core.security.scan import scan_text

ORDINARY_LOG = "INFO worker started pid=4242 key=value path=/usr/lib/python3 tokens=1234 status=ok\n" * 40_000
HOSTILE_REDACT = {
    "token*100k": "token" * 100_000,
    "token=*100k": "token=" * 100_000,
    "BEGIN KEY*10k": "-----BEGIN RSA PRIVATE KEY-----" * 10_000,
    "https://*50k": "https://" * 50_000,
    "eyJ*100k": "eyJ" * 100_000,
    "--token *50k": "--token " * 50_000,
    "a*500k": "a" * 500_000,
}
HOSTILE_SCAN = ["eval $(x ", "pip install ", "sed -i ", "curl x ", "base64 -d ", "Write( ", "rm -rf a "]


def timed(function, text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def main() -> None:
    seconds = timed(redact, ORDINARY_LOG)
    print(f"redact, ordinary log of {len(ORDINARY_LOG) / 1e6:.1f} MB: {len(ORDINARY_LOG) / seconds / 1e6:.1f} MB/s")
    for name, text in HOSTILE_REDACT.items():
        print(f"redact, hostile {name:<14} {len(text) / 1e6:.2f} MB: {timed(redact, text) * 1000:.0f} ms")
    for unit in HOSTILE_SCAN:
        text = unit * 10_000
        print(f"scan, hostile {unit!r:<16} x10k ({len(text) / 1e3:.0f} kB): {timed(scan_text, text) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

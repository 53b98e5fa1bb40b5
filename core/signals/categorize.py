"""Map a task text to one small task category by keywords, for per-category statistics.

The categories and their keywords (matched as whole lower-cased words, a trailing plural "s" ignored):

| category     | keywords |
|--------------|----------|
| dependencies | dependency, dependencies, install, package, upgrade, requirements, pip, npm, poetry |
| release      | release, version, changelog, tag, bump, publish, cut |
| database     | migration, database, db, column, table, sql, alembic, schema, query |
| lint         | lint, ruff, flake8, eslint, mypy, pylint, format, formatting, typecheck, black |
| testing      | test, tests, pytest, failing, ci, red, flaky, coverage, assert |
| bugfix       | bug, fix, error, crash, broken, exception, regression, wrong, traceback |
| feature      | add, implement, create, build, support, new, feature, endpoint |
| refactor     | refactor, rename, clean, cleanup, simplify, extract, restructure, reorganize |
| docs         | doc, docs, readme, documentation, docstring, comment, explain |
| other        | (nothing matched) |

The category with the most keyword hits wins; a tie goes to the one listed first, so specific
categories beat generic ones (bugfix, feature): "add httpx and make sure the tests pass" is dependencies.
"""

from __future__ import annotations

import re

CATEGORY_KEYWORDS: tuple[tuple[str, frozenset[str]], ...] = (
    # "dependencie" is "dependencies" with its plural "s" dropped by `words`.
    ("dependencies", frozenset("dependency dependencie install package upgrade requirement pip npm poetry".split())),
    ("release", frozenset("release version changelog tag bump publish cut".split())),
    ("database", frozenset("migration database db column table sql alembic schema query".split())),
    ("lint", frozenset("lint ruff flake8 eslint mypy pylint format formatting typecheck black".split())),
    ("testing", frozenset("test pytest failing ci red flaky coverage assert".split())),
    ("bugfix", frozenset("bug fix error crash broken exception regression wrong traceback".split())),
    ("feature", frozenset("add implement create build support new feature endpoint".split())),
    ("refactor", frozenset("refactor rename clean cleanup simplify extract restructure reorganize".split())),
    ("docs", frozenset("doc docs readme documentation docstring comment explain".split())),
)  # fmt: skip
OTHER = "other"
CATEGORIES = tuple(name for name, _ in CATEGORY_KEYWORDS) + (OTHER,)

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-cased words with a trailing plural "s" dropped ("tests" -> "test", "class" stays)."""
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in _WORD.findall(text.lower())
    ]


def categorize(task: str) -> str:
    found = words(task or "")
    best, best_hits = OTHER, 0
    for name, keywords in CATEGORY_KEYWORDS:
        hits = sum(1 for word in found if word in keywords)
        if hits > best_hits:
            best, best_hits = name, hits
    return best

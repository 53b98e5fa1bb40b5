"""Hostile trace folders from a seed: real lines mutated (bytes flipped, cut, nested thousands deep, lone
surrogates, values of another type), random bytes, and file names that are not UTF-8, beside one good
transcript. `tests/test_fuzz_ingest.py` runs one seed; `bench/fuzz_ingest.py` runs many.

What an ingest of such a folder may produce is per-file error entries (path, line, message) and stored
sessions; no exception, and the good transcript always stored."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from skillwarden.core.demo.traces import generate_corpus

REPO_DATA = Path(__file__).resolve().parent / "data"
SHARED_TRACES = Path(__file__).resolve().parents[2] / "shared" / "traces"
SUFFIXES = (".jsonl", ".json", ".traj", ".aider.chat.history.md", ".traj.json")
FILES_PER_FOLDER = 24
DEEP = 100_000  # past every recursion limit: Python's (1000), orjson's (1024)


def seed_files(scratch: Path) -> list[Path]:
    """Real traces to mutate: the shared samples when they are here, the repository's, a small demo corpus."""
    generate_corpus(scratch / "demo", sessions=6, seed=11)
    roots = [SHARED_TRACES, REPO_DATA, scratch / "demo"]
    found = []
    for root in roots:
        if root.is_dir():
            found += sorted(p for p in root.rglob("*") if p.is_file() and (p.suffix != ".md" or "aider" in p.name))
    return found


def hostile_folder(rng: random.Random, sources: list[Path], folder: Path) -> Path:
    """Write FILES_PER_FOLDER hostile files and one good transcript into `folder`; returns the good one."""
    folder.mkdir(parents=True)
    for index in range(FILES_PER_FOLDER):
        source = rng.choice(sources)
        name = file_name(rng, index, source)
        data = mutated(rng, source.read_bytes())
        target = os.path.join(os.fsencode(folder), name)
        with open(target, "wb") as handle:
            handle.write(data)
    [good] = generate_corpus(folder / "zz-good", sessions=1, seed=rng.randrange(1000))
    return good  # named by its session id


def file_name(rng: random.Random, index: int, source: Path) -> bytes:
    """The source's suffix (so the format is sniffed), or another; a stem that may be invalid UTF-8."""
    suffix = next((s for s in sorted(SUFFIXES, key=len, reverse=True) if source.name.endswith(s)), ".jsonl")
    if rng.random() < 0.2:
        suffix = rng.choice(SUFFIXES)
    stems = [b"%02d-plain" % index, b"%02d-\xff\xfe-latin1-\xe9" % index, b"%02d-\xed\xa0\x80-surrogate" % index,
             b"%02d-caf\xc3\xa9" % index, b"%02d-\x1b[31m-escape" % index]  # fmt: skip
    return rng.choice(stems) + suffix.encode()


def mutated(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        where = rng.randrange(len(lines))
        lines[where] = rng.choice(MUTATIONS)(rng, lines[where])
    return b"\n".join(lines)


def flip_bytes(rng: random.Random, line: bytes) -> bytes:
    data = bytearray(line)
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def cut(rng: random.Random, line: bytes) -> bytes:
    return line[: rng.randrange(len(line) + 1)]


def deep_nesting(rng: random.Random, line: bytes) -> bytes:
    depth = rng.choice((900, 1100, DEEP))
    opening, closing = rng.choice(((b"[", b"]"), (b'{"a":', b"}")))
    nested = opening * depth + b"1" + closing * depth
    value = json_value(line)
    if isinstance(value, dict) and value and rng.random() < 0.7:  # deep inside a real record
        value[rng.choice(sorted(value))] = "__deep__"
        return json.dumps(value).encode().replace(b'"__deep__"', nested, 1)
    return nested


def lone_surrogates(rng: random.Random, line: bytes) -> bytes:
    return line.replace(b'"', rng.choice((b'"\\ud800', b'"\\udfff\\ud800', b'"\\udc80')), rng.randint(1, 4))


def raw_garbage(rng: random.Random, line: bytes) -> bytes:
    return rng.randbytes(rng.randint(0, 300))


def odd_values(rng: random.Random, line: bytes) -> bytes:
    """Valid JSON of the record's shape with some values replaced by another type or an extreme."""
    value = json_value(line)
    if value is None:
        return line
    try:
        return json.dumps(replace_values(rng, value), allow_nan=True).encode()
    except RecursionError:  # a line nested deeper than this walk goes
        return line


def replace_values(rng: random.Random, value: object) -> object:
    if isinstance(value, dict):
        return {k: replace_values(rng, v) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_values(rng, v) for v in value]
    if rng.random() < 0.15:
        return rng.choice([None, 0, -1, 2**70, 1e308, float("nan"), "", "\ud800", [], {}, [[[]]], True, "x" * 5000,
                           {"type": "text"}, [{"type": None}], "2026-13-45T99:99:99Z"])  # fmt: skip
    return value


def duplicate_keys(rng: random.Random, line: bytes) -> bytes:
    return line[:-1] + b', "type": null, "type": 7}' if line.endswith(b"}") else line


def json_value(line: bytes) -> object:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


MUTATIONS = (flip_bytes, cut, deep_nesting, lone_surrogates, raw_garbage, odd_values, duplicate_keys)


# -- one round -------------------------------------------------------------------------------------------------


def fuzz_round(seed: int, scratch: Path, *, workers: int = 0) -> dict:
    """Ingest (and mine) one hostile folder made from `seed` in a new workspace under `scratch`; raise
    AssertionError unless only per-file errors came out and the good transcript was stored. Returns counts."""
    from skillwarden.core.ingest.run import ingest_paths
    from skillwarden.core.workspace.config import load_config
    from skillwarden.reviews.service import ReviewService

    rng = random.Random(seed)
    sources = seed_files(scratch / "seeds")
    home = scratch / "home"
    home.mkdir(parents=True)
    (home / "config.yaml").write_text(f"watch: [traces]\ndiscover: false\ningest_workers: {workers}\nmin_support: 2\n")
    good = hostile_folder(rng, sources, home / "traces")
    service = ReviewService(load_config(home))  # mines after reading, as `skillwarden ingest` does
    try:
        if workers:  # every file to the pool, however small the folder
            report = ingest_paths(service.store, [home / "traces"], workers=workers, pool_min_bytes=0)
            service.refresh_candidates()
        else:
            report = service.ingest()
        stored_files = {state.path for state in service.store.file_states()}
        good_session = service.store.session(good.stem)
        candidates = len(service.store.candidates())
    finally:
        service.close()
    for error in report.errors:
        assert set(error) == {"path", "line", "message"}, error
        assert isinstance(error["path"], str) and isinstance(error["message"], str) and error["message"]
        assert error["line"] is None or isinstance(error["line"], int)
    folder = os.fsencode(home / "traces")
    written = {os.fsdecode(os.path.join(folder, name)) for name in os.listdir(folder)}
    reported = {error["path"] for error in report.errors}
    files = {path for path in written if os.path.isfile(path)}
    assert files <= stored_files | reported, sorted(files - stored_files - reported)
    assert good_session is not None, "the good transcript beside the hostile files was not stored"
    return {"files": len(files) + 1, "errors": len(report.errors), "sessions": report.sessions,
            "candidates": candidates,
            "messages": [error["message"].replace(error["path"], "FILE") for error in report.errors]}  # fmt: skip

"""Ground truth about whether runs solved their task: reading label files, keeping them in the
workspace, and deciding which session each label settles.

A label file is any of:
- a JSON map `{key: true|false}`;
- an evaluation report with lists of ids: `resolved` / `resolved_ids` are solved, every id in the
  report's other lists (`unresolved_ids`, `completed_ids`, `submitted_ids`, `empty_patch_ids`,
  `error_ids`, `applied`, `generated`, `no_generation`, ...) is not, except one whose evaluation did not
  finish (`incomplete_ids`, and no list of a verdict holds it), which has no label: a report written
  while the evaluation ran lists most of its instances so (Multi-SWE-bench's gpt-4o-mini Java report: 90
  of 91, one of which its evaluation logs show resolved);
- `instances` (or a top-level list, or JSON lines: one record a line) of records with an id (`instance_id`,
  `id`, `task_id`) and a boolean `resolved`, at the top or in its `report` or `test_result.report` (OpenHands'
  `output.swebench_eval.jsonl`; the agent SDK's benchmark `output.jsonl`). A record whose `resolved` is null
  (its evaluation failed) has no label; when an id has several records (attempts), the last one settles it;
- a per-instance report `{instance_id: {"resolved": bool, ...}}` (SWE-bench's `report.json`).

A key is a session id, a trace file's name without its suffixes, or a task id the trace names. A label
with `under` settles only sessions whose trace lies under that folder (the same instance run by several
models); it wins over one without, and a later import wins over an earlier one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

RESOLVED_LISTS = ("resolved", "resolved_ids")
UNFINISHED_LISTS = ("incomplete_ids",)
VERDICT_LISTS = ("unresolved_ids", "completed_ids", "empty_patch_ids", "error_ids")
ID_FIELDS = ("instance_id", "id", "task_id", "session_id", "name")
MAX_LABEL_FILE_BYTES = 256 * 1024 * 1024


class LabelError(ValueError):
    pass


@dataclass(frozen=True)
class Label:
    key: str
    resolved: bool
    under: str = ""  # an absolute folder, or "" for anywhere
    source: str = ""  # the file it was imported from, for the explanation


def read_label_file(path: Path, *, under: Path | None = None) -> list[Label]:
    try:
        if path.stat().st_size > MAX_LABEL_FILE_BYTES:
            raise LabelError(f"{path}: over {MAX_LABEL_FILE_BYTES // 2**20} MB, not a label file")
        data = path.read_bytes()
    except OSError as exc:
        raise LabelError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    value = json_value(path, data)
    pairs = labels_in(value)
    if pairs is None:
        raise LabelError(
            f"{path}: not a label file: expected {{id: true|false}}, a report with `resolved`/`resolved_ids` "
            "lists, or records with an id and a boolean `resolved`"
        )
    folder = str(under.resolve()) if under is not None else ""
    return [Label(key, resolved, folder, path.name) for key, resolved in pairs.items()]


def json_value(path: Path, data: bytes) -> object:
    """The file's JSON document, or the list of its lines' values when it is JSON lines."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        if not (isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data"):
            raise LabelError(f"{path}: not valid JSON ({exc})") from exc
    values = []
    for number, line in enumerate(data.splitlines(), 1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except (ValueError, RecursionError) as exc:
                raise LabelError(f"{path}:{number}: not valid JSON ({exc})") from exc
    return values


def labels_in(value: object) -> dict[str, bool] | None:
    """{key: resolved} from any of the shapes above, or None when the value is none of them."""
    if isinstance(value, dict) and value and all(isinstance(v, bool) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, dict) and isinstance(value.get("instances"), list):
        return records(value["instances"])
    if isinstance(value, list):
        return records(value)
    if isinstance(value, dict) and any(isinstance(value.get(key), list) for key in RESOLVED_LISTS):
        resolved = {str(i) for key in RESOLVED_LISTS if isinstance(value.get(key), list) for i in value[key]}
        listed = ids_in(value, tuple(key for key in value if key not in RESOLVED_LISTS))
        unfinished = ids_in(value, UNFINISHED_LISTS) - resolved - ids_in(value, VERDICT_LISTS)
        return {key: key in resolved for key in sorted((resolved | listed) - unfinished)}
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(v, dict) and isinstance(v.get("resolved"), bool) for v in value.values())
    ):
        return {str(k): v["resolved"] for k, v in value.items()}
    return None


def ids_in(report: dict, keys: tuple[str, ...]) -> set[str]:
    """The ids in the report's lists of these names."""
    lists = [report[key] for key in keys if isinstance(report.get(key), list)]
    return {str(i) for ids in lists for i in ids if isinstance(i, str | int)}


NO_VERDICT = object()  # what `verdict` gives for a record that says nothing of being resolved


def records(items: list) -> dict[str, bool] | None:
    """{id: resolved} of records; None unless every record has an id and a verdict (true, false, or null for
    an evaluation that gave none) and one at least is true or false."""
    out: dict[str, bool] = {}
    for item in items:
        if not isinstance(item, dict):
            return None
        resolved = verdict(item)
        key = next((str(item[f]) for f in ID_FIELDS if isinstance(item.get(f), str | int)), None)
        if resolved is NO_VERDICT or key is None:
            return None
        if resolved is not None:
            out[key] = resolved
    return out or None


def verdict(record: dict) -> object:
    """A record's `resolved`, at its top, in its `report` or in its `test_result.report`: the first true or false,
    else None where one is null, else NO_VERDICT."""
    test_result = record.get("test_result")
    holders = [record, record.get("report"), test_result.get("report") if isinstance(test_result, dict) else None]
    found = [holder["resolved"] for holder in holders if isinstance(holder, dict) and "resolved" in holder]
    if any(value is not None and not isinstance(value, bool) for value in found):
        return NO_VERDICT
    return next((value for value in found if isinstance(value, bool)), None if found else NO_VERDICT)


def file_stem(path: str) -> str:
    """`trajs/django__django-1/django__django-1.traj.json` -> `django__django-1`."""
    name = os.path.basename(path)
    while True:
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem or not suffix.isalnum() or len(suffix) > 8:
            return name
        name = stem


def is_under(path: str, folder: str) -> bool:
    if not folder:
        return True
    return os.path.abspath(path).startswith(folder.rstrip(os.sep) + os.sep)


def match_sessions(labels: list[Label], sessions: list[tuple[str, str, str]]) -> dict[str, Label]:
    """Which label settles each session of `sessions` ((id, trace path, task id)): a label with `under`
    beats one without, and a later label (later in `labels`) beats an earlier one."""
    by_key: dict[str, list[tuple[int, Label]]] = {}
    for order, label in enumerate(labels):
        by_key.setdefault(label.key, []).append((order, label))
    settled: dict[str, Label] = {}
    for session_id, path, task_id in sessions:
        # The folder a trace sits in names the run where the trace does not (`<instance_id>/<uuid>.jsonl`):
        # it is tried only when the session id, the file's name and the task id match no label.
        for keys in ((session_id, file_stem(path), task_id), (PurePath(path).parent.name,)):
            found = [
                (bool(label.under), order, label)
                for key in dict.fromkeys(k for k in keys if k)
                for order, label in by_key.get(key, ())
                if is_under(path, label.under)
            ]
            if found:
                settled[session_id] = max(found, key=lambda item: (item[0], item[1]))[2]
                break
    return settled


def match_labels(labels: list[Label], sessions: list, *, under: Path | None = None) -> dict[str, bool]:
    """{session id: resolved} for sessions (anything with `id`, `path`, `task_id`)."""
    if under is not None:
        labels = [Label(label.key, label.resolved, str(under.resolve()), label.source) for label in labels]
    matched = match_sessions(labels, [(s.id, s.path, getattr(s, "task_id", "") or "") for s in sessions])
    return {sid: label.resolved for sid, label in matched.items()}


# -- the workspace's copy ------------------------------------------------------------------------


def load_workspace_labels(path: Path) -> list[Label]:
    """Every label imported into the workspace, oldest import first ([] when there are none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise LabelError(f"{path}: unreadable ({exc}); import the label files again") from exc
    out = []
    for entry in data.get("imports", []) if isinstance(data, dict) else []:
        for key, resolved in (entry.get("labels") or {}).items():
            source = os.path.basename(str(entry.get("source") or ""))
            out.append(Label(str(key), bool(resolved), str(entry.get("under") or ""), source))
    return out


def save_import(path: Path, labels: list[Label], source: str, under: str) -> None:
    """Add one import to the workspace's labels file (replacing an earlier import of the same file and
    folder), written atomically so a crash leaves the old or the new file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        imports = [e for e in data.get("imports", []) if (e.get("source"), e.get("under")) != (source, under)]
    except (FileNotFoundError, ValueError, AttributeError):
        imports = []
    imports.append({"source": source, "under": under, "labels": {label.key: label.resolved for label in labels}})
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"imports": imports}, handle, indent=1, sort_keys=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)

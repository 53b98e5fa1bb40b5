"""The workspace layout and the typed configuration, in one place.

A workspace is one directory holding the state cache, the skills repository and (for the demo) the
trace folder. `SKILLWARDEN_HOME` or `--home` chooses it, so tests never touch the user's home.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from skillwarden.core.workspace.discover import default_trace_folders, watched_folders
from skillwarden.core.workspace.private_files import private_directory
from skillwarden.core.workspace.settings import DriftParams, HarnessTargets, LearningSettings

if TYPE_CHECKING:  # PyYAML is imported when a settings file is parsed, not when its parsed mapping is reused
    import yaml

# The workspace lock, also what marks a folder as a workspace (whose own files are never traces).
LOCK_FILE_NAME = "skillwarden.lock"

HOME_ENV = "SKILLWARDEN_HOME"
CONFIG_NAME = "config.yaml"

DEFAULT_CONFIG_TEXT = """\
# skillwarden configuration. Paths may be absolute or relative to this file's folder.

# Folders of agent traces to ingest and watch.
watch:
  - traces

# Also watch the agents' default trace folders that exist in your home directory:
# ~/.claude/projects (Claude Code), ~/.codex/sessions (Codex), ~/.local/share/gptme/logs (gptme) and
# ~/.gemini/tmp (Gemini CLI). Set to false to watch only the folders listed under `watch`.
discover: true

# Folders not to watch, even when discovered or listed above, e.g.  unwatch: [~/.gemini/tmp]
unwatch: []

# Seconds between full rescans of the watched folders. File change events are only hints (they get
# lost on overflow and never come from network file systems); the rescan is what guarantees nothing
# is missed.
rescan_interval: 30

# Processes that parse trace files read from their start (a first ingest, a rebuild), once more than a
# few MB of them are waiting; the default is one per CPU. 0 parses everything in the main process.
# ingest_workers: 2

# The git repository of approved skills that agents load.
skills_repo: skills-repo

# Name written into every decision commit.
reviewer: reviewer

# A procedure must appear in at least this many distinct successful sessions to become a candidate.
min_support: 3

# Optional: a git remote (name or URL) to which backlogged candidates are pushed as branches
# skillwarden/backlog/<name>, for discussion on the team's git host.
# backlog_remote: origin

# Optional: the project repository holding the agent harness files (AGENTS.md, CLAUDE.md,
# .claude/settings.json) that approved harness modifications are committed to.
# harness_repo: /path/to/project

# Candidates whose texts are at least this similar (cosine, 0..1) are merged into one.
dedup_threshold: 0.85

# Optional: let a model write a mined skill's name, description and introduction (never its steps).
# `claude`, `codex` or `llm` call that CLI of yours (words after it are passed on: "claude --model haiku");
# anything else is a program that reads a candidate as JSON on stdin and prints {"name", "description"}.
# Anything invalid, unsafe or slower than describer_timeout seconds falls back to the deterministic text.
# describer: claude
# describer_timeout: 20

# Harness files that harness modifications are computed against (relative to harness_repo, or to
# the skills repository when no harness_repo is set):
# harness: {instructions: AGENTS.md, settings: .claude/settings.json}

# Success statistics, drift, friction and leave-one-out (defaults shown):
# learning:
#   decay: 0.99                 # posterior decay of the updated arm, per use
#   refinement_shrink: 0.5      # how much evidence a refined skill keeps
#   min_category_uses: 10       # uses in a task category before that posterior is shown
#   skills_folders: []          # extra folders agents load skills from
#   drift: {window: 25, min_uses: 40, threshold: 0.99, unused_days: 30}
#   friction: {days: 7, thresholds: {noop: [0.10, 0.20], blocked: [0.40, 0.60], failure: [0.15, 0.25]}}
#   loo: {min_sessions: 50, confounded_share: 0.8}

# Key bindings: action id -> key(s), e.g.  approve: "a,ctrl+a"
keymap: {}
"""


class ConfigError(ValueError):
    pass


def default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "skillwarden"


def resolve_home(cli_home: str | os.PathLike | None) -> Path:
    """`--home` wins over `SKILLWARDEN_HOME`, which wins over the XDG default."""
    chosen = cli_home or os.environ.get(HOME_ENV)
    return Path(chosen).expanduser().resolve() if chosen else default_home()


@dataclass
class Config:
    home: Path
    watch: list[Path] = field(default_factory=list)
    skills_repo: Path = Path()
    reviewer: str = "reviewer"
    min_support: int = 3
    keymap: dict[str, str] = field(default_factory=dict)
    backlog_remote: str | None = None
    harness_repo: Path | None = None
    learning: LearningSettings = field(default_factory=LearningSettings)
    dedup_threshold: float = 0.85
    describer: str | None = None
    describer_timeout: float = 20.0
    harness: HarnessTargets = field(default_factory=HarnessTargets)
    discover: bool = True
    unwatch: list[Path] = field(default_factory=list)
    rescan_interval: float = 30.0
    ingest_workers: int | None = None  # None: one per CPU (core.ingest.run.default_workers)
    # Where the cache and the event feed are, when not in the workspace: a scratch copy for a read-only one.
    state_dir: Path | None = None

    @property
    def state_db(self) -> Path:
        return (self.state_dir or self.home) / "state.db"

    @property
    def events_file(self) -> Path:
        return (self.state_dir or self.home) / "events.jsonl"

    @property
    def labels_file(self) -> Path:
        """Ground truth imported by `outcomes import`: kept outside the cache, so `rebuild` keeps it."""
        return self.home / "labels.json"

    @property
    def lock_file(self) -> Path:
        return self.home / LOCK_FILE_NAME

    @property
    def ingested_file(self) -> Path:
        """The paths ingested by name (`skillwarden ingest PATH`), which `rebuild` reads again."""
        return self.home / "ingested.json"

    @property
    def redaction_key_file(self) -> Path:
        return self.home / "redaction.key"


def load_config(home: Path, *, user_home: Path | None = None) -> Config:
    """Read `home/config.yaml` (creating it with commented defaults when absent).

    With `user_home`, the agents' default trace folders found there join `watch` (unless the config says
    `discover: false`), and `~` in folder settings means that home. Without it nothing is discovered.
    Whatever the file holds, a value that does not fit is a ConfigError naming the key and what it takes.
    """
    private_directory(home)  # the cache, the event feed and the redaction key go here
    path = home / CONFIG_NAME
    if not path.exists():
        path.write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
    raw = read_settings(path, parsed=home / PARSED_CONFIG_NAME)
    return config_from_mapping(home, raw, source=path, user_home=user_home)


# The mapping config.yaml held when it was last parsed, beside the digest of that text: opening a workspace
# whose settings did not change skips PyYAML, whose import is a third of what the TUI's first frame waits for
# beyond Textual. Deleting it loses nothing.
PARSED_CONFIG_NAME = "config.parsed.json"


def read_settings(path: Path, *, parsed: Path | None = None) -> dict:
    """The mapping in a YAML settings file: UTF-8 text, safe YAML, no key given twice. With `parsed`, the
    mapping of unchanged text is read back from there, and a newly parsed one is kept there."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); is it the right file?") from None
    digest = hashlib.sha256(data).hexdigest()
    if parsed is not None and (kept := kept_settings(parsed, digest)) is not None:
        return kept
    raw = parse_settings(text, path)
    if parsed is not None:
        keep_settings(parsed, digest, raw)
    return raw


def parse_settings(text: str, path: Path) -> dict:
    import yaml

    try:
        raw = yaml.load(text, Loader=unique_key_loader()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {yaml_problem(exc)}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML for settings: nested too deeply") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    return raw


def kept_settings(parsed: Path, digest: str) -> dict | None:
    """The mapping kept for the text of this digest, or None (no file, another text, anything unreadable)."""
    try:
        kept = json.loads(parsed.read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(kept, dict) and kept.get("sha256") == digest and isinstance(kept.get("settings"), dict):
        return kept["settings"]
    return None


def keep_settings(parsed: Path, digest: str, raw: dict) -> None:
    """Keep `raw` for the text of `digest`, when JSON gives back exactly the same mapping (not for a date,
    or a key that is not a string); written whole or not at all, owner-only. A workspace that cannot be
    written keeps nothing: its settings are parsed each time."""
    from skillwarden.core.workspace.private_files import PRIVATE_FILE, write_atomically

    try:
        text = json.dumps({"sha256": digest, "settings": raw})  # ASCII: non-ASCII text is escaped
        if json.loads(text)["settings"] != raw:
            return
    except (TypeError, ValueError):
        return
    with contextlib.suppress(OSError):
        write_atomically(parsed, text.encode("ascii"), mode=PRIVATE_FILE)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: what is wrong and where (PyYAML's own text quotes the lines around it)."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem is None:
        return " ".join(str(exc).split())
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else problem


@functools.cache
def unique_key_loader() -> type:
    """yaml.safe_load's loader, except that a key given twice in one mapping is an error: PyYAML would keep
    the last one silently, and a setting someone believes in would be ignored."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
            seen: set = set()
            for key_node, _value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: the base class reports it
                    break
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice", key_node.start_mark
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def config_from_mapping(
    home: Path, raw: dict, *, source: Path | str = "config", user_home: Path | None = None
) -> Config:
    def folder(value: object, key: str) -> Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{source}: {key} must be a non-empty path string, not {shown(value)}")
        if user_home is not None and (value == "~" or value.startswith("~/")):
            return user_home / value[2:]
        path = Path(value).expanduser()
        return path if path.is_absolute() else home / path

    def folders(key: str, default: list) -> list[Path]:
        value = raw.get(key, default) or []
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {key} must be a list of folders, not {shown(value)}")
        return [folder(item, key) for item in value]

    def optional_text(key: str) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        return one_line_text(value, key, source)

    watch = folders("watch", ["traces"])
    unwatch = folders("unwatch", [])
    discover = raw.get("discover", True)
    if not isinstance(discover, bool):
        raise ConfigError(f"{source}: discover must be true or false, not {shown(discover)}")
    rescan_interval = bounded_number(raw.get("rescan_interval", 30), "rescan_interval", 0.01, 86400, source)
    ingest_workers = raw.get("ingest_workers")
    if ingest_workers is not None:
        ingest_workers = int(bounded_number(ingest_workers, "ingest_workers", 0, 64, source, integer=True))
    discovered = default_trace_folders(user_home) if discover and user_home is not None else []
    min_support = int(bounded_number(raw.get("min_support", 3), "min_support", 2, 10**6, source, integer=True))
    keymap = raw.get("keymap") or {}
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int) and not isinstance(v, bool) for k, v in keymap.items()
    ):
        example = '{approve: "ctrl+o"}'
        raise ConfigError(f"{source}: keymap must map action ids to keys, e.g. {example}, not {shown(keymap)}")
    reviewer = one_line_text(raw.get("reviewer", "reviewer"), "reviewer", source)
    if "<" in reviewer or ">" in reviewer:  # git would read them as an email address
        raise ConfigError(f"{source}: reviewer must be a name without '<' or '>', not {shown(reviewer)}")
    return Config(
        home=home,
        watch=watched_folders(watch, discovered, unwatch),
        skills_repo=folder(raw.get("skills_repo", "skills-repo"), "skills_repo"),
        reviewer=reviewer,
        min_support=min_support,
        keymap={key: str(value) for key, value in keymap.items()},
        learning=learning_section(raw.get("learning"), source),
        dedup_threshold=bounded_number(raw.get("dedup_threshold", 0.85), "dedup_threshold", 0.0, 1.0, source),
        describer=optional_text("describer"),
        describer_timeout=bounded_number(raw.get("describer_timeout", 20), "describer_timeout", 0.1, 600, source),
        harness=harness_section(raw.get("harness"), source),
        backlog_remote=optional_text("backlog_remote"),
        harness_repo=folder(raw["harness_repo"], "harness_repo") if raw.get("harness_repo") else None,
        discover=discover,
        unwatch=unwatch,
        rescan_interval=rescan_interval,
        ingest_workers=ingest_workers,
    )


def harness_section(value: object, source: Path | str) -> HarnessTargets:
    harness = mapping_section(value, "harness", source)
    for key, path in harness.items():
        if key not in ("instructions", "settings") or not isinstance(path, str) or not path:
            raise ConfigError(
                f"{source}: harness takes instructions and settings, each a file path, not {shown(harness)}"
            )
    return HarnessTargets(**harness)


def learning_section(value: object, source: Path | str) -> LearningSettings:
    """The `learning:` mapping as typed settings; an absent key keeps its default."""
    raw = mapping_section(value, "learning", source)
    defaults = LearningSettings()
    drift_raw, friction_raw, loo_raw = (
        mapping_section(raw.get(key), f"learning.{key}", source) for key in ("drift", "friction", "loo")
    )
    folders = raw.get("skills_folders") or []
    if not isinstance(folders, list) or not all(isinstance(f, str) and f for f in folders):
        raise ConfigError(f"{source}: learning.skills_folders must be a list of folder paths, not {shown(folders)}")
    thresholds = dict(defaults.friction_thresholds)
    for metric, pair in mapping_section(friction_raw.get("thresholds"), "learning.friction.thresholds", source).items():
        key = f"learning.friction.thresholds.{metric}"
        if metric not in thresholds or not isinstance(pair, list) or len(pair) != 2:
            known = ", ".join(thresholds)
            raise ConfigError(f"{source}: {key} must be [warn, alert] of a known metric ({known}), not {shown(pair)}")
        warn, alert = (fraction(share, key, source) for share in pair)
        thresholds[metric] = (warn, alert)

    drift = defaults.drift
    return LearningSettings(
        decay=fraction(raw.get("decay", defaults.decay), "learning.decay", source, open_low=True),
        refinement_shrink=fraction(
            raw.get("refinement_shrink", defaults.refinement_shrink), "learning.refinement_shrink", source
        ),
        min_category_uses=int(
            positive(raw.get("min_category_uses", defaults.min_category_uses), "learning.min_category_uses", source)
        ),
        skills_folders=tuple(folders),
        drift=DriftParams(
            window=int(positive(drift_raw.get("window", drift.window), "learning.drift.window", source)),
            min_uses=int(positive(drift_raw.get("min_uses", drift.min_uses), "learning.drift.min_uses", source)),
            threshold=fraction(drift_raw.get("threshold", drift.threshold), "learning.drift.threshold", source),
            unused_days=positive(
                drift_raw.get("unused_days", drift.unused_days), "learning.drift.unused_days", source, integer=False
            ),
        ),
        friction_days=positive(
            friction_raw.get("days", defaults.friction_days), "learning.friction.days", source, integer=False
        ),
        friction_thresholds=thresholds,
        loo_min_sessions=int(
            positive(loo_raw.get("min_sessions", defaults.loo_min_sessions), "learning.loo.min_sessions", source)
        ),
        loo_confounded_share=fraction(
            loo_raw.get("confounded_share", defaults.loo_confounded_share), "learning.loo.confounded_share", source
        ),
    )


def fraction(value: object, key: str, source: Path | str, *, open_low: bool = False) -> float:
    """`value` if it is a number from 0 (excluded, with `open_low`) to 1."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not 0 <= value <= 1 or (open_low and value == 0):
        interval = "(0, 1]" if open_low else "[0, 1]"
        raise ConfigError(f"{source}: {key} must be a number in {interval}, not {shown(value)}")
    return float(value)


def positive(value: object, key: str, source: Path | str, *, integer: bool = True) -> float:
    """`value` if it is a finite number (an integer, with `integer`) above 0."""
    kinds = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 < value < math.inf:
        what = "integer" if integer else "number"
        raise ConfigError(f"{source}: {key} must be a positive {what}, not {shown(value)}")
    return float(value)


def mapping_section(value: object, key: str, source: Path | str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a mapping of settings, not {shown(value)}")
    return value


def bounded_number(
    value: object, key: str, low: float, high: float, source: Path | str, *, integer: bool = False
) -> float:
    """`value` if it is a number (an integer, with `integer`) from `low` to `high`; NaN is none."""
    kinds = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        what = "an integer" if integer else "a number"
        raise ConfigError(f"{source}: {key} must be {what} from {low:g} to {high:g}, not {shown(value)}")
    return float(value)


def one_line_text(value: object, key: str, source: Path | str) -> str:
    """A setting that ends up in a commit or a command line: a string of one printable line. A number is
    taken as its text (`reviewer: 42`); a list or a mapping is refused rather than written as "[1, 2]"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ConfigError(f"{source}: {key} must be one line of text, not {shown(value)}")
    return value.strip()


def shown(value: object, limit: int = 60) -> str:
    """A bad value as an error message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"

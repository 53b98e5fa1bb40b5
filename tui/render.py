"""Pure rendering helpers: domain rows in, cells and rich renderables out. No widgets, no state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from skillwarden.core.model import path_line
from skillwarden.core.security.sanitize import clean_line, clean_text
from skillwarden.reviews.views import (
    CandidateView,
    EvidenceRow,
    HistoryRow,
    QueueRow,
    SessionRow,
    SkillRow,
    StepRow,
    age_text,
)
from skillwarden.tui.widgets import Column

if TYPE_CHECKING:  # highlighting loads Pygments: not before the first frame, which shows no SKILL.md
    from rich.syntax import Syntax

STATE_LABELS = {
    "pending": "pending",
    "approved": "approved",
    "backlogged": "backlog",
    "rejected": "rejected",
    "rolled_back": "reverted",
}
VERDICT_STYLES = {"safe": "green", "caution": "yellow", "dangerous": "bold red"}
OUTCOME_STYLES = {"succeeded": "green", "failed": "red", "interrupted": "yellow", "unknown": "dim"}
NONE = Text("–", style="dim")
SPARK = "▁▂▃▄▅▆▇█"

QUEUE_COLUMNS = (
    Column("state", "State", 8),
    Column("kind", "Kind", 10),
    Column("title", "Candidate"),
    Column("support", "Sup", 4, "right"),
    Column("success", "Success", 11, "right"),
    Column("security", "Security", 9),
    Column("fixes", "Fix", 3, "right", hide_rank=1),
    Column("breakages", "Brk", 3, "right", hide_rank=2),
    Column("age", "Age", 4, "right", hide_rank=3),
)


def compact_success(success: str) -> str:
    """`8 of 8 runs vs 76%` as a table cell fits it: `8/8 vs 76%` (the preview below says it in words)."""
    return success.replace(" of ", "/", 1).replace(" runs", "", 1)


def optional(value: object, text: str | None = None) -> Text | str:
    return NONE if value is None else (text if text is not None else str(value))


def queue_cells(row: QueueRow, now: datetime) -> tuple:
    verdict = Text(row.verdict, style=VERDICT_STYLES.get(row.verdict, "")) if row.verdict else NONE
    return (
        STATE_LABELS.get(row.state, row.state),
        row.kind,
        row.title,
        str(row.support),
        optional(row.success, compact_success(row.success) if row.success else None),
        verdict,
        optional(row.fixes),
        optional(row.breakages),
        age_text(row.first_seen, now),
    )


def merged_order(shown: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """Rows already on screen keep their places; new ones go to the end, so nothing jumps under the
    reviewer's eyes when data arrives."""
    wanted_set, shown_set = set(wanted), set(shown)
    return [key for key in shown if key in wanted_set] + [key for key in wanted if key not in shown_set]


def content_syntax(view: CandidateView) -> Syntax:
    """A harness change as its unified diff, a skill as its SKILL.md: exactly what would be committed."""
    from rich.syntax import Syntax

    diff = view.candidate.details.get("diff")
    if isinstance(diff, str) and diff:
        return Syntax(clean_text(diff), "diff", word_wrap=True, theme="ansi_dark", background_color="default")
    return skill_syntax(view.candidate.content)


def content_title(view: CandidateView) -> str:
    diff = view.candidate.details.get("diff")
    target = view.candidate.details.get("target")
    if isinstance(diff, str) and diff:
        return f"diff of {target} as it would be committed" if target else "diff as it would be committed"
    return "SKILL.md as it would be committed"


def skill_syntax(content: str) -> Syntax:
    from rich.syntax import Syntax

    return Syntax(clean_text(content), "markdown", word_wrap=True, theme="ansi_dark", background_color="default")


def summary_text(view: CandidateView, row: QueueRow) -> Text:
    c = view.candidate
    text = Text()
    text.append(c.id, style="bold")
    text.append(f"  {c.kind}  {STATE_LABELS.get(row.state, row.state)}")
    # A skill is supported by the successful runs it came from; a harness rule by the failures it saw.
    evidence = "successful session" if c.kind in ("skill", "refinement") else "evidence session"
    text.append(f"  support {c.support} {evidence}{'s' if c.support != 1 else ''}")
    failed = len(c.details.get("failed_sessions", []))
    if failed:
        text.append(f", seen in {failed} failed")
    figures = []
    if row.success is not None:
        figures.append(f"succeeded in {row.success} base")
    if row.fixes is not None:
        figures.append(f"fixes {row.fixes}")
    if row.breakages is not None:
        figures.append(f"may break {row.breakages}")
    if figures:
        text.append("\n" + "  ".join(figures))
    if row.verdict:
        text.append("\nsecurity ")
        text.append(row.verdict, style=VERDICT_STYLES.get(row.verdict, ""))
    text.append(f"\n{c.content_hash}")
    if view.state_sha:
        text.append(f"  commit {view.state_sha[:10]}")
    return text


def provenance_table(view: CandidateView, *, limit: int | None = None) -> Table:
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
    table.add_column("session")
    table.add_column("steps", justify="right")
    table.add_column("trace lines", justify="right")
    items = view.candidate.provenance[:limit] if limit else view.candidate.provenance
    for item in items:
        lines = item.get("lines") or []
        session = Text(clean_line(str(item["session"])))
        table.add_row(session, str(item["steps"]), f"{lines[0]}-{lines[-1]}" if lines else "")
    return table


EVIDENCE_COLUMNS = (
    Column("session", "Session", None, min_width=12),
    Column("agent", "Agent", 11),
    Column("outcome", "Outcome", 11),
    Column("reward", "Reward", 6, "right"),
    Column("steps", "Steps", 7, "right"),
    Column("lines", "Lines", 11, "right"),
)


def evidence_cells(row: EvidenceRow) -> tuple:
    lines = f"{row.lines[0]}-{row.lines[-1]}" if row.lines else ""
    return (
        row.session_id,
        row.agent,
        Text(row.outcome, style=OUTCOME_STYLES.get(row.outcome, "")),
        optional(row.reward, f"{row.reward:.2f}" if row.reward is not None else None),
        row.steps,
        lines,
    )


STEP_COLUMNS = (
    Column("number", "#", 4, "right"),
    Column("line", "Line", 6, "right"),
    Column("tool", "Tool", 12),
    Column("summary", "What", None),
    Column("error", "", 5),
)


def step_cells(row: StepRow) -> tuple:
    style = "bold" if row.in_range else "dim"
    return (
        Text(str(row.number), style=style),
        optional(row.line),
        Text(row.tool, style=style),
        Text(row.summary, style="" if row.in_range else "dim"),
        Text("error", style="red") if row.is_error else "",
    )


SESSION_COLUMNS = (
    Column("agent", "Agent", 11),
    Column("outcome", "Outcome", 11),
    Column("reward", "Reward", 6, "right"),
    Column("steps", "Steps", 5, "right"),
    Column("explanation", "Why this reward", None),
)


def session_cells(row: SessionRow) -> tuple:
    return (
        row.agent,
        Text(row.outcome, style=OUTCOME_STYLES.get(row.outcome, "")),
        f"{row.reward:.2f}",
        str(row.steps),
        row.reward_explanation,
    )


def sessions_text(rows: Sequence[SessionRow], empty: str) -> Text:
    if not rows:
        return Text(empty, style="dim")
    text = Text()
    for row in rows:
        text.append(f"{clean_line(row.id)}  ")
        text.append(f"{row.outcome:<11}", style=OUTCOME_STYLES.get(row.outcome, ""))
        text.append(f" reward {row.reward:.2f}  {clean_line(row.reward_explanation)}\n")
    return text


def findings_text(details: dict) -> Text:
    security = details.get("security")
    if not isinstance(security, dict):
        return Text("not scanned", style="dim")
    text = Text()
    verdict = str(security.get("verdict", ""))
    text.append(verdict or "no verdict", style=VERDICT_STYLES.get(verdict, ""))
    findings = security.get("findings") or []
    if not findings:
        text.append("  no findings")
    for finding in findings:
        text.append(f"\nline {finding.get('line', '?'):>4}  ")
        severity = str(finding.get("severity", ""))
        text.append(severity, style="red" if severity == "critical" else "yellow")
        text.append(f"  {clean_line(str(finding.get('category', '')))}: {clean_line(str(finding.get('message', '')))}")
        if finding.get("excerpt"):
            text.append(f"\n            {clean_line(str(finding['excerpt']))}", style="dim")
    return text


SKILL_COLUMNS = (
    Column("name", "Skill", None, min_width=14),
    Column("mean", "Mean", 5, "right"),
    Column("interval", "95% interval", 12),
    Column("uses", "Uses", 5, "right"),
    Column("trend", "Success", 12),
    Column("drift", "Drift", 7),
    Column("commit", "Commit", 8),
)


def sparkline_text(values: Sequence[float], width: int = 12) -> str:
    """Values in [0, 1] as block characters, the newest last; longer series keep their newest points."""
    recent = list(values)[-width:]
    return "".join(SPARK[min(len(SPARK) - 1, max(0, round(v * (len(SPARK) - 1))))] for v in recent)


def skill_cells(row: SkillRow) -> tuple:
    stats = row.stats or {}
    mean = stats.get("mean")
    interval = stats.get("interval")
    drift = stats.get("drift")
    return (
        row.name,
        optional(mean, f"{mean:.2f}" if isinstance(mean, int | float) else None),
        optional(interval, f"{interval[0]:.2f}–{interval[1]:.2f}" if interval else None),
        optional(stats.get("uses")),
        sparkline_text(stats.get("rewards") or []) or NONE,
        Text("drift", style="bold red") if drift else (Text("ok", style="green") if row.stats else NONE),
        (row.commit or "")[:7],
    )


HISTORY_COLUMNS = (
    Column("at", "When", 16),
    Column("action", "Action", 8),
    Column("summary", "What", None),
    Column("reviewer", "Who", 10, hide_rank=1),
    Column("commit", "Commit", 8),
    Column("status", "Status", 10),
)


def history_cells(row: HistoryRow) -> tuple:
    if row.reverted_by:
        status = Text(f"reverted {row.reverted_by[:7]}"[:10], style="dim")
    elif row.revertible:
        status = Text("in effect", style="green")
    else:
        status = ""
    return (row.at[:16].replace("T", " "), row.action, row.summary, row.reviewer, row.sha[:7], status)


def event_text(event: dict) -> Text:
    """One line of the live feed (its fields quote trace text: paths, titles, messages)."""
    event = {key: clean_line(value) if isinstance(value, str) else value for key, value in event.items()}
    kind = event.get("kind", "")
    at = str(event.get("at", ""))[11:19]
    text = Text(f"{at} ", style="dim")
    if kind == "parse_error":
        text.append("parse error ", style="bold red")
        text.append(f"{path_line(event.get('path'), event.get('line'))}: {event.get('message', '')}")
    elif kind == "ingest":
        text.append("ingest ", style="bold")
        text.append(f"{event.get('sessions')} session(s) from {event.get('files')} file(s)")
        text.append(f", {event.get('errors')} error(s)" if event.get("errors") else "")
    elif kind == "candidate":
        text.append("candidate ", style="bold cyan")
        text.append(f"{event.get('id')} {event.get('candidate_kind', '')}: {event.get('title', '')}")
    elif kind == "decision":
        text.append(f"{event.get('action')} ", style="bold green")
        text.append(f"{event.get('candidate')} by {event.get('reviewer')}: commit {str(event.get('commit'))[:10]}")
    elif kind.endswith("_alert"):
        text.append(kind.replace("_", " ") + " ", style="bold yellow")
        text.append(str(event.get("message") or event.get("skill") or event.get("metric") or ""))
    else:
        text.append(f"{kind} ", style="bold")
        text.append(str(event.get("message", "")))
    return text


def outcome_bars(counts: dict[str, int], width: int = 30) -> Text:
    """Sessions per outcome as horizontal bars: the proportions read faster than the numbers."""
    total = sum(counts.values())
    text = Text()
    for outcome in ("succeeded", "failed", "interrupted", "unknown"):
        count = counts.get(outcome, 0)
        length = round(width * count / total) if total else 0
        text.append(f"{outcome:<11} ")
        text.append("█" * length, style=OUTCOME_STYLES[outcome])
        text.append(f" {count}\n")
    return text


STATUS_STYLES = {"ok": "green", "warn": "yellow", "alert": "bold red"}


def bar(fraction: float, width: int) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def friction_text(report: dict, width: int = 20) -> Text:
    """Overall friction rates as bars with their status and the change against the previous window."""
    text = Text("friction", style="bold")
    if report.get("window") is None:
        return text.append("  no sessions with a start time yet", style="dim")
    window = report["window"]
    text.append(f"  last {window['days']:g} days, {report['overall']['sessions']} sessions\n", style="dim")
    for metric, values in report["overall"]["metrics"].items():
        change = values.get("change")
        text.append(f"{metric:<9} {bar(values['rate'], width)} {values['rate']:>4.0%} ")
        text.append(f"{values['status']:<5}", style=STATUS_STYLES.get(values["status"], ""))
        text.append(f" {change:+.0%}\n" if change is not None else "\n", style="dim")
    for alert in report.get("alerts", [])[:5]:
        text.append(f"{alert['status']}: ", style=STATUS_STYLES.get(alert["status"], ""))
        text.append(f"{clean_line(str(alert['group']))} {alert['metric']} {alert['rate']:.0%}\n")
    return text


def loo_text(report: dict, width: int = 10) -> Text:
    """Leave-one-out effects as bars either side of zero, with their interval and verdict."""
    text = Text("leave-one-out", style="bold")
    text.append(f"  reward with the skill minus without (no verdict below {report['min_sessions']})\n", style="dim")
    if not report["skills"]:
        return text.append("no approved skills yet", style="dim")
    for row in report["skills"]:
        effect = row["effect"]
        text.append(f"{row['skill'][:24]:<24} ")
        if effect is None:
            text.append(" " * (2 * width + 1) + "  –  ")
        else:
            length = round(min(1.0, abs(effect)) * width)
            left = " " * (width - length) + ("█" * length if effect < 0 else "")
            right = ("█" * length if effect > 0 else "") + " " * (width - (length if effect > 0 else 0))
            text.append(left, style="red")
            text.append("│")
            text.append(right, style="green")
            text.append(f" {effect:+.2f} [{row['ci'][0]:+.2f}, {row['ci'][1]:+.2f}]")
        text.append(f" {row['verdict'].replace('_', ' ')}  ({row['with']} with, {row['without']} without)\n")
    return text

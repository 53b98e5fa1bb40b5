"""The screens around the queue: the live skills library, the decision history and the traces feed.
Like the review screens they only render what the app hands them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, RichLog, Sparkline, Static

from skillwarden.reviews.views import HistoryRow, SessionRow, SkillRow
from skillwarden.tui.render import (
    HISTORY_COLUMNS,
    SESSION_COLUMNS,
    SKILL_COLUMNS,
    event_text,
    history_cells,
    outcome_bars,
    session_cells,
    skill_cells,
)
from skillwarden.tui.screens import BaseScreen
from skillwarden.tui.widgets import RowTable

NO_STATS = "statistics: computing from the cached sessions…"


class SkillsScreen(BaseScreen):
    """The approved skills with their posterior, uses, success over time and drift."""

    def __init__(self):
        super().__init__()
        self.skills: dict[str, SkillRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="skills-body", classes="body"):
            yield RowTable(SKILL_COLUMNS, id="skills")
            with VerticalScroll(id="skill-detail"):
                yield Static(id="skill-summary")
                yield Static("success over time", classes="section-title")
                yield Sparkline([], id="skill-trend")
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.sub_title = "skills library"
        self.query_one(RowTable).focus()

    def show_skills(self, rows: list[SkillRow]) -> None:
        self.skills = {row.name: row for row in rows}
        self.query_one(RowTable).set_rows(list(self.skills), {row.name: skill_cells(row) for row in rows})
        self.show_skill(self.highlighted())

    def highlighted(self) -> SkillRow | None:
        key = self.query_one(RowTable).cursor_key
        return self.skills.get(key) if key else None

    def show_skill(self, row: SkillRow | None) -> None:
        summary = self.query_one("#skill-summary", Static)
        trend = self.query_one("#skill-trend", Sparkline)
        if row is None:
            summary.update("no approved skills yet: approve a candidate in the queue (1)")
            trend.data = []
            return
        text = Text(row.name, style="bold")
        if row.commit:
            text.append(f"\napproved in {row.commit[:10]} ({row.approved_at[:16].replace('T', ' ')})")
            text.append(f"\ncandidate {row.candidate_id}")
        stats = row.stats
        if stats is None:
            text.append(f"\n\n{NO_STATS}", style="dim")
        else:
            low, high = stats["interval"]
            text.append(f"\nmean {stats['mean']:.2f}, 95% interval {low:.2f}–{high:.2f}")
            text.append(f"  Beta({stats['alpha']:.1f}, {stats['beta']:.1f})")
            text.append(f"\n{stats['uses']} use(s), last {stats.get('last_used') or 'never'}")
            if stats.get("drift"):
                text.append(f"\ndrift: {stats['drift'].get('reason', '').replace('_', ' ')}", style="bold red")
                text.append("  (d evicts when drift detection proposed it)", style="dim")
        summary.update(text)
        rewards = list((stats or {}).get("rewards") or [])
        trend.data = rewards
        trend.display = bool(rewards)


class HistoryScreen(BaseScreen):
    """Every decision in the skills repository, newest first."""

    def __init__(self):
        super().__init__()
        self.decisions: dict[str, HistoryRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield RowTable(HISTORY_COLUMNS, id="history")
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.sub_title = "decisions (git history)"
        self.query_one(RowTable).focus()

    def show_history(self, rows: list[HistoryRow]) -> None:
        self.decisions = {row.sha: row for row in rows}
        table = self.query_one(RowTable)
        table.set_rows(list(self.decisions), {row.sha: history_cells(row) for row in rows})

    def highlighted(self) -> HistoryRow | None:
        key = self.query_one(RowTable).cursor_key
        return self.decisions.get(key) if key else None


class TracesScreen(BaseScreen):
    """The live feed: sessions as they are ingested, rewards over time, outcomes, and the event log."""

    def __init__(self):
        super().__init__()
        self.sessions: dict[str, SessionRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="traces-body", classes="body"):
            with Vertical(id="traces-left"):
                yield Static("reward of the latest sessions (oldest left)", classes="section-title")
                yield Sparkline([], id="reward-trend")
                yield RowTable(SESSION_COLUMNS, id="sessions")
            with Vertical(id="traces-right"):
                yield Static(id="outcomes")
                yield Static("friction and leave-one-out: computing…", id="learning")
                yield Static("events", classes="section-title")
                yield RichLog(id="events", max_lines=500, wrap=False, markup=False)
        yield from self.compose_status()

    def on_mount(self) -> None:
        self.sub_title = "traces: live feed"
        self.query_one(RowTable).focus()

    def show_sessions(self, rows: list[SessionRow], counts: dict[str, int]) -> None:
        self.sessions = {row.id: row for row in rows}
        self.query_one(RowTable).set_rows(list(self.sessions), {row.id: session_cells(row) for row in rows})
        self.query_one("#reward-trend", Sparkline).data = [row.reward for row in reversed(rows)]
        self.query_one("#outcomes", Static).update(outcome_bars(counts))

    def show_learning(self, text: Text) -> None:
        self.query_one("#learning", Static).update(text)

    def add_events(self, events: list[dict]) -> None:
        log = self.query_one("#events", RichLog)
        for event in events:
            log.write(event_text(event))

    def highlighted(self) -> SessionRow | None:
        key = self.query_one(RowTable).cursor_key
        return self.sessions.get(key) if key else None

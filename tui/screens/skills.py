"""The live skills library (mode 2): each approved skill's posterior, uses, success over time and drift,
and the commit that approved it. A skill can be rolled back, or evicted when drift detection proposed it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Sparkline, Static

from skillwarden.reviews.decisions import eviction_of
from skillwarden.reviews.views import SkillRow, skill_rows
from skillwarden.tui.actions import bindings
from skillwarden.tui.render import SKILL_COLUMNS, skill_cells
from skillwarden.tui.screens import styles
from skillwarden.tui.screens.base import ModeScreen, ReviewHost
from skillwarden.tui.widgets import RowTable

NO_STATS = "statistics: computing from the cached sessions…"


class SkillsScreen(ModeScreen):
    """The approved skills with their posterior, uses, success over time and drift."""

    DEFAULT_CSS = styles("skills.tcss")
    BINDINGS = bindings("cursor-down", "cursor-up", "open", "copy", "evict", "rollback")

    def __init__(self, host: ReviewHost):
        super().__init__(host)
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
        self.show_skills()
        self.host.library_changed.subscribe(self, self.show_skills)
        self.host.statistics_changed.subscribe(self, self.show_skills)

    def refresh_data(self) -> None:
        self.host.load_library()
        self.host.load_statistics()

    def show_skills(self, _: None = None) -> None:
        statistics = self.host.statistics
        rows = skill_rows(self.host.skill_names, self.host.decisions, statistics.skills if statistics else None)
        self.skills = {row.name: row for row in rows}
        self.query_one(RowTable).set_rows(list(self.skills), {row.name: skill_cells(row) for row in rows})
        self.show_skill(self.highlighted())
        self.refresh_bindings_if_changed()

    def highlighted(self) -> SkillRow | None:
        return self.query_one(RowTable).under_cursor(self.skills)

    def on_row_table_highlighted(self) -> None:
        self.show_skill(self.highlighted())
        self.refresh_bindings_if_changed()

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

    # -- the keys ------------------------------------------------------------------------------------
    def applies(self, action: str) -> bool:
        if action == "evict":
            return self.highlighted() is not None
        return super().applies(action)

    def action_open(self) -> None:
        row = self.highlighted()
        self.open_candidate(row.candidate_id if row else None)

    def copy_target(self) -> str | None:
        row = self.highlighted()
        return (row.commit or row.name) if row else None

    def rollback_target(self) -> tuple[str, str] | None:
        row = self.highlighted()
        return (row.candidate_id, f"skill {row.name}") if row and row.candidate_id else None

    def action_evict(self) -> None:
        row = self.highlighted()
        if row is None:  # hidden then (`applies`)
            return
        eviction = eviction_of(row.name, self.host.views.values())
        if eviction is None:
            self.notify(
                f"no eviction candidate for {row.name}: drift detection has not proposed one. "
                "Press r to roll its approval back instead.",
                severity="warning",
            )
            return
        question = f"Evict skill {row.name}?\n{eviction.candidate.title}"
        self.confirm(question, lambda: self.host.run_decision("approve", eviction.id))

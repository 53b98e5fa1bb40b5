"""The live feed (mode 4): sessions as they are ingested, rewards over time, outcomes, friction and
leave-one-out, and the event log with parse errors. A session opens its trace steps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, RichLog, Sparkline, Static

from skillwarden.core.security.sanitize import clean_line
from skillwarden.reviews.views import SessionRow
from skillwarden.tui.actions import bindings
from skillwarden.tui.messages import FeedLoaded
from skillwarden.tui.render import SESSION_COLUMNS, event_text, friction_text, loo_text, outcome_bars, session_cells
from skillwarden.tui.screens import styles
from skillwarden.tui.screens.base import ModeScreen, ReviewHost
from skillwarden.tui.widgets import RowTable


class TracesScreen(ModeScreen):
    """The live feed: sessions as they are ingested, rewards over time, outcomes, and the event log."""

    DEFAULT_CSS = styles("traces.tcss")
    BINDINGS = bindings("cursor-down", "cursor-up", "open", "copy", "pager", "editor")

    def __init__(self, host: ReviewHost):
        super().__init__(host)
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
        self.show_learning()
        self.host.feed_changed.subscribe(self, self.show_feed)
        self.host.statistics_changed.subscribe(self, self.show_learning)
        self.host.reload_feed()  # the events read before this screen existed

    def refresh_data(self) -> None:
        if not self.sessions:
            self.host.reload_feed()
        self.host.load_statistics()

    def show_feed(self, feed: FeedLoaded) -> None:
        log = self.query_one("#events", RichLog)
        for event in feed.events:
            log.write(event_text(event))
        if feed.sessions is not None:
            self.show_sessions(feed.sessions, feed.counts or {})

    def show_sessions(self, rows: list[SessionRow], counts: dict[str, int]) -> None:
        self.sessions = {row.id: row for row in rows}
        self.query_one(RowTable).set_rows(list(self.sessions), {row.id: session_cells(row) for row in rows})
        self.query_one("#reward-trend", Sparkline).data = [row.reward for row in reversed(rows)]
        self.query_one("#outcomes", Static).update(outcome_bars(counts))

    def show_learning(self, _: None = None) -> None:
        statistics = self.host.statistics
        if statistics is not None:
            learning = friction_text(statistics.friction) + Text("\n") + loo_text(statistics.loo)
            self.query_one("#learning", Static).update(learning)

    def highlighted(self) -> SessionRow | None:
        return self.query_one(RowTable).under_cursor(self.sessions)

    # -- the keys ------------------------------------------------------------------------------------
    def action_open(self) -> None:
        """The highlighted session's trace steps."""
        from skillwarden.tui.screens.steps import StepsScreen

        session = self.highlighted()
        if session is None:
            return
        heading = Text(f"{clean_line(session.id)}  {session.agent}  {session.outcome}  reward {session.reward:.2f}")
        heading.append(f"  {clean_line(session.reward_explanation)}\n{clean_line(session.path)}")
        self.app.push_screen(StepsScreen(self.host, session.id, "", heading, session.path))

    def copy_target(self) -> str | None:
        session = self.highlighted()
        return session.id if session else None

    def trace_target(self) -> tuple[str, int | None] | None:
        session = self.highlighted()
        return (session.path, None) if session else None

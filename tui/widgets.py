"""RowTable: a keyed table that renders only the rows on screen.

Textual's DataTable measures every cell when rows change, which costs seconds at 10,000 candidates
and grows with every keypress that refilters. Here columns have fixed widths (one flexible column
takes the rest), so a frame costs the visible rows only and new data never shifts the layout. Rows
are addressed by a stable key: replacing the rows keeps the cursor on its key, never on its index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from skillwarden.core.security.sanitize import clean_line

Cell = str | Text
GAP = 1
RowT = TypeVar("RowT")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None  # None: takes the space the fixed columns leave
    justify: str = "left"
    min_width: int = 10
    # 0: always shown; else hidden on a narrow table, the highest first, while the flexible column has
    # less than ROOMY_WIDTH (at 80 columns two queue titles read "Do not rerun a fa…" and could not be told apart).
    hide_rank: int = 0


ROOMY_WIDTH = 30


def column_widths(columns: Sequence[Column], total: int) -> list[int]:
    """Each column's width; 0 for a column hidden to leave the flexible ones room."""
    shown = list(columns)
    while True:
        fixed = sum(c.width for c in shown if c.width is not None) + GAP * (len(shown) - 1)
        flexible = [c for c in shown if c.width is None]
        share = max(0, total - fixed) // len(flexible) if flexible else 0
        hideable = [c for c in shown if c.hide_rank]
        if not flexible or share >= ROOMY_WIDTH or not hideable:
            break
        shown.remove(max(hideable, key=lambda c: c.hide_rank))
    return [(c.width if c.width is not None else max(c.min_width, share)) if c in shown else 0 for c in columns]


def one_line_cell(cell: Cell) -> Text:
    """A cell as one line of plain text. Rows show trace text (titles, commands, session ids): cleaned here
    as a last defence, none of it can move the cursor, retitle the terminal or split a row."""
    if isinstance(cell, Text):
        shown = clean_line(cell.plain)
        return cell.copy() if shown == cell.plain else Text(shown, style=cell.style)
    return Text(clean_line(cell))


def fit(cell: Cell, width: int, justify: str) -> Text:
    text = one_line_cell(cell)
    text.truncate(width, overflow="ellipsis")
    text.align(justify, width)  # type: ignore[arg-type]
    return text


def set_extent(view: ScrollView, size: Size) -> None:
    """A new scrollable size for a view of fixed size: assigning `virtual_size` would ask for a layout of the
    whole screen (~100 ms at 160x48), which nothing around it needs. The size is set without its watcher and
    the scrollbar (always shown, so the width never changes) is told the new extent; the scroll position is
    kept within it."""
    if size == view.virtual_size:
        return
    view.set_reactive(ScrollView.virtual_size, size)
    scrollbar = view.vertical_scrollbar
    scrollbar.window_virtual_size = size.height
    scrollbar.window_size = view.scrollable_content_region.height
    view.scroll_to(y=view.scroll_y, animate=False, immediate=True)


class RowTable(ScrollView, can_focus=True):
    """Rows by key; `space` marks, `enter` selects; mouse click moves the cursor, double click selects."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES = {"row-table--header", "row-table--cursor", "row-table--marked", "row-table--blurred-cursor"}

    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        background: $surface;
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .row-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .row-table--blurred-cursor {
            background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
        }
        & > .row-table--marked { color: $warning; text-style: bold; }
    }
    """

    class Highlighted(Message):
        def __init__(self, table: RowTable, key: str | None):
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    class Selected(Message):
        def __init__(self, table: RowTable, key: str):
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, markable: bool = False, id: str | None = None):
        super().__init__(id=id)
        # A marked row shows a dot in a narrow first column.
        self.columns = [Column("mark", "", 1), *columns] if markable else list(columns)
        self.markable = markable
        self.keys: list[str] = []
        self.cells: dict[str, tuple[Cell, ...]] = {}
        self.marked: set[str] = set()
        self.cursor = 0
        # Rendered rows by (key, cursor, marked, focus, width): a keypress repaints from here.
        self.row_strips: dict[tuple, Strip] = {}
        self.widths: tuple[int, list[int]] = (-1, [])  # (table width, column widths) of the last frame

    # -- data --------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.keys)

    @property
    def cursor_key(self) -> str | None:
        return self.keys[self.cursor] if self.keys else None

    def under_cursor(self, rows: Mapping[str, RowT]) -> RowT | None:
        """The row of `rows` whose key the cursor is on (None on an empty table)."""
        key = self.cursor_key
        return rows.get(key) if key else None

    def set_rows(self, keys: Sequence[str], cells: Mapping[str, tuple[Cell, ...]]) -> None:
        """Show `keys` in this order. The cursor stays on its key when it is still shown."""
        before = self.cursor_key
        self.keys = list(keys)
        self.cells = {key: cells[key] for key in self.keys}
        self.marked &= set(self.keys)
        if before is not None and before in self.cells:
            self.cursor = self.keys.index(before)
        self.cursor = min(self.cursor, max(0, len(self.keys) - 1))
        self.virtual_size = Size(self.size.width, len(self.keys) + 1)
        self.row_strips.clear()
        self.refresh()
        if self.cursor_key != before:
            self.post_message(self.Highlighted(self, self.cursor_key))

    def update_cells(self, cells: Mapping[str, tuple[Cell, ...]]) -> None:
        """Change the cells of rows already shown, leaving order, cursor and scroll alone."""
        for key, row in cells.items():
            if key in self.cells:
                self.cells[key] = row
        self.row_strips.clear()
        self.refresh()

    def move_to(self, key: str) -> None:
        if key in self.cells:
            self.place_cursor(self.keys.index(key))

    def toggle_mark(self) -> None:
        key = self.cursor_key
        if key is None or not self.markable:
            return
        self.marked.symmetric_difference_update({key})
        self.refresh()
        self.action_cursor_down()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    # -- cursor ------------------------------------------------------------------------------------
    def place_cursor(self, index: int) -> None:
        index = max(0, min(index, len(self.keys) - 1))
        if not self.keys or index == self.cursor:
            return
        self.cursor = index
        self.scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_key))

    def scroll_cursor_into_view(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.place_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.place_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.place_cursor(self.cursor + max(1, self.size.height - 2))

    def action_page_up(self) -> None:
        self.place_cursor(self.cursor - max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.place_cursor(0)

    def action_last(self) -> None:
        self.place_cursor(len(self.keys) - 1)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if index < len(self.keys):
            self.place_cursor(index)
            if event.chain >= 2:
                self.action_select()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.keys) + 1)
        self.row_strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.row_strips.clear()  # a new theme or focus style

    # -- rendering ---------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self.widths[0] != width:  # once per width, not per line
            self.widths = (width, column_widths(self.columns, width))
        widths = self.widths[1]
        if y == 0:
            cells = tuple(column.label for column in self.columns)
            return self.row_strip(cells, widths, base + self.get_component_rich_style("row-table--header"), width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.keys):
            return Strip.blank(width, base)
        key = self.keys[index]
        cache_key = (key, index == self.cursor, key in self.marked, self.has_focus, width)
        cached = self.row_strips.get(cache_key)
        if cached is not None:
            return cached
        if len(self.row_strips) > 4096:
            self.row_strips.clear()
        style = base
        if key in self.marked:
            style += self.get_component_rich_style("row-table--marked")
        if index == self.cursor:
            cursor_class = "row-table--cursor" if self.has_focus else "row-table--blurred-cursor"
            style += self.get_component_rich_style(cursor_class)
        cells = self.cells[key]
        if self.markable:
            cells = ("●" if key in self.marked else " ", *cells)
        strip = self.row_strips[cache_key] = self.row_strip(cells, widths, style, width)
        return strip

    def row_strip(self, cells: tuple[Cell, ...], widths: list[int], style: Style, width: int) -> Strip:
        line = Text(style=style, no_wrap=True, end="")
        first = True
        for column, cell, cell_width in zip(self.columns, cells, widths, strict=False):
            if not cell_width:
                continue  # hidden on a narrow table
            if not first:
                line.append(" " * GAP)
            first = False
            line.append_text(fit(cell, cell_width, column.justify))
        return Strip(line.render(self.app.console)).crop_extend(0, width, style)


class RenderedLines(ScrollView):
    """Rich renderables drawn as lines in an area of fixed size: showing new ones repaints this widget
    alone, where Static children of automatic height re-lay out the whole screen on every update."""

    DEFAULT_CSS = """
    RenderedLines { height: 1fr; overflow-x: hidden; overflow-y: scroll; }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.renderables: tuple = ()
        self.lines: list[Strip] = []

    def show(self, *renderables) -> None:
        self.renderables = renderables
        self.scroll_to(y=0, animate=False, immediate=True)
        self.draw_lines()

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def on_resize(self) -> None:
        self.draw_lines()

    def draw_lines(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        console = self.app.console
        options = console.options.update(width=width, highlight=False)
        self.lines = [
            Strip(line).crop_extend(0, width, self.rich_style)
            for renderable in self.renderables
            for line in console.render_lines(renderable, options, style=self.rich_style, pad=False)
        ]
        set_extent(self, Size(width, len(self.lines)))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        return self.lines[index] if index < len(self.lines) else Strip.blank(width, self.rich_style)

"""What the CLI and TUI tests share: running the command line, and reading the TUI's screen."""

import html
import json
import re
from typing import NamedTuple

from skillwarden.tui.cli import main


def run(capsys, *argv):
    """Run `skillwarden ARGV...` in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


async def settle(app, pilot):
    """Let the current screen mount (on a loaded machine it can lag behind the first pause), then let
    workers finish and their messages land (a message can start another worker)."""
    for _ in range(200):
        if app.screen.is_mounted and app.screen.children:
            break
        await pilot.pause(0.02)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


# A text element of the SVG `App.export_screenshot` writes (Rich's `Console.export_svg`): one run of styled
# text, its x in pixels, its width, and the terminal line its clip path names.
SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([0-9.e+-]+)" y="[0-9.e+-]+" textLength="([0-9.e+-]+)" '
    r'clip-path="url\(#[^"]*-line-(\d+)\)">(.*?)</text>',
    re.DOTALL,
)


def screen_lines(app) -> list[str]:
    """What the terminal shows now, one string per line, read from the screenshot Textual exports (blank
    runs are not drawn, so they are filled with spaces)."""
    width, height = app.size
    lines = [[" "] * width for _ in range(height)]
    for x, length, line, escaped in SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(escaped).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text)))
        row = lines[int(line)]
        for offset, character in enumerate(text):
            if column + offset < width:
                row[column + offset] = character
    return ["".join(row).rstrip() for row in lines]


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(screen_lines(app))


class Notified(NamedTuple):
    message: str
    severity: str


def recorded_notifications(app) -> list[Notified]:
    """Every notification the app raises from now on (call it before the app runs), kept after its toast
    times out: the list fills as `app.notify` is called."""
    notified: list[Notified] = []
    notify = app.notify

    def recording(message, *args, severity="information", **kwargs):
        notified.append(Notified(str(message), severity))
        return notify(message, *args, severity=severity, **kwargs)

    app.notify = recording
    return notified

"""What the CLI and TUI tests share: running the command line, and reading the TUI's screen."""

import json

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


def screen_text(app) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())

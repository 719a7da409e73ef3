"""Run `mlscaffold score` in this process under an audit hook that records every file the
scorer opens or lists and every process it would start or fork (PEP 578 audit events).

    python audited_score.py ROOT REPORT.json LOG.json
"""

import json
import os
import sys

opened: list[list] = []  # [path, flags]: flags -1 when the event carries none
spawned: list[str] = []
_WATCH_OPEN = {"open", "os.scandir", "os.listdir", "os.lstat", "os.stat"}
_WATCH_EXEC = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "ctypes.dlopen",
}


def hook(event: str, args: tuple) -> None:
    if event in _WATCH_OPEN:
        target = _opened(event, args)
        if target:
            opened.append(target)
    elif event in _WATCH_EXEC:
        spawned.append(f"{event} {args!r}"[:300])


def _opened(event: str, args: tuple) -> list | None:
    """[path, flags] of an open or listing event (flags -1 when the event carries none)."""
    target = args[0] if args else None
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    if not isinstance(target, str):
        return None
    flags = args[2] if event == "open" and len(args) > 2 and isinstance(args[2], int) else -1
    return [target, flags]


def main() -> int:
    root, report, log = sys.argv[1:4]
    from mlscaffold.cli import main as cli

    sys.addaudithook(hook)
    code = cli(["score", root, "-f", "json", "-o", report])
    with open(log, "w", encoding="utf-8") as fh:
        json.dump({"code": code, "opened": opened, "spawned": spawned}, fh)
    return code


if __name__ == "__main__":
    sys.exit(main())

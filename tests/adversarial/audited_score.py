"""Run `mlscaffold score` in this process under an audit hook that records every file the
scorer opens or lists and every process it would start (PEP 578 audit events).

    python audited_score.py ROOT REPORT.json LOG.json

On a large repository the scorer may fork copies of itself to share the reading. A fork is
recorded apart ("forked"), and the copies' own events are recorded too: the hook, which they
inherit, writes them to a descriptor opened before scoring (os.write raises no audit event).
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
    "os.forkpty",
    "pty.spawn",
    "ctypes.dlopen",
}


forked: list[str] = []
MAIN_PID = os.getpid()
_CHILD_LOG = -1  # descriptor the forked copies append their events to, one JSON line each


def hook(event: str, args: tuple) -> None:
    if os.getpid() != MAIN_PID:
        _record_in_child(event, args)
        return
    if event == "os.fork":
        forked.append(event)
    elif event in _WATCH_OPEN:
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


def _record_in_child(event: str, args: tuple) -> None:
    if event in _WATCH_OPEN:
        target = _opened(event, args)
        if not target:
            return
        line = json.dumps(["open", *target])
    elif event in _WATCH_EXEC or event == "os.fork":
        line = json.dumps(["exec", f"{event} {args!r}"[:300]])
    else:
        return
    os.write(_CHILD_LOG, (line + "\n").encode())


def main() -> int:
    global _CHILD_LOG
    root, report, log = sys.argv[1:4]
    from mlscaffold.cli import main as cli

    _CHILD_LOG = os.open(log + ".children", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.addaudithook(hook)
    code = cli(["score", root, "-f", "json", "-o", report])
    with open(log + ".children", encoding="utf-8") as fh:
        for line in fh:
            kind, *rest = json.loads(line)
            if kind == "open":
                opened.append(rest)
            else:
                spawned.append(f"in a forked copy: {rest[0]}")
    with open(log, "w", encoding="utf-8") as fh:
        json.dump({"code": code, "opened": opened, "spawned": spawned, "forked": forked}, fh)
    return code


if __name__ == "__main__":
    sys.exit(main())

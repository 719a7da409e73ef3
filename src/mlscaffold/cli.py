"""Command-line entry point: parse arguments, dispatch to a command module, map errors to exits.

This is the only place where exceptions become exit codes. Command modules are imported lazily
so that ``mlscaffold --help`` does not pay for copier, rich or jsonschema.
"""

from __future__ import annotations

import _thread
import argparse
import functools
import importlib
import os
import sys
from collections.abc import Sequence

from mlscaffold import __version__
from mlscaffold.errors import MlscaffoldError

EXIT_OK = 0
EXIT_POLICY = 1  # the command worked but a policy (e.g. --fail-under) failed
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

# name -> (module, one-line help); each module has ``configure(parser)`` and ``run(args) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "score": ("mlscaffold.commands.score", "rate a repository against the ML lifecycle checklist"),
    "checks": ("mlscaffold.commands.checks", "list the checks, or describe one"),
    "new": ("mlscaffold.commands.new", "generate a new ML project from the template"),
    "update": (
        "mlscaffold.commands.update",
        "bring a generated project up to the current template",
    ),
    "adopt": (
        "mlscaffold.commands.adopt",
        "add the template pieces that satisfy the checks a repository fails",
    ),
    "report": (
        "mlscaffold.commands.report",
        "join JSON reports of many repositories into one page",
    ),
}


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line and exit 2, as every other error (argparse would print its
    usage block first); the line says where the usage is."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_common(parser: argparse.ArgumentParser, default: object) -> None:
    """Options every command takes, before or after its name (``mlscaffold score -q``).

    On a command's parser the defaults are SUPPRESS, so an option given before the command
    name is not reset by the command's parser."""
    parser.add_argument("-V", "--version", action="version", version=f"mlscaffold {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if default is None else default,
        help="show the traceback of any error (exit codes stay the same)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0 if default is None else default,
        help="print only results, warnings and errors (no progress, no 'wrote' lines)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if default is None else default,
        help="say more about what is done (timings, configuration used)",
    )


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlscaffold",
        description="Start ML projects right (new, update), see how far existing ones are "
        "from right (score), and bring them closer (adopt).",
    )
    _add_common(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Only the chosen command's module is imported; the others get a stub parser for --help.
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(p, argparse.SUPPRESS)
        if name == chosen:
            importlib.import_module(module_name).configure(p)
    return parser


_REDELIVERY_DELAY = 0.05  # seconds after the hook returns


def _ctrl_c_in_a_finaliser(default, unraisable) -> None:
    """A Ctrl-C that lands in an object's ``__del__`` (a library's Popen wrapper being
    collected) cannot propagate: Python prints "Exception ignored ..." with a traceback and
    carries on as if nothing was pressed. Deliver it again instead, so that it interrupts the
    code that runs next, which main() reports in one line."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        # Raised here (raise_signal, interrupt_main), it would be ignored again: from another
        # thread, once this hook has returned, it lands in the code that runs next. The thread
        # waits for the hook's last statement and then a moment more: an interrupt delivered
        # while the hook still runs (starting the thread waits for it, and a loaded machine
        # may not come back for a while) would be lost with the hook's own exception.
        import threading
        import time

        returned = threading.Event()

        def deliver() -> None:
            returned.wait(10)
            time.sleep(_REDELIVERY_DELAY)
            _thread.interrupt_main()

        threading.Thread(target=deliver, daemon=True).start()  # daemon: never holds up exit
        returned.set()
        return
    default(unraisable)


def main(argv: Sequence[str] | None = None) -> int:
    previous_hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_ctrl_c_in_a_finaliser, previous_hook)
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl-C at any moment, imports included: one line, exit 130
        print("mlscaffold: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if not _wraps_an_interrupt(exc):
            raise
        print("mlscaffold: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.unraisablehook = previous_hook


def _wraps_an_interrupt(exc: BaseException) -> bool:
    """A Ctrl-C turned into another exception on its way up: Python 3.11 wraps one raised in
    ``__set_name__`` while a class is built (as an import does) in a RuntimeError, and
    libraries re-raise with ``from``. It is still an interrupt, not a bug."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 20:
        if isinstance(cause, KeyboardInterrupt):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def _print_traceback() -> None:
    import traceback  # only on the way out of a failed run

    traceback.print_exc()


def _main(args_list: list[str]) -> int:
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    debug = args.debug or bool(os.environ.get("MLSCAFFOLD_DEBUG"))
    args.debug = debug
    # One number for the commands: below 0 quiet, 0 normal, above 0 verbose.
    args.verbosity = args.verbose - args.quiet
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        raise  # copier's CopierAnswersInterrupt is an Exception too: main() reports it
    except MlscaffoldError as exc:
        if _wraps_an_interrupt(exc):
            # raised while a Ctrl-C was handled (copier's clean-up failing under adopt's
            # rendering, reported as a template error): the interruption, exit 130
            raise
        if debug:  # the traceback too, but the same exit code: CI tells the failures apart
            _print_traceback()
        from mlscaffold.score.report.render.terminal import printable

        # (a message may quote the repository: a checklist's name, a path)
        print(f"mlscaffold: error: {printable(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # `mlscaffold score | head`: the reader went away; that is not our failure.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # the one boundary where a bug becomes a one-line message
        if _wraps_an_interrupt(exc):
            raise  # main() reports an interrupt
        if debug:
            _print_traceback()
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"mlscaffold: internal error: {type(exc).__name__}: {first_line} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

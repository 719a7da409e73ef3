"""A Ctrl-C that lands in a ``__del__`` (plumbum's Popen wrapper, collected while copier runs)
is not printed as "Exception ignored ... Traceback": it interrupts what runs next, and the CLI
says so in one line (CI once caught the traceback in a random-interrupt trial of update)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys, time
from mlscaffold import cli

class Finaliser:
    def __del__(self):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while this object was collected

def command(_args):
    Finaliser()  # collected at once: its __del__ raises into the unraisable hook
    deadline = time.monotonic() + 30  # a loaded CI machine may take a while to switch threads
    while time.monotonic() < deadline:
        time.sleep(0.01)
    print("carried on as if nothing was pressed")
    return 0

cli._main = command
sys.exit(cli.main([]))
"""


def test_ctrl_c_in_a_finaliser_interrupts_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 130, (done.returncode, done.stdout, done.stderr)
    assert done.stderr.strip() == "mlscaffold: interrupted", done.stderr
    assert "carried on" not in done.stdout


WRAPPED = r"""
import sys
from mlscaffold import cli

class Attribute:
    def __set_name__(self, owner, name):
        raise KeyboardInterrupt  # as if Ctrl-C arrived while an import built this class

def command(_args):
    class Model:  # Python 3.11 wraps the interrupt in a RuntimeError here
        value = Attribute()
    return 0

if sys.argv[1] == "inside":  # raised by a command's run(), through _main's boundary
    import mlscaffold.commands.checks as checks

    checks.run = command
    sys.exit(cli.main(["checks"]))
cli._main = command  # raised before any command runs
sys.exit(cli.main([]))
"""


def test_an_interrupt_wrapped_in_another_exception_is_still_an_interrupt() -> None:
    for where in ("outside", "inside"):
        done = subprocess.run(
            [sys.executable, "-c", WRAPPED, where],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 130, (where, done.returncode, done.stderr)
        assert done.stderr.strip() == "mlscaffold: interrupted", done.stderr


TYPED = r"""
import sys
from mlscaffold import cli
from mlscaffold.errors import TemplateError
import mlscaffold.commands.checks as checks

def command(_args):
    try:
        raise KeyboardInterrupt  # Ctrl-C while the template renders...
    except KeyboardInterrupt:
        try:
            raise OSError(39, "Directory not empty", "rendered")  # ...whose clean-up fails
        except OSError as exc:
            raise TemplateError(f"rendering the template failed: {exc}") from exc

checks.run = command
sys.exit(cli.main(["checks"]))
"""


def test_a_typed_error_raised_while_handling_ctrl_c_exits_as_interrupted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TYPED], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert done.stderr.strip() == "mlscaffold: interrupted", done.stderr


def test_an_error_raised_while_handling_ctrl_c_is_the_interruption() -> None:
    # A library's clean-up failing because the interrupted git child still writes (copier's
    # rmtree: "Directory not empty") must exit as interrupted (130), not as a template error.
    from mlscaffold.errors import raised_by_interrupt

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise OSError(39, "Directory not empty", ".git")  # noqa: B904 - as copier does
    except OSError as exc:
        cleanup_error = exc
    assert raised_by_interrupt(cleanup_error)
    assert not raised_by_interrupt(OSError("disk full"))
    chained = RuntimeError("wrapped")
    chained.__cause__ = cleanup_error
    assert raised_by_interrupt(chained)

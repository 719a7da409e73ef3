"""The exceptions mlscaffold raises on purpose; the CLI maps each family to one exit code.

Each class also subclasses the stdlib type it resembles, so library callers can catch either.
"""


class MlscaffoldError(Exception):
    """Base of every error mlscaffold raises on purpose."""

    exit_code = 3


class UsageError(MlscaffoldError, ValueError):
    """The command line or an answer is invalid."""

    exit_code = 2


class ConfigError(MlscaffoldError, ValueError):
    """A configuration or checklist file is missing, malformed or inconsistent."""

    exit_code = 2


class PathError(MlscaffoldError, OSError):
    """A path given by the user cannot be used (missing, not a directory, not empty...)."""

    exit_code = 2


class TemplateError(MlscaffoldError, RuntimeError):
    """Rendering or updating a template failed."""

    exit_code = 2


class UpdateConflict(MlscaffoldError):
    """An update finished but left merge conflicts for the user to resolve."""

    exit_code = 1


class AdoptConflict(MlscaffoldError):
    """Adopting finished but merged into existing files with conflicts left to resolve."""

    exit_code = 1


def raised_by_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` arose while a Ctrl-C was being handled: a library's clean-up that failed
    because the interrupted git child was still writing ("Directory not empty") raises an
    OSError whose context is the KeyboardInterrupt. That is an interruption, not an error."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False

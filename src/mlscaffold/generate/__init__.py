"""The generation half of mlscaffold: render a new project from a copier or cookiecutter template.

Public API: :func:`new_project` and :class:`NewResult`. This package never imports
``mlscaffold.score``; the two halves only meet through the generated project's files.
"""

from mlscaffold.generate.new import NewResult, new_project

__all__ = ["NewResult", "new_project"]

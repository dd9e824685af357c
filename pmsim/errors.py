"""Errors and warnings raised by pmsim.

Every error that pmsim raises because of bad input is a :class:`PmsimError`.
Its message names the culprit (file, row, task, resource, risk) and the rule
that was broken, for example ``Task 'T7': optimistic (5) > most_likely (3)``.

>>> import pmsim as pm
>>> issubclass(pm.CycleError, pm.PmsimError)
True
"""

from __future__ import annotations

__all__ = [
    "PmsimError",
    "ValidationError",
    "CycleError",
    "DuplicateIdError",
    "UnknownReferenceError",
    "FileFormatError",
    "InfeasibleError",
    "MissingExtraError",
    "LimitError",
    "PmsimWarning",
]


class PmsimError(Exception):
    """Base class of every error pmsim raises on bad input."""

    def with_context(self, context: str) -> "PmsimError":
        """Return a copy of this error whose message starts with ``context``.

        Readers use it to say in which file and row a model rule was broken.

        >>> err = ValidationError("Task 'A': duration must be >= 0, got -1")
        >>> str(err.with_context("tasks.csv, row 3"))
        "tasks.csv, row 3: Task 'A': duration must be >= 0, got -1"
        """
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new.args = (f"{context}: {self}",) + tuple(self.args[1:])
        return new


class ValidationError(PmsimError, ValueError):
    """A value breaks a rule of the model (negative duration, bad probability, ...)."""


class CycleError(ValidationError):
    """The dependencies contain a cycle; ``.cycle`` lists the task ids in order."""

    def __init__(self, message: str, cycle: tuple[str, ...] = ()):
        super().__init__(message)
        self.cycle = tuple(cycle)


class DuplicateIdError(ValidationError):
    """Two tasks, resources or risks share an id."""


class UnknownReferenceError(ValidationError):
    """A dependency, demand, risk or setting names a task or resource that does not exist."""


class FileFormatError(PmsimError):
    """A file cannot be read: missing, unparseable, missing a column or table."""


class InfeasibleError(PmsimError):
    """No schedule exists, e.g. a task demands more of a resource than its capacity."""


class MissingExtraError(PmsimError, ImportError):
    """An optional dependency is needed; the message says which extra to install."""


class LimitError(FileFormatError, ValidationError):
    """The input asks for more than a resource limit allows (:mod:`pmsim.limits`): a sheet of millions of
    cells, thousands of outline levels, a billion schedule passes. The message names the limit and how to
    raise it. It is a FileFormatError when a file asks, a ValidationError when an argument does."""


class PmsimWarning(UserWarning):
    """Input that is allowed but suspicious, or a repair pmsim made (and says so)."""

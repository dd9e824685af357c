"""Editing one task's three-point estimate in the what-if panel.

:class:`TaskEditor` drives the ``task`` dropdown and the ``task:optimistic``,
``task:most_likely`` and ``task:pessimistic`` fields: it keeps the three
points edited for each task (the overrides), refuses points out of order
(:func:`.controls.check_three_points`) and shows each task's own points when
it is chosen.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..model import Project
from .controls import POINTS, FieldError, check_three_points, three_points


class TaskEditor:
    """The overrides of task estimates behind the task fields of ``controls``.

    ``changed()`` is called after every edit that changes what to simulate.
    """

    def __init__(self, project: Project, controls: dict, changed):
        self.project, self.controls, self._changed = project, controls, changed
        self.overrides: dict[str, tuple[float, float, float]] = {}
        self.refused: FieldError | None = None  # the three points shown, when they were refused
        self.holding = False
        controls["task"].observe(self._selected, names="value")
        for key in POINTS:
            controls[f"task:{key}"].observe(self._edited, names="value")

    @contextmanager
    def hold(self):
        """Set several controls without an update for each."""
        before, self.holding = self.holding, True
        try:
            yield
        finally:
            self.holding = before

    def _points_of(self, tid: str) -> tuple[float, float, float]:
        return self.overrides.get(tid) or three_points(self.project.task(tid).estimate)

    def _show(self, tid: str | None) -> None:
        if tid is None:
            return
        with self.hold():
            for key, value in zip(POINTS, self._points_of(tid)):
                self.controls[f"task:{key}"].value = value

    def _selected(self, change) -> None:
        refused, self.refused = self.refused, None
        self._show(change["new"])
        if refused is not None:
            self._changed()  # the refused points belonged to the task shown before

    def _edited(self, change) -> None:
        tid = self.controls["task"].value
        if self.holding or tid is None:
            return
        values = tuple(float(self.controls[f"task:{k}"].value) for k in POINTS)
        try:
            check_three_points(tid, values)
        except FieldError as exc:
            self.refused = exc
        else:
            self.refused = None
            if values == three_points(self.project.task(tid).estimate):
                self.overrides.pop(tid, None)
            else:
                self.overrides[tid] = values
        self._changed()

    def reset(self) -> None:
        """The task shown back to its estimate in the project."""
        tid = self.controls["task"].value
        if tid is None:
            return
        self.overrides.pop(tid, None)
        self.refused = None
        self._show(tid)
        self._changed()

    def set(self, overrides: dict) -> None:
        """Replace every override (a restored scenario's) and show the chosen task's points."""
        self.overrides = dict(overrides)
        self.refused = None
        self._show(self.controls["task"].value)

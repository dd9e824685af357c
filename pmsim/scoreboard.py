"""A scoreboard of past forecasts: did the P80s come true 80 % of the time?

``log = pm.forecast_log("forecasts/")`` keeps every recorded forecast in ``forecasts/forecasts.csv``
(one row per forecast, readable in any spreadsheet): when it was recorded, its ``label``, the
project's name and hash, the status date it was made at, the iterations and seed, and the P10, P20,
... P90 finish dates and costs. ``log.record(sim, label="monthly review")`` adds one.

When the actuals are known, ``log.score(actuals)`` compares: for each quantile level q, the share of
forecasts whose actual finish (cost) came in at or before their Pq. A calibrated forecaster's share
at q is a binomial proportion around q; the :class:`pmsim.scoreboard.Scoreboard` gives the range that holds 95 % of
them (``low``, ``high``), so a share outside it says the forecasts are miscalibrated: far above q at
low q and below it at high q means too narrow (over-confident), the reverse too wide. The interval
score of the P10–P90 interval (Gneiting and Raftery, 2007: width + 2/α × the miss, α = 0.2) and
the quantile (pinball) loss average the sharpness and the misses into one number per forecast,
lower being better. ``pm.plot.calibration`` draws the calibration chart.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom

from ._cache import cached
from .errors import FileFormatError, ValidationError
from .io.csv_files import read_table
from .model import Project, require_project
from .safe_text import neutralise_formula

__all__ = ["forecast_log", "ForecastLog", "Scoreboard", "project_hash", "LEVELS", "LOG_FILE"]

LEVELS = (10, 20, 30, 40, 50, 60, 70, 80, 90)
LOG_FILE = "forecasts.csv"
_FINISH = [f"p{q}_finish" for q in LEVELS]
_COST = [f"p{q}_cost" for q in LEVELS]
COLUMNS = ["recorded", "label", "project", "project_hash", "status_date", "iterations", "seed", *_FINISH, *_COST]
_KEYS = ("label", "project_hash", "project")
_ALPHA = 0.2  # the P10–P90 interval


def project_hash(project: Project) -> str:
    """A short SHA-256 of the plan (the project without its progress): the same plan, the same hash.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> project_hash(p) == project_hash(pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)]))
    True
    """
    project = require_project(project, "project_hash")
    return cached(project, "project hash", lambda: _digest(project))


def _digest(project: Project) -> str:
    frames = project.without_progress().to_frames()
    digest = hashlib.sha256()
    for name in sorted(frames):
        part = frames[name]
        text = part.to_csv(index=False) if isinstance(part, pd.DataFrame) else repr(sorted(part.items(), key=str))
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:16]


def _status_date(sim) -> dt.date:
    remaining = getattr(sim, "remaining", None)
    if remaining is not None:
        moment = remaining.status_date
    else:
        moment = sim.project.status_date or sim.project.start
    return pd.Timestamp(moment).date()


class ForecastLog:
    """The forecasts recorded in one folder (``forecasts.csv``); see :func:`pmsim.forecast_log`."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / LOG_FILE

    def __repr__(self) -> str:
        return f"ForecastLog({str(self.folder)!r}, forecasts={len(self.table())})"

    def _check_header(self) -> None:
        with self.path.open(encoding="utf-8", newline="") as f:
            header = f.readline().strip().split(",")
        if header != COLUMNS:
            raise FileFormatError(f"{self.path}: not a forecast log (its header is not {','.join(COLUMNS)})")

    def table(self) -> pd.DataFrame:
        """Every recorded forecast, one row each (dates as Timestamps, costs as floats)."""
        if not self.path.is_file():
            return pd.DataFrame(columns=COLUMNS)
        raw = read_table(self.path)
        missing = [c for c in COLUMNS if c not in raw.columns]
        if missing:
            raise FileFormatError(f"{self.path}: not a forecast log, columns {', '.join(missing)} are missing")
        frame = raw[COLUMNS].copy()
        for c in ["status_date", *_FINISH]:
            frame[c] = _dates(frame[c], self.path, c)
        for c in ["iterations", "seed", *_COST]:
            frame[c] = _numbers(frame[c], self.path, c)
        return frame.reset_index(drop=True)

    def record(self, sim, label: str = "", *, status_date=None) -> pd.Series:
        """Add a forecast: the P10..P90 finish dates and costs of ``sim`` (a :class:`pmsim.Simulation`).

        ``label`` names it (a review, a scenario); ``status_date`` defaults to the data date of a
        re-forecast, else the project's status date, else its start. Returns the row written.
        """
        if not all(hasattr(sim, a) for a in ("percentile", "cost_percentile", "project")):
            raise ValidationError(f"forecast_log.record needs a Simulation (pm.simulate(...)), got {type(sim).__name__}")
        if not isinstance(label, str):
            raise ValidationError(f"forecast_log.record: label must be text, got {type(label).__name__}")
        when = _status_date(sim) if status_date is None else pd.Timestamp(status_date).date()
        finish = sim.percentile(list(LEVELS))
        cost = np.atleast_1d(sim.cost_percentile(list(LEVELS)))
        row = {"recorded": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "label": label,
               "project": sim.project.name, "project_hash": project_hash(sim.project),
               "status_date": when.isoformat(), "iterations": int(sim.iterations), "seed": int(sim.seed),
               **{c: pd.Timestamp(d).date().isoformat() for c, d in zip(_FINISH, finish)},
               **{c: float(v) for c, v in zip(_COST, cost)}}
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.path.is_file():
            self._check_header()  # refuse to append to a file that is not a forecast log
        else:
            self.path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8", newline="")
        with self.path.open("a", encoding="utf-8", newline="") as out:
            # Text cells that start like a formula get a leading ' (read_table takes it off again).
            csv.writer(out, lineterminator="\n").writerow(
                [neutralise_formula(v) if isinstance(v, str) else repr(v) for v in (row[c] for c in COLUMNS)])
        return pd.Series(row)

    def score(self, actuals, *, confidence: float = 0.95) -> "Scoreboard":
        """Score the recorded forecasts against ``actuals``.

        ``actuals``: a table with a key column (``label``, ``project_hash`` or ``project``, the first
        present is used) and ``actual_finish`` (date) and/or ``actual_cost``; or ``{key: actual
        finish date}`` matched on labels, else on project names. A forecast without an actual is not
        scored (``Scoreboard.unscored`` counts them). ``confidence``: of the binomial ranges.
        """
        if not 0 < confidence < 1:
            raise ValidationError(f"forecast_log.score: confidence must be between 0 and 1, got {confidence!r}")
        forecasts = self.table()
        if forecasts.empty:
            raise ValidationError(f"forecast_log.score: {self.path} holds no forecast yet (record some first)")
        key, table = _actuals_table(actuals, forecasts)
        merged = forecasts.merge(table, how="left", on=key, validate="many_to_one")
        scored = merged[merged["actual_finish"].notna() | merged["actual_cost"].notna()].reset_index(drop=True)
        if scored.empty:
            raise ValidationError(f"forecast_log.score: no actual matches a recorded forecast on {key!r}")
        return _score(scored, len(merged) - len(scored), confidence, self.path)


def forecast_log(folder) -> ForecastLog:
    """The forecast log kept in ``folder`` (``folder/forecasts.csv``, created by the first ``record``).

    >>> import pmsim as pm, tempfile
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=9)])
    >>> log = pm.forecast_log(tempfile.mkdtemp())
    >>> row = log.record(pm.simulate(p, iterations=200, seed=1), label="plan")
    >>> board = log.score({"plan": "2027-01-12"})
    >>> float(board.hit_rates.loc["finish", "P90"])
    1.0
    """
    return ForecastLog(folder)


def _dates(column: pd.Series, path: Path, name: str) -> pd.Series:
    values = pd.to_datetime(column.replace("", None), errors="coerce")
    bad = column[(values.isna()) & (column.astype(str).str.strip() != "")]
    if len(bad):
        raise FileFormatError(f"{path}, row {bad.index[0]}: {name} {bad.iloc[0]!r} is not a date")
    return values


def _numbers(column: pd.Series, path: Path, name: str) -> pd.Series:
    values = pd.to_numeric(column.replace("", None), errors="coerce")
    bad = column[(values.isna()) & (column.astype(str).str.strip() != "")]
    if len(bad):
        raise FileFormatError(f"{path}, row {bad.index[0]}: {name} {bad.iloc[0]!r} is not a number")
    return values.astype(float)


def _actuals_table(actuals, forecasts: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    if isinstance(actuals, dict):
        names = set(map(str, actuals))
        key = "label" if names & set(forecasts["label"]) else "project"
        actuals = pd.DataFrame({key: list(map(str, actuals)), "actual_finish": list(actuals.values())})
    if not isinstance(actuals, pd.DataFrame):
        raise ValidationError("forecast_log.score needs actuals: a table (label/project_hash/project, actual_finish, "
                              f"actual_cost) or {{label: finish date}}, got {type(actuals).__name__}")
    key = next((k for k in _KEYS if k in actuals.columns), None)
    if key is None:
        raise ValidationError("forecast_log.score: the actuals need a column label, project_hash or project")
    if not {"actual_finish", "actual_cost"} & set(actuals.columns):
        raise ValidationError("forecast_log.score: the actuals need actual_finish and/or actual_cost")
    table = pd.DataFrame({key: actuals[key].astype(str)})
    finish = actuals["actual_finish"] if "actual_finish" in actuals else pd.Series(None, index=actuals.index)
    table["actual_finish"] = pd.to_datetime(finish, errors="coerce")
    bad = finish[table["actual_finish"].isna() & finish.notna() & (finish.astype(str).str.strip() != "")]
    if len(bad):
        raise ValidationError(f"forecast_log.score: actual_finish {bad.iloc[0]!r} of {actuals[key][bad.index[0]]!r} "
                              "is not a date")
    cost = actuals["actual_cost"] if "actual_cost" in actuals else pd.Series(np.nan, index=actuals.index)
    table["actual_cost"] = pd.to_numeric(cost, errors="coerce")
    duplicated = table[key][table[key].duplicated()]
    if len(duplicated):
        raise ValidationError(f"forecast_log.score: the actuals name {duplicated.iloc[0]!r} twice")
    return key, table


def _values(frame: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray]:
    """(quantile values (n, levels), actual (n,)) as floats: calendar days since 1970 for dates."""
    columns = _FINISH if target == "finish" else _COST
    q, actual = frame[columns], frame[f"actual_{target}"]
    if target == "finish":
        as_days = lambda s: (pd.to_datetime(s) - pd.Timestamp("1970-01-01")).dt.days.astype(float)  # noqa: E731
        return np.column_stack([as_days(q[c]) for c in columns]), as_days(actual).to_numpy()
    return q.to_numpy(float), actual.to_numpy(float)


def _score(frame: pd.DataFrame, unscored: int, confidence: float, path: Path) -> "Scoreboard":
    levels = np.array(LEVELS) / 100
    rows, hits, scores, per = [], {}, {}, frame[["label", "project", "status_date"]].copy()
    for target in ("finish", "cost"):
        has = frame[f"actual_{target}"].notna().to_numpy()
        if not has.any():
            continue
        q, actual = _values(frame[has], target)
        came_true = actual[:, None] <= q  # the actual at or before each Pq
        n = len(actual)
        low, high = binom.ppf((1 - confidence) / 2, n, levels) / n, binom.ppf((1 + confidence) / 2, n, levels) / n
        share = came_true.mean(axis=0)
        for i, level in enumerate(LEVELS):
            rows.append({"target": target, "quantile": level, "n": n, "observed": share[i], "low": low[i],
                         "high": high[i], "calibrated": bool(low[i] <= share[i] <= high[i])})
        hits[target] = {f"P{q_}": share[LEVELS.index(q_)] for q_ in (50, 80, 90)}
        lo, hi = q[:, 0], q[:, -1]
        interval = (hi - lo) + 2 / _ALPHA * np.clip(lo - actual, 0, None) + 2 / _ALPHA * np.clip(actual - hi, 0, None)
        pinball = np.mean([np.where(actual >= q[:, i], levels[i] * (actual - q[:, i]),
                                    (1 - levels[i]) * (q[:, i] - actual)) for i in range(len(LEVELS))], axis=0)
        outside = float(np.mean((actual < lo) | (actual > hi)))
        o_low, o_high = binom.ppf((1 - confidence) / 2, n, _ALPHA) / n, binom.ppf((1 + confidence) / 2, n, _ALPHA) / n
        scores[target] = {"n": n, "interval_score": float(interval.mean()), "quantile_loss": float(pinball.mean()),
                          "outside_p10_p90": outside, "expected_low": o_low, "expected_high": o_high,
                          "verdict": "too narrow" if outside > o_high else "too wide" if outside < o_low
                          else "calibrated"}
        per.loc[has, f"{target}_interval_score"] = interval
        per.loc[has, f"{target}_pit"] = came_true.mean(axis=1)
    return Scoreboard(calibration=pd.DataFrame(rows).set_index(["target", "quantile"]),
                      hit_rates=pd.DataFrame(hits).T.rename_axis("target"),
                      scores=pd.DataFrame(scores).T.rename_axis("target"), forecasts=per,
                      unscored=int(unscored), confidence=confidence, source=str(path))


@dataclass(frozen=True)
class Scoreboard:
    """How the recorded forecasts fared against the actuals (:meth:`pmsim.ForecastLog.score`).

    ``calibration``: per ``target`` (finish, cost) and ``quantile`` (10 .. 90): ``n`` forecasts,
    ``observed`` (the share whose actual came in at or before that quantile), ``low``/``high`` (the
    range of that share for a calibrated forecaster, at ``confidence``) and ``calibrated``.
    ``hit_rates``: per target, the shares of P50, P80 and P90 that came true. ``scores``: per
    target, the mean ``interval_score`` of the P10–P90 interval (days, or currency), the mean
    ``quantile_loss`` over the nine quantiles, ``outside_p10_p90`` (expected 20 %, between
    ``expected_low`` and ``expected_high``) and the ``verdict`` (calibrated, too narrow, too wide).
    ``forecasts``: one row per scored forecast with its interval score.
    """

    calibration: pd.DataFrame
    hit_rates: pd.DataFrame
    scores: pd.DataFrame
    forecasts: pd.DataFrame = field(repr=False)
    unscored: int = 0
    confidence: float = 0.95
    source: str = ""

    def summary(self) -> pd.DataFrame:
        """Per target: forecasts scored, P50/P80/P90 hit rates, interval score and verdict."""
        return self.hit_rates.join(self.scores[["n", "interval_score", "quantile_loss", "outside_p10_p90", "verdict"]])

    def _repr_html_(self) -> str:
        return ("<b>Forecast scoreboard</b>" + self.summary().to_html(escape=True)
                + (f"<p>{self.unscored} forecasts without actuals not scored</p>" if self.unscored else ""))

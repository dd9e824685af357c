"""MS Project XML (MSPDI): round trips, the encoding of each field, files from other tools, bad input."""

from __future__ import annotations

import datetime as dt
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from support import rich_exchange_project as rich_project
from pmsim.io.mspdi import NAMESPACE, read_mspdi, write_mspdi

Q = "{" + NAMESPACE + "}"


def same_project(q: pm.Project, p: pm.Project) -> None:
    """Everything equal; links as a set (MSPDI keeps them under their successor)."""
    assert set(q.dependencies) == set(p.dependencies)
    assert len(q.dependencies) == len(p.dependencies)
    assert q.replace(dependencies=p.dependencies) == p


def read_quietly(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing but what the test expects
        return read_mspdi(path, check_health=False, **kw)


# --------------------------------------------------------------------------- round trips


def test_rich_project_round_trip(tmp_path):
    p = rich_project()
    write_mspdi(p, tmp_path / "rich.xml")
    same_project(read_quietly(tmp_path / "rich.xml"), p)


@pytest.mark.parametrize("name", pm.sample_projects())
def test_sample_project_round_trip(tmp_path, name):
    p = pm.read_project(pm.data_path(name))
    pm.write_project(p, tmp_path / f"{name}.xml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)  # the health check's findings
        q = pm.read_project(tmp_path / f"{name}.xml")
    same_project(q, p)


def test_a_link_from_a_task_listed_later(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", dependencies=[pm.Dependency("A", "B", "SS", 1)],
                   tasks=[pm.Task("B", duration=2, phase="Build"), pm.Task("A", duration=3, phase="Design")])
    write_mspdi(p, tmp_path / "x.xml")
    same_project(read_quietly(tmp_path / "x.xml"), p)


def test_progress_round_trip(tmp_path):
    p = rich_project()
    progress = pd.DataFrame({
        "id": ["A1", "A2", "K0"],
        "percent_complete": [100.0, 40.0, 100.0],
        "remaining_duration": [0.0, 2.5, 0.0],
        "actual_cost": [3900.0, 1234.56, 0.0],
        "actual_start": pd.to_datetime(["2027-01-03", "2027-01-05", "2027-01-03"]),
        "actual_finish": pd.to_datetime(["2027-01-05", None, "2027-01-03"]),
    })
    # Progress without a status date: the file says MS Project's progress rule, the one that needs none.
    with pytest.warns(pm.PmsimWarning, match=r"progress without a status date .*progress_rule='retained_logic'"):
        write_mspdi(p, tmp_path / "p.xml", progress=progress)
    q, back = read_quietly(tmp_path / "p.xml", with_progress=True)
    # The progress is on the tasks too (actual dates are whole days: the start and the end of their work).
    done = {"A1": dict(percent_complete=100.0, actual_start=dt.date(2027, 1, 3), actual_finish=dt.date(2027, 1, 5)),
            "A2": dict(percent_complete=40.0, remaining_duration=2.5, actual_start=dt.date(2027, 1, 5)),
            "K0": dict(percent_complete=100.0, actual_start=dt.date(2027, 1, 3), actual_finish=dt.date(2027, 1, 3))}
    expected = p.replace(tasks=[t.replace(**done.get(t.id, {})) for t in p.tasks], progress_rule="ms_project")
    same_project(q, expected)
    pd.testing.assert_frame_equal(back.sort_values("id").reset_index(drop=True),
                                  progress.sort_values("id").reset_index(drop=True), check_dtype=False)


def test_no_progress_gives_an_empty_table(tmp_path):
    write_mspdi(rich_project(), tmp_path / "p.xml")
    _, progress = read_quietly(tmp_path / "p.xml", with_progress=True)
    assert list(progress.columns) == ["id", "percent_complete", "remaining_duration", "actual_cost",
                                      "actual_start", "actual_finish"]
    assert progress.empty


# --------------------------------------------------------------------------- what the file holds


def written(tmp_path, project=None) -> ET.Element:
    path = tmp_path / "w.xml"
    write_mspdi(project or rich_project(), path)
    return ET.parse(path).getroot()


def task_el(root, pmsim_id):
    for t in root.iter(Q + "Task"):
        for ea in t.findall(Q + "ExtendedAttribute"):
            if ea.findtext(Q + "FieldID") == "188744014" and ea.findtext(Q + "Value") == pmsim_id:
                return t
    raise AssertionError(pmsim_id)


def custom(el, field_id):
    for ea in el.findall(Q + "ExtendedAttribute"):
        if ea.findtext(Q + "FieldID") == field_id:
            return ea.findtext(Q + "Value")
    return None


def test_three_points_in_duration1_to_3(tmp_path):
    root = written(tmp_path)
    a2 = task_el(root, "A2")  # Triangular(2, 4, 9), 480 minutes a day
    assert [custom(a2, f) for f in ("188743783", "188743784", "188743785")] == \
        ["PT16H0M0S", "PT32H0M0S", "PT72H0M0S"]
    assert a2.findtext(Q + "Duration") == "PT32H0M0S"
    assert custom(a2, "188744016") == "triangular"
    a4 = task_el(root, "A4")  # BetaPert lambda 3
    assert custom(a4, "188744016") == "betapert" and custom(a4, "188744015") == "lambda=3.0"
    a1 = task_el(root, "A1")  # fixed 2.5 days: no three points
    assert a1.findtext(Q + "Duration") == "PT20H0M0S" and custom(a1, "188743783") is None
    aliases = {ea.findtext(Q + "FieldID"): ea.findtext(Q + "Alias")
               for ea in root.find(Q + "ExtendedAttributes")}
    assert aliases["188743783"] == "Optimistic Duration" and aliases["188744016"] == "pmsim distribution"


def test_links_lags_and_types(tmp_path):
    root = written(tmp_path)
    uid = {t.findtext(Q + "UID"): custom(t, "188744014") for t in root.iter(Q + "Task")}
    links = {}
    for t in root.iter(Q + "Task"):
        for link in t.findall(Q + "PredecessorLink"):
            pred = uid[link.findtext(Q + "PredecessorUID")]
            links[(pred, custom(t, "188744014"))] = (link.findtext(Q + "Type"), link.findtext(Q + "LinkLag"),
                                                     link.findtext(Q + "LagFormat"))
    # Type: 0 FF, 1 FS, 2 SF, 3 SS; LinkLag in tenths of a minute (4800 a day); LagFormat 7 = days.
    assert links[("A1", "A2")] == ("3", "9600", "7")
    assert links[("A1", "A3")] == ("1", "-4800", "7")
    assert links[("A1", "A4")] == ("0", "2400", "7")
    assert links[("A3", "B2")] == ("2", "14400", "7")
    assert links[("A3", "B3")] == ("3", "6000", "7")


def test_resources_costs_calendar_and_summary(tmp_path):
    root = written(tmp_path)
    res = {r.findtext(Q + "Name"): r for r in root.iter(Q + "Resource")}
    assert res["Developer"].findtext(Q + "MaxUnits") == "3"
    assert res["Developer"].findtext(Q + "StandardRate") == "80"  # 640 a day / 8 hours
    assert res["Project manager"].findtext(Q + "MaxUnits") == "0.5"
    a1 = task_el(root, "A1")
    assert a1.findtext(Q + "FixedCost") == "120000"  # cents
    # Cost = 1200 + (35.5 + 2 * 640 + 0.5 * 850.25) * 2.5
    assert float(a1.findtext(Q + "Cost")) == pytest.approx((1200 + (35.5 + 1280 + 425.125) * 2.5) * 100)
    assert a1.find(Q + "Baseline").findtext(Q + "Cost") == a1.findtext(Q + "Cost")
    units = sorted(a.findtext(Q + "Units") for a in root.iter(Q + "Assignment")
                   if a.findtext(Q + "TaskUID") == a1.findtext(Q + "UID"))
    assert units == ["0.5", "2"]
    cal = root.find(Q + "Calendars")[0]
    working = {d.findtext(Q + "DayType"): d.findtext(Q + "DayWorking") for d in cal.find(Q + "WeekDays")}
    assert working == {"1": "1", "2": "1", "3": "1", "4": "1", "5": "1", "6": "0", "7": "0"}  # Sun-Thu
    holidays = [e.find(Q + "TimePeriod").findtext(Q + "FromDate") for e in cal.find(Q + "Exceptions")]
    assert holidays[0] == "2027-01-06T00:00:00" and len(holidays) == 4
    summary = root.find(Q + "Tasks")[0]
    assert summary.findtext(Q + "UID") == "0" and summary.findtext(Q + "Deadline") == "2027-06-30T17:00:00"
    assert custom(summary, "188743995") == "250000.0"
    # Phases become summary tasks; "Start-up" comes back after "Design", so it appears twice.
    phases = [t.findtext(Q + "Name") for t in root.iter(Q + "Task")
              if t.findtext(Q + "Summary") == "1" and t.findtext(Q + "UID") != "0"]
    assert phases == ["Start-up", "Design", "Start-up", "Build", "Test"]


def test_dates_follow_the_calendar(tmp_path):
    p = pm.Project(name="d", start="2027-01-04", tasks=[pm.Task("A", duration=1.5), pm.Task("B", duration=2)],
                   dependencies=[pm.Dependency("A", "B")], calendar=pm.Calendar(holidays=("2027-01-06",)))
    root = written(tmp_path, p)
    b = task_el(root, "B")
    # A: Mon 08:00 to Tue 12:00; B starts Tue 13:00 and works half of Tue, Thu (Wed is a holiday)
    # and half of Fri.
    assert (b.findtext(Q + "Start"), b.findtext(Q + "Finish")) == ("2027-01-05T13:00:00", "2027-01-08T12:00:00")


def test_lag_that_mspdi_cannot_hold_is_rounded_with_a_warning(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1), pm.Task("B", duration=1)],
                   dependencies=[pm.Dependency("A", "B", "FS", 1 / 7)])  # 685.7 tenths of a minute
    with pytest.warns(pm.PmsimWarning, match=r"lags rounded .*A -> B"):
        write_mspdi(p, tmp_path / "x.xml")
    q = read_quietly(tmp_path / "x.xml")
    assert q.dependencies[0].lag == 686 / 4800


def set_custom(el, field_id, value):
    for ea in el.findall(Q + "ExtendedAttribute"):
        if ea.findtext(Q + "FieldID") == field_id:
            ea.find(Q + "Value").text = value
            return
    raise AssertionError(field_id)


# One row per field of a pmsim estimate edited in MS Project: the task, the edit, the estimate read
# back, and the repair the warning must name.
EDITED = [
    # the task's Duration edited apart from its three points: the estimate wins
    ("A2", lambda el: setattr(el.find(Q + "Duration"), "text", "PT40H0M0S"), pm.Triangular(2, 4, 9),
     r"Duration \(5 days\) differs from the most likely estimate \(4\); the estimate is used"),
    # the optimistic duration of a lognormal kept as mu/sigma: rebuilt from the edited P10 and the P90
    ("B4", lambda el: set_custom(el, "188743783", "PT24H0M0S"), None,
     r"lognormal rebuilt from them as P10/P90"),
    # the pessimistic duration of a discrete estimate: the values win
    ("B5", lambda el: set_custom(el, "188743785", "PT240H0M0S"), pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2)),
     r"disagree with the discrete values; using the values"),
]


@pytest.mark.parametrize("tid, edit, expected, message", EDITED)
@pytest.mark.filterwarnings("ignore:.*task costs that the cost model does not explain")  # B4's new duration
def test_edited_pmsim_estimates_are_repaired_with_a_warning(tmp_path, tid, edit, expected, message):
    ET.register_namespace("", NAMESPACE)
    root = written(tmp_path)
    edit(task_el(root, tid))
    ET.ElementTree(root).write(tmp_path / "edited.xml", encoding="UTF-8", xml_declaration=True)
    name = rich_project().task(tid).name
    with pytest.warns(pm.PmsimWarning, match=rf"edited pmsim estimates .*\({name}\): .*{message}"):
        estimate = read_mspdi(tmp_path / "edited.xml", check_health=False).task(tid).estimate
    if expected is None:  # B4: P10 is the edited 3 days, P90 what was written
        np.testing.assert_allclose(estimate.ppf([0.1, 0.9]), [3.0, rich_project().task(tid).estimate.ppf(0.9)],
                                   rtol=1e-6)
    else:
        assert estimate == expected


def test_health_check_runs_after_import(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1), pm.Task("B", duration=1)],
                   dependencies=[pm.Dependency("A", "B", "FS", -1)])
    write_mspdi(p, tmp_path / "x.xml")
    with pytest.warns(pm.PmsimWarning, match=r"health check: .* failed: leads \(100.0 %: B\)"):
        read_mspdi(tmp_path / "x.xml")
    read_quietly(tmp_path / "x.xml")  # check_health=False: no warning


# --------------------------------------------------------------------------- files from other tools

WORKDAY = ("<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
           "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>")


def week(days="23456"):
    return "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>{int(str(d) in days)}</DayWorking>"
        + (WORKDAY if str(d) in days else "") + "</WeekDay>"
        for d in range(1, 8)
    )


def duration_field(field_id, hours):
    return (f"<ExtendedAttribute><FieldID>{field_id}</FieldID><Value>PT{hours}H0M0S</Value>"
            "<DurationFormat>7</DurationFormat></ExtendedAttribute>")


FOREIGN = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="{NAMESPACE}">
  <Name>foreign.xml</Name><Title>Foreign plan</Title><StartDate>2027-01-04T08:00:00</StartDate>
  <CurrencyCode>GBP</CurrencyCode><CalendarUID>1</CalendarUID><MinutesPerDay>480</MinutesPerDay>
  <Calendars>
    <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
      <WeekDays>{week()}<!--WD--></WeekDays>
      <Exceptions>
        <Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod><FromDate>2027-01-06T00:00:00</FromDate>
          <ToDate>2027-01-07T23:59:00</ToDate></TimePeriod><Occurrences>1</Occurrences><Name>Shutdown</Name><Type>1</Type>
          <DayWorking>0</DayWorking></Exception>
        <Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod><FromDate>2027-12-25T00:00:00</FromDate>
          <ToDate>2029-12-25T23:59:00</ToDate></TimePeriod><Occurrences>3</Occurrences><Name>Christmas</Name><Type>2</Type>
          <Month>11</Month><MonthDay>25</MonthDay><DayWorking>0</DayWorking></Exception>
        <Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod><FromDate>2027-02-01T00:00:00</FromDate>
          <ToDate>2027-03-01T23:59:00</ToDate></TimePeriod><Occurrences>2</Occurrences><Name>First Monday</Name>
          <Type>5</Type><Period>1</Period><MonthItem>4</MonthItem><MonthPosition>0</MonthPosition>
          <DayWorking>0</DayWorking></Exception>
        <!--EX-->
      </Exceptions><!--CAL-->
    </Calendar>
    <Calendar><UID>2</UID><Name>Night shift</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
      <WeekDays>{week("234567")}</WeekDays></Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Foreign plan</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary>
      <Deadline>2027-03-31T17:00:00</Deadline><Notes>Imported from MS Project</Notes>
      <Baseline><Number>0</Number><Cost>5000000</Cost></Baseline></Task>
    <Task><UID>1</UID><ID>1</ID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>
    <Task><UID>2</UID><ID>2</ID><Name>Spec</Name><OutlineLevel>2</OutlineLevel><Duration>PT40H0M0S</Duration>
      <FixedCost>150000</FixedCost><!--T2-->
      {duration_field(188743783, 24)}{duration_field(188743784, 40)}{duration_field(188743785, 96)}</Task>
    <Task><UID>3</UID><ID>3</ID><Name>Backend</Name><OutlineLevel>2</OutlineLevel><Summary>1</Summary></Task>
    <Task><UID>4</UID><ID>4</ID><Name>API</Name><OutlineLevel>3</OutlineLevel><Duration>PT20H0M0S</Duration>
      <DurationFormat>7</DurationFormat>
      <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type><LinkLag>4800</LinkLag><!--L--></PredecessorLink>
    </Task>
    <Task><UID>5</UID><ID>5</ID><Name>Review</Name><OutlineLevel>2</OutlineLevel><Duration>PT8H0M0S</Duration>
      <PredecessorLink><PredecessorUID>4</PredecessorUID><Type>3</Type><LinkLag>-2400</LinkLag><LagFormat>5</LagFormat>
      </PredecessorLink></Task>
    <Task><UID>6</UID><ID>6</ID><Name>Sign-off</Name><OutlineLevel>1</OutlineLevel><Duration>PT0H0M0S</Duration>
      <Milestone>1</Milestone>
      <PredecessorLink><PredecessorUID>5</PredecessorUID><Type>0</Type></PredecessorLink>
      <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>2</Type><LinkLag>9600</LinkLag></PredecessorLink></Task>
    <!--TASKS-->
  </Tasks>
  <Resources>
    <Resource><UID>0</UID><ID>0</ID><IsNull>0</IsNull></Resource>
    <Resource><UID>1</UID><ID>1</ID><Name>Analyst</Name><MaxUnits>2</MaxUnits><StandardRate>75</StandardRate>
      <StandardRateFormat>2</StandardRateFormat><!--R1--></Resource>
  </Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>2</TaskUID><ResourceUID>1</ResourceUID><Units>1.5</Units><!--A1--></Assignment>
    <Assignment><UID>2</UID><TaskUID>4</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units></Assignment>
    <!--ASSIGNMENTS-->
  </Assignments>
</Project>
"""


def foreign(tmp_path, **marks) -> "Path":  # noqa: F821
    text = FOREIGN
    for mark, insert in marks.items():
        assert f"<!--{mark}-->" in text, mark
        text = text.replace(f"<!--{mark}-->", insert)
    path = tmp_path / "foreign.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_from_another_tool(tmp_path):
    p = read_quietly(foreign(tmp_path))
    assert (p.name, p.start, p.currency, p.deadline, p.description) == \
        ("Foreign plan", dt.date(2027, 1, 4), "GBP", dt.date(2027, 3, 31), "Imported from MS Project")
    assert p.budget == 50000.0  # the summary task's baseline cost, in cents in the file
    assert [t.id for t in p.tasks] == ["2", "4", "5", "6"]  # MS Project's ID column
    assert [t.phase for t in p.tasks] == ["Design", "Backend", "Design", ""]  # nearest summary task
    t2, t4, t5, t6 = p.tasks
    assert t2.estimate == pm.BetaPert(3, 5, 12)  # Duration1-3: PERT
    assert t2.fixed_cost == 1500.0 and t2.demand == {"Analyst": 1.5}
    assert t4.estimate == pm.Fixed(2.5) and t4.resources == ()  # the "unassigned" placeholder
    assert t6.milestone and t6.estimate == pm.Fixed(0.0)
    assert set(p.dependencies) == {
        pm.Dependency("2", "4", "FS", 1), pm.Dependency("4", "5", "SS", -0.5),
        pm.Dependency("5", "6", "FF", 0), pm.Dependency("2", "6", "SF", 2),
    }
    assert p.resources == (pm.Resource("Analyst", capacity=2, cost_per_day=600),)
    assert p.calendar.workdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert [d.isoformat() for d in p.calendar.holidays] == [
        "2027-01-06", "2027-01-07",  # a two-day exception
        "2027-02-01", "2027-03-01",  # first Monday of the month, twice
        "2027-12-25", "2028-12-25", "2029-12-25",  # yearly, three times
    ]


def recurring(first, last, occurrences, kind, extra=""):
    return (f"<Exception><EnteredByOccurrences>1</EnteredByOccurrences><TimePeriod><FromDate>{first}T00:00:00"
            f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod><Occurrences>{occurrences}</Occurrences>"
            f"<Type>{kind}</Type>{extra}<DayWorking>0</DayWorking></Exception>")


# One row per kind of recurring calendar exception, with the dates worked out by hand.
RECURRING = [
    # every 3 days, 3 times
    (recurring("2027-04-05", "2027-12-31", 3, 7, "<Period>3</Period>"), ["2027-04-05", "2027-04-08", "2027-04-11"]),
    # every other week on Monday (2) and Friday (32), 4 times
    (recurring("2027-04-05", "2027-12-31", 4, 6, "<Period>2</Period><DaysOfWeek>34</DaysOfWeek>"),
     ["2027-04-05", "2027-04-09", "2027-04-19", "2027-04-23"]),
    # the 15th of every second month, 3 times
    (recurring("2027-04-05", "2027-12-31", 3, 4, "<Period>2</Period><MonthDay>15</MonthDay>"),
     ["2027-04-15", "2027-06-15", "2027-08-15"]),
    # the last Friday (MonthItem 8) of May (Month 4), twice
    (recurring("2027-04-05", "2028-12-31", 2, 3, "<Month>4</Month><MonthItem>8</MonthItem><MonthPosition>4</MonthPosition>"),
     ["2027-05-28", "2028-05-26"]),
    # by end date rather than a count: every Wednesday (8) until 2027-04-21
    (recurring("2027-04-05", "2027-04-21", 0, 6, "<DaysOfWeek>8</DaysOfWeek>").replace(
        "<EnteredByOccurrences>1", "<EnteredByOccurrences>0"), ["2027-04-07", "2027-04-14", "2027-04-21"]),
    # a 30 February never happens
    (recurring("2027-04-05", "2029-12-31", 3, 2, "<Month>1</Month><MonthDay>30</MonthDay>"), []),
    # near the end of the calendar: the dates that exist are kept
    (recurring("9999-12-30", "9999-12-31", 5, 1), ["9999-12-30", "9999-12-31"]),
    (recurring("9999-12-20", "9999-12-31", 50, 6, "<DaysOfWeek>1</DaysOfWeek>"), ["9999-12-26"]),
]


@pytest.mark.parametrize("exception, dates", RECURRING)
def test_recurring_calendar_exceptions(tmp_path, exception, dates):
    p = read_quietly(foreign(tmp_path, EX=exception))
    base = {"2027-01-06", "2027-01-07", "2027-02-01", "2027-03-01", "2027-12-25", "2028-12-25", "2029-12-25"}
    assert sorted({d.isoformat() for d in p.calendar.holidays} - base) == dates


@pytest.mark.parametrize("outline", [
    "1.\u00b2",  # a superscript two: a digit to str.isdigit, not to int()
    "1." + "9" * 5000,  # longer than int() reads
    "1..2",  # an empty part
])
def test_odd_outline_numbers_fall_back_to_outline_levels(tmp_path, outline):
    p = read_quietly(foreign(tmp_path, T2=f"<OutlineNumber>{outline}</OutlineNumber>"))
    assert [t.phase for t in p.tasks] == ["Design", "Backend", "Design", ""]


def test_rates_only_in_the_rate_table(tmp_path):
    rates = ("<Rates><Rate><RatesFrom>1984-01-01T00:00:00</RatesFrom><RatesTo>2049-12-31T23:59:00</RatesTo>"
             "<RateTable>0</RateTable><StandardRate>90</StandardRate></Rate>"
             "<Rate><RatesFrom>1984-01-01T00:00:00</RatesFrom><RatesTo>2049-12-31T23:59:00</RatesTo>"
             "<RateTable>1</RateTable><StandardRate>200</StandardRate></Rate></Rates>")
    text = foreign(tmp_path).read_text().replace("<StandardRate>75</StandardRate>", "")
    (tmp_path / "r.xml").write_text(text.replace("<!--R1-->", rates))
    assert read_quietly(tmp_path / "r.xml").resources[0].cost_per_day == 720.0  # table A, 90 an hour


def test_elapsed_duration_runs_round_the_clock(tmp_path):
    # An elapsed duration (DurationFormat 8) is wall-clock time: the task goes on the 24-hour calendar,
    # whose days are 24 hours, and Duration1-3 (24, 40 and 96 hours) count on that clock too.
    p = read_quietly(foreign(tmp_path, T2="<DurationFormat>8</DurationFormat>"))
    task = p.task("2")
    assert task.calendar == "24 hours (elapsed)"
    assert task.estimate == pm.BetaPert(1, 40 / 24, 4)
    assert p.calendar_named(task.calendar) == pm.Calendar(
        workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id="24 hours (elapsed)",
        name="24 hours (elapsed)")


# One row per MSPDI feature pmsim does not model: where it goes, what the warning must say.
UNMODELLED = [
    # manually scheduled task without a start (one with a start is modelled: Task.manual_start)
    (dict(T2="<Manual>1</Manual>"), r"manually scheduled tasks without a start .*task UID 2"),
    # inactive task
    (dict(T2="<Active>0</Active>"), r"inactive tasks \(left out\).*task UID 2"),
    # recurring task
    (dict(T2="<Recurring>1</Recurring>"), r"recurring tasks .*task UID 2"),
    # external task
    (dict(T2="<ExternalTask>1</ExternalTask>"), r"external tasks .*task UID 2"),
    # milestone flag on a task with a duration
    (dict(T2="<Milestone>1</Milestone>"), r"milestones with a duration .*task UID 2"),
    # material resource
    (dict(R1="<Type>0</Type>"), r"material and cost resources .*resource UID 1 \(Analyst\)"),
    # cost resource
    (dict(R1="<Type>2</Type>"), r"material and cost resources .*resource UID 1"),
    # budget resource
    (dict(R1="<IsBudget>1</IsBudget>"), r"budget resources .*resource UID 1"),
    # per-use cost
    (dict(R1="<CostPerUse>5000</CostPerUse>"), r"per-use costs .*resource UID 1"),
    # overtime rate
    (dict(R1="<OvertimeRate>90</OvertimeRate>"), r"overtime rates .*resource UID 1"),
    # work contour
    (dict(A1="<WorkContour>1</WorkContour>"), r"work contours .*task UID 2 \(Spec\): resource UID 1"),
    # assignment delay
    (dict(A1="<Delay>4800</Delay>"), r"assignment delays .*task UID 2"),
    # resource on a summary task
    (dict(ASSIGNMENTS="<Assignment><UID>9</UID><TaskUID>3</TaskUID><ResourceUID>1</ResourceUID></Assignment>"),
     r"resources assigned to summary tasks .*task UID 3 \(Backend\)"),
    # an assignment to a task the file does not have
    (dict(ASSIGNMENTS="<Assignment><UID>9</UID><TaskUID>99</TaskUID><ResourceUID>1</ResourceUID></Assignment>"),
     r"assignments to unknown tasks \(left out\).*assignment UID 9: task UID 99"),
    # a note on a task
    (dict(T2="<Notes>Ask the vendor first</Notes>"), r"task notes \(not read\).*task UID 2"),
    # start-to-start link from a summary task (tied to the task under it that starts first)
    (dict(TASKS="<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                "<Duration>PT8H0M0S</Duration><PredecessorLink><PredecessorUID>3</PredecessorUID><Type>3</Type>"
                "</PredecessorLink></Task>"),
     r"links from the start of summary tasks .*task UID 3 \(Backend\) -> task UID 7"),
    # lag in percent of the predecessor's duration
    (dict(L="<LagFormat>19</LagFormat>"), r"lags in percent .*task UID 4"),
    # link to another project
    (dict(L="<CrossProject>1</CrossProject>"), r"links to other projects .*task UID 4"),
    # only one of Duration1-3
    (dict(TASKS=f"<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                f"<Duration>PT8H0M0S</Duration>{duration_field(188743783, 4)}</Task>"),
     r"incomplete three-point estimates .*task UID 7"),
    # a task cost that fixed cost + rates x duration does not give (1,500 + 1.5 x 600 x 5 = 6,000)
    (dict(T2="<Cost>700000</Cost>"), r"task costs that the cost model does not explain .*task UID 2 \(Spec\)"),
    # Duration1-3 out of order
    (dict(TASKS=f"<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                f"<Duration>PT8H0M0S</Duration>{duration_field(188743783, 16)}{duration_field(188743784, 8)}"
                f"{duration_field(188743785, 24)}</Task>"),
     r"three-point estimates out of order .*task UID 7"),
    # Duration1-3 (2, 3 and 5 days) that do not contain the duration (1 day) MS Project scheduled
    (dict(TASKS=f"<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                f"<Duration>PT8H0M0S</Duration>{duration_field(188743783, 16)}{duration_field(188743784, 24)}"
                f"{duration_field(188743785, 40)}</Task>"),
     r"three-point estimates \(Duration1-3\) that do not contain the task's duration .*task UID 7"),
]


def test_three_points_that_leave_out_the_duration_keep_the_duration(tmp_path):
    # MS Project's PERT analysis puts the Duration within Duration1-3; here 1 day against 2, 3 and 5 days:
    # the schedule MS Project shows runs on the 1 day, and so does the plan read.
    marks = dict(TASKS=f"<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                       f"<Duration>PT8H0M0S</Duration>{duration_field(188743783, 16)}"
                       f"{duration_field(188743784, 24)}{duration_field(188743785, 40)}</Task>")
    with pytest.warns(pm.PmsimWarning):
        p = read_mspdi(foreign(tmp_path, **marks), check_health=False)
    assert p.task("7").planned_duration == 1.0


@pytest.mark.parametrize("marks, message", UNMODELLED)
def test_unmodelled_features_are_named_in_a_warning(tmp_path, marks, message):
    with pytest.warns(pm.PmsimWarning, match=message):
        p = read_mspdi(foreign(tmp_path, **marks), check_health=False)
    assert len(p.tasks) >= 3  # the rest of the plan is read


def test_percent_lag_becomes_days_of_the_predecessor(tmp_path):
    # LinkLag 50 with LagFormat 19: 50 % of Spec's 5 days.
    path = foreign(tmp_path, L="<LagFormat>19</LagFormat>")
    text = path.read_text().replace("<LinkLag>4800</LinkLag><LagFormat>19", "<LinkLag>50</LinkLag><LagFormat>19")
    path.write_text(text)
    with pytest.warns(pm.PmsimWarning, match="percent"):
        p = read_mspdi(path, check_health=False)
    assert pm.Dependency("2", "4", "FS", 2.5) in p.dependencies


def test_link_to_a_summary_task_links_its_tasks(tmp_path):
    path = foreign(tmp_path, TASKS="<Task><UID>7</UID><ID>7</ID><Name>Doc</Name><OutlineLevel>1</OutlineLevel>"
                                   "<Duration>PT8H0M0S</Duration><PredecessorLink><PredecessorUID>1</PredecessorUID>"
                                   "</PredecessorLink></Task>")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pm.PmsimWarning)  # MS Project schedules a finish-to-start link so: no warning
        p = read_mspdi(path, check_health=False)
    # "Design" holds Spec (2), API (4, under Backend) and Review (5).
    assert {d.predecessor for d in p.dependencies if d.successor == "7"} == {"2", "4", "5"}


def test_material_resource_cost_goes_to_fixed_cost(tmp_path):
    path = foreign(tmp_path, R1="<Type>0</Type>", A1="<Cost>25000</Cost>")
    with pytest.warns(pm.PmsimWarning, match="material"):
        p = read_mspdi(path, check_health=False)
    assert p.task("2").fixed_cost == 1500.0 + 250.0 and p.task("2").resources == ()
    assert p.resources == ()


# --------------------------------------------------------------------------- bad input

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY lol10 "&lol9;&lol9;&lol9;&lol9;&lol9;&lol9;&lol9;&lol9;&lol9;&lol9;">
 <!ENTITY lol11 "&lol10;&lol10;&lol10;&lol10;&lol10;&lol10;&lol10;&lol10;&lol10;&lol10;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol11;</Name></Project>
"""


def edit(old, new):
    return lambda text: text.replace(old, new, 1)


# One row per kind of bad file: how to spoil a good one, the error class, what the message must say.
BAD = [
    # cut in the middle (a truncated download)
    (lambda t: t[: len(t) // 2], pm.FileFormatError, r"not well-formed XML .*is the file complete"),
    # empty file
    (lambda t: "", pm.FileFormatError, r"not well-formed XML"),
    # not XML at all
    (lambda t: "%PDF-1.4 binary", pm.FileFormatError, r"not well-formed XML"),
    # another namespace
    (edit(NAMESPACE, "http://example.com/plan"), pm.FileFormatError,
     r"not an MS Project XML file: .*'http://example.com/plan'"),
    # no namespace at all
    (edit(f' xmlns="{NAMESPACE}"', ""), pm.FileFormatError, r"namespace '\(none\)'"),
    # billion laughs: 10^11 "lol"s if expanded; refused before any expansion
    (lambda t: BOMB, pm.FileFormatError, r"refused: the file declares a document type or entities"),
    # external entity
    (lambda t: t.replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                         '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
     .replace("<Notes>Imported from MS Project</Notes>", "<Notes>&x;</Notes>"),
     pm.FileFormatError, r"refused"),
    # a document type declaration, even harmless
    (lambda t: t.replace('standalone="yes"?>', 'standalone="yes"?><!DOCTYPE Project>'), pm.FileFormatError,
     r"refused"),
    # a duration that is not ISO 8601
    (edit("<Duration>PT20H0M0S</Duration>", "<Duration>20 days</Duration>"), pm.FileFormatError,
     r"task UID 4 \(API\): Duration: '20 days' is not a duration"),
    # a lag that is not a number
    (edit("<LinkLag>4800</LinkLag>", "<LinkLag>one day</LinkLag>"), pm.FileFormatError,
     r"task UID 4 \(API\) predecessor link: LinkLag must be a number"),
    # an unknown link type
    (edit("<Type>3</Type>", "<Type>7</Type>"), pm.FileFormatError, r"Type must be 0 \(FF\), 1 \(FS\)"),
    # two tasks with one UID
    (edit("<UID>5</UID>", "<UID>4</UID>"), pm.FileFormatError, r"task UID 4 appears twice"),
    # a start date that is not a date
    (edit("<StartDate>2027-01-04T08:00:00</StartDate>", "<StartDate>soon</StartDate>"), pm.FileFormatError,
     r"Project: StartDate: 'soon' is not a date"),
    # impossible minutes per day
    (edit("<MinutesPerDay>480</MinutesPerDay>", "<MinutesPerDay>-60</MinutesPerDay>"), pm.FileFormatError,
     r"MinutesPerDay must be between 1 and 1440"),
    # negative assignment units
    (edit("<Units>1.5</Units>", "<Units>-1</Units>"), pm.FileFormatError, r"Units must be >= 0"),
    # a file with no tasks at all
    (lambda t: t[: t.index("<Task><UID>1</UID>")] + t[t.index("<!--TASKS-->"):], pm.FileFormatError,
     r"the file has no tasks"),
    # a dependency cycle: the model names it, the message names the file
    (edit("<PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type>",
          "<PredecessorLink><PredecessorUID>6</PredecessorUID><Type>1</Type>"), pm.CycleError,
     r"foreign.xml: the dependencies form a cycle"),
    # a working-day exception range that ends before it starts
    (edit("<ToDate>2027-01-07T23:59:00</ToDate>", "<ToDate>2027-01-01T23:59:00</ToDate>"), pm.FileFormatError,
     r"calendar 'Standard': exception from 2027-01-06 to 2027-01-01 ends before it starts"),
]


@pytest.mark.parametrize("spoil, error, message", BAD)
def test_bad_files_raise_errors_naming_the_file(tmp_path, spoil, error, message):
    path = foreign(tmp_path)
    path.write_text(spoil(path.read_text()), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        with pytest.raises(error, match=message) as info:
            read_mspdi(path)
    assert "foreign.xml" in str(info.value)


def test_a_risk_without_its_probability_is_refused(tmp_path):
    write_mspdi(rich_project(), tmp_path / "r.xml")
    text = (tmp_path / "r.xml").read_text(encoding="utf-8")
    assert text.count('"probability":0.3,') == 1  # R1
    (tmp_path / "r.xml").write_text(text.replace('"probability":0.3,', ""), encoding="utf-8")
    with pytest.raises(pm.ValidationError, match=r"r\.xml: project summary task, field 'pmsim risks', risk 1: "
                                                 r"probability is required"):
        read_quietly(tmp_path / "r.xml")


def test_missing_file(tmp_path):
    with pytest.raises(pm.FileFormatError, match="no such file"):
        pm.read_project(tmp_path / "nothing.xml")


def test_progress_for_an_unknown_task_is_refused(tmp_path):
    progress = pd.DataFrame({"id": ["ZZ"], "percent_complete": [10], "actual_cost": [0]})
    with pytest.raises(pm.ValidationError, match="progress row 1 names unknown task 'ZZ'"):
        write_mspdi(rich_project(), tmp_path / "x.xml", progress=progress)


def test_progress_with_blanks_as_the_reader_returns_it_is_written_again(tmp_path):
    progress = pd.DataFrame({
        "id": ["A1", "A2"],
        "percent_complete": [100.0, 40.0],
        "remaining_duration": [0.0, np.nan],  # not known for A2
        "actual_cost": [3900.0, 1234.56],
        "actual_start": pd.to_datetime(["2027-01-03", "2027-01-05"]),
        "actual_finish": pd.to_datetime(["2027-01-05", None]),
    })
    with pytest.warns(pm.PmsimWarning, match="progress without a status date"):
        write_mspdi(rich_project(), tmp_path / "a.xml", progress=progress)
    _, back = read_quietly(tmp_path / "a.xml", with_progress=True)
    with pytest.warns(pm.PmsimWarning, match="progress without a status date"):
        write_mspdi(rich_project(), tmp_path / "b.xml", progress=back)
    _, again = read_quietly(tmp_path / "b.xml", with_progress=True)
    pd.testing.assert_frame_equal(again, progress, check_dtype=False)


def progress_with(**changes) -> pd.DataFrame:
    base = {"id": ["A1", "A2"], "percent_complete": [100.0, 40.0], "remaining_duration": [0.0, 2.0],
            "actual_cost": [3900.0, 100.0], "actual_start": ["2027-01-03", "2027-01-05"],
            "actual_finish": ["2027-01-05", ""]}
    return pd.DataFrame({**base, **changes})


# One row per kind of bad progress table handed to a writer: the change, what the message must say.
BAD_PROGRESS = [
    # a date that is not one
    (dict(actual_start=["2027-01-03", "soon"]), r"progress row 2 \(task 'A2'\): actual_start: 'soon' is not an ISO date"),
    # a percentage over 100
    (dict(percent_complete=[100.0, 140.0]), r"progress row 2 \(task 'A2'\): percent_complete must be in \[0, 100\]"),
    # a status date column with a blank
    (dict(status_date=["2027-01-07", None]), r"progress row 2 \(task 'A2'\): status_date is missing"),
    # two status dates
    (dict(status_date=["2027-01-07", "2027-01-14"]), r"progress for one status date only can be written"),
    # a task the project does not have
    (dict(id=["A1", "ZZ"]), r"progress row 2 names unknown task 'ZZ'"),
]


@pytest.mark.parametrize("suffix", ["xml", "xer"])
@pytest.mark.parametrize("changes, message", BAD_PROGRESS)
def test_bad_progress_is_refused_naming_the_file_and_row(tmp_path, suffix, changes, message):
    path = tmp_path / f"plan.{suffix}"
    with pytest.raises(pm.ValidationError, match=rf"^{tmp_path}/plan\.{suffix}: {message}"):
        pm.write_project(rich_project(), path, progress=progress_with(**changes))
    assert not path.exists()


def test_the_status_date_is_written(tmp_path):
    write_mspdi(rich_project(), tmp_path / "s.xml", progress=progress_with(status_date=["2027-01-07"] * 2))
    assert ET.parse(tmp_path / "s.xml").getroot().findtext(Q + "StatusDate") == "2027-01-07T17:00:00"


def test_control_characters_become_spaces_with_a_warning(tmp_path):
    p = pm.Project(name="x", start="2027-01-04", description="line\x0bfeed",
                   tasks=[pm.Task("A", "bell\x07 and tab\tkept", duration=1)])
    with pytest.warns(pm.PmsimWarning, match=r"control characters replaced by spaces \(XML cannot hold them\)"
                                              r".*: Task\.Notes, Task\.Name$"):
        write_mspdi(p, tmp_path / "c.xml")
    q = read_quietly(tmp_path / "c.xml")
    assert (q.task("A").name, q.description) == ("bell  and tab\tkept", "line feed")


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    from pmsim.io import _files

    write_mspdi(rich_project(), tmp_path / "plan.xml")
    before = (tmp_path / "plan.xml").read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "replace", broken)
    with pytest.raises(pm.FileFormatError, match=r"plan\.xml: cannot write the file: No space left on device"):
        write_mspdi(pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)]), tmp_path / "plan.xml")
    assert (tmp_path / "plan.xml").read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["plan.xml"]


def test_written_file_is_utf8_and_keeps_unicode(tmp_path):
    p = rich_project()
    write_mspdi(p, tmp_path / "u.xml")
    assert (tmp_path / "u.xml").read_bytes().startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert read_quietly(tmp_path / "u.xml").task("A1").name == "Über-Prüfung der Anforderungen"
    assert np.isclose(read_quietly(tmp_path / "u.xml").task("B4").estimate.mu, 1.7)

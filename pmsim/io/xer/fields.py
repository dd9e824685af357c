"""The P6 vocabulary pmsim reads and writes: link, constraint, status and option codes, hours
per day, and the user-defined fields (UDFs) that carry what P6 has no field for (estimates,
risks, budget, pmsim's own settings).
"""

from __future__ import annotations

HOURS_PER_DAY = 8.0
LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
# P6 constraint code -> pmsim constraint. Start On / Finish On are P6's soft kind (SO, FO);
# Mandatory Start / Finish are hard (MSO, MFO).
CONSTRAINTS = {
    "CS_MSO": "SO", "CS_MEO": "FO", "CS_MSOA": "SNET", "CS_MEOA": "FNET", "CS_MSOB": "SNLT",
    "CS_MEOB": "FNLT", "CS_MANDSTART": "MSO", "CS_MANDFIN": "MFO", "CS_ALAP": "ALAP",
}
CONSTRAINT_CODES = {v: k for k, v in CONSTRAINTS.items()}
CONSTRAINT_NAMES = {
    "CS_MSO": "Start On", "CS_MEO": "Finish On", "CS_MSOA": "Start On or After", "CS_MSOB": "Start On or Before",
    "CS_MEOA": "Finish On or After", "CS_MEOB": "Finish On or Before", "CS_ALAP": "As Late As Possible",
    "CS_MANDSTART": "Mandatory Start", "CS_MANDFIN": "Mandatory Finish",
}
STATUSES = {"TK_NotStart": "not started", "TK_Active": "in progress", "TK_Complete": "complete"}
# SCHEDOPTIONS codes -> Project settings (the P6 defaults when a file has no SCHEDOPTIONS row).
LAG_CALENDARS = {"rcal_Predecessor": "predecessor", "rcal_Successor": "successor",
                 "rcal_ProjDefault": "project", "rcal_24Hour": "24h"}
LAG_CALENDAR_CODES = {v: k for k, v in LAG_CALENDARS.items()}
FLOAT_TYPES = {"FT_FF": "finish", "FT_SS": "start", "FT_Min": "smallest"}
FLOAT_TYPE_CODES = {v: k for k, v in FLOAT_TYPES.items()}
P6_DEFAULTS = {"lag_calendar": "predecessor", "total_float": "finish", "progress_rule": "retained_logic"}

# key -> (UDF label, logical data type)
TASK_UDFS = {
    "optimistic": ("pmsim optimistic", "FT_FLOAT_2_DECIMALS"),
    "most_likely": ("pmsim most likely", "FT_FLOAT_2_DECIMALS"),
    "pessimistic": ("pmsim pessimistic", "FT_FLOAT_2_DECIMALS"),
    "distribution": ("pmsim distribution", "FT_TEXT"),
    "parameters": ("pmsim parameters", "FT_TEXT"),
    "cost_per_day": ("pmsim cost per day", "FT_MONEY"),
}
PROJECT_UDFS = {
    "budget": ("pmsim budget", "FT_MONEY"),
    "risks": ("pmsim risks", "FT_TEXT"),
    "description": ("pmsim description", "FT_TEXT"),
    # JSON: what P6 has no field for (calendar ids, the project's deadline, honor_constraints, ...)
    "settings": ("pmsim settings", "FT_TEXT"),
}

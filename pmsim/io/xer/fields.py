"""The XER vocabulary pmsim reads and writes: link and constraint codes, hours per day, and
the user-defined fields (UDFs) that carry what P6 has no field for (estimates, risks, budget).
"""

from __future__ import annotations

HOURS_PER_DAY = 8.0
LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
CONSTRAINTS = {
    "CS_MSO": "Start On", "CS_MEO": "Finish On", "CS_MSOA": "Start On or After", "CS_MSOB": "Start On or Before",
    "CS_MEOA": "Finish On or After", "CS_MEOB": "Finish On or Before", "CS_ALAP": "As Late As Possible",
    "CS_MANDSTART": "Mandatory Start", "CS_MANDFIN": "Mandatory Finish",
}
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
}

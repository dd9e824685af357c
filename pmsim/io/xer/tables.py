"""The XER table text: decoding, quoting, reading and writing tables.

An XER file is a header line ``ERMHDR``, then tables, each a ``%T`` line
with the table name, a ``%F`` line with tab-separated field names and
``%R`` lines with tab-separated values, and a final ``%E``.
:func:`read_tables` reads one into rows (dicts) and :class:`Tables` gives
their values typed; :class:`TableWriter` writes the tables of :data:`COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path

from ...errors import FileFormatError, PmsimWarning
from .._exchange import Notes, decimal_text
from ..codepage import CANDIDATES, NAMES, guess_codepage

# Column lists follow what P6 exports (and MPXJ writes); P6 fills any column left out.
COLUMNS = {
    "CURRTYPE": "curr_id decimal_digit_cnt curr_symbol decimal_symbol digit_group_symbol pos_curr_fmt_type "
                "neg_curr_fmt_type curr_type curr_short_name group_digit_cnt base_exch_rate",
    "PROJECT": "proj_id fy_start_month_num rsrc_self_add_flag allow_complete_flag rsrc_multi_assign_flag "
               "checkout_flag project_flag step_complete_flag cost_qty_recalc_flag batch_sum_flag name_sep_char "
               "def_complete_pct_type proj_short_name acct_id orig_proj_id source_proj_id base_type_id clndr_id "
               "sum_base_proj_id task_code_base task_code_step priority_num wbs_max_sum_level strgy_priority_num "
               "last_checksum critical_drtn_hr_cnt def_cost_per_qty last_recalc_date plan_start_date plan_end_date "
               "scd_end_date add_date last_tasksum_date fcst_start_date def_duration_type task_code_prefix guid "
               "def_qty_type add_by_name web_local_root_path proj_url def_rate_type add_act_remain_flag "
               "act_this_per_link_flag def_task_type act_pct_link_flag critical_path_type task_code_prefix_flag "
               "def_rollup_dates_flag use_project_baseline_flag rem_target_link_flag reset_planned_flag "
               "allow_neg_act_flag sum_assign_level last_fin_dates_id fintmpl_id last_baseline_update_date "
               "cr_external_key apply_actuals_date location_id loaded_scope_level export_flag new_fin_dates_id "
               "baselines_to_export baseline_names_to_export next_data_date close_period_flag sum_refresh_date "
               "trsrcsum_loaded sumtask_loaded",
    "CALENDAR": "clndr_id default_flag clndr_name proj_id base_clndr_id last_chng_date clndr_type day_hr_cnt "
                "week_hr_cnt month_hr_cnt year_hr_cnt rsrc_private clndr_data",
    "SCHEDOPTIONS": "schedoptions_id proj_id sched_outer_depend_type sched_open_critical_flag "
                    "sched_lag_early_start_flag sched_retained_logic sched_setplantoforecast sched_float_type "
                    "sched_calendar_on_relationship_lag sched_use_expect_end_flag sched_progress_override "
                    "level_float_thrs_cnt level_outer_assign_flag level_outer_assign_priority level_over_alloc_pct "
                    "level_within_float_flag level_keep_sched_date_flag level_all_rsrc_flag "
                    "sched_use_project_end_date_for_float enable_multiple_longest_path_calc "
                    "limit_multiple_longest_path_calc max_multiple_longest_path use_total_float_multiple_longest_paths "
                    "key_activity_for_multiple_longest_paths LevelPriorityList",
    "PROJWBS": "wbs_id proj_id obs_id seq_num est_wt proj_node_flag sum_data_flag status_code wbs_short_name "
               "wbs_name phase_id parent_wbs_id ev_user_pct ev_etc_user_value orig_cost indep_remain_total_cost "
               "ann_dscnt_rate_pct dscnt_period_type indep_remain_work_qty anticip_start_date anticip_end_date "
               "ev_compute_type ev_etc_compute_type guid tmpl_guid plan_open_state",
    "RSRC": "rsrc_id parent_rsrc_id clndr_id role_id shift_id user_id pobs_id guid rsrc_seq_num email_addr "
            "employee_code office_phone other_phone rsrc_name rsrc_short_name rsrc_title_name def_qty_per_hr "
            "cost_qty_type ot_factor active_flag auto_compute_act_flag def_cost_qty_link_flag ot_flag curr_id "
            "unit_id rsrc_type location_id rsrc_notes load_tasks_flag level_flag last_checksum",
    "RSRCRATE": "rsrc_rate_id rsrc_id max_qty_per_hr cost_per_qty start_date shift_period_id cost_per_qty2 "
                "cost_per_qty3 cost_per_qty4 cost_per_qty5",
    "TASK": "task_id proj_id wbs_id clndr_id phys_complete_pct rev_fdbk_flag est_wt lock_plan_flag "
            "auto_compute_act_flag complete_pct_type task_type duration_type status_code task_code task_name "
            "rsrc_id total_float_hr_cnt free_float_hr_cnt remain_drtn_hr_cnt act_work_qty remain_work_qty "
            "target_work_qty target_drtn_hr_cnt target_equip_qty act_equip_qty remain_equip_qty cstr_date "
            "act_start_date act_end_date late_start_date late_end_date expect_end_date early_start_date "
            "early_end_date restart_date reend_date target_start_date target_end_date rem_late_start_date "
            "rem_late_end_date cstr_type priority_type suspend_date resume_date float_path float_path_order guid "
            "tmpl_guid cstr_date2 cstr_type2 driving_path_flag act_this_per_work_qty act_this_per_equip_qty "
            "external_early_start_date external_late_end_date create_date update_date create_user update_user "
            "location_id",
    "TASKPRED": "task_pred_id task_id pred_task_id proj_id pred_proj_id pred_type lag_hr_cnt comments float_path "
                "aref arls",
    "TASKRSRC": "taskrsrc_id task_id proj_id cost_qty_link_flag role_id acct_id rsrc_id pobs_id skill_level "
                "remain_qty target_qty remain_qty_per_hr target_lag_drtn_hr_cnt target_qty_per_hr act_ot_qty "
                "act_reg_qty relag_drtn_hr_cnt ot_factor cost_per_qty target_cost act_reg_cost act_ot_cost "
                "remain_cost act_start_date act_end_date restart_date reend_date target_start_date target_end_date "
                "rem_late_start_date rem_late_end_date rollup_dates_flag target_crv remain_crv actual_crv "
                "ts_pend_act_end_flag guid rate_type act_this_per_cost act_this_per_qty curv_id rsrc_type "
                "cost_per_qty_source_type create_user create_date has_rsrchours taskrsrc_sum_id",
    "PROJCOST": "cost_item_id acct_id pobs_id cost_type_id proj_id task_id cost_name po_number vendor_name act_cost "
                "cost_per_qty remain_cost target_cost cost_load_type auto_compute_act_flag target_qty qty_name "
                "cost_descr contract_manager_import",
    "UDFTYPE": "udf_type_id table_name udf_type_name udf_type_label logical_data_type super_flag "
               "indicator_expression summary_indicator_expression export_flag",
    "UDFVALUE": "udf_type_id fk_id proj_id udf_date udf_number udf_text udf_code_id",
}


def stamp(value: dt.datetime | dt.date | None) -> str:
    """A date (and time) as XER writes it: ``2027-01-04 08:00``; blank for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return f"{value.isoformat()} 00:00"


# --------------------------------------------------------------------------- reading


def decode(data: bytes, path: Path | str = "XER file", encoding: str | None = None) -> str:
    """The text of an XER file: UTF-8 (with or without a byte-order mark), else the Windows code page it reads in.

    The code page is guessed from the words (:func:`pmsim.io.codepage.guess_codepage`): cp1252 unless the
    text reads as Cyrillic, Greek, Central European, Turkish or Baltic, which a warning then names.
    ``encoding`` (a Python codec name, e.g. ``"cp1250"``) decodes the file in that encoding instead.

    UTF-16 text (which P6 never writes, but an editor may save) is refused with a message that says so.
    """
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError:
            raise FileFormatError(f"{path}: encoding {encoding!r} is not a text encoding Python knows") from None
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{path}: byte {exc.start} cannot be read as {encoding}: {exc.reason}") from None
    head = data[:400]
    bom = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    if bom or (head and head.count(b"\x00") * 4 >= len(head)):
        found = "a UTF-16 byte-order mark" if bom else "zero bytes between the characters"
        raise FileFormatError(
            f"{path}: the file is UTF-16 text (found {found}); P6 writes XER in the Windows code page "
            "(or UTF-8): save it again as ANSI or UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codepage, also = guess_codepage(data)
    if codepage != CANDIDATES[0]:
        others = f"; it reads as well in {', '.join(also)}" if also else ""
        warnings.warn(PmsimWarning(
            f"{path}: text in {NAMES[codepage]}: not UTF-8, and its words read in that code page, not in "
            f"{NAMES[CANDIDATES[0]]}{others}; pass encoding= to read it in another"))
    return data.decode(codepage, errors="replace")


def unquote(value: str) -> str:
    """A value without the quotes XER puts around a value that starts with one (doubled inside)."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('""', '"')
    return value


def read_tables(text: str, path: Path) -> tuple[list[str], dict[str, list[dict]]]:
    """(header fields, table name -> rows as dicts) of an XER text."""
    # Lines end with CR LF (P6) or LF; a file whose lines end with CR alone (saved by an old Mac tool) too.
    lines = text.split("\n") if "\n" in text or "\r" not in text else text.split("\r")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip("\ufeff").startswith("ERMHDR"):
        raise FileFormatError(f"{path}: not a Primavera XER file: it must start with an ERMHDR line")
    top = lines[first].lstrip("\ufeff")
    if "\t" not in top and ("," in top or ";" in top):
        sep = "commas" if "," in top else "semicolons"
        raise FileFormatError(
            f"{path}, line {first + 1}: the fields are separated by {sep}, not tabs (found {top[:40]!r}); "
            "XER is tab-separated: was it saved from a spreadsheet? Export it from P6 again")
    header = lines[first].rstrip("\r").split("\t")
    tables: dict[str, list[dict]] = {}
    name = fields = None
    ended = False
    for number, line in enumerate(lines[first + 1:], first + 2):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        tag, _, rest = line.partition("\t")
        if tag[:2] in ("%T", "%F", "%R") and len(tag) > 2 and tag[2] in ",;":
            raise FileFormatError(
                f"{path}, line {number}: the fields are separated by {'commas' if tag[2] == ',' else 'semicolons'}, "
                f"not tabs (found {line[:40]!r}); XER is tab-separated")
        if tag == "%T":
            name = rest.strip().upper()
            fields = None
            tables.setdefault(name, [])
        elif tag == "%F":
            if name is None:
                raise FileFormatError(f"{path}, line {number}: a %F field list before any %T table")
            fields = [f.strip().lower() for f in rest.split("\t")]
        elif tag == "%R":
            if name is None or fields is None:
                raise FileFormatError(f"{path}, line {number}: a %R row before the %T and %F lines of its table")
            values = [unquote(v) for v in rest.split("\t")]
            if len(values) > len(fields):
                if any(v.strip() for v in values[len(fields):]):
                    raise FileFormatError(
                        f"{path}, line {number}: table {name} row has {len(values)} values for {len(fields)} fields"
                    )
                values = values[:len(fields)]
            values += [""] * (len(fields) - len(values))
            row = dict(zip(fields, values))
            row["_line"] = number
            tables[name].append(row)
        elif tag == "%E":
            ended = True
            break
        # Any other line (a memo's stray line break) carries nothing pmsim reads.
    if not ended:
        raise FileFormatError(f"{path}: the file ends without its %E line; is it complete?")
    return header, tables


class P6Notes(Notes):
    """:class:`~pmsim.io._exchange.Notes` that also say what a reader chose or changed
    (:meth:`inform`: one warning per subject, without "not modelled")."""

    def __init__(self, source: str):
        super().__init__(source)
        self.told: dict[str, list[str]] = {}
        self.told_detail: dict[str, str] = {}

    def inform(self, subject: str, culprit: str, detail: str = "") -> None:
        items = self.told.setdefault(subject, [])
        if culprit not in items:
            items.append(culprit)
        if detail:
            self.told_detail.setdefault(subject, detail)

    def emit(self, stacklevel: int = 4) -> None:
        for subject, culprits in self.told.items():
            shown = ", ".join(culprits[:10]) + (f" and {len(culprits) - 10} more" if len(culprits) > 10 else "")
            detail = self.told_detail.get(subject, "")
            warnings.warn(PmsimWarning(f"{self.source}: {subject}: {shown}" + (f"; {detail}" if detail else "")),
                          stacklevel=stacklevel)
        super().emit(stacklevel + 1)  # one frame deeper


class Tables:
    """The tables of an XER file (``header`` fields, table name -> rows) and typed access to their values.

    ``notes`` gathers what a reader of the file cannot carry over.
    """

    def __init__(self, path: Path, header: list[str], tables: dict[str, list[dict]]):
        self.path = path
        self.header = header
        self.tables = tables
        self.notes = P6Notes(str(path))

    def fail(self, where: str, message: str):
        raise FileFormatError(f"{self.path}: {where}: {message}")

    def where(self, table: str, row: dict) -> str:
        """Where a row is, for messages: its table and line (or what the row says of its origin, ``_where``)."""
        return row.get("_where") or f"{table} line {row.get('_line', '?')}"

    def number(self, row: dict, field: str, table: str, default=None):
        value = row.get(field, "").strip()
        if not value:
            return default
        try:
            v = float(value)
        except ValueError:
            self.fail(self.where(table, row), f"{field} must be a number, got {value!r}")
        if not math.isfinite(v):
            self.fail(self.where(table, row), f"{field} must be finite, got {value!r}")
        return v

    def date(self, row: dict, field: str, table: str) -> dt.datetime | None:
        value = row.get(field, "").strip()
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(self.where(table, row), f"{field} must be a date such as 2027-01-04 08:00, got {value!r}")

    def table(self, name: str) -> list[dict]:
        return self.tables.get(name, [])


# --------------------------------------------------------------------------- writing


class TableWriter:
    """The lines of an XER file: the header, tables of :data:`COLUMNS` and the end; :meth:`data` encodes them.

    ``cleaned`` names the fields whose tabs and line breaks became spaces.
    """

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []
        self.cleaned: list[str] = []

    def value(self, v, what: str) -> str:
        """``v`` as XER text (``what`` names the field, for :attr:`cleaned`)."""
        if v is None:
            return ""
        if isinstance(v, bool):
            return "Y" if v else "N"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            # Plain decimals where they are exact, else every digit of the float.
            text = decimal_text(v)
            return text if float(text) == v else repr(v)
        text = str(v)
        if any(c in text for c in "\t\r\n"):
            # Tabs and line breaks would split the record.
            self.cleaned.append(what)
            text = " ".join(text.replace("\t", " ").splitlines())
        if text.startswith('"'):
            text = '"' + text.replace('"', '""') + '"'
        return text

    def table(self, name: str, rows: list[dict]) -> None:
        columns = COLUMNS[name].split()
        self.lines.append(f"%T\t{name}")
        self.lines.append("%F\t" + "\t".join(columns))
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, unknown  # a programming error, not bad input
            self.lines.append("%R\t" + "\t".join(self.value(row.get(c), f"{name}.{c}") for c in columns))

    def header(self, values: list[str]) -> None:
        self.lines.append("\t".join(values))

    def end(self) -> None:
        self.lines.append("%E")

    def data(self) -> bytes:
        """The file's bytes: cp1252, as P6 writes, when the text fits; else UTF-8 with a byte-order mark."""
        text = "\r\n".join(self.lines) + "\r\n"
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return b"\xef\xbb\xbf" + text.encode("utf-8")

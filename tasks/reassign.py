"""Open work of dissolved agencies, and where it goes (issue 12, point 5: "ask a person when it cannot be decided").

An agency that ended (``valid_to`` in the past) keeps its open assignments until someone gives them to a successor.
``agencies.models.choose_successor`` decides when it can (one successor; the one whose duty words occur in the
task; the main one); the former district People's Committees, split between several communes with no main one,
leave every task to a person. This module lists those assignments for the admin page "Nhiệm vụ của đơn vị đã giải
thể chờ phân lại" and moves the chosen ones, all or nothing, through ``services.move_to_agency`` (the version-guarded
write that records who moved it and when).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, Succession, choose_successor
from tasks import services
from tasks.models import Assignment, WorkState

SHOWN_AT_MOST = 300  # rows of one page; an ended agency's own link shows only its rows


@dataclass
class PendingRow:
    """One open assignment of an ended agency: the successors it may go to, and the rule's choice (None: a person)."""

    assignment: Assignment
    choices: list[Agency]
    decided: Agency | None
    origin: Agency = field(init=False)  # the ended agency, still named once the row has moved

    def __post_init__(self) -> None:
        self.origin = self.assignment.agency

    @property
    def label(self) -> str:
        task = self.assignment.task
        return _("%(agency)s – nhiệm vụ %(number)s “%(title)s”") % {
            "agency": self.origin.name,
            "number": task.full_number or task.pk,
            "title": task.title[:80],
        }


@dataclass
class PendingAgency:
    """An ended agency with its pending rows, as the page groups them."""

    agency: Agency
    choices: list[Agency]
    rows: list[PendingRow] = field(default_factory=list)


def ended_agencies(user):
    """Agencies that ended before today, within the user's reach: a province administrator's province and the
    provinces merged into it; every province for a superuser. A subquery, no query of its own."""
    queryset = Agency.objects.filter(valid_to__lt=timezone.localdate())
    if user.is_superuser:
        return queryset
    if not user.is_authenticated or user.agency_id is None:
        return queryset.none()
    return queryset.filter(province_id__in=user.province_scope())


def open_assignments(user, agency_id: int | None = None):
    """Assignments not finished whose agency ended, within the user's reach (optionally of one agency)."""
    agencies = ended_agencies(user)
    if agency_id is not None:
        agencies = agencies.filter(pk=agency_id)
    return (
        Assignment.objects.filter(agency_id__in=agencies.values("pk"))
        .exclude(state=WorkState.DONE)
        .select_related("agency__successor", "agency__province", "task__section__parent", "task__document")
        .order_by("agency__name", "agency_id", "task__document_id", "task__order", "task_id", "pk")
    )


def successions_of(agency_ids) -> dict[int, list[Succession]]:
    """The Succession rows of these agencies, by predecessor (one query)."""
    found: dict[int, list[Succession]] = defaultdict(list)
    rows = Succession.objects.filter(predecessor_id__in=set(agency_ids)).select_related("successor__province")
    for row in rows.order_by("-is_main", "successor__name", "pk"):
        found[row.predecessor_id].append(row)
    return found


def _choices(agency: Agency, parts: list[Succession]) -> list[Agency]:
    if parts:
        return [part.successor for part in parts]
    return [agency.successor] if agency.successor_id else []


def _decided(agency: Agency, parts: list[Succession], assignment: Assignment) -> Agency | None:
    """The rule of ``choose_successor`` on the task's words (as the import applies it); without Succession rows
    the agency's own ``successor``."""
    if not parts:
        return agency.successor
    task = assignment.task
    return choose_successor(parts, f"{task.title} {task.description}")


def pending(assignments) -> list[PendingAgency]:
    """Group ``assignments`` by their ended agency, each row with its choices and the rule's choice (one query
    for the successions)."""
    assignments = list(assignments)
    parts = successions_of(a.agency_id for a in assignments)
    groups: dict[int, PendingAgency] = {}
    for assignment in assignments:
        agency = assignment.agency
        agency_parts = parts.get(agency.pk, [])
        group = groups.get(agency.pk)
        if group is None:
            group = groups[agency.pk] = PendingAgency(agency, _choices(agency, agency_parts))
        group.rows.append(PendingRow(assignment, group.choices, _decided(agency, agency_parts, assignment)))
    return list(groups.values())


def undecided(groups: list[PendingAgency], limit: int = SHOWN_AT_MOST) -> list[PendingAgency]:
    """The rows a person must decide (the rule gives None), at most ``limit`` of them, still grouped."""
    kept: list[PendingAgency] = []
    room = limit
    for group in groups:
        rows = [row for row in group.rows if row.decided is None][:room]
        if rows:
            kept.append(PendingAgency(group.agency, group.choices, rows))
            room -= len(rows)
        if room <= 0:
            break
    return kept


def cut(groups: list[PendingAgency], limit: int = SHOWN_AT_MOST) -> list[PendingAgency]:
    """Every row, at most ``limit`` of them, still grouped."""
    kept: list[PendingAgency] = []
    room = limit
    for group in groups:
        if room <= 0:
            break
        kept.append(PendingAgency(group.agency, group.choices, group.rows[:room]))
        room -= len(kept[-1].rows)
    return kept


def by_rule(groups: list[PendingAgency]) -> list[tuple[Agency, Agency, int]]:
    """What "Áp dụng quy tắc" would do: (ended agency, successor, number of rows), in the page's order."""
    counts: dict[tuple[int, int], list] = {}
    for group in groups:
        for row in group.rows:
            if row.decided is not None:
                counts.setdefault((group.agency.pk, row.decided.pk), [group.agency, row.decided, 0])[2] += 1
    return [(agency, successor, count) for agency, successor, count in counts.values()]


def rule_moves(groups: list[PendingAgency], limit: int = SHOWN_AT_MOST) -> list[Move]:
    """The rows the rule decides, as moves at the version just read (at most ``limit``: one request's work)."""
    found = [Move(row.assignment.pk, row.assignment.version, None) for g in groups for row in g.rows if row.decided]
    return found[:limit]


@dataclass(frozen=True)
class Move:
    """What the page posted for one row: the assignment, the version it showed, the agency chosen."""

    assignment_id: int
    version: int
    agency_id: int | None  # None: "apply the rule"


class MoveRefused(Exception):  # noqa: N818 - reads as what happened
    """One or more rows could not be moved; nothing was written. ``errors`` are Vietnamese, one per row."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def apply_moves(user, moves: list[Move]) -> list[PendingRow]:
    """Move every posted row to its agency in one transaction, or none: a choice that is not a successor of the
    row's agency, a row the rule cannot decide, a stale version or a successor that already holds the task refuses
    the whole batch (``MoveRefused`` names each row). A row outside the user's reach raises ``LookupError``.

    Queries: the rows (locked), their successions, the clashes, then one UPDATE and one history INSERT per row.
    """
    wanted = {move.assignment_id: move for move in moves}
    with transaction.atomic():
        rows = [
            row
            for group in pending(open_assignments(user).filter(pk__in=wanted).select_for_update(of=("self",)))
            for row in group.rows
        ]
        if len(rows) != len(wanted):
            raise LookupError("an assignment outside the user's reach, finished or of an agency still in office")
        targets, errors = _targets(rows, wanted)
        errors += _clashes(rows, targets)
        if errors:
            raise MoveRefused(errors)
        for row in rows:
            move = wanted[row.assignment.pk]
            try:
                row.assignment = services.move_to_agency(row.assignment, user, move.version, targets[row.assignment.pk])
            except services.StaleAssignment:
                errors.append(
                    _("%(row)s: phân công đã được cập nhật sau khi trang này được mở; hãy tải lại trang.")
                    % {"row": row.label}
                )
        if errors:
            transaction.set_rollback(True)
            raise MoveRefused(errors)
    return rows


def _targets(rows: list[PendingRow], wanted: dict[int, Move]) -> tuple[dict[int, Agency], list[str]]:
    targets: dict[int, Agency] = {}
    errors: list[str] = []
    for row in rows:
        move = wanted[row.assignment.pk]
        if move.agency_id is None:
            if row.decided is None:
                errors.append(
                    _("%(row)s: quy tắc không xác định được đơn vị kế thừa; hãy chọn đơn vị.") % {"row": row.label}
                )
            else:
                targets[row.assignment.pk] = row.decided
            continue
        chosen = next((agency for agency in row.choices if agency.pk == move.agency_id), None)
        if chosen is None:
            errors.append(
                _("%(row)s: đơn vị đã chọn không phải là đơn vị kế thừa của %(agency)s.")
                % {"row": row.label, "agency": row.origin.name}
            )
        else:
            targets[row.assignment.pk] = chosen
    return targets, errors


def _clashes(rows: list[PendingRow], targets: dict[int, Agency]) -> list[str]:
    """Rows whose successor already holds the same task (an assignment is unique per task and agency)."""
    pairs = {(row.assignment.task_id, targets[row.assignment.pk].pk) for row in rows if row.assignment.pk in targets}
    taken = set(
        Assignment.objects.filter(task_id__in={t for t, _a in pairs}, agency_id__in={a for _t, a in pairs}).values_list(
            "task_id", "agency_id"
        )
    )
    seen: set[tuple[int, int]] = set()
    errors = []
    for row in rows:
        if row.assignment.pk not in targets:
            continue
        pair = (row.assignment.task_id, targets[row.assignment.pk].pk)
        if pair in taken or pair in seen:
            errors.append(
                _(
                    "%(row)s: %(successor)s đã có phần việc trong nhiệm vụ này; hãy chọn đơn vị khác hoặc xử lý trong trang nhiệm vụ."
                )
                % {"row": row.label, "successor": targets[row.assignment.pk].name}
            )
        seen.add(pair)
    return errors

"""Match the rows of a re-imported appendix to the tasks a document already has: by what they are, not by number.

A plan amended in the middle of a year arrives with a task inserted as I.1 and every number below it shifted, a
title corrected here and there, a task dropped. Binding rows by number alone hands one agency's reports to another
task. Rows are bound in passes, each only among what earlier passes left unbound:

1. same section, number and title (folded: case, accents and spaces ignored);
2. the same title anywhere in the document, when only one task has it (the number or section moved);
3. a title that is a small edit of one task's title (most words the same, in the same order), best pairs first;
4. the same section and number with a different title: bound when the task has no reports yet (the title was
   rewritten), otherwise never silently: the row is offered to a person, who chooses "same task" or "new task".

Pure Python over the rows and the tasks already loaded: no query.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.text import fold

# Share of words two titles must have in common, in order (difflib's ratio over words), to be a "small edit".
SMALL_EDIT = 0.75
# Above this many row × task pairs the title pass compares only within a section (a 5,000-row rewrite).
MAX_PAIRS = 250_000

SAME, NEW = "same", "new"


@dataclass(frozen=True)
class RowKey:
    """What identifies one row of the file: its source row, section path, number and title."""

    row: int
    section_path: str
    number: str
    title: str


@dataclass(frozen=True)
class TaskKey:
    """What identifies a task already written: its id, section path, number and title, and whether it has reports."""

    id: int
    section_path: str
    number: str
    title: str
    reported: bool = False


@dataclass
class Binding:
    """Where a row goes: an existing task (``task_id``) or a new one.

    ``ask_about`` is a task with reports at the row's place whose title the row would change beyond a small edit: a
    person decides (``chosen``); it is bound only when they chose SAME, and until then the row is a new task.
    """

    task_id: int | None = None
    ask_about: int | None = None
    similarity: float = 0.0
    chosen: str = ""  # SAME or NEW once a person chose for ask_about


def words(title: str) -> list[str]:
    return fold(title).split()


def similarity(a: str, b: str) -> float:
    """Return how alike two titles are, 0..1: difflib's ratio over their folded words (not characters: quick on long
    titles, and a changed word counts once)."""
    left, right = words(a), words(b)
    if left == right:
        return 1.0
    if not left or not right:
        return 0.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def is_small_edit(a: str, b: str) -> bool:
    return similarity(a, b) >= SMALL_EDIT


def bind_rows(
    rows: list[RowKey], tasks: Iterable[TaskKey], choices: dict[int, str] | None = None
) -> dict[int, Binding]:
    """Return a Binding for every row (by its ``row``); the tasks no row takes are the document's missing tasks.

    ``choices`` maps a row to SAME or NEW for the rows a person was asked about.
    """
    binder = _Binder(rows, tasks)
    if binder.free:
        left = binder.exact(list(rows))
        left = binder.same_title(left)
        left = binder.small_edits(left)
        binder.same_place(left, choices or {})
    return binder.out


class _Binder:
    """The passes of bind_rows over the tasks still free; each returns the rows it left unbound."""

    def __init__(self, rows: list[RowKey], tasks: Iterable[TaskKey]) -> None:
        self.free: dict[int, TaskKey] = {task.id: task for task in tasks}
        self.out: dict[int, Binding] = {row.row: Binding() for row in rows}

    def take(self, row: RowKey, task_id: int, score: float = 1.0) -> None:
        self.out[row.row] = Binding(task_id=task_id, similarity=score)
        del self.free[task_id]

    def exact(self, left: list[RowKey]) -> list[RowKey]:
        """1. section, number and title."""
        index = {(t.section_path, t.number, fold(t.title)): t.id for t in self.free.values()}
        rest = []
        for row in left:
            task_id = index.get((row.section_path, row.number, fold(row.title)))
            if task_id is not None and task_id in self.free:
                self.take(row, task_id)
            else:
                rest.append(row)
        return rest

    def same_title(self, left: list[RowKey]) -> list[RowKey]:
        """2. the same title, once in the document and once in the file."""
        by_title: dict[str, list[int]] = defaultdict(list)
        for task in self.free.values():
            by_title[fold(task.title)].append(task.id)
        row_titles: dict[str, int] = defaultdict(int)
        for row in left:
            row_titles[fold(row.title)] += 1
        rest = []
        for row in left:
            ids = by_title.get(fold(row.title), [])
            if len(ids) == 1 and row_titles[fold(row.title)] == 1 and ids[0] in self.free:
                self.take(row, ids[0])
            else:
                rest.append(row)
        return rest

    def small_edits(self, left: list[RowKey]) -> list[RowKey]:
        """3. small edits of a title, best pairs first (a tie goes to the same section and number)."""
        if not left or not self.free:
            return left
        same_section_only = len(left) * len(self.free) > MAX_PAIRS
        pairs = []
        for row in left:
            for task in self.free.values():
                if same_section_only and task.section_path != row.section_path:
                    continue
                score = similarity(row.title, task.title)
                if score >= SMALL_EDIT:
                    place = (task.section_path, task.number) == (row.section_path, row.number)
                    pairs.append((score, place, -row.row, row, task.id))
        pairs.sort(key=lambda pair: pair[:3], reverse=True)
        bound: set[int] = set()
        for score, _place, _order, row, task_id in pairs:
            if row.row not in bound and task_id in self.free:
                self.take(row, task_id, score)
                bound.add(row.row)
        return [row for row in left if row.row not in bound]

    def same_place(self, left: list[RowKey], choices: dict[int, str]) -> None:
        """4. same section and number, another title: bound unless the task has reports and no person said SAME."""
        at_place = {(t.section_path, t.number): t for t in self.free.values() if t.number}
        for row in left:
            task = at_place.get((row.section_path, row.number)) if row.number else None
            if task is None or task.id not in self.free:
                continue
            score = similarity(row.title, task.title)
            if not task.reported:
                self.take(row, task.id, score)
                continue
            choice = choices.get(row.row, "")
            if choice == SAME:
                self.take(row, task.id, score)
            else:  # undecided or NEW: the reported task stays as it is, listed as missing
                self.out[row.row] = Binding(similarity=score)
            self.out[row.row].ask_about, self.out[row.row].chosen = task.id, choice if choice in (SAME, NEW) else ""

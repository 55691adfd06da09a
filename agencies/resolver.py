"""Resolve agency names as documents write them to agencies or groups of one province.

An unknown name is reported as unknown: never dropped, never silently created. The central level (ministries…)
resolves from every province; collective names are also recognised by meaning (``agencies.collectives``). Given
the document's day, a name resolves to the unit valid on that day; a unit that had ended by then is replaced by
its successor, with a note that says so (``Resolved.replaced``), or left for a person when its duties were split
and the task does not say which part it belongs to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from agencies.collectives import PROVINCE_ITSELF, meaning
from agencies.models import Agency, AgencyGroup, AgencyKind, Alias, GroupKind, Province, Succession, choose_successor
from agencies.names import key_variants, parse_agency_cell
from core.text import fold

# The district level was abolished with the two-level local government (Luật 72/2025/QH15, from 1/7/2025): its
# duties went to the communes and the province.
DISTRICT_LEVEL_ENDED = datetime.date(2025, 7, 1)


@dataclass(frozen=True)
class Resolved:
    """One name of a cell and what it means: an agency, a group, or nothing (unknown)."""

    text: str
    agency: Agency | None = None
    group: AgencyGroup | None = None
    qualifier: str = ""
    # The unit the text names when it had ended on the document's day (``agency`` then holds its successor, or
    # None when a person must choose among the parts of a split), and a note in Vietnamese saying so.
    replaced: Agency | None = None
    note: str = ""
    # The successors a person chooses among when the unit's duties were split (a district and its communes).
    choices: tuple[Agency, ...] = ()

    @property
    def known(self) -> bool:
        return self.agency is not None or self.group is not None

    @property
    def canonical_name(self) -> str:
        """The portal's name for what was resolved, or the text as written when unknown."""
        target = self.agency or self.group
        return target.name if target else self.text


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass
class Resolver:
    """Match names against one province's agencies, groups and aliases and the central level's (4 queries).

    Build one per import and call ``resolve_cell`` for every cell: lookups after loading are dictionary hits.
    ``day`` is the document's day: names resolve to the unit valid then (None: whatever the unit's validity).
    """

    province: Province
    day: datetime.date | None = None
    _index: dict[str, list[Agency | AgencyGroup]] = field(default_factory=dict, init=False)
    _by_kind: dict[str, AgencyGroup] = field(default_factory=dict, init=False)
    _committees: list[Agency] = field(default_factory=list, init=False)
    _successions: dict[int, list[Succession]] = field(default_factory=dict, init=False)
    _cells: dict[tuple[str, str], tuple[Resolved, ...]] = field(default_factory=dict, init=False)
    _province_names: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.reload()

    @classmethod
    def for_document(cls, document) -> Resolver:
        """The resolver of a document: its province on its date (1 January of its year when it has none)."""
        return cls(document.province, day=document.issued_on or datetime.date(document.year, 1, 1))

    def reload(self) -> None:
        scope = Q(province=self.province) | Q(province__is_central=True)
        # The district committees of the provinces merged into this one (abolished with them on 1/7/2025): a
        # document moved here from its former province still names them, and they lead to their successors.
        former = Q(province__successor=self.province, kind=AgencyKind.DISTRICT_COMMITTEE)
        agencies = {a.pk: a for a in Agency.objects.filter(scope | former).select_related("successor")}
        groups = {g.pk: g for g in AgencyGroup.objects.filter(scope)}
        index: dict[str, list[Agency | AgencyGroup]] = {}

        def add(key: str, target: Agency | AgencyGroup) -> None:
            targets = index.setdefault(key, [])
            if target not in targets:
                targets.append(target)

        # The province's own names first, the central level's after; official names, then short names, then aliases.
        own_first = sorted(agencies.values(), key=lambda a: a.province_id != self.province.pk)
        for agency in own_first:
            for text in (agency.name, agency.short_name):
                if text:
                    add(key_variants(text)[0], agency)
        for group in sorted(groups.values(), key=lambda g: g.province_id != self.province.pk):
            add(key_variants(group.name)[0], group)
        aliases = Alias.objects.filter(scope).only("key", "agency_id", "group_id", "province_id")
        for alias in sorted(aliases, key=lambda a: a.province_id != self.province.pk):
            target = agencies.get(alias.agency_id) if alias.agency_id else groups.get(alias.group_id)
            if target is not None:
                add(alias.key, target)
        self._index = index
        self._by_kind = {}
        for group in sorted(groups.values(), key=lambda g: (g.province_id != self.province.pk, g.pk)):
            if group.kind != GroupKind.CUSTOM:
                self._by_kind.setdefault(group.kind, group)
        self._committees = [
            a
            for a in agencies.values()
            if a.province_id == self.province.pk and a.kind == AgencyKind.PROVINCIAL_COMMITTEE
        ]
        ended = [a.pk for a in agencies.values() if a.valid_to is not None]
        self._successions = {}
        for row in (
            Succession.objects.filter(predecessor_id__in=ended).select_related("successor").order_by("-is_main", "pk")
        ):
            self._successions.setdefault(row.predecessor_id, []).append(row)
        self._cells = {}
        self._province_names = (self.province.name, fold(self.province.name))

    def _valid(self, target: Agency | AgencyGroup) -> bool:
        return self.day is None or not isinstance(target, Agency) or target.is_valid_on(self.day)

    def _pick(self, targets: list[Agency | AgencyGroup]) -> Agency | AgencyGroup:
        return next((t for t in targets if self._valid(t)), targets[0])

    def _by_meaning(self, key: str) -> Agency | AgencyGroup | None:
        kind = meaning(key)
        if kind is None:
            return None
        if kind == PROVINCE_ITSELF:
            valid = [a for a in self._committees if self._valid(a)] or self._committees
            return valid[0] if valid else None
        if kind == GroupKind.LOCALITIES:  # since July 2025 a province's localities are its communes
            return self._by_kind.get(kind) or self._by_kind.get(GroupKind.COMMUNE_COMMITTEES)
        if kind == GroupKind.RELATED:
            return self._by_kind.get(kind) or self._by_kind.get(GroupKind.ALL)
        return self._by_kind.get(kind)

    def resolve_name(self, text: str, qualifier: str = "", context: str = "") -> Resolved:
        """Resolve one name; ``context`` (the task's title) chooses among the successors of a split unit."""
        variants = key_variants(text, self._province_names)
        target = None
        for key in variants:
            if key in self._index:
                target = self._pick(self._index[key])
                break
        if target is None:
            for key in variants:
                target = self._by_meaning(key)
                if target is not None:
                    break
        if isinstance(target, AgencyGroup):
            if (
                target.kind == GroupKind.DISTRICT_COMMITTEES
                and self.day is not None
                and self.day >= DISTRICT_LEVEL_ENDED
            ):
                return self._district_level_ended(text, qualifier)
            return Resolved(text, group=target, qualifier=qualifier)
        if isinstance(target, Agency):
            if self._valid(target):
                return Resolved(text, agency=target, qualifier=qualifier)
            return self._successor_of(text, target, qualifier, context)
        return Resolved(text, qualifier=qualifier)

    def _district_level_ended(self, text: str, qualifier: str) -> Resolved:
        """ "UBND cấp huyện" in a document dated after 30/6/2025: the communes took its work; said, never silent."""
        communes = self._by_kind.get(GroupKind.COMMUNE_COMMITTEES)
        if communes is None:
            note = _("'%(name)s': cấp huyện đã kết thúc hoạt động từ ngày 01/07/2025; hãy chọn cơ quan tương ứng.")
            return Resolved(text, qualifier=qualifier, note=note % {"name": text})
        note = _(
            "'%(name)s': cấp huyện đã kết thúc hoạt động từ ngày 01/07/2025 (chính quyền địa phương hai cấp); "
            "nhiệm vụ được giao cho %(successor)s, đề nghị kiểm tra lại."
        )
        return Resolved(
            text, group=communes, qualifier=qualifier, note=note % {"name": text, "successor": communes.name}
        )

    def _successor_of(self, text: str, ended: Agency, qualifier: str, context: str) -> Resolved:
        """A unit that no longer existed on the day: its successor on that day, or a person's decision."""
        agency, seen = ended, {ended.pk}
        while agency is not None and not agency.is_valid_on(self.day):
            parts = self._successions.get(agency.pk, [])
            following = choose_successor(parts, context) if parts else agency.successor
            if following is None or following.pk in seen:
                if agency.valid_from and self.day < agency.valid_from:
                    note = _(
                        "'%(name)s' chỉ có từ ngày %(start)s, sau ngày của văn bản (%(day)s); hãy chọn cơ quan tương ứng."
                    )
                    return Resolved(
                        text,
                        qualifier=qualifier,
                        replaced=ended,
                        note=note % {"name": ended.name, "start": _date(agency.valid_from), "day": _date(self.day)},
                    )
                if parts and len(parts) > 1:
                    note = _(
                        "'%(name)s' đã kết thúc hoạt động ngày %(end)s và nhiệm vụ được chia cho: %(parts)s; "
                        "hãy chọn cơ quan tiếp nhận nhiệm vụ này."
                    )
                    names = ", ".join(p.successor.name for p in parts)
                    return Resolved(
                        text,
                        qualifier=qualifier,
                        replaced=ended,
                        note=note % {"name": agency.name, "end": _date(agency.valid_to), "parts": names},
                        choices=tuple(p.successor for p in parts),
                    )
                note = _(
                    "'%(name)s' đã kết thúc hoạt động ngày %(end)s và không có cơ quan kế thừa; hãy chọn cơ quan tương ứng."
                )
                return Resolved(
                    text,
                    qualifier=qualifier,
                    replaced=ended,
                    note=note % {"name": agency.name, "end": _date(agency.valid_to)},
                )
            seen.add(following.pk)
            agency = following
        note = _(
            "'%(name)s' đã kết thúc hoạt động ngày %(end)s; nhiệm vụ được giao cho cơ quan kế thừa: %(successor)s."
        )
        return Resolved(
            text,
            agency=agency,
            qualifier=qualifier,
            replaced=ended,
            note=note % {"name": ended.name, "end": _date(ended.valid_to), "successor": agency.name},
        )

    def resolve_cell(self, cell: str, context: str = "") -> list[Resolved]:
        """Split a cell into names and resolve each; order kept, unknown names kept as unknown.

        Memoised per cell text: an appendix repeats "Các sở, ban, ngành; UBND cấp huyện" on most rows. ``context``
        (the task's title) only counts when a name's unit was split, so it only joins the memo key then.
        """
        cached = self._cells.get((cell, ""))
        if cached is None:
            cached = tuple(self.resolve_name(part.text, part.qualifier) for part in parse_agency_cell(cell))
            self._cells[(cell, "")] = cached
        if context and any(r.replaced is not None for r in cached):
            cached = tuple(
                self.resolve_name(r.text, r.qualifier, context) if r.replaced is not None else r for r in cached
            )
        return list(cached)

    def remember(self, text: str, target: Agency | AgencyGroup) -> Alias:
        """Keep ``text`` as an alias of ``target`` so the next import resolves it (an admin's mapping)."""
        alias, _created = Alias.objects.update_or_create(
            province=self.province,
            key=key_variants(text)[0],
            defaults={
                "text": text,
                "agency": target if isinstance(target, Agency) else None,
                "group": target if isinstance(target, AgencyGroup) else None,
            },
        )
        self._index[alias.key] = [target]
        self._cells.clear()
        return alias

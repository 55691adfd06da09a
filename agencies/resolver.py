"""Resolve agency names as documents write them to agencies or groups of one province.

An unknown name is reported as unknown: never dropped, never silently created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agencies.models import Agency, AgencyGroup, Alias, Province
from agencies.names import key_variants, parse_agency_cell
from core.text import fold


@dataclass(frozen=True)
class Resolved:
    """One name of a cell and what it means: an agency, a group, or nothing (unknown)."""

    text: str
    agency: Agency | None = None
    group: AgencyGroup | None = None
    qualifier: str = ""

    @property
    def known(self) -> bool:
        return self.agency is not None or self.group is not None

    @property
    def canonical_name(self) -> str:
        """The portal's name for what was resolved, or the text as written when unknown."""
        target = self.agency or self.group
        return target.name if target else self.text


@dataclass
class Resolver:
    """Match names against one province's agencies, groups and aliases, loaded once (3 queries).

    Build one per import and call ``resolve_cell`` for every cell: lookups after loading are dictionary hits.
    """

    province: Province
    _index: dict[str, Agency | AgencyGroup] = field(default_factory=dict, init=False)
    _cells: dict[str, tuple[Resolved, ...]] = field(default_factory=dict, init=False)
    _province_names: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        agencies = {a.pk: a for a in Agency.objects.filter(province=self.province)}
        groups = {g.pk: g for g in AgencyGroup.objects.filter(province=self.province)}
        index: dict[str, Agency | AgencyGroup] = {}
        # Official names first, then short names; aliases override nothing they conflict with.
        for agency in agencies.values():
            for text in (agency.name, agency.short_name):
                if text:
                    index.setdefault(key_variants(text)[0], agency)
        for group in groups.values():
            index.setdefault(key_variants(group.name)[0], group)
        for alias in Alias.objects.filter(province=self.province).only("key", "agency_id", "group_id"):
            target = agencies.get(alias.agency_id) if alias.agency_id else groups.get(alias.group_id)
            if target is not None:
                index.setdefault(alias.key, target)
        self._index = index
        self._cells = {}
        self._province_names = (self.province.name, fold(self.province.name))

    def resolve_name(self, text: str, qualifier: str = "") -> Resolved:
        for key in key_variants(text, self._province_names):
            target = self._index.get(key)
            if isinstance(target, Agency):
                return Resolved(text, agency=target, qualifier=qualifier)
            if isinstance(target, AgencyGroup):
                return Resolved(text, group=target, qualifier=qualifier)
        return Resolved(text, qualifier=qualifier)

    def resolve_cell(self, cell: str) -> list[Resolved]:
        """Split a cell into names and resolve each; order kept, unknown names kept as unknown.

        Memoised per cell text: an appendix repeats "Các sở, ban, ngành; UBND cấp huyện" on most rows.
        """
        cached = self._cells.get(cell)
        if cached is None:
            cached = tuple(self.resolve_name(part.text, part.qualifier) for part in parse_agency_cell(cell))
            self._cells[cell] = cached
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
        self._index[alias.key] = target
        self._cells.clear()
        return alias

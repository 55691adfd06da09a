"""Who answers for an agency on a given day, and whom to write to there: loaded once per sweep.

Two queries (all agencies, all active users with a role that receives reminders) replace one query per
assignment: the sweep then maps any agency to its current successor and to its people in memory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from agencies.models import Agency, Province, Role, User
from core.text import fold

#: The standing agency for CCHC in every province: it follows every document of its province.
STANDING_AGENCY_NAME = "so noi vu"


@dataclass(frozen=True)
class Person:
    pk: int
    agency_id: int
    role: str
    email: str


@dataclass
class Directory:
    day: datetime.date
    agencies: dict[int, Agency]
    people: dict[tuple[int, str], list[Person]] = field(default_factory=dict)
    _current: dict[int, Agency] = field(default_factory=dict)

    @classmethod
    def load(cls, day: datetime.date) -> Directory:
        """Load every agency (successors linked in memory) and every active person with a role; two queries."""
        agencies = {
            a.pk: a
            for a in Agency.objects.order_by().only(
                "pk", "name", "short_name", "province_id", "valid_from", "valid_to", "successor_id"
            )
        }
        for agency in agencies.values():
            if agency.successor_id in agencies:  # Agency.current() then follows the chain without queries
                agency.successor = agencies[agency.successor_id]
        people: dict[tuple[int, str], list[Person]] = defaultdict(list)
        rows = (
            User.objects.filter(is_active=True, agency__isnull=False, role__in=[Role.STAFF, Role.LEADER, Role.REVIEWER])
            .order_by("pk")
            .values_list("pk", "agency_id", "role", "email")
        )
        for pk, agency_id, role, email in rows:
            people[(agency_id, role)].append(Person(pk, agency_id, role, email))
        return cls(day=day, agencies=agencies, people=dict(people))

    def current(self, agency_id: int) -> Agency:
        """The agency that holds ``agency_id``'s duties on the sweep's day (``Agency.current``)."""
        agency = self._current.get(agency_id)
        if agency is None:
            agency = self._current[agency_id] = self.agencies[agency_id].current(self.day)
        return agency

    def contacts(self, agency_id: int, role: str = Role.STAFF) -> tuple[Agency, list[Person]]:
        """Return the current agency for ``agency_id`` and its people with ``role`` (staff: the contact persons)."""
        agency = self.current(agency_id)
        return agency, self.people.get((agency.pk, role), [])

    def reviewers(self) -> dict[int, list[Person]]:
        """Reviewers by their (current) agency."""
        found: dict[int, list[Person]] = defaultdict(list)
        for (agency_id, role), persons in self.people.items():
            if role == Role.REVIEWER:
                found[self.current(agency_id).pk].extend(persons)
        return found


def is_standing_agency(agency: Agency) -> bool:
    """Say whether ``agency`` is its province's Sở Nội vụ, which follows every document of the province."""
    return fold(agency.name) == STANDING_AGENCY_NAME


def province_lineage(province_id: int) -> set[int]:
    """Return the province and every province merged into it; one query per generation (provinces are few)."""
    ids, frontier = {province_id}, {province_id}
    while frontier:
        frontier = set(Province.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids

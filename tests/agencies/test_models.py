"""Agencies: validity, successors after mergers, aliases, scoping, users."""

import datetime

import pytest
from django.db import IntegrityError

from agencies.models import Agency, Alias, Role, User
from agencies.names import name_key
from tasks.models import Assignment, AssignmentRole
from tests.conftest import make_agency

D = datetime.date


def test_a_merged_agency_hands_its_duties_to_its_successor(province, justice_task):
    science = make_agency(province, "Sở Khoa học và Công nghệ")
    ict = make_agency(province, "Sở Thông tin và Truyền thông", valid_to=D(2025, 2, 28), successor=science)
    Assignment.objects.create(task=justice_task, agency=ict, role=AssignmentRole.COOPERATING)
    assert ict.current(D(2024, 6, 1)) == ict
    assert ict.current(D(2025, 3, 1)) == science
    assert ict.pk in science.lineage_ids()
    staff = User.objects.create_user("khcn", agency=science, role=Role.STAFF)
    assert Assignment.objects.for_user(staff).filter(agency=ict).count() == 1  # history stays with it
    assert list(Agency.objects.valid_on(D(2025, 3, 1)).filter(pk__in=[ict.pk, science.pk])) == [science]


def test_validity_dates_must_be_in_order(province):
    with pytest.raises(IntegrityError):
        make_agency(province, "Sở X", valid_from=D(2025, 1, 1), valid_to=D(2024, 1, 1))


def test_alias_names_exactly_one_thing(province, home_affairs, departments):
    with pytest.raises(IntegrityError):
        Alias.objects.create(province=province, text="SNV nhầm", agency=home_affairs, group=departments)


def test_alias_key_is_folded(province, home_affairs):
    alias = Alias.objects.create(province=province, text="VP UBND tỉnh", agency=home_affairs)
    assert alias.key == name_key("Văn phòng Ủy ban nhân dân tỉnh")


def test_search_is_accent_insensitive(home_affairs, justice):
    mine = Agency.objects.filter(province=home_affairs.province)
    assert list(mine.search("so noi vu")) == [home_affairs]
    assert list(mine.search("SỞ NỘI VỤ")) == [home_affairs]
    assert list(mine.search("tu phap")) == [justice]


def test_users_need_an_agency_unless_administrators(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user("nobody", role=Role.STAFF)


def test_agencies_are_scoped_to_the_users_province(home_affairs, reviewer, outsider):
    assert home_affairs in Agency.objects.for_user(reviewer)
    assert home_affairs not in Agency.objects.for_user(outsider)

"""An admin history page says in words what a relation became, never "Deleted … (pk=None)"."""

import pytest
from django.test import Client

from agencies.models import Role, User
from tests.conftest import make_agency


@pytest.mark.django_db
def test_an_emptied_relation_reads_as_empty_not_as_a_deleted_id(province, home_affairs):
    branch = make_agency(province, "Chi cục Văn thư - Lưu trữ", parent=home_affairs)
    branch.parent = None
    branch.save()
    admin = User.objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-du-dai-12", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/agencies/agency/{branch.pk}/history/").content.decode()

    assert "pk=" not in page
    assert "Deleted" not in page
    assert "(để trống)" in page
    assert home_affairs.name in page

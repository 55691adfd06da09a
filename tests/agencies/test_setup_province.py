"""python manage.py setup_province: a real province starts with its directory and its first administrator."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, AgencyKind, Province, User
from agencies.roles import is_province_admin

pytestmark = pytest.mark.django_db


def test_a_province_starts_with_its_directory_and_first_administrator(client, capsys):
    assert not Province.objects.filter(code="hue").exists()  # not one of the demo's provinces
    call_command("setup_province", "hue", "--admin-email", "cntt@hue.gov.vn", "--full-name", "Nguyễn Văn A")
    out = capsys.readouterr().out
    user = User.objects.get(username="cntt")
    assert user.email == "cntt@hue.gov.vn" and user.agency.name == "Sở Nội vụ" and user.agency.province.code == "hue"
    assert is_province_admin(user) and not user.is_superuser and not user.has_usable_password()
    assert Agency.objects.filter(province__code="hue", kind=AgencyKind.COMMUNE_COMMITTEE).count() == 40
    # The printed link lets the administrator choose a password.
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", out).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()


def test_running_it_again_creates_nothing_new(capsys):
    call_command("setup_province", "46", "--admin-email", "cntt@hue.gov.vn")
    agencies = Agency.objects.count()
    call_command("setup_province", "hue", "--admin-email", "cntt@hue.gov.vn")
    assert Agency.objects.count() == agencies and User.objects.filter(username="cntt").count() == 1


def test_bad_input_gets_a_clear_message(demo):
    with pytest.raises(CommandError, match="Không có tỉnh 'dak lak'; có phải: dak-lak"):
        call_command("setup_province", "dak lak", "--admin-email", "a@b.vn")
    with pytest.raises(CommandError, match="không phải là tỉnh, thành phố hiện hành. Tỉnh kế thừa: dak-lak"):
        call_command("setup_province", "phu-yen", "--admin-email", "a@b.vn")
    with pytest.raises(CommandError, match="Thư điện tử không hợp lệ"):
        call_command("setup_province", "dak-lak", "--admin-email", "không-phải-thư")
    with pytest.raises(CommandError, match="đã được dùng ở nơi khác"):
        call_command("setup_province", "gia-lai", "--admin-email", "sonoivu@example.invalid")

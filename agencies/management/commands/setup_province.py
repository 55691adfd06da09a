"""python manage.py setup_province dak-lak --admin-email …: start a real province with its first administrator."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.directory import current_province_code, load_directory
from agencies.models import Agency, Province, ProvinceNotFound, Role, User
from agencies.resolver import Resolver
from agencies.roles import make_province_admin


class Command(BaseCommand):
    help = (
        "Khởi tạo một tỉnh: nạp danh mục của tỉnh (nếu chưa có) và tạo tài khoản quản trị cấp tỉnh đầu tiên, thuộc Sở Nội "
        "vụ (hoặc cơ quan chỉ định). In ra đường dẫn để người quản trị tự đặt mật khẩu."
    )

    def add_arguments(self, parser):
        parser.add_argument("province", help="Mã tỉnh, ví dụ dak-lak (hoặc mã số thống kê, ví dụ 66).")
        parser.add_argument("--admin-email", required=True, help="Thư điện tử của người quản trị cấp tỉnh.")
        parser.add_argument("--username", help="Tên đăng nhập; mặc định là phần trước @ của thư điện tử.")
        parser.add_argument("--agency", default="Sở Nội vụ", help="Cơ quan của người quản trị (mặc định: Sở Nội vụ).")
        parser.add_argument("--full-name", default="", help="Họ và tên người quản trị.")

    def handle(
        self, *args, province: str, admin_email: str, username: str | None, agency: str, full_name: str, **options
    ):
        try:
            validate_email(admin_email)
        except Exception as error:  # noqa: BLE001 - ValidationError, reported in Vietnamese
            raise CommandError(f"Thư điện tử không hợp lệ: '{admin_email}'.") from error
        try:
            found = Province.objects.lookup(province)
        except ProvinceNotFound:
            try:  # not in the database yet: the directory knows every current province
                code = current_province_code(province)
            except ProvinceNotFound as error:
                raise CommandError(str(error)) from error
            load_directory([code])
            found = Province.objects.get(code=code)
        if found.is_central or (found.valid_to is not None):
            successor = f" Tỉnh kế thừa: {found.successor.code}." if found.successor_id else ""
            raise CommandError(f"'{found.name}' không phải là tỉnh, thành phố hiện hành.{successor}")
        if not found.directory_keys:
            report = load_directory([found.code])
            self.stdout.write(f"Đã nạp danh mục của {found.name}: thêm {report.agencies_added} cơ quan, đơn vị.")
        home = Resolver(found).resolve_name(agency).agency
        if home is None or home.province_id != found.pk:
            raise CommandError(f"Không có cơ quan '{agency}' trong {found.name}.")
        username = username or admin_email.split("@", 1)[0]
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is not None and (user.agency_id is None or user.agency.province_id != found.pk):
                raise CommandError(f"Tên đăng nhập '{username}' đã được dùng ở nơi khác; hãy chọn --username khác.")
            if user is None:
                user = User(username=username, email=admin_email, agency=home, role=Role.ADMIN, first_name=full_name)
                user.set_unusable_password()
                user.save()
                created = True
            else:
                created = False
            make_province_admin(user)
        self._report(found, home, user, created)

    def _report(self, province: Province, home: Agency, user: User, created: bool) -> None:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])
        action = "Đã tạo" if created else "Đã cấp quyền cho"
        self.stdout.write(
            self.style.SUCCESS(
                f"{action} tài khoản quản trị cấp tỉnh '{user.username}' ({home.name}, {province.name})."
            )
        )
        self.stdout.write(f"Đặt mật khẩu tại (dùng được một lần): {link}")
        self.stdout.write(
            f"Cơ quan của tỉnh: {Agency.objects.filter(province=province, valid_to__isnull=True).count()}; "
            "chỉnh sửa, thêm, bớt trong trang quản trị /admin/."
        )

"""python manage.py load_directory: load or complete the country's directory (idempotent, never deletes)."""

from django.core.management.base import BaseCommand, CommandError

from agencies.directory import load_directory, plan_country
from agencies.models import Province, ProvinceNotFound


class Command(BaseCommand):
    help = (
        "Nạp danh mục hành chính: 34 tỉnh, thành phố và 3.321 xã, phường, đặc khu (gói vietnam-provinces), các cơ quan "
        "chuẩn của từng tỉnh, cấp Trung ương và lịch sử sáp nhập năm 2025. Chạy lại không tạo trùng, không xóa; cơ quan "
        "đã có được khớp theo tên và tên gọi khác."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="MÃ",
            help="Chỉ nạp tỉnh này (mã như dak-lak hoặc mã số 66); có thể lặp lại. Mặc định: cả nước.",
        )
        parser.add_argument("--list", action="store_true", help="Liệt kê mã các tỉnh, thành phố hiện hành rồi dừng.")

    def handle(self, *args, province: list[str], list: bool, **options):
        specs = [s for s in plan_country() if not s.is_central and s.valid_to is None]
        if list:
            for spec in specs:
                self.stdout.write(f"{spec.code:<16} {spec.number:>3}  {spec.name}")
            return
        only = None
        if province:
            only = [self._code(text, specs) for text in province]
        report = load_directory(only)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Đã nạp xong danh mục."))

    @staticmethod
    def _code(text: str, specs) -> str:
        by_number = {str(s.number): s.code for s in specs} | {f"{s.number:02d}": s.code for s in specs}
        codes = {s.code for s in specs}
        text = text.strip()
        if text in codes:
            return text
        if text.lstrip("0") in by_number or text in by_number:
            return by_number.get(text) or by_number[text.lstrip("0")]
        try:  # the message names the closest codes; a province known to the database is accepted
            found = Province.objects.lookup(text)
        except ProvinceNotFound as error:
            import difflib

            from django.utils.text import slugify

            from agencies.names import fold

            close = difflib.get_close_matches(slugify(fold(text)), sorted(codes), n=3, cutoff=0.7)
            if close:
                raise CommandError(f"Không có tỉnh '{text}'; có phải: {', '.join(close)}?") from error
            raise CommandError(str(error)) from error
        if found.code not in codes:
            raise CommandError(f"Tỉnh '{found.name}' không còn là đơn vị hành chính hiện hành; hãy nạp tỉnh kế thừa.")
        return found.code

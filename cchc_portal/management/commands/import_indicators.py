"""python manage.py import_indicators FILE --document NUMBER [--dry-run] [--json]: import an indicator appendix."""

from cchc_portal.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Nhập bảng chỉ tiêu của một văn bản từ tệp .xlsx/.docx; văn bản chưa có được tạo dạng dự thảo."
    kind = "indicators"

    def print_summary(self, payload: dict) -> None:
        self.stdout.write(f"Văn bản {payload['document']}: {len(payload['indicators'])} chỉ tiêu.")
        for indicator in payload["indicators"]:
            targets = "; ".join(f"{t['applies_to']}: {t['value']}" for t in indicator["targets"])
            self.stdout.write(f"  {indicator['number']:>3}  {indicator['name'][:70]}  [{indicator['unit']}] {targets}")

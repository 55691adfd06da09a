"""python manage.py import_appendix FILE --document NUMBER [--dry-run] [--json]: import a task appendix."""

from cchc_portal.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Nhập bảng nhiệm vụ (phụ lục) của một văn bản từ tệp .xlsx/.docx; văn bản chưa có được tạo dạng dự thảo."
    kind = "tasks"

    def print_summary(self, payload: dict) -> None:
        sections = payload["sections"]
        tasks = sum(len(s["tasks"]) for s in sections)
        self.stdout.write(
            f"Văn bản {payload['document']}: {len([s for s in sections if s['number']])} mục, {tasks} nhiệm vụ."
        )
        for section in sections:
            if section["number"]:
                self.stdout.write(f"{section['number']}. {section['title']} ({len(section['tasks'])} nhiệm vụ)")
            for task in section["tasks"]:
                due = task["due_date"] or "—"
                self.stdout.write(
                    f"  {task['number']:>5}  {task['title'][:70]}  | chủ trì: {', '.join(task['lead'])} | hạn: {task['deadline_text']} ({due})"
                )

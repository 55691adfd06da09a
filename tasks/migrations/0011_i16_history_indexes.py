"""Indexes that let the task page read only the newest history of each part (issue 16).

The task page and its 409 answer show each part's newest reports and the newest changes of the task's parts.
Django-simple-history indexes its tables by object id and by date separately, so "the newest rows of these
101 parts" read every row of the parts, more after every monthly report. With these indexes each part's newest
rows are one short index walk (``tasks.history.newest_history``): a part with years of reports costs the same
as a new one. Plain SQL that PostgreSQL and SQLite both understand; the historical models are not changed.
"""

from django.db import migrations

# (name, table, columns): a part's rows newest first. The assignment's also carry the row's type, so that its
# changes (not its creation) and its creation are read from the index alone.
INDEXES = [
    ("hist_assignment_recent", "tasks_historicalassignment", "id, history_date DESC, history_id DESC, history_type"),
    ("hist_update_part_recent", "tasks_historicalprogressupdate", "assignment_id, history_date DESC, history_id DESC"),
    ("hist_review_part_recent", "tasks_historicalreview", "assignment_id, history_date DESC, history_id DESC"),
    ("hist_extension_part_recent", "tasks_historicalextensionrequest", "assignment_id, history_date DESC, history_id DESC"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0010_merge_i13_i16"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]

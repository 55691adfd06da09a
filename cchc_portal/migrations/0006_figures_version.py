"""The figures' versions and the PostgreSQL triggers that move them (``cchc_portal.models.FiguresVersion``).

Statement-level triggers with transition tables: one bulk insert of 20,000 shares runs one trigger, which finds the
provinces of the rows it wrote and moves their versions in one upsert (in province order, so two writers never wait
on each other's rows in opposite orders). SQLite gets the table only (the dashboard keeps nothing there).
"""

from django.db import migrations, models

BUMP = """
CREATE SEQUENCE IF NOT EXISTS cchc_figures_version_seq;
CREATE OR REPLACE FUNCTION cchc_figures_bump(provinces bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cchc_portal_figuresversion (province_id, value)
    SELECT p, nextval('cchc_figures_version_seq')
    FROM (SELECT DISTINCT p FROM unnest(provinces) AS p WHERE p IS NOT NULL ORDER BY p) AS changed
    ON CONFLICT (province_id) DO UPDATE SET value = EXCLUDED.value
$$;
"""
# The provinces of the rows ``r`` of each table whose rows decide a province's figures.
PROVINCES_OF = {
    "tasks_assignment": "SELECT d.province_id FROM {rows} r JOIN tasks_task t ON t.id = r.task_id "
    "JOIN plans_document d ON d.id = t.document_id",
    "tasks_task": "SELECT d.province_id FROM {rows} r JOIN plans_document d ON d.id = r.document_id",
    "plans_section": "SELECT d.province_id FROM {rows} r JOIN plans_document d ON d.id = r.document_id",
    "plans_document": "SELECT r.province_id FROM {rows} r",
    # names shown by every province's figures: the directory's row (0)
    "agencies_agency": "SELECT 0::bigint WHERE EXISTS (SELECT FROM {rows})",
    "agencies_province": "SELECT 0::bigint WHERE EXISTS (SELECT FROM {rows})",
}


def _function(table: str, event: str) -> str:
    query = PROVINCES_OF[table]
    if event == "update":
        provinces = f"{query.format(rows='new_rows')} UNION {query.format(rows='old_rows')}"
    else:
        provinces = query.format(rows="new_rows" if event == "insert" else "old_rows")
    return f"""
CREATE OR REPLACE FUNCTION cchc_figures_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM cchc_figures_bump(ARRAY({provinces}));
    RETURN NULL;
END $$;
"""


def _triggers(table: str) -> str:
    sql = [_function(table, event) for event in ("insert", "update", "delete")]
    tables = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    tables["delete"] = "OLD TABLE AS old_rows"
    for event, referencing in tables.items():
        sql.append(
            f"CREATE TRIGGER cchc_figures_{event} AFTER {event.upper()} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION cchc_figures_{table}_{event}();"
        )
    # TRUNCATE has no rows to look at: every province's figures move
    sql.append(
        f"CREATE TRIGGER cchc_figures_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION cchc_figures_truncated();"
    )
    return "\n".join(sql)


TRUNCATED = """
CREATE OR REPLACE FUNCTION cchc_figures_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cchc_portal_figuresversion SET value = nextval('cchc_figures_version_seq');
    PERFORM cchc_figures_bump(ARRAY[0::bigint]);
    RETURN NULL;
END $$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BUMP + TRUNCATED + "\n".join(_triggers(table) for table in PROVINCES_OF))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PROVINCES_OF:
        for event in ("insert", "update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cchc_figures_{event} ON {table}")
        for event in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS cchc_figures_{table}_{event}()")
    schema_editor.execute("DROP FUNCTION IF EXISTS cchc_figures_truncated()")
    schema_editor.execute("DROP FUNCTION IF EXISTS cchc_figures_bump(bigint[])")
    schema_editor.execute("DROP SEQUENCE IF EXISTS cchc_figures_version_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_i12_directory"),
        ("plans", "0005_i12_rest"),
        ("tasks", "0011_i16_history_indexes"),
        ("cchc_portal", "0005_i16_docx"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                ("province_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="mã tỉnh")),
                ("value", models.BigIntegerField(verbose_name="phiên bản")),
            ],
            options={
                "verbose_name": "phiên bản số liệu của tỉnh",
                "verbose_name_plural": "phiên bản số liệu của tỉnh",
                "ordering": ["province_id"],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]

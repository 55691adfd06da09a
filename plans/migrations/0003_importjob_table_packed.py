"""Keep an import job's parsed table as zlib-compressed JSON instead of jsonb (a 5,000-row table: 70 KB, not 1.5 MB)."""

import json
import zlib

from django.db import migrations, models


def pack(apps, schema_editor):
    ImportJob = apps.get_model("plans", "ImportJob")
    for job in ImportJob.objects.exclude(table=None).only("pk", "table").iterator(chunk_size=100):
        packed = zlib.compress(json.dumps(job.table, ensure_ascii=False).encode(), 1)
        ImportJob.objects.filter(pk=job.pk).update(table_packed=packed)


def unpack(apps, schema_editor):
    ImportJob = apps.get_model("plans", "ImportJob")
    for job in ImportJob.objects.exclude(table_packed=None).only("pk", "table_packed").iterator(chunk_size=100):
        ImportJob.objects.filter(pk=job.pk).update(table=json.loads(zlib.decompress(bytes(job.table_packed))))


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_reporting_and_imports")]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="table_packed",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="bảng đã đọc (nén)"),
        ),
        migrations.RunPython(pack, unpack),
        migrations.RemoveField(model_name="importjob", name="table"),
    ]

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_batch_numbers(apps, schema_editor):
    """Grades approved before: the number of the batch that approved them."""
    OfficialGrade = apps.get_model("notices", "OfficialGrade")
    NoticeBatch = apps.get_model("notices", "NoticeBatch")
    number = NoticeBatch.objects.filter(pk=OuterRef("batch")).values("document_number")[:1]
    OfficialGrade.objects.update(document_number=Subquery(number))


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="officialgrade",
            name="document_number",
            field=models.CharField(blank=True, max_length=60, verbose_name="文号"),
        ),
        migrations.RunPython(copy_batch_numbers, migrations.RunPython.noop),
    ]

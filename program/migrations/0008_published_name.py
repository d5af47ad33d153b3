from django.db import migrations, models
from django.db.models import F


def remember_published_names(apps, schema_editor):
    """Conferences published now were last published under their current name."""
    Conference = apps.get_model("program", "Conference")
    Conference.objects.filter(is_published=True).update(published_name=F("name"))


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0007_pick_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="conference",
            name="published_name",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The name as last published, kept by program/revisions.py: what the "
                "feeds of a conference taken back to draft still call it.",
                max_length=200,
            ),
        ),
        migrations.RunPython(remember_published_names, migrations.RunPython.noop),
    ]

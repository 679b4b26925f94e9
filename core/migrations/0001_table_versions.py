from django.db import migrations, models


class Migration(migrations.Migration):
    """The table versions of ``core.versions``; the triggers that write them are installed after every
    ``migrate`` (``core.versions.install_triggers``), for the tables the apps watch."""

    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="TableVersion",
            fields=[
                ("name", models.CharField(max_length=63, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
            options={"verbose_name": "数据表版本", "verbose_name_plural": "数据表版本"},
        ),
    ]

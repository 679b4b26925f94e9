"""The one table of ``core``: the version of each watched table (``core.versions``)."""

from django.db import models


class TableVersion(models.Model):
    """A number that changes whenever a statement writes to the table ``name`` (database triggers)."""

    name = models.CharField(primary_key=True, max_length=63)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = "数据表版本"
        verbose_name_plural = "数据表版本"

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"

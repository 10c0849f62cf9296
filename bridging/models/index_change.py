from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexChange(models.Model):
    """A record whose entry in the bridging index is out of date, waiting for the next flush.

    Changes are queued here and applied in one index write per flush: publishing a hundred
    records in one review batch costs one rewrite of the index, not a hundred. A change made
    while a flush runs adds a row of its own, so the flush, which deletes only the rows it read,
    cannot swallow it.
    """

    label = models.CharField(_("模型"), max_length=60)
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    queued_at = models.DateTimeField(_("排队时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待更新索引记录")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.label}:{self.object_id}"

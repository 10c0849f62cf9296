"""The bridging index: published achievements, demands and experts in one retrieval engine.

One persisted index under KECHUANG_INDEX_DIR serves every web process and worker: a change
is written by a task as a new generation, and each process picks it up with `refresh()` (a
file check) instead of rebuilding. With KECHUANG_MATCH_LEXICAL=postgresql the records' words
are kept in the database's `bridging_lexical_*` tables instead of the index directory, and
ranked there (kechuang/retrieval/pg_lexical.py). Ids are "<kind>:<pk>", so a demand's page ranks
achievements with `similar("demand:7", filters={"kind": "achievement"})` without embedding.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from bridging.models import IndexChange
from core.models import ChainNode, HighTechField, IndustryChain, Region
from core.services.jobs import Progress, job_handler
from kechuang.retrieval import Document, Engine, IndexMismatch, IndexNotFound, Result, explain_zh
from kechuang.retrieval.pg_lexical import PostgresLexical
from resources.choices import RecordStatus
from resources.models import Achievement, Demand, Expert

KINDS: dict[str, type] = {"achievement": Achievement, "demand": Demand, "expert": Expert}
MODEL_KIND = {model._meta.label_lower: kind for kind, model in KINDS.items()}
LABELS_ZH = {"chain_node": "产业链节点", "field": "高新技术领域", "region": "区域"}
LEXICAL_TABLE = "bridging_lexical"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engine: Engine | None = None


def embedder():
    return import_string(settings.EMBEDDER)()


class DatabaseSession:
    """The platform's database connection (this thread's) as the lexical store's session: the
    store's writes join the caller's transaction, if there is one."""

    def cursor(self):
        return connection.cursor()

    def atomic(self):
        return transaction.atomic()


def lexical_store() -> PostgresLexical:
    return PostgresLexical(DatabaseSession(), table=LEXICAL_TABLE)


def _store() -> PostgresLexical | None:
    return lexical_store() if settings.MATCH_LEXICAL == "postgresql" else None


def doc_id(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def parse_id(value: str) -> tuple[str, int]:
    kind, _sep, pk = value.partition(":")
    return kind, int(pk)


class _Names:
    """Region, field and chain-node names, read once per build instead of per record."""

    def __init__(self):
        self.regions = dict(Region.objects.values_list("pk", "name"))
        self.fields = dict(HighTechField.objects.values_list("pk", "name"))
        self.nodes = {n.pk: str(n) for n in ChainNode.objects.select_related("chain")}


def document_for(record, names: _Names | None = None) -> Document:
    names = names or _Names()
    kind = MODEL_KIND[record._meta.label_lower]
    meta: dict[str, Any] = {
        "kind": kind,
        "status": record.status,
        "region": names.regions.get(record.region_id),
        "owner": str(record.owner_id),
        "chain_node": sorted(names.nodes[n.pk] for n in record.chain_nodes.all()),
    }
    if getattr(record, "hightech_field_id", None):
        meta["field"] = names.fields.get(record.hightech_field_id)
    if kind == "achievement":
        meta["trl"] = record.trl
        text = f"{record.keywords}\n{record.summary}\n{record.description}"
    elif kind == "demand":
        text = f"{record.keywords}\n{record.description}"
    else:
        works = " ".join(
            f"{w.get('title', '')} {w.get('abstract', '')}" for w in record.works or []
        )
        text = f"{record.keywords}\n{record.bio}\n{works}"
    return Document(id=doc_id(kind, record.pk), title=record.title, text=text, meta=meta)


def published_documents() -> Iterator[Document]:
    names = _Names()
    for model in KINDS.values():
        queryset = model.objects.filter(status=RecordStatus.PUBLISHED).prefetch_related(
            "chain_nodes"
        )
        for record in queryset.iterator(chunk_size=2000):
            yield document_for(record, names)


def user_words() -> list[str]:
    """Taxonomy names and record keywords, so that jieba keeps them whole."""
    words = set(IndustryChain.objects.values_list("name", flat=True))
    words |= set(ChainNode.objects.values_list("name", flat=True))
    words |= set(HighTechField.objects.values_list("name", flat=True))
    for model in KINDS.values():
        for keywords in model.objects.filter(status=RecordStatus.PUBLISHED).values_list(
            "keywords", flat=True
        )[:50_000]:
            words.update(
                w.strip()
                for w in keywords.replace("，", ",").replace("、", ",").split(",")
                if 1 < len(w.strip()) <= 12
            )
    return sorted(words)


def rebuild(progress: Progress | None = None) -> int:
    """Index every published record from scratch (vectors of unchanged texts are reused)."""
    global _engine
    documents = list(published_documents())
    callback = None
    if progress is not None:
        # Two passes over the records: cutting words, then embedding the new or changed texts.
        progress.start(2 * len(documents), "建立推荐索引")
        seen = {"tokenise": 0, "embed": 0}
        stage_names = {"tokenise": "分词", "embed": "计算语义向量"}

        def callback(done: int, total: int, stage: str) -> None:
            if stage in seen and done > seen[stage]:
                progress.advance(done - seen[stage], stage_names[stage])
                seen[stage] = done

    engine = Engine.build(
        documents,
        settings.INDEX_DIR,
        embedder=embedder(),
        user_words=user_words(),
        progress=callback,
        lexical_store=_store(),
    )
    with _lock:
        _engine = engine
    return len(documents)


def engine() -> Engine | None:
    """This process's engine, refreshed when a worker has written a newer generation; None
    when there is no index, or none made with the current model and KECHUANG_MATCH_LEXICAL
    (the pages then say the index is not built, and `kechuang build_index` makes it)."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                _engine = Engine.load(
                    settings.INDEX_DIR, embedder=embedder(), lexical_store=_store()
                )
            except IndexNotFound:
                return None
            except IndexMismatch as mismatch:
                log.warning("bridging index not usable with these settings: %s", mismatch)
                return None
        else:
            _engine.refresh()
        return _engine


def update(changes: list[tuple[str, int]]) -> None:
    """Bring these records' entries up to date in one index write: added or replaced if
    published, removed if not."""
    current = engine()
    if current is None:
        return
    wanted: dict[str, list[int]] = {}
    for label, pk in changes:
        if label in MODEL_KIND:
            wanted.setdefault(MODEL_KIND[label], []).append(pk)
    names = _Names()
    published, gone = [], []
    for kind, pks in wanted.items():
        found = {
            record.pk: record
            for record in KINDS[kind].objects.filter(pk__in=pks).prefetch_related("chain_nodes")
        }
        for pk in pks:
            record = found.get(pk)
            if record is not None and record.status == RecordStatus.PUBLISHED:
                published.append(document_for(record, names))
            else:
                gone.append(doc_id(kind, pk))
    with _lock:
        current.change(upsert=published, remove=gone)


def flush() -> int:
    """Apply every queued change; returns how many records were brought up to date."""
    queued = list(IndexChange.objects.order_by("pk").values_list("pk", "label", "object_id"))
    if not queued:
        return 0
    update(list(dict.fromkeys((label, object_id) for _pk, label, object_id in queued)))
    IndexChange.objects.filter(pk__in=[pk for pk, _label, _object_id in queued]).delete()
    return len(queued)


@task()
def flush_task() -> None:
    flush()


def update_later(label: str, pk: int) -> None:
    """Queue a record's index update; a task applies all queued updates together."""
    if label in MODEL_KIND:
        IndexChange.objects.create(label=label, object_id=pk)
        flush_task.enqueue()


@job_handler("bridging.index", permission="core.run_demo_job", button=_("建立推荐索引"))
def index_job(params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    n = rebuild(progress)
    progress.advance(0, f"推荐索引已建立，共 {n} 条记录。")
    return {"documents": n}


class Recommendation:
    """One recommended record with its score; its reasons in Chinese (`explanation`) are
    written when first shown — a section ranks far more records than it shows."""

    __slots__ = ("obj", "kind", "score", "result", "_explanation")

    def __init__(self, obj: Any, kind: str, score: float, explanation=None, result=None):
        self.obj, self.kind, self.score, self.result = obj, kind, score, result
        self._explanation = explanation

    @property
    def explanation(self) -> str:
        if self._explanation is None:
            self._explanation = explain(self.result) if self.result is not None else ""
        elif callable(self._explanation):
            self._explanation = self._explanation()
        return self._explanation

    def __repr__(self) -> str:
        return f"Recommendation({self.kind} {self.obj!r} {self.score:.3f})"


def explain(result: Result) -> str:
    return explain_zh(result, labels=LABELS_ZH)

"""The bridging engine: documents in, ranked and explained results out.

    engine = Engine.build(documents, "var/index/bridging", user_words=keywords, progress=bar)
    engine = Engine.load("var/index/bridging")          # start-up: no re-embedding
    engine.upsert([document]); engine.remove(["ach-17"])  # after a record is published/archived
    results = engine.search("锂电池正极材料", k=20, filters={"kind": "achievement"})

With `lexical_store=PostgresLexical(...)` the words live in PostgreSQL instead (pg_lexical.py):
the index directory then holds vectors and metadata only, and every write updates both.

Rows are the unit inside: row i of the term counts, of the vector matrix, of the metadata
columns and of `ids` is the same document. Updates delete rows and append rows, then
recompute the BM25 weights from the cached term counts (no text is tokenised or embedded
again except the changed documents').
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import store
from .ann import AnnSettings, CellIndex
from .documents import Document, Result
from .embedders import Embedder, USEEmbedder, embed_in_batches, normalise_rows
from .explain import agreement, shared_terms
from .fusion import Fusion, hybrid_rank
from .lexical import LexicalIndex, idf_of
from .meta import MetaTable
from .pg_lexical import PostgresLexical, tsvector_literal
from .tokenize import Mode, Tokenizer
from .vectors import VectorStore

# How many of a document's words rank others against it in `similar`: its most telling ones
# (count × idf), as "more like this" queries do. On csl-dev, 32 keeps topical precision within
# 0.003 of all words (docs/benchmarks.md, "Record pages"); on a large corpus its common words
# are most of the postings read.
SIMILAR_TERMS = 32
# ... leaving out words found in more than this share of the documents (and in more than
# SIMILAR_COMMON_MIN of them, so that a small corpus keeps its words), as Lucene's
# MoreLikeThis does with its maximum document frequency: on csl-dev the precision is that of
# all words (0.277), and on the large demo data a panel's rankings take 31 ms instead of 129.
SIMILAR_MAX_DF = 0.1
SIMILAR_COMMON_MIN = 100

# What the manifest records when the words are in the index directory.
IN_INDEX = "index"

Progress = Callable[[int, int, str], None]
"""progress(done, total, stage) with stage one of "tokenise", "embed", "index", "save"."""


def content_hash(document: Document) -> int:
    """What decides whether a changed document needs a new vector: its indexed text."""
    digest = hashlib.blake2b(document.full_text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class Engine:
    def __init__(
        self,
        *,
        embedder: Embedder,
        tokenizer: Tokenizer,
        lexical: LexicalIndex | None,
        vectors: VectorStore,
        meta: MetaTable,
        ids: list[str],
        hashes: np.ndarray,
        fusion: Fusion,
        path: Path | None = None,
        generation: int = 0,
        ann: CellIndex | None = None,
        ann_settings: AnnSettings | None = None,
        lexical_store: PostgresLexical | None = None,
    ) -> None:
        self.embedder = embedder
        self.tokenizer = tokenizer
        # The words are either here (`lexical`, rows like every other array) or in a shared
        # database (`lexical_store`, by document id); never both.
        self.lexical = lexical
        self.lexical_store = lexical_store
        self.vectors = vectors
        self.meta = meta
        self.ids = ids
        self.hashes = np.asarray(hashes, dtype=np.uint64)
        self.fusion = fusion
        self.path = path
        self.generation = generation
        self.ann = ann
        self.ann_settings = ann_settings or AnnSettings()
        self._row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        self._term_names: list[str] | None = None

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        path: str | Path | None = None,
        *,
        embedder: Embedder | None = None,
        user_words: Iterable[str] = (),
        tokenizer_mode: Mode = "search",
        fusion: Fusion | None = None,
        ann_settings: AnnSettings | None = None,
        progress: Progress | None = None,
        lexical_store: PostgresLexical | None = None,
    ) -> Engine:
        """Index `documents` from scratch; with a `path`, persist the index there.

        When `path` already holds an index made by the same embedder, the vectors of documents
        whose text has not changed are taken from it instead of being embedded again, so a
        rebuild after a change of user dictionary costs tokenising, not embedding. With a
        `lexical_store`, the words go there (replacing what it held) instead of into the index.
        """
        documents = list(documents)
        _check_unique_ids(documents)
        embedder = embedder or USEEmbedder()
        engine = cls(
            embedder=embedder,
            tokenizer=Tokenizer(user_words, mode=tokenizer_mode),
            lexical=LexicalIndex.empty() if lexical_store is None else None,
            vectors=VectorStore.empty(embedder.dim),
            meta=MetaTable(),
            ids=[],
            hashes=np.zeros(0, np.uint64),
            fusion=fusion or Fusion(),
            path=Path(path) if path is not None else None,
            ann_settings=ann_settings,
            lexical_store=lexical_store,
        )
        if engine.path is None:
            prepared = engine._prepare(documents, progress)
            engine._store_words(documents, prepared, replace_all=True)
            engine._apply(documents, prepared)
            engine._reweight()
            engine._train_ann()
            return engine
        with store.writer_lock(engine.path):
            previous = _previous_index(engine.path, embedder)
            reuse = previous._stored_vector if previous is not None else None
            prepared = engine._prepare(documents, progress, reuse=reuse)
            engine._store_words(documents, prepared, replace_all=True)
            engine._apply(documents, prepared)
            engine._reweight()
            engine._train_ann()
            if progress is not None:
                progress(len(documents), len(documents), "index")
            engine._save(progress)
        return engine

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        embedder: Embedder | None = None,
        mmap: bool = True,
        lexical_store: PostgresLexical | None = None,
    ) -> Engine:
        """Open a persisted index. Nothing is tokenised or embedded; arrays are memory-mapped.
        An index built with a `lexical_store` is opened with the same store."""
        path = Path(path)
        embedder = embedder or USEEmbedder()
        words_in = lexical_store.name if lexical_store is not None else IN_INDEX
        attempts_left = 3
        while True:
            manifest = store.read_manifest(path)
            if embedder.name != manifest["embedder"] or embedder.dim != manifest["dim"]:
                raise store.IndexMismatch(
                    f"index at {path} was built with {manifest['embedder']} ({manifest['dim']} "
                    f"dimensions), not {embedder.name} ({embedder.dim}): rebuild it"
                )
            if manifest.get("lexical", IN_INDEX) != words_in:
                raise store.IndexMismatch(
                    f"index at {path} keeps its words in {manifest.get('lexical', IN_INDEX)}, "
                    f"not {words_in}: rebuild it"
                )
            try:
                return cls._open(path, manifest, embedder, mmap, lexical_store)
            except FileNotFoundError:
                # Two writes landed between reading the manifest and opening its generation
                # (which the second write removed): read the manifest again.
                attempts_left -= 1
                if attempts_left == 0:
                    raise

    @classmethod
    def _open(
        cls,
        path: Path,
        manifest: dict,
        embedder: Embedder,
        mmap: bool,
        lexical_store: PostgresLexical | None,
        *,
        words: bool = True,
    ) -> Engine:
        """Open the manifest's generation; without `words`, its vectors and metadata only."""
        folder = store.generation_dir(path, manifest["generation"])
        payload = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        in_index = words and lexical_store is None
        return cls(
            embedder=embedder,
            tokenizer=Tokenizer(payload["user_words"], mode=manifest["tokenizer"]["mode"]),
            lexical=LexicalIndex.load(folder, mmap=mmap) if in_index else None,
            lexical_store=lexical_store,
            vectors=VectorStore.load(folder, mmap=mmap),
            meta=MetaTable.load(folder / "meta.json"),
            ids=payload["ids"],
            hashes=np.load(folder / "hashes.npy"),
            fusion=Fusion(**manifest["fusion"]),
            path=path,
            generation=manifest["generation"],
            ann=CellIndex.load(folder),
            ann_settings=AnnSettings(**manifest.get("ann", {})),
        )

    def refresh(self) -> bool:
        """Reload if another process has written a newer generation; True when it did."""
        if self.path is None or store.current_generation(self.path) == self.generation:
            return False
        fresh = Engine.load(self.path, embedder=self.embedder, lexical_store=self.lexical_store)
        self.__dict__.update(fresh.__dict__)
        return True

    # -- updates -------------------------------------------------------------------------------

    def upsert(self, documents: Iterable[Document], *, progress: Progress | None = None) -> None:
        """Add documents, or replace those whose id is already indexed.

        Only documents whose text changed are embedded again; every other row keeps its vector.
        """
        self.change(upsert=documents, progress=progress)

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; ids not in the index are ignored. Returns how many went."""
        return self.change(remove=ids)

    def change(
        self,
        *,
        upsert: Iterable[Document] = (),
        remove: Iterable[str] = (),
        progress: Progress | None = None,
    ) -> int:
        """Upsert some documents and remove others in one write; nothing changes, nothing is
        written. Returns how many indexed documents were removed."""
        documents = list(upsert)
        _check_unique_ids(documents)
        gone = set(remove) - {d.id for d in documents}
        if self.path is not None:
            self.refresh()
        if not documents and not any(i in self._row_of for i in gone):
            return 0
        with self._writing():
            # Everything that can fail (tokenising, embedding, the shared store's transaction)
            # happens before any row changes.
            prepared = self._prepare(documents, progress, reuse=self._stored_vector)
            self._store_words(documents, prepared, remove=gone)
            removed = [self._row_of[i] for i in gone if i in self._row_of]
            replaced = [self._row_of[d.id] for d in documents if d.id in self._row_of]
            self._delete_rows(removed + replaced)
            if documents:
                self._apply(documents, prepared)
            self._reweight()
            if self.ann is None:
                self._train_ann()
        return len(removed)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        with store.writer_lock(self.path):
            # Another process may have written since this one loaded: start from its state.
            self.refresh()
            yield
            self._save(None)

    def _reweight(self) -> None:
        if self.lexical is not None:
            self.lexical.reweight()

    def _store_words(
        self,
        documents: Sequence[Document],
        prepared: _Prepared,
        *,
        remove: Iterable[str] = (),
        replace_all: bool = False,
    ) -> None:
        """Write the documents' words to the shared store, if the words live there."""
        if self.lexical_store is None:
            return
        ids = [d.id for d in documents]
        rows = list(zip(ids, prepared.words, prepared.lengths.tolist(), strict=True))
        if replace_all:
            self.lexical_store.replace_all(rows)
        else:
            self.lexical_store.change(rows, remove=remove)

    def _train_ann(self) -> None:
        """Partition the vectors into cells once the corpus is large enough to need them."""
        if len(self.ids) >= self.ann_settings.threshold:
            self.ann = CellIndex.train(self.vectors.matrix, self.ann_settings)

    def _stored_vector(self, doc_id: str, text_hash: int) -> np.ndarray | None:
        row = self._row_of.get(doc_id)
        if row is None or int(self.hashes[row]) != text_hash:
            return None
        return np.asarray(self.vectors.matrix[row], dtype=np.float32)

    def _prepare(
        self,
        documents: Sequence[Document],
        progress: Progress | None,
        *,
        reuse: Callable[[str, int], np.ndarray | None] | None = None,
    ) -> _Prepared:
        total = len(documents)
        # Terms become ids as each text is read: a corpus' token strings are never all held.
        terms, counts, sizes, lengths = array("i"), array("i"), array("q"), array("i")
        words = []
        for i, document in enumerate(documents):
            tokens = self.tokenizer(document.full_text)
            if self.lexical is not None:
                doc_terms, doc_counts = self.lexical.encode(tokens)
                terms.extend(doc_terms.tolist())
                counts.extend(doc_counts.tolist())
                sizes.append(len(doc_terms))
            else:
                words.append(tsvector_literal(tokens))
            lengths.append(len(tokens))
            if progress is not None and (i + 1 == total or (i + 1) % 1000 == 0):
                progress(i + 1, total, "tokenise")
        hashes = np.asarray([content_hash(d) for d in documents], dtype=np.uint64)
        vectors = np.zeros((total, self.embedder.dim), dtype=np.float32)
        missing = []
        for i, document in enumerate(documents):
            stored = reuse(document.id, int(hashes[i])) if reuse is not None else None
            if stored is None:
                missing.append(i)
            else:
                vectors[i] = stored
        if missing:
            texts = _TextsOf(documents, missing)
            vectors[missing] = embed_in_batches(self.embedder, texts, progress=progress)
        return _Prepared(
            np.frombuffer(terms, dtype=np.int32),
            np.frombuffer(counts, dtype=np.int32),
            np.frombuffer(sizes, dtype=np.int64),
            np.frombuffer(lengths, dtype=np.int32),
            vectors,
            hashes,
            words,
        )

    def _apply(self, documents: Sequence[Document], prepared: _Prepared) -> None:
        first_row = len(self.ids)
        if self.lexical is not None:
            self.lexical.append_encoded(
                prepared.terms, prepared.counts, prepared.sizes, prepared.lengths
            )
        self.vectors.append(prepared.vectors)
        if self.ann is not None:
            self.ann.append(prepared.vectors)
        self.meta.append([d.meta for d in documents])
        self.ids.extend(d.id for d in documents)
        self.hashes = np.concatenate([self.hashes, prepared.hashes])
        for offset, document in enumerate(documents):
            self._row_of[document.id] = first_row + offset
        self._term_names = None

    def _delete_rows(self, rows: Sequence[int]) -> None:
        if not rows:
            return
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if self.lexical is not None:
            self.lexical.delete(rows)
        self.vectors.delete(rows)
        if self.ann is not None:
            self.ann.delete(rows)
        self.meta.delete(rows)
        drop = set(rows.tolist())
        self.ids = [doc_id for row, doc_id in enumerate(self.ids) if row not in drop]
        self.hashes = np.delete(self.hashes, rows)
        self._row_of = {doc_id: row for row, doc_id in enumerate(self.ids)}

    def _save(self, progress: Progress | None) -> None:
        assert self.path is not None
        generation = (store.current_generation(self.path) or 0) + 1
        folder = store.generation_dir(self.path, generation)
        # A writer killed mid-write leaves this folder behind; no manifest points at it and we
        # hold the writer lock, so it is rubbish to clear, not a reason to stop every later write.
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=False)
        if self.lexical is not None:
            self.lexical.save(folder)
        self.vectors.save(folder)
        if self.ann is not None:
            self.ann.save(folder)
        self.meta.save(folder / "meta.json")
        np.save(folder / "hashes.npy", self.hashes)
        (folder / "documents.json").write_text(
            json.dumps(
                {"ids": self.ids, "user_words": sorted(self.tokenizer.user_words)},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        store.publish(
            self.path,
            generation,
            {
                "embedder": self.embedder.name,
                "dim": self.embedder.dim,
                "count": len(self.ids),
                "tokenizer": {"mode": self.tokenizer.mode},
                "fusion": self.fusion.as_dict(),
                "ann": self.ann_settings.as_dict(),
                "lexical": (
                    self.lexical_store.name if self.lexical_store is not None else IN_INDEX
                ),
            },
        )
        self.generation = generation
        if progress is not None:
            progress(1, 1, "save")

    # -- search -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row_of

    def search(
        self,
        query: str,
        k: int = 20,
        filters: Mapping[str, Any] | None = None,
        *,
        query_meta: Mapping[str, Any] | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Result]:
        """The k best documents for a free-text query, each with its explanation.

        `filters` restrict the candidates before ranking (see `meta.py` for the forms);
        `exclude` leaves out ids (e.g. pairs a user declined); `query_meta` (e.g. the demand's
        chain nodes and field) is compared with each result's metadata for the explanation.
        """
        if not query or not query.strip():
            raise ValueError("empty query")
        if k <= 0 or not self.ids:
            return []
        words = self._query(self.tokenizer(query))
        vector = normalise_rows(self.embedder.embed([query]))[0].astype(np.float64)
        return self._rank(words, vector, k, filters, query_meta, exclude)

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 20,
        filters: Mapping[str, Any] | None = None,
        *,
        progress: Progress | None = None,
    ) -> list[list[Result]]:
        """`search` for many queries, embedding them in batches (about twice as fast)."""
        for position, query in enumerate(queries):
            if not query or not query.strip():
                raise ValueError(f"query {position} is empty")
        if k <= 0 or not self.ids:
            return [[] for _ in queries]
        vectors = embed_in_batches(self.embedder, list(queries), progress=progress)
        out = []
        for position, (query, vector) in enumerate(zip(queries, vectors, strict=True)):
            words = self._query(self.tokenizer(query))
            out.append(self._rank(words, vector.astype(np.float64), k, filters, None, ()))
            if progress is not None:
                progress(position + 1, len(queries), "rank")
        return out

    def similar(
        self,
        doc_id: str,
        k: int = 20,
        filters: Mapping[str, Any] | None = None,
        *,
        query_meta: Mapping[str, Any] | None = None,
        exclude: Iterable[str] = (),
        max_terms: int | None = SIMILAR_TERMS,
        max_df: float | None = SIMILAR_MAX_DF,
    ) -> list[Result]:
        """Rank other documents against an indexed one, reusing its stored terms and vector.

        No embedding happens, so this is the cheap call for "on an achievement's page, the
        demands that fit". The document itself is never in its own list; its metadata is the
        default `query_meta`. Its `max_terms` most telling words are the lexical query, leaving
        out those in more than `max_df` of the documents (None: no limit).
        """
        row = self._row_of.get(doc_id)
        if row is None:
            raise KeyError(f"{doc_id!r} is not in the index")
        n = len(self.ids)
        if self.lexical is not None:
            start, end = self.lexical.indptr[row], self.lexical.indptr[row + 1]
            terms = np.asarray(self.lexical.terms[start:end], dtype=np.int64)
            counts = np.asarray(self.lexical.counts[start:end])
            # In the order of their names, as a store gives them, so that both choose the
            # same words among equally telling ones.
            by_name = np.asarray(
                sorted(range(len(terms)), key=lambda i: self.term_names[terms[i]]), dtype=np.int64
            )
            terms, counts = terms[by_name], counts[by_name]
            df = self.lexical.doc_freq(terms)
        else:
            names, counts, df = self.lexical_store.document_terms(doc_id)
            terms = np.arange(len(names))
        idf = idf_of(df, n)
        if max_df is not None and len(terms):
            telling = df <= max(max_df * n, SIMILAR_COMMON_MIN)
            terms, counts, idf = terms[telling], counts[telling], idf[telling]
        if max_terms is not None and len(terms) > max_terms:
            # The document's most telling words (count × idf), as "more like this" queries do:
            # its common words add little to the ranking and most of the postings to read.
            weight = counts * idf
            keep = np.sort(np.argsort(-weight, kind="stable")[:max_terms])
            terms, counts = terms[keep], counts[keep]
        if self.lexical is not None:
            words = np.repeat(terms, counts)
        else:
            words = Counter({names[t]: int(c) for t, c in zip(terms, counts, strict=True)})
        vector = np.asarray(self.vectors.matrix[row], dtype=np.float64)
        if query_meta is None:
            query_meta = self.meta.row(row)
        return self._rank(words, vector, k, filters, query_meta, [*exclude, doc_id])

    def meta_of(self, doc_id: str) -> dict[str, Any]:
        """The metadata an indexed document was stored with."""
        row = self._row_of.get(doc_id)
        if row is None:
            raise KeyError(f"{doc_id!r} is not in the index")
        return self.meta.row(row)

    def component_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 and cosine of every row for `query`, in row order (for benchmarks)."""
        lexical, _names = self._lexical_scores(self._query(self.tokenizer(query)))
        vector = normalise_rows(self.embedder.embed([query]))[0]
        return lexical, self.vectors.scores(vector)

    def _query(self, tokens: Sequence[str]) -> np.ndarray | Counter:
        """The lexical query: term ids (a repeated word repeated) here, word counts for a store."""
        if self.lexical is not None:
            return self.lexical.term_ids(tokens)
        return Counter(tokens)

    def _lexical_scores(
        self, words: np.ndarray | Counter
    ) -> tuple[np.ndarray, Callable[[np.ndarray], list[list[str]]]]:
        """BM25 of every row for the query, and how to name the query words ranked rows hold."""
        if self.lexical is not None:
            # Each word once, in the query's order (equally rare words are named in it).
            _unique, first = np.unique(words, return_index=True)
            query_terms = np.asarray(words)[np.sort(first)]

            def shared_with(rows: np.ndarray) -> list[list[str]]:
                weights = self.lexical.contributions(query_terms, rows)
                return shared_terms(query_terms, weights, self.lexical.idf, self.term_names)

            return self.lexical.scores(words), shared_with

        scored = self.lexical_store.scores(words)
        lexical = np.zeros(len(self.ids), dtype=np.float64)
        for found_id, score in scored.scores.items():
            # A document the store has but these rows have not (written by another process
            # since this one loaded) waits for the next refresh.
            row = self._row_of.get(found_id)
            if row is not None:
                lexical[row] = score
        names = [word for word in words if word in scored.idf]
        idf = np.asarray([scored.idf[name] for name in names])

        def shared_with(rows: np.ndarray) -> list[list[str]]:
            held = self.lexical_store.present(names, [self.ids[row] for row in rows])
            return shared_terms(np.arange(len(names)), held, idf, names)

        return lexical, shared_with

    def _rank(
        self,
        words: np.ndarray | Counter,
        vector: np.ndarray,
        k: int,
        filters: Mapping[str, Any] | None,
        query_meta: Mapping[str, Any] | None,
        exclude: Iterable[str],
    ) -> list[Result]:
        allowed = self.meta.mask(filters) if filters else None
        excluded = [self._row_of[i] for i in exclude if i in self._row_of]
        if excluded:
            allowed = np.ones(len(self.ids), dtype=bool) if allowed is None else allowed
            allowed[excluded] = False
        lexical, shared_with = self._lexical_scores(words)
        if self.ann is None or len(self.ids) < self.ann_settings.threshold:
            ranking = hybrid_rank(
                lexical,
                self.vectors.scores(vector),
                vector,
                self.vectors,
                k,
                allowed=allowed,
                fusion=self.fusion,
            )
        else:
            rows = self._candidates(lexical, vector, allowed)
            ranking = hybrid_rank(
                lexical[rows],
                self.vectors.scores_of(rows, vector),
                vector,
                self.vectors,
                k,
                fusion=self.fusion,
                rows=rows,
                lexical_stats=(float(lexical.mean()), float(lexical.std())),
            )
        semantic = self.vectors.scores_of(ranking.rows, vector)
        terms = shared_with(ranking.rows)
        results = []
        for rank, row in enumerate(ranking.rows):
            doc_meta = self.meta.row(int(row))
            results.append(
                Result(
                    id=self.ids[row],
                    rank=rank + 1,
                    score=float(ranking.scores[rank]),
                    lexical=float(lexical[row]),
                    semantic=float(semantic[rank]),
                    lexical_part=float(ranking.lexical_parts[rank]),
                    semantic_part=float(ranking.semantic_parts[rank]),
                    lead=ranking.lead_row is not None and int(row) == ranking.lead_row,
                    shared_terms=terms[rank],
                    agreement=agreement(query_meta, doc_meta) if query_meta else {},
                    meta=doc_meta,
                )
            )
        return results

    def _candidates(
        self, lexical: np.ndarray, vector: np.ndarray, allowed: np.ndarray | None
    ) -> np.ndarray:
        """Allowed rows worth ranking: the vector index's nearest, and the best BM25 rows."""
        near = self.ann.candidates(vector, self.ann_settings, allowed)
        matching = np.flatnonzero(lexical > 0)
        if allowed is not None:
            matching = matching[allowed[matching]]
        wanted = max(self.fusion.pool, self.ann_settings.min_candidates // 2)
        if len(matching) > wanted:
            matching = matching[np.argpartition(-lexical[matching], wanted - 1)[:wanted]]
        return np.union1d(near, matching)

    @property
    def term_names(self) -> list[str]:
        if self._term_names is None:
            names = [""] * len(self.lexical.vocab)
            for term, term_id in self.lexical.vocab.items():
                names[term_id] = term
            self._term_names = names
        return self._term_names


@dataclass
class _Prepared:
    """Documents tokenised and embedded, ready to become rows."""

    terms: np.ndarray
    counts: np.ndarray
    sizes: np.ndarray
    lengths: np.ndarray
    vectors: np.ndarray
    hashes: np.ndarray
    words: list[str]  # tsvector input per document, when the words go to a shared store


class _TextsOf(Sequence):
    """The texts of some documents, made batch by batch as the embedder asks for them."""

    def __init__(self, documents: Sequence[Document], rows: list[int]) -> None:
        self.documents, self.rows = documents, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.documents[row].full_text for row in self.rows[index]]
        return self.documents[self.rows[index]].full_text


def _check_unique_ids(documents: Sequence[Document]) -> None:
    seen = set()
    for document in documents:
        if not isinstance(document.id, str) or not document.id:
            raise ValueError(f"document id must be a non-empty string, got {document.id!r}")
        if document.id in seen:
            raise ValueError(f"document id {document.id!r} appears twice")
        seen.add(document.id)


def _previous_index(path: Path, embedder: Embedder) -> Engine | None:
    """The vectors of the index already at `path`, if it was made with this embedder (they are
    reused, wherever its words were kept). The caller holds the writer lock."""
    try:
        manifest = store.read_manifest(path)
    except (store.IndexNotFound, store.IndexMismatch):
        return None
    if embedder.name != manifest["embedder"] or embedder.dim != manifest["dim"]:
        return None
    return Engine._open(path, manifest, embedder, True, None, words=False)

"""Backup and restore of the whole platform: the database, the uploaded files and the bridging
index, with a manifest of checksums that the restore checks before and after.

    <out>/backup.json           what was saved, with a SHA-256 of every file and, per table,
                                the row count and a checksum of its rows
    <out>/database.sqlite3      SQLite, copied with the online backup API (a consistent copy
                                while the platform keeps running), or
    <out>/database.dump         PostgreSQL, `pg_dump --format=custom`
    <out>/media/…               the uploaded files
    <out>/index/manifest.json   the index's current generation and its files
    <out>/index/gen-NNNNNN/…

The index writer lock is held while the index and the database are copied: index changes made
meanwhile wait in the database's queue table (bridging.IndexChange) and are in the copy, so the
restored index plus the restored queue is the live state at the moment of the copy.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from core.dbutils import refresh_planner_statistics
from core.exceptions import ServiceError
from kechuang.retrieval import store

FORMAT = 1
MANIFEST = "backup.json"
_CHUNK = 1 << 20


class BackupError(ServiceError):
    """A backup that cannot be written, or a folder that cannot be restored."""


@dataclass
class Summary:
    tables: int
    rows: int
    media_files: int
    index_generation: int | None
    folder: Path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _file_sums(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): _sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _cell(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def table_checksums() -> dict[str, dict[str, Any]]:
    """Row count and checksum of every table in the database.

    The checksum adds up a hash of each row, so it does not depend on the order the database
    returns rows in, and reads each table once through a server-side cursor.
    """
    sums = {}
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
    for table in tables:
        count, total = 0, 0
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    text = repr(tuple(_cell(v) for v in row)).encode("utf-8")
                    total += int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
                    count += 1
        finally:
            cursor.close()
        sums[table] = {"rows": count, "checksum": f"{total % (1 << 64):016x}"}
    return sums


def _database_file() -> str:
    return "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            _("找不到 %(cmd)s：请安装与数据库服务器同版本的 PostgreSQL 客户端。")
            % {"cmd": command[0]}
        ) from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(
            _("%(cmd)s 失败：%(err)s") % {"cmd": command[0], "err": exc.stderr.strip()[:500]}
        ) from None


def _live_sqlite() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


def _dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(target)
        try:
            _live_sqlite().backup(copy)
        finally:
            copy.close()
        return
    env, args = _pg_env_and_args()
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)


def _load_database(source: Path) -> None:
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(source)
        try:
            copy.backup(_live_sqlite())
        finally:
            copy.close()
        return
    env, args = _pg_env_and_args()
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(source),
        ],
        env,
    )
    refresh_planner_statistics()


def _copy_index(target: Path) -> dict[str, Any] | None:
    """Copy the current generation (the caller holds the writer lock, so it stays)."""
    try:
        manifest = store.read_manifest(settings.INDEX_DIR)
    except store.IndexNotFound:
        return None
    generation = store.generation_dir(settings.INDEX_DIR, manifest["generation"])
    shutil.copytree(generation, target / generation.name)
    (target / store.MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def backup(out: Path) -> Summary:
    """Write a backup of the database, the uploaded files and the index into `out` (new or
    empty), with its manifest last: a folder without backup.json is not a finished backup."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(_("备份目录 %(d)s 不是空目录。") % {"d": out})
    out.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, out / "media")
    with store.writer_lock(Path(settings.INDEX_DIR)):
        index_manifest = _copy_index(out / "index")
        _dump_database(out / _database_file())
        tables = table_checksums()
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": {
            "vendor": connection.vendor,
            "file": _database_file(),
            "sha256": _sha256(out / _database_file()),
            "tables": tables,
        },
        "media": _file_sums(out / "media"),
        "index": None
        if index_manifest is None
        else {"manifest": index_manifest, "files": _file_sums(out / "index")},
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    return Summary(
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        media_files=len(manifest["media"]),
        index_generation=None if index_manifest is None else index_manifest["generation"],
        folder=out,
    )


def read_backup(folder: Path) -> dict[str, Any]:
    """The manifest of a finished backup, after checking every file against it."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            _("%(d)s 中没有 %(m)s：不是完整的备份。") % {"d": folder, "m": MANIFEST}
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("备份格式 %(f)s 无法识别。") % {"f": manifest.get("format")})
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(
            _("这是 %(a)s 数据库的备份，当前数据库是 %(b)s。")
            % {"a": manifest["database"]["vendor"], "b": connection.vendor}
        )
    damaged = []
    database = folder / manifest["database"]["file"]
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        damaged.append(manifest["database"]["file"])
    if _file_sums(folder / "media") != manifest["media"]:
        damaged.append("media/")
    index = manifest.get("index")
    if index is not None and _file_sums(folder / "index") != index["files"]:
        damaged.append("index/")
    if damaged:
        raise BackupError(
            _("备份已损坏，与清单的校验和不符：%(f)s。没有恢复任何内容。")
            % {"f": "、".join(damaged)}
        )
    return manifest


def _restore_media(source: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    incoming = media_root.with_name(f".{media_root.name}.restoring")
    outgoing = media_root.with_name(f".{media_root.name}.replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, incoming)
    else:
        incoming.mkdir(parents=True)
    if media_root.exists():
        media_root.rename(outgoing)
    incoming.rename(media_root)
    shutil.rmtree(outgoing, ignore_errors=True)


def _restore_index(source: Path, saved: dict[str, Any]) -> int:
    """Publish the saved generation as the index's next one, so every running process sees a
    new generation number and reloads."""
    path = Path(settings.INDEX_DIR)
    generation = max(store.current_generation(path) or 0, saved["generation"]) + 1
    target = store.generation_dir(path, generation)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(store.generation_dir(source, saved["generation"]), target)
    kept = {k: v for k, v in saved.items() if k not in ("format", "generation", "written")}
    store.publish(path, generation, kept)
    return generation


def index_fingerprint() -> dict[str, Any] | None:
    """The current index's content: its manifest without generation number and date, and the
    checksums of its generation's files (what a restore must bring back)."""
    path = Path(settings.INDEX_DIR)
    try:
        manifest = store.read_manifest(path)
    except store.IndexNotFound:
        return None
    return {
        "manifest": {
            k: v for k, v in manifest.items() if k not in ("format", "generation", "written")
        },
        "files": _file_sums(store.generation_dir(path, manifest["generation"])),
    }


def _saved_fingerprint(manifest: dict[str, Any]) -> dict[str, Any] | None:
    index = manifest.get("index")
    if index is None:
        return None
    prefix = store.generation_dir(Path(""), index["manifest"]["generation"]).name + "/"
    return {
        "manifest": {
            k: v
            for k, v in index["manifest"].items()
            if k not in ("format", "generation", "written")
        },
        "files": {
            name[len(prefix) :]: digest
            for name, digest in index["files"].items()
            if name.startswith(prefix)
        },
    }


def differences(manifest: dict[str, Any]) -> list[str]:
    """Where the live platform differs from the backup: tables (rows, checksum), uploaded files
    and the index. Empty when they are equal."""
    found = []
    live, saved = table_checksums(), manifest["database"]["tables"]
    for table in sorted(set(live) | set(saved)):
        if live.get(table) != saved.get(table):
            found.append(
                _("表 %(t)s：备份 %(a)s，现在 %(b)s")
                % {"t": table, "a": saved.get(table), "b": live.get(table)}
            )
    if _file_sums(Path(settings.MEDIA_ROOT)) != manifest["media"]:
        found.append(_("上传文件与备份不同"))
    if index_fingerprint() != _saved_fingerprint(manifest):
        found.append(_("推荐索引与备份不同"))
    return found


def restore(folder: Path) -> Summary:
    """Replace the database, the uploaded files and the index with the backup in `folder`,
    then check that what is live equals the backup. Stop the web processes and task workers
    first: the database is replaced under them."""
    folder = Path(folder)
    manifest = read_backup(folder)
    with store.writer_lock(Path(settings.INDEX_DIR)):
        _load_database(folder / manifest["database"]["file"])
        _restore_media(folder / "media")
        generation = None
        if manifest.get("index") is not None:
            generation = _restore_index(folder / "index", manifest["index"]["manifest"])
        else:
            # There was no index then: none now either (`kechuang build_index` makes one).
            (Path(settings.INDEX_DIR) / store.MANIFEST).unlink(missing_ok=True)
    found = differences(manifest)
    if found:
        raise BackupError(_("恢复后与备份不一致：%(d)s") % {"d": "；".join(found[:10])})
    tables = manifest["database"]["tables"]
    return Summary(
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        media_files=len(manifest["media"]),
        index_generation=generation,
        folder=folder,
    )

"""Uploaded and generated files on the server's disk, written so that a file is there whole or
not at all: the bytes go to a hidden temporary file in the same folder, are flushed to disk,
and only then get their name (a hard link, which never replaces another file). A full disk
in the middle of an upload leaves nothing behind and becomes a clear refusal (StorageFull),
not a half-written attachment and a server error.

Names are made safe here for every file field: Django keeps letters (Chinese included),
digits, '-', '_' and '.', and a name longer than the file system allows is shortened, keeping
its extension (the original name stays in the record, for downloads).
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from core.exceptions import StorageFull

# Bytes, not characters: most file systems allow 255 bytes per name, and a Chinese character
# takes three in UTF-8. Room is left for the suffix Django adds to a name already taken.
MAX_NAME_BYTES = 180


class AtomicFileSystemStorage(FileSystemStorage):
    def get_valid_name(self, name: str) -> str:
        name = super().get_valid_name(name)
        if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
            return name
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension) > 10:
            stem, extension = name, ""
        budget = MAX_NAME_BYTES - len(extension.encode("utf-8")) - (1 if extension else 0)
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        return f"{stem}.{extension}" if extension else stem

    def _save(self, name: str, content) -> str:
        full_path = self.path(name)
        temporary = None
        try:
            directory = os.path.dirname(full_path)
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
            with os.fdopen(handle, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:  # taken since the name was chosen: choose again
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull(
                    _("服务器存储空间已满，文件未保存。请稍后再试，并告知平台管理员。")
                ) from exc
            raise
        finally:
            if temporary:
                with suppress(FileNotFoundError):
                    os.unlink(temporary)
        return str(name).replace("\\", "/")

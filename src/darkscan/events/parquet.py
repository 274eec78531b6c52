"""Parquet round trip of samples, metadata in the file's key–value metadata. Writes are atomic.

An atomic write goes to a temporary file next to its target, named after the writing process
(``.TARGET.HOST-PID.RANDOM.tmp``), and is renamed over the target when complete. The process
keeps a list of its unfinished temporary files, so a worker that has to die (its parent was
killed) can remove them on the way out (:func:`remove_pending`), and a later run can tell an
orphan (its writer is dead, or it has not been touched for an hour) from a file that a live
writer is still filling (:func:`remove_orphans`). Files get the permissions of an ordinary
``open()`` (0666 less the umask), not the 0600 of a temporary file.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import awkward as ak
import pyarrow.parquet as pq

from darkscan.errors import InputFileError
from darkscan.events.model import Sample, SampleMeta

_META_KEY = b"darkscan.meta"
#: a temporary file untouched this long has no live writer, whatever its name says (a chunk is
#: written in about a second; a writer on another host cannot be asked whether it is alive)
STALE_AFTER_S = 3600.0
_TMP_NAME = re.compile(r"\.(?P<host>[0-9a-f]{8})-(?P<pid>\d+)\.[^.]+\.tmp$")
_pending: set[Path] = set()
_pending_lock = threading.Lock()


def _fresh_lock_in_child() -> None:
    # a fork copies the lock as it was: held, if another thread of the parent held it
    global _pending_lock
    _pending_lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _umask() -> int:
    try:  # Linux ≥ 4.7 shows it; reading it elsewhere means setting it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _pending_lock:  # keep two of our threads from racing on the process-wide mask
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_path(target: Path) -> Path:
    """A temporary path in the same folder as ``target`` (rename is atomic within a filesystem),
    named after this process and registered as pending until :func:`finish_atomic`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_host_tag()}-{os.getpid()}.",
                               suffix=".tmp", dir=target.parent)
    os.close(fd)
    path = Path(tmp)
    with _pending_lock:
        _pending.add(path)
    return path


def finish_atomic(tmp: Path, target: Path) -> None:
    """Give ``tmp`` ordinary permissions and rename it over ``target``."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, target)


def discard_atomic(tmp: Path) -> None:
    """Remove ``tmp`` if it is still there (after :func:`finish_atomic` it is not)."""
    tmp.unlink(missing_ok=True)
    with _pending_lock:
        _pending.discard(tmp)


@contextmanager
def atomic_write(target: str | os.PathLike[str]) -> Iterator[Path]:
    """``with atomic_write(path) as tmp:`` write ``tmp``; on success it replaces ``path``, on
    an error it is removed and ``path`` is untouched."""
    dest = Path(target)
    tmp = atomic_path(dest)
    try:
        yield tmp
        finish_atomic(tmp, dest)
    finally:
        discard_atomic(tmp)


def remove_pending() -> int:
    """Remove this process's unfinished temporary files (a worker about to exit); the count.

    Called from a signal handler too, which may interrupt the main thread while it holds the
    lock: after a short wait the set is read without it rather than never (the process exits).
    """
    locked = _pending_lock.acquire(timeout=0.2)
    try:
        paths = list(_pending)
        _pending.clear()
    except RuntimeError:  # changed size under an unlocked read: exiting anyway
        paths = []
    finally:
        if locked:
            _pending_lock.release()
    for p in paths:
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass
    return len(paths)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    try:  # a zombie has finished writing for good
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_orphan(tmp: Path, now: float | None = None) -> bool:
    """True for a temporary file of :func:`atomic_path` that no live writer will finish: its
    writer (on this host) is dead, or it has not been modified for :data:`STALE_AFTER_S`."""
    try:
        age = (time.time() if now is None else now) - tmp.stat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_AFTER_S:
        return True
    m = _TMP_NAME.search(tmp.name)
    if m is None or m["host"] != _host_tag():
        return False
    pid = int(m["pid"])
    return pid != os.getpid() and not _alive(pid)


def remove_orphans(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the orphaned temporary files under ``folder`` (see :func:`is_orphan`)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    removed = []
    for tmp in root.rglob(".*.tmp"):
        if is_orphan(tmp):
            try:
                tmp.unlink()
                removed.append(tmp)
            except FileNotFoundError:  # another process removed it first
                pass
    return removed


def write_sample(sample: Sample, path: str | os.PathLike[str]) -> Path:
    """Write ``sample`` to ``path`` atomically (temporary file, then rename), with page
    checksums so that a damaged file is detected when it is read."""
    target = Path(path)
    table = ak.to_arrow_table(sample.events, extensionarray=False)
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = sample.meta.to_json().encode()
    table = table.replace_schema_metadata(meta)
    with atomic_write(target) as tmp:
        pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
    return target


def read_sample(path: str | os.PathLike[str]) -> Sample:
    """Read a sample written by :func:`write_sample` (page checksums verified where written)."""
    p = Path(path)
    if p.is_dir():
        raise InputFileError(f"'{p}' is a folder; give a parquet file")
    if not p.is_file():
        raise InputFileError(f"input file '{p}' does not exist")
    try:
        table = pq.read_table(p, page_checksum_verification=True)
        raw = (table.schema.metadata or {}).get(_META_KEY)
        if raw is None:
            raise InputFileError(f"'{p}' has no darkscan metadata; write it with darkscan "
                                 "generate")
        return Sample(ak.from_arrow(table), SampleMeta.from_json(raw.decode()))
    except InputFileError:
        raise
    except Exception as exc:  # pyarrow, awkward and json errors all mean "damaged"
        raise InputFileError(f"'{p}' is not a readable parquet file ({exc})") from None

"""Reading and writing a file a user named: one clear line for every way it can fail.

Scenario files, saves and report inputs are all read through here, so a missing file, a
folder, a device or pipe, an unreadable or oversized file or an impossible name is described
the same way everywhere. Documents written with ``-o`` go through :func:`write_user_file`.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters, save line ends and tabs: in a shared file's text they could clear,
recolour or retitle the terminal of whoever prints it."""


def plain_text(text: str) -> str:
    """``text`` without control characters (line ends and tabs kept): what a player types or
    pastes, made fit for a move."""
    return _CONTROL.sub("", text)


def control_character(data: Any, place: str = "") -> tuple[str, str] | None:
    """The first (place, character) where a string in ``data`` (JSON-like: dicts, lists,
    strings; keys too) holds a control character, or None."""
    for where, text in _strings(data, place):
        found = _CONTROL.search(text)
        if found is not None:
            return where, f"U+{ord(found.group()):04X}"
    return None


def _strings(data: Any, place: str) -> Iterator[tuple[str, str]]:
    stack: list[tuple[str, Any]] = [(place, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where or "(top)", value
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    yield inner, key
                stack.append((inner, item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{where}[{n}]", item) for n, item in enumerate(value))


def read_user_file(path: str | Path, what: str, limit: int, error: type[Exception]) -> bytes:
    """The bytes of a file, or ``error`` with one line naming the file and the problem.

    Args:
        path: the file.
        what: what it should be, for messages ("scenario file", "save file").
        limit: the largest size accepted, in bytes.
        error: the exception class to raise.
    """
    source = str(path)
    try:
        file = Path(path)
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{source}: is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe: it may never end
            raise error(f"{source}: not a regular file (a device or a pipe), not a {what}")
        size = info.st_size
        if size > limit:
            raise error(
                f"{source}: file is {size:,} bytes; a {what} may be at most {limit:,} bytes"
            )
        return file.read_bytes()
    except error:
        raise
    except FileNotFoundError:
        raise error(f"{source}: no such file") from None
    except IsADirectoryError:
        raise error(f"{source}: is a folder, not a {what}") from None
    except OSError as exc:
        raise error(f"{source}: cannot read: {exc.strerror or exc}") from None
    except ValueError:  # e.g. a NUL byte in the name
        raise error(f"{source!r}: not a valid file name") from None


def write_user_file(path: str | Path, text: str, error: type[Exception]) -> None:
    """Write a document to the file a user named, or ``error`` with one line.

    A regular file (or a new one) is written atomically (see
    :func:`write_atomic`), through a symbolic link if the name is one;
    a device or a pipe (``/dev/stdout``, say) is written into, not replaced. The folder must
    exist: a mistyped folder is reported, not made.
    """
    source = str(path)
    try:
        named = Path(path)
        if named.exists() and not named.is_file():
            if named.is_dir():
                raise error(f"{source}: is a folder; name a file to write")
            with open(named, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        target = named.resolve()
        if not target.parent.is_dir():
            raise error(f"{source}: no such folder: {target.parent}")
        write_atomic(target, text)
    except error:
        raise
    except OSError as exc:
        raise error(f"{source}: cannot write: {exc.strerror or exc}") from None
    except ValueError:  # e.g. a NUL byte in the name
        raise error(f"{source!r}: not a valid file name") from None


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so that it is either wholly the old or wholly the new content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; give it the permissions a new file gets here
        # (usually readable by all), so that reports and saves can be shared and handed in.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - some systems cannot open folders
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

"""Reading a file a user named: one clear line for every way it can fail.

Scenario files, saves and report inputs are all read through here, so a missing file, a
folder, an unreadable or oversized file or an impossible name is described the same way
everywhere.
"""

from __future__ import annotations

from pathlib import Path


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
        size = file.stat().st_size
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

"""An index generation opened for reading with its segment files read in place
from one memory map, never copied.

Why: Whoosh 2.7.4 maps each compound segment file (`<segment>.seg`) and opens
every file inside it (postings, terms, stored fields, columns) as a
`BufferFile` over a `memoryview` of the map, and `BufferFile.__init__` wraps
that view in `io.BytesIO`, which copies it.  So opening a reader copied every
sub-file it opened into the process's own memory, reading every page of the
map on the way: at 100,000 articles (two 320 MB segments) a warmed server
held 495 MiB of anonymous copies plus 463 MiB of mapped pages after opening
its searcher, 1,680 MiB after the 200 benchmark queries (README, Performance).
Here a sub-file is a view of the map with its own read position
(`MappedSubFile`), so the resident pages are the ones a search reads.

`open_index(path)` is `whoosh.index.open_dir(path)` with a storage whose
`.seg` files are mapped this way (`MappedStorage`); everything else about
the index (schema, segments, TOC, deletions) is Whoosh's own.  Whoosh takes
its "sub-file" route (`StructFile.subset`) for a compound file whose storage
says it does not map files; the file this storage opens maps itself, and its
`subset` gives the views.
"""

from __future__ import annotations

import mmap
import pickle
from io import BytesIO
from pathlib import Path
from typing import Union

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import _DEF_INDEX_NAME

COMPOUND_EXTENSION = ".seg"
# Bytes copied to load a pickle from (most of Whoosh's are block headers of
# a few dozen bytes); a longer one is loaded from a longer copy.
PICKLE_WINDOW = 512


class ViewReader:
    """A read-only file over a buffer (a `memoryview` of a map): what
    `io.BytesIO` gives, without copying the buffer first.  `pickle.load`
    and Whoosh's `StructFile` read through it."""

    __slots__ = ("_view", "_position", "_length")

    def __init__(self, view: memoryview):
        self._view = view
        self._position = 0
        self._length = len(view)

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = self._length if size is None or size < 0 else min(start + size, self._length)
        if end <= start:
            return b""
        self._position = end
        return self._view[start:end].tobytes()

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        start = self._position
        end = self._length if size is None or size < 0 else min(start + size, self._length)
        stop = end
        for chunk in range(start, end, 4096):  # without copying the rest of the file
            found = self._view[chunk:min(chunk + 4096, end)].tobytes().find(b"\n")
            if found >= 0:
                stop = chunk + found + 1
                break
        self._position = stop
        return self._view[start:stop].tobytes()

    def seek(self, where: int, whence: int = 0) -> int:
        if whence == 0:
            self._position = where
        elif whence == 1:
            self._position += where
        elif whence == 2:
            self._position = self._length + where
        else:
            raise ValueError(f"whence must be 0, 1 or 2, not {whence!r}")
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        pass


class MappedSubFile(BufferFile):
    """Whoosh's `BufferFile` over a slice of the map, reading through a
    `ViewReader` instead of a copy of the slice (its `get`, `get_int`, …
    slice the view, as `BufferFile`'s do)."""

    def __init__(self, view: memoryview, name=None, onclose=None):
        # BufferFile.__init__ is not called: it is the copy this class avoids.
        self._buf = view
        self._name = name
        self.file = ViewReader(view)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name=None) -> "MappedSubFile":
        return MappedSubFile(self._buf[position:position + length], name=name or self._name)

    def read_pickle(self):
        """The pickle at the read position, loaded from a small copy of the
        bytes there (`io.BytesIO`, read in C): from a file object written in
        Python, the unpickler calls `read` once per opcode (20 calls a load
        for Whoosh's posting block headers, measured).  A window too short
        for the pickle fails to load (the unpickler never takes a truncated
        pickle for a whole one: it stops only at its STOP opcode) and is
        tried again longer."""
        reader = self.file
        start, window = reader.tell(), PICKLE_WINDOW
        while True:
            chunk = BytesIO(self._buf[start:start + window])
            try:
                value = pickle.load(chunk)
            except (EOFError, pickle.UnpicklingError, ValueError):
                if start + window >= len(self._buf):
                    raise
                window *= 16
                continue
            reader.seek(start + chunk.tell())
            return value


class MappedCompoundFile(MappedSubFile):
    """A whole `.seg` file, mapped once; `subset` (Whoosh's `CompoundStorage`
    opens each file inside it with it) gives views of the map."""

    def __init__(self, path: str, name=None):
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        super().__init__(memoryview(self._map), name=name)

    def close(self) -> None:
        if self.is_closed:
            return
        self.is_closed = True
        # The views handed out may still be referenced (a matcher in flight):
        # the map is unmapped when the last of them goes.
        self._buf = self.file = None
        try:
            self._map.close()
        except BufferError:
            pass


class MappedStorage(FileStorage):
    """A read-only `FileStorage` whose compound segment files are mapped and
    read in place (`MappedCompoundFile`).  `supports_mmap` is False so that
    Whoosh's `CompoundStorage` does not map the file again itself (the route
    that copies): it asks the file for its sub-files instead."""

    def __init__(self, path: Union[str, Path]):
        super().__init__(str(path), supports_mmap=False, readonly=True)

    def open_file(self, name, **kwargs):
        if name.endswith(COMPOUND_EXTENSION):
            return MappedCompoundFile(self._fpath(name), name=name)
        return super().open_file(name, **kwargs)


def open_index(path: Union[str, Path], indexname: str = _DEF_INDEX_NAME):
    """The Whoosh index at `path`, its segment files read in place (see the module's doc)."""
    return MappedStorage(path).open_index(indexname)

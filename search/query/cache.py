"""Finished results per (index generation, request)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Optional

PARTIAL_RESULT_SECONDS = 300.0


class ResultCache:
    """Finished results per (index generation, request): a repeated search (the
    next visitor, the back button, a refreshed page) costs a dictionary look-up.
    A reindex starts a new generation, so stale entries are never served."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if not self.size:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and time.monotonic() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key, value, seconds: Optional[float] = None) -> None:
        """Keeps `value` until evicted, or for `seconds` at most."""
        if not self.size:
            return
        with self._lock:
            self._entries[key] = (value, None if seconds is None else time.monotonic() + seconds)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


"""Where things live by default: the index folder and the seed articles.

A module of its own so that every layer (the reindex, the CLI, the web server)
reads the same defaults without importing one another."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = PROJECT_ROOT / "index"
DEFAULT_SEEDS = PROJECT_ROOT / "seeds"

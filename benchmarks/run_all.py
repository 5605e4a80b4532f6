"""`make bench`: every benchmark, one after the other, each in its own process with its defaults.

Each writes its figures where its section of benchmarks/RESULTS.md says; this runner only reports
which ones finished. Run one with `python -m benchmarks.<name>`; `python -m benchmarks.run_all
NAME ...` runs the named ones. Expect well over an hour for all on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = (
    "retrieval_bench",  # issue 2: recall, MRR, latency
    "answer_bench",  # issue 10: XQuAD spans, in-domain, near-miss, small talk, calibration
    "constraints_bench",  # issue 10: near-miss questions declined or labelled
    "smalltalk_bench",  # issue 10: small talk and intents, held-out list
    "hostile_files",  # issue 11: peak memory and time per hostile upload
    "faults_bench",  # issue 11: 429/5xx storms, SIGKILL mid-upload, other users during an upload
    "telegram_bench",  # issue 3: Telegram channel throughput and latency
    "replicas_bench",  # issue 7: two replicas on PostgreSQL and Redis
    "console_bench",  # issue 15: staff console page loads, server time p50/p95 per page
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        started = time.monotonic()
        print(f"== {name}", flush=True)
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
        print(f"== {name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    print("all benchmarks finished" if not failed else f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

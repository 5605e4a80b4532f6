"""Peak memory and time for each hostile file (issue 11 item 9).

    python -m benchmarks.hostile_files [--only NAME ...] [--keep DIR]

Each file of tests/fakes/hostile_files.py is generated at the tester's size (1.15 GB behind a lying
zip header, 199 MB of XML under the old limits, ...), then ingested by `prepare_file` — the code path of
`kb add` and of staff uploads — in a fresh process per file. Reported: the refusal, wall time, the peak
RSS of that process (what the bot would add) and of the parser child it starts (the sandbox). A legit
DOCX and PDF are measured too. Results go to benchmarks/results/hostile_files.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes import hostile_files as H

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "hostile_files.json"
LIMIT_MB = 600

_PROBE = """
import json, resource, sys, time
from knowledge.ingest.pipeline import prepare_file
started = time.perf_counter()
try:
    prepared = prepare_file(sys.argv[1])
    outcome = f"accepted ({len(prepared.text):,} chars, {len(prepared.chunks)} chunks)"
except Exception as exc:
    outcome = getattr(exc, "code", type(exc).__name__)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                  "rss_mb": hwm / 1024,
                  "parser_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def legit_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Chuẩn nghèo đa chiều giai đoạn 2022-2025", level=1)
    for i in range(400):
        d.add_paragraph(f"Điều {i}. Hộ nghèo là hộ có thu nhập bình quân đầu người từ 1.500.000 đồng trở xuống "
                        "và thiếu hụt từ 3 chỉ số đo lường mức độ thiếu hụt dịch vụ xã hội cơ bản trở lên.")
    d.save(str(path))
    return path


def legit_pdf(path: Path) -> Path:
    line = "Ho ngheo duoc ho tro bao hiem y te va hoc phi theo quy dinh cua Nha nuoc. " * 20
    return H._pdf(path, [f"BT /F1 8 Tf 20 760 Td ({line}) Tj ET".encode()] * 50, compress=True)


CASES = {"legit_docx_400_paragraphs": ("docx", legit_docx), "legit_pdf_50_pages": ("pdf", legit_pdf),
         **H.HOSTILE}


def measure(path: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, cwd=ROOT, timeout=900,
                          check=False)
    if proc.returncode != 0:
        return {"outcome": f"probe crashed ({proc.returncode})", "stderr": proc.stderr.decode()[-500:]}
    return dict(json.loads(proc.stdout.decode().strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    names = args.only or list(CASES)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            ext, make = CASES[name]
            path = folder / f"{name}.{ext}"
            t0 = time.perf_counter()
            make(path)
            made_s = time.perf_counter() - t0
            result = measure(path)
            row = {"file": name, "size_mb": round(path.stat().st_size / 1e6, 2), "generated_s": round(made_s, 1),
                   **result}
            rows.append(row)
            print(f"{name:34s} {row['size_mb']:>8} MB  {result.get('outcome')!s:45s} "
                  f"{float(result.get('seconds', 0)):6.2f} s  rss {float(result.get('rss_mb', 0)):6.1f} MB  "
                  f"parser {float(result.get('parser_rss_mb', 0)):6.1f} MB", flush=True)
            if not args.keep:
                path.unlink()
    peak = max(max(float(r.get("rss_mb", 0)), float(r.get("parser_rss_mb", 0))) for r in rows)
    print(f"peak RSS over all files: {peak:.1f} MB (limit {LIMIT_MB} MB)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rows": rows, "peak_rss_mb": peak}, ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")


if __name__ == "__main__":
    main()

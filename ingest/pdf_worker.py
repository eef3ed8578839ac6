"""The PDF parser's child process: limits itself, reads one PDF with pypdf, prints JSON.

Run as ``python -I pdf_worker.py MEMORY_MB CPU_S PATH``. It sets its own address-space limit
(``RLIMIT_AS``) and a CPU-time backstop (``RLIMIT_CPU``, so it ends even if its parent died)
before importing pypdf, and prints one JSON object: ``{"pages": [[[text, y, size], ...], ...],
"info": {...}}`` (each page's text lines with their height on the page and font size), or
``{"error": KIND, "message": ...}``. Only the standard library and pypdf are imported here.
"""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_MEMORY = 3


def _limit(memory_mb: int, cpu_s: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))


def _lines(page: Any) -> list[list[Any]]:
    """The page's text lines, each ``[text, y, font size]`` (y grows up the page)."""
    lines: list[list[Any]] = []
    current: list[Any] | None = None

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        nonlocal current
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if current is None and part:
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                scale = abs(tm[3] * cm[3]) or 1.0
                current = ["", round(y, 2), round(float(size) * scale, 2)]
            if current is not None:
                current[0] += part
                if i < len(parts) - 1:
                    lines.append(current)
                    current = None

    page.extract_text(visitor_text=visit)
    if current is not None:
        lines.append(current)
    return [line for line in lines if line[0].strip()]


def _text(value: Any) -> str | None:
    if hasattr(value, "get_object"):
        value = value.get_object()
    return str(value) if isinstance(value, str) else None


def _info(reader: Any) -> dict[str, str]:
    meta = reader.metadata or {}
    info = {
        "title": _text(meta.get("/Title")),
        "author": _text(meta.get("/Author")),
        "creation_date": _text(meta.get("/CreationDate")),
    }
    try:
        info["language"] = _text(reader.trailer["/Root"].get_object().get("/Lang"))
    except Exception:
        info["language"] = None
    return {k: v for k, v in info.items() if v}


def parse(path: str) -> dict[str, Any]:
    """Pages and info of the PDF at ``path``, or an error."""
    import logging

    logging.disable(logging.WARNING)
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            return {"error": "encrypted", "message": f"its encryption is not supported ({exc})"}
        if not opened:
            return {"error": "encrypted", "message": "it needs a password"}
    pages = [_lines(page) for page in reader.pages]
    return {"pages": pages, "info": _info(reader)}


def main(argv: list[str]) -> int:
    """Entry point of the child process."""
    memory_mb, cpu_s, path = int(argv[1]), int(argv[2]), argv[3]
    try:
        _limit(memory_mb, cpu_s)
        result = parse(path)
    except MemoryError:
        result = {"error": "memory", "message": f"over {memory_mb} MB"}
        code = EXIT_MEMORY
    except RecursionError:
        result = {"error": "damaged", "message": "nested too deeply"}
        code = 0
    except Exception as exc:
        if "memory" in str(exc).lower():  # e.g. zlib's "insufficient memory"
            result, code = {"error": "memory", "message": str(exc)}, EXIT_MEMORY
        else:
            result, code = {"error": "damaged", "message": f"{type(exc).__name__}: {exc}"}, 0
    else:
        code = 0
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

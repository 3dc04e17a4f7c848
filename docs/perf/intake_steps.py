"""CPU seconds per handler family and per recompute step over `intake_cpu_bench.py`'s pass (docs/perf/hub-profile.md).

    .venv/bin/python docs/perf/intake_steps.py [ROOT] N [intake_cpu_bench options]
    .venv/bin/python docs/perf/intake_steps.py 150000 --distinct 500
    .venv/bin/python docs/perf/intake_steps.py /tmp/old-checkout 150000 --distinct 500   # another build, same data

Wraps every ``HANDLERS`` entry and every ``RECOMPUTE`` step of the build at ROOT (default: this checkout) with a
CPU timer, runs ``docs/perf/intake_cpu_bench.py`` of that build, and prints its figures and then the totals.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path


def main() -> None:
    args = sys.argv[1:]
    root = Path(args.pop(0)).resolve() if args and not args[0].lstrip("-").isdigit() else Path(__file__).parents[2]
    sys.path.insert(0, str(root))
    from hub.services import handlers
    from hub.services import intake as intake_module

    totals: dict[str, float] = {}

    def timed(name: str, fn):  # noqa: ANN001, ANN202
        def run(*a, **k):  # noqa: ANN002, ANN003, ANN202
            started = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                totals[name] = totals.get(name, 0.0) + time.process_time() - started
        return run

    steps = tuple(timed(f"{s.__module__.rsplit('.', 1)[-1]}.{s.__name__}", s) for s in handlers.RECOMPUTE)
    handlers.RECOMPUTE = intake_module.RECOMPUTE = steps
    for kind, handler in list(handlers.HANDLERS.items()):
        handlers.HANDLERS[kind] = timed("on:" + kind.split(".")[0], handler)
    intake_module.HANDLERS.update(handlers.HANDLERS)
    intake_module.apply_batch = timed("apply_batch (writes + every step)", intake_module.apply_batch)
    bench = root / "docs" / "perf" / "intake_cpu_bench.py"
    sys.argv = [str(bench), *args]
    try:
        runpy.run_path(str(bench), run_name="__main__")
    finally:
        for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"{name:36s} {seconds:8.2f} s CPU")


if __name__ == "__main__":
    main()

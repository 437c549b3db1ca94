"""What a workload leaves behind when repeated: shared by the CPU and GPU leak tests."""
import gc
import sys
import tracemalloc
from dataclasses import dataclass


@dataclass
class Growth:
    refs: list      # change of sys.getrefcount of each watched object
    objects: int    # change of the number of gc-tracked objects
    bytes: int      # Python heap growth (tracemalloc)
    probe: int      # change of probe() (e.g. torch.cuda.memory_allocated), 0 without one


def growth(run, objs, calls=10_000, warmup=100, probe=None):
    """run(n) performs n iterations; warm-up first, so caches do not count."""
    run(warmup)
    gc.collect()
    refs = [sys.getrefcount(o) for o in objs]
    objects = len(gc.get_objects())
    probed = probe() if probe else 0
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run(calls)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    # Counted exactly as before (a zip tuple would hold one more reference).
    after = [sys.getrefcount(o) for o in objs]
    return Growth(
        refs=[x - y for x, y in zip(after, refs)],
        objects=len(gc.get_objects()) - objects,
        bytes=grown,
        probe=(probe() - probed) if probe else 0,
    )

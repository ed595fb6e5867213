"""The peak memory of one job's run, as the job page and `make bench` report it.

What it measures: the worker process's peak resident set size (RSS) while the job ran, in KiB,
baseline of the process included (Python, Django, WeasyPrint loaded: about 100 MB). On Linux the
process's high-water mark is reset when the run starts (writing 5 to /proc/self/clear_refs) and read
when it ends (VmHWM in /proc/self/status), so an earlier, bigger job does not hide this one's peak.
Elsewhere it is `ru_maxrss` at the end, which may be an earlier run's peak (an upper bound).
"""

import resource
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak() -> bool:
    """Start measuring; False where the peak cannot be reset (then `peak_kb` is the process's)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_kb() -> int:
    """The peak RSS since `reset_peak` (Linux), else of the process's whole life."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

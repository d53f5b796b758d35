"""Shared helpers: timing, percentiles, process-tree memory, child processes, targets and printing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000  # throughput is in decimal megabytes (10^6 bytes) per second


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def machine() -> dict:
    """What the figures were measured on."""
    import platform

    info = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        freq = psutil.cpu_freq()
        if freq:
            info["cpu_mhz"] = round(freq.current)
    except Exception:  # psutil is optional for this
        pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------- memory


class TreeUsage:
    """Samples the resident memory of a process and all its descendants (psutil), in a thread of
    the *parent* (sampling from inside the measured process would take its GIL).

    ``peak_rss`` is the largest *sum* of RSS over the tree seen at one sample (pages shared by
    forked workers are counted once per process: an upper bound); ``peak_pss`` the same with PSS
    (proportional set size: shared pages divided among their sharers; sampled less often because
    reading smaps is slower), which is what the tree really costs the machine. ``cpu_seconds`` adds
    up the CPU time each process of the tree had used when last seen: unlike the rusage of reaped
    children it counts the ingest's workers, whose parent (the fork server) never reaps them (a
    process that ends loses at most its last ``interval``).
    """

    def __init__(self, pid: int | None = None, interval: float = 0.25, pss_every: int = 8):
        self.pid = pid or os.getpid()
        self.interval = interval
        self.pss_every = pss_every
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self.samples = 0
        self._cpu: dict[tuple[int, float], float] = {}   # (pid, start time) → CPU seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self, with_pss: bool) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        rss = pss = 0
        alive = 0
        for p in procs:
            try:
                if with_pss:
                    full = p.memory_full_info()
                    rss += full.rss
                    pss += getattr(full, "pss", full.rss)
                else:
                    rss += p.memory_info().rss
                times = p.cpu_times()
                self._cpu[p.pid, p.create_time()] = times.user + times.system
                alive += 1
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        if with_pss:
            self.peak_pss = max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, alive)
        self.samples += 1

    def _loop(self) -> None:
        n = 0
        while not self._stop.is_set():
            self._sample(n % self.pss_every == 0)
            n += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeUsage":
        try:
            import psutil  # noqa: F401
        except ImportError:
            return self
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._sample(True)

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def to_dict(self) -> dict:
        return {"peak_rss_mb": round(self.peak_rss / 2**20, 1), "peak_pss_mb": round(self.peak_pss / 2**20, 1),
                "peak_processes": self.peak_processes, "samples": self.samples}


# --------------------------------------------------------------------------- child processes


def run_child(module: str, args: list[str], *, timeout: float | None = None,
              env: dict | None = None, measure_memory: bool = False) -> dict:
    """Run ``python -m module args…`` in a fresh interpreter; it prints one JSON object as its last
    stdout line, which is returned (plus ``child_seconds`` and, if asked, the tree's memory)."""
    import resource

    full_env = dict(os.environ, **(env or {}))
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), full_env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = _busy_cpu_seconds()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=str(ROOT), env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeUsage(proc.pid) if measure_memory else None
    try:
        if memory:
            memory.__enter__()
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{module} {' '.join(args)} ran longer than {timeout} s")
    finally:
        if memory:
            memory.__exit__(None, None, None)
    seconds = time.monotonic() - started
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1 = _busy_cpu_seconds()
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = json.loads(lines[-1])
    result["child_seconds"] = round(seconds, 3)
    # CPU seconds of the whole process tree (sampled per process where memory is measured: the
    # rusage of reaped children misses processes nobody reaps), and how busy
    # the machine was meanwhile with other processes: a measurement taken while others ran is slower
    tree_cpu = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    if memory:
        tree_cpu = max(tree_cpu, memory.cpu_seconds)
    result["cpu"] = {"tree_cpu_seconds": round(tree_cpu, 2),
                     "tree_busy_cores": round(tree_cpu / seconds, 2) if seconds else None}
    if busy0 is not None and busy1 is not None and seconds:
        result["cpu"]["machine_busy_cores"] = round((busy1 - busy0) / seconds, 2)
        result["cpu"]["others_busy_cores"] = round(max(0.0, (busy1 - busy0) - tree_cpu) / seconds, 2)
    if memory:
        result["memory"] = memory.to_dict()
    return result


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (psutil), or None."""
    try:
        import psutil

        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)
    except Exception:
        return None


def emit(result: dict) -> None:
    """The child side of :func:`run_child`: print the result as one JSON line."""
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- targets and printing


@dataclass
class Check:
    """One figure against a target: ``value`` compared with ``target`` by ``op`` (">=", "<=" or "<")."""

    name: str
    value: float | None
    target: float
    op: str
    unit: str = ""
    lower_bound: bool = False   # value is only a lower bound (the baseline was stopped at a timeout)

    @property
    def met(self) -> bool | None:
        """True/False; None when not measured or when a lower bound falls short (inconclusive)."""
        if self.value is None:
            return None
        ok = {">=": self.value >= self.target, "<=": self.value <= self.target}.get(self.op, self.value < self.target)
        if not ok and self.lower_bound:
            return None
        return ok

    @property
    def ratio(self) -> float | None:
        """How far from the target, as a factor ≥ 1 means met: value/target for ≥, target/value for <."""
        if self.value is None or self.value == 0:
            return None
        return self.value / self.target if self.op == ">=" else self.target / self.value

    def text(self) -> str:
        if self.value is None:
            return f"{self.name}: not measured (target {self.op} {fmt(self.target)}{self.unit})"
        mark = "MET" if self.met else ("INCONCLUSIVE (a lower bound)" if self.met is None else "NOT MET")
        return (f"{self.name}: {'≥ ' if self.lower_bound else ''}{fmt(self.value)}{self.unit} vs target {self.op} {fmt(self.target)}{self.unit} "
                f"→ {mark} ({fmt(self.ratio)}× of target)")

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "target": self.target, "op": self.op,
                "unit": self.unit, "met": self.met, "ratio": self.ratio}


def fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, int) or (abs(x) >= 100 and float(x).is_integer()):
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}g}"


def say(line: str = "") -> None:
    print(line, flush=True)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def dir_size(path: str | Path) -> int:
    """Bytes on disk under ``path`` (hard links counted once: snapshots share the db's files)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            total += st.st_blocks * 512
    return total


@contextmanager
def private_virtuoso(folder: Path) -> Iterator[tuple[str, str] | str]:
    """A private Virtuoso in ``folder`` (``scripts/virtuoso.sh``): yields ``(url, dba password)``,
    or — when it cannot be started — why not; stopped on leaving the block."""
    script = ["bash", str(ROOT / "scripts" / "virtuoso.sh")]
    done = subprocess.run([*script, "start", str(folder)], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        yield f"scripts/virtuoso.sh start: exit {done.returncode}: {done.stderr.strip()[-300:]}"
        return
    values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    try:
        yield values["POLICYKB_STORE"], (folder / "dba-password").read_text().strip()
    finally:
        subprocess.run([*script, "stop", str(folder)], capture_output=True, timeout=180)

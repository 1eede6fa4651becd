"""cecli's speed and memory against hand-written numpy, the memory floor, pandas and numpy.loadtxt.

    python benchmarks/run.py            the full run (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    a smoke run on small sizes (seconds)

Data come from a fixed seed. Every figure is a median of several repeats, with the things compared
run in turn (interleaved), so that drift in the machine's speed hits them alike. Each target is
printed with the measured ratio and whether it is met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cecli.config import Config  # noqa: E402
from cecli.data import Dataset  # noqa: E402
from cecli.train import design, value_and_gradient  # noqa: E402

SIZES = [(4, 3), (1000, 10), (100_000, 20), (1_000_000, 20), (100_000, 200)]
QUICK_SIZES = [(4, 3), (1000, 10), (20_000, 20)]
RESULTS: list[tuple[str, float, float, bool]] = []


def dataset(n: int, d: int, seed: int = 0) -> Dataset:
    """Standard-normal features and labels drawn from a logistic model, from a fixed seed."""
    if (n, d) == (4, 3):
        from cecli.data import toy

        return toy()
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    t = (rng.random(n) < 1 / (1 + np.exp(-X @ rng.normal(0, 0.3, d)))).astype(np.float64)
    return Dataset(X, t, tuple(f"x{j}" for j in range(d)))


def interleaved(functions: dict, repeats: int, number: int = 1, pause: float = 0.0) -> dict:
    """Median seconds per call of each function, timed in turn, `repeats` rounds of `number` calls.

    `pause` seconds of sleep (not timed) before each round of calls let the threads of the call before go idle.
    """
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(number):
                f()
            times[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(values) for name, values in times.items()}


# Steps are timed in batches of consecutive steps lasting at least this long, as in a training run, each
# batch after a pause: OpenBLAS's threads spin for about 0.1 s after a threaded call, on the cores that the
# next function timed (cecli's step shares its blocks among them) is about to use. In a training run
# nothing runs between two steps.
BATCH_SECONDS, PAUSE_SECONDS = 0.5, 0.2
QUICK = False  # a quick run prints its ratios but judges no target: small sizes say nothing of scale


def target(label: str, measured: float, limit: float) -> None:
    if QUICK:
        print(f"  ({label}: {measured:.3g}; limit {limit:g}, judged only in the full run)")
        return
    met = measured <= limit
    RESULTS.append((label, measured, limit, met))
    print(f"  target: {label}: {measured:.3g} (limit {limit:g}) {'met' if met else 'NOT MET'}")


def cecli_step(data: Dataset, lr: float):
    """One training step exactly as `cecli train` takes it: value and gradient, then the update."""
    problem = design(data, Config(reduction="mean", lr=lr))
    loss_and_gradient = value_and_gradient(problem.objective)
    state = {"w": np.zeros(data.d)}
    state["value"], state["g"] = loss_and_gradient(state["w"])

    def step():
        state["w"] = state["w"] - lr * state["g"]
        state["value"], state["g"] = loss_and_gradient(state["w"])
        return state["w"]

    return step


def reference_step(data: Dataset, lr: float):
    """The hand-written numpy step, X in Fortran order: p = logistic(2 X w), w -= lr * 2 Xᵀ(p - t) / n."""
    XF, t, n = np.asfortranarray(data.X), data.t, data.n
    state = {"w": np.zeros(data.d)}

    def step():
        p = 1 / (1 + np.exp(-2 * (XF @ state["w"])))
        state["w"] = state["w"] - lr * (2 / n) * ((p - t) @ XF)
        return state["w"]

    return step


def reference_loss_step(data: Dataset, lr: float):
    """The same step, also computing the loss as cecli's does (stably, every step), unblocked."""
    from cecli.fused import softplus_sum_and_logistic

    XF, n = np.asfortranarray(data.X), data.n
    m_per_z = -2 * (2 * data.t - 1)  # -log p(label) = softplus(m), m = m_per_z * X w
    state = {"w": np.zeros(data.d)}

    def step():
        total, logistic = softplus_sum_and_logistic(m_per_z * (XF @ state["w"]))
        state["loss"] = total / n
        state["w"] = state["w"] - lr * ((m_per_z / n) * logistic) @ XF
        return state["w"]

    return step


def agree(data: Dataset, makers: dict) -> None:
    """Every step, from the same start, reaches the same weights: the steps compared do the same descent."""
    weights = {}
    for name, make in makers.items():
        step = make(data, 1.0)
        step()
        weights[name] = step()
    first = next(iter(weights.values()))
    for name, w in weights.items():
        assert np.allclose(w, first, rtol=1e-9, atol=1e-12), f"{name} takes a different step"


def read_bandwidth() -> float:
    """Bytes per second of one read pass over a 400 MB array (a BLAS dot product with ones)."""
    a = np.ones(50_000_000)
    np.dot(a, a)
    return a.nbytes / interleaved({"read": lambda: np.dot(a, a)}, 7)["read"]  # dot(a, a) reads a once


def steps_section(sizes, quick: bool) -> None:
    print("\n== seconds per training step (float64; mean loss, lr 1) ==")
    bandwidth = read_bandwidth()
    print(f"  measured read bandwidth: {bandwidth / 1e9:.1f} GB/s")
    print("  ref: hand-written numpy gradient step; ref+loss: the same, also computing the loss every step")
    print(f"  {'N x D':>14} {'cecli':>10} {'ref':>10} {'ref+loss':>10} {'2-pass floor':>12} {'/ref':>6} "
          f"{'/ref+loss':>9} {'/floor':>7}")
    makers = {"cecli": cecli_step, "ref": reference_step, "ref+loss": reference_loss_step}
    for n, d in sizes:
        data = dataset(n, d)
        agree(data, makers)
        steps = {name: make(data, 1.0) for name, make in makers.items()}
        probe = interleaved({"ref": steps["ref"]}, 3)["ref"]
        number = max(1, int(2e6 // (n * d + 1000)), int((0.02 if quick else BATCH_SECONDS) / probe))
        times = interleaved(steps, 3 if quick else 11, number, 0.0 if quick else PAUSE_SECONDS)
        floor = 2 * data.X.nbytes / bandwidth
        cecli = times["cecli"]
        print(f"  {f'{n} x {d}':>14} {cecli:>9.3g}s {times['ref']:>9.3g}s {times['ref+loss']:>9.3g}s "
              f"{floor:>11.3g}s {cecli / times['ref']:>6.2f} {cecli / times['ref+loss']:>9.2f} {cecli / floor:>7.2f}")
        if (n, d) == (4, 3):
            target("fixed cost per step on the 4x3 set, microseconds", cecli * 1e6, 40)
        if (n, d) in ((1_000_000, 20), (100_000, 200)):
            target(f"step at {n}x{d} / hand-written numpy step", cecli / times["ref"], 1.2)


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def measure_processes(commands: dict, repeats: int) -> dict:
    """Median wall seconds and peak RSS (bytes) of each command, run in turn."""
    out = {name: ([], []) for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr}")
            out[name][0].append(elapsed)
            last = done.stdout.strip().splitlines()[-1:] or ["0"]
            out[name][1].append(int(last[0]) if last[0].isdigit() else 0)
    return {name: (statistics.median(s), statistics.median(r)) for name, (s, r) in out.items()}


# VmHWM: this process's own peak resident memory (ru_maxrss would carry over the parent's through fork)
PEAK = ("print(1024 * int(next(line.split()[1] for line in open('/proc/self/status') "
        "if line.startswith('VmHWM'))))")


def csv_section(folder: Path, rows: int, repeats: int) -> None:
    print(f"\n== reading a CSV file of {rows} x 21 ==")
    data = dataset(rows, 20, seed=1)
    path = folder / "big.csv"
    body = np.column_stack([data.X, data.t])
    np.savetxt(path, body, fmt=["%.8g"] * 20 + ["%d"], delimiter=",", comments="",
               header=",".join([*data.names, "target"]))
    print(f"  file: {path.stat().st_size / 1e6:.0f} MB")
    commands = {
        "cecli": python(f"from cecli.data import load; load({str(path)!r}); {PEAK}"),
        "numpy.loadtxt": python(f"import numpy as np; np.loadtxt({str(path)!r}, delimiter=',', skiprows=1); {PEAK}"),
    }
    have_pandas = subprocess.run(python("import pandas"), capture_output=True).returncode == 0
    if have_pandas:
        commands["pandas (C engine)"] = python(
            f"import pandas as pd; pd.read_csv({str(path)!r}, engine='c').to_numpy(); {PEAK}")
    results = measure_processes(commands, repeats)
    for name, (seconds, peak) in results.items():
        print(f"  {name:>18}: {seconds:6.2f} s, peak RSS {peak / 1e6:6.0f} MB")
    if have_pandas:
        target("CSV load time / pandas C engine", results["cecli"][0] / results["pandas (C engine)"][0], 1.2)
    else:
        print("  pandas is not installed: the time target against it is not measured (pip install pandas)")
    target("CSV load peak RSS / numpy.loadtxt", results["cecli"][1] / results["numpy.loadtxt"][1], 2.0)
    small = measure_processes({
        "cecli, 4-row file": python("import sys; from cecli.data import load; load('data/toy.csv'); "
                                    "assert 'pandas' not in sys.modules, 'pandas was imported'; " + PEAK),
        "python -c 'import numpy'": python("import numpy; " + PEAK),
    }, repeats * 3)
    for name, (seconds, _) in small.items():
        print(f"  {name:>26}: {seconds * 1e3:6.0f} ms")
    print("  the 4-row file is read without importing pandas")


def startup_section(repeats: int) -> None:
    print("\n== start-up, whole process ==")
    # compiled bytecode, as `pip install` leaves it (a checkout run with PYTHONDONTWRITEBYTECODE has none)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cecli")], check=True)
    cecli = [sys.executable, "-m", "cecli"]
    results = measure_processes({
        "python -c pass": python("pass; print(0)"),
        "import click": python("import click; print(0)"),
        "cecli --help": python("import sys; sys.argv = ['cecli', '--help']\nfrom cecli.cli import cli\n"
                               "try:\n    cli()\nexcept SystemExit:\n    pass\nprint(0)"),
        "import train's dependencies": python("import numpy, autograd, click, rich.console, rich.table; print(0)"),
        "cecli train (toy set)": [*cecli, "train"],
    }, repeats)
    for name, (seconds, _) in results.items():
        print(f"  {name:>28}: {seconds * 1e3:6.0f} ms")
    target("cecli --help / import click", results["cecli --help"][0] / results["import click"][0], 1.5)
    target("cecli train (toy) / importing its dependencies",
           results["cecli train (toy set)"][0] / results["import train's dependencies"][0], 1.2)


def memory_section(folder: Path, rows: int, repeats: int) -> None:
    print(f"\n== peak RSS while training on {rows} x 20 ==")
    data = dataset(rows, 20, seed=2)
    path = folder / "train.npy"
    np.save(path, np.column_stack([data.X, data.t]))
    x_bytes = data.X.nbytes
    results = measure_processes({
        "baseline (imports)": python("import numpy, autograd, click, rich.console, rich.table; " + PEAK),
        "cecli train": python("import sys; sys.argv = ['cecli', 'train', sys.argv[1], '--steps', '5', "
                              "'--reduction', 'mean', '--lr', '1', '--json']\nfrom cecli.cli import cli\n"
                              "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
                              "    try:\n        cli()\n    except SystemExit:\n        pass\n" + PEAK, str(path)),
    }, repeats)
    baseline, peak = results["baseline (imports)"][1], results["cecli train"][1]
    print(f"  X: {x_bytes / 1e6:.0f} MB; interpreter and imports: {baseline / 1e6:.0f} MB; "
          f"peak while training: {peak / 1e6:.0f} MB")
    target("(peak RSS - baseline) / bytes of X", (peak - baseline) / x_bytes, 1.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats: a smoke run")
    global QUICK
    quick = QUICK = parser.parse_args().quick
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, python {sys.version.split()[0]}"
          + (" (quick run: small sizes, targets at scale not measured)" if quick else ""))
    with tempfile.TemporaryDirectory(prefix="cecli-bench-") as folder:
        steps_section(QUICK_SIZES if quick else SIZES, quick)
        csv_section(Path(folder), 20_000 if quick else 1_000_000, 1 if quick else 5)
        startup_section(3 if quick else 15)
        memory_section(Path(folder), 20_000 if quick else 1_000_000, 1 if quick else 3)
    met = sum(r[3] for r in RESULTS)
    print("\nquick run: no target judged" if quick else f"\n{met} of {len(RESULTS)} targets met")


if __name__ == "__main__":
    main()

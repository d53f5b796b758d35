"""``python -m benchmarks.plot OUT [OUT …] --out growth.svg``: how each figure grows with the
corpus, one panel per figure, from the stage results of one or more runs (``OUT/results/N/*.json``;
a later folder's size replaces an earlier one's). ``python -m benchmarks`` draws it too when a run
has two sizes or more. Needs matplotlib (``pip install -e '.[bench]'``).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

def figures() -> tuple:
    """(panel title, unit, stage, how the value is read from that stage's result, the target or
    None); the targets are the ones ``python -m benchmarks`` checks (:mod:`benchmarks.run`)."""
    from benchmarks import run

    return (
        ("ingest CPU per MB of text", "CPU s/MB", "ingest",
         lambda s: (s.get("cpu") or {}).get("tree_cpu_seconds", 0) / (s["bytes"] / 1e6) if s.get("bytes") else None,
         None),
        ("quads per document", "quads", "ingest", lambda s: s["triples"] / s["docs"] if s.get("docs") else None,
         run.TARGET_QUADS_PER_DOC),
        ("store ÷ text", "×", "ingest", lambda s: s["store_bytes"] / s["bytes"] if s.get("bytes") else None,
         run.TARGET_STORE_VS_TEXT),
        ("ingest peak RSS (process tree)", "MB", "ingest", lambda s: (s.get("memory") or {}).get("peak_rss_mb"),
         run.TARGET_RSS_MB),
        ("find, typical district, p95", "ms", "queries", lambda s: _p95(s, "find_district@typical"),
         run.TARGET_DISTRICT_P95_MS),
        ("ask, largest district, p95", "ms", "queries", lambda s: _p95(s, "ask_district@largest"),
         run.TARGET_DISTRICT_P95_MS),
        ("matrix --counts, all districts, p95", "ms", "queries", lambda s: _p95(s, "matrix_counts_all"),
         run.TARGET_MATRIX_ALL_MS),
        ("app: cold start to the first answer", "s", "app", lambda s: s.get("first_answer_seconds"),
         run.TARGET_APP_FIRST_ANSWER_S),
    )


def _p95(stage: dict, operation: str) -> float | None:
    return ((((stage.get("oxigraph") or {}).get("operations") or {}).get(operation)) or {}).get("p95_ms")


def read_runs(folders: list[Path]) -> dict[int, dict[str, dict]]:
    """Size → stage → result, from the ``results/N/STAGE.json`` files of ``folders`` (in order)."""
    runs: dict[int, dict[str, dict]] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("results/*/*.json")):
            if path.parent.name.isdigit():
                runs.setdefault(int(path.parent.name), {})[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return runs


def growth(runs: dict[int, dict[str, dict]]) -> list[dict]:
    """One entry per figure: its title, unit, target and ``points`` (documents, value, code), in
    order of size; sizes without the stage (or where it failed) are left out."""
    out = []
    for title, unit, stage, read, target in figures():
        points = []
        for docs in sorted(runs):
            result = runs[docs].get(stage)
            try:
                value = read(result) if result else None
            except (KeyError, TypeError, ZeroDivisionError):
                value = None
            if value is not None:
                points.append((docs, float(value), result.get("code")))
        out.append({"title": title, "unit": unit, "target": target, "points": points})
    return out


def plot(figures: list[dict], path: Path, *, caption: str = "") -> Path:
    """Draw ``figures`` (from :func:`growth`) as one SVG (or PNG, by the suffix) of small panels:
    the value at each corpus size (log scale), the target as a dashed line."""
    try:
        import matplotlib
    except ImportError as exc:
        raise SystemExit("the growth plot needs matplotlib: pip install -e '.[bench]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [f for f in figures if f["points"]]
    cols = 4
    rows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    for ax, figure in zip(axes.flat, shown):
        docs = [p[0] for p in figure["points"]]
        values = [p[1] for p in figure["points"]]
        ax.plot(docs, values, marker="o")
        for x, y in zip(docs, values):
            ax.annotate(f"{y:,.0f}" if y >= 100 else f"{y:.3g}", (x, y), textcoords="offset points",
                        xytext=(0, 6), ha="center", fontsize=8)
        if figure["target"] is not None:
            ax.axhline(figure["target"], linestyle="--", linewidth=1, color="grey")
        ax.set_xscale("log")
        ax.set_xticks(docs, [f"{d:,}" for d in docs], fontsize=8)
        ax.minorticks_off()
        ax.set_ylim(bottom=0, top=max(values + [figure["target"] or 0]) * 1.25)
        ax.set_title(figure["title"], fontsize=10)
        ax.set_ylabel(figure["unit"], fontsize=8)
    if caption:
        fig.text(0.5, 0.005, caption, ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03 if caption else 0, 1, 1))
    path = Path(path)
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plot", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="benchmark output folders (their results/N/*.json)")
    parser.add_argument("--out", type=Path, default=Path("growth.svg"), help="the image to write (.svg or .png)")
    parser.add_argument("--caption", default="", help="a line under the panels (which runs, which code)")
    args = parser.parse_args(argv)
    runs = read_runs(args.folders)
    if not runs:
        raise SystemExit(f"no results/N/*.json under {', '.join(map(str, args.folders))}")
    print(plot(growth(runs), args.out, caption=args.caption))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""docs/benchmarks.md and its charts (docs/bench-*.svg), from one result file of bench.py and
the earlier result files in bench/results (the previous run of the same mode, and a history)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------


def _num(x, digits=2):
    if x is None:
        return "–"
    return f"{x:.{digits}f}"


def med_range(s: dict | None, unit: str = "s", digits: int = 2, scale: float = 1.0) -> str:
    if not s or not s.get("n"):
        return "not measured"
    m, lo, hi = s["median"] * scale, s["min"] * scale, s["max"] * scale
    return f"{m:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f}, n={s['n']})"


def p50_p95(s: dict | None, unit: str = "ms", digits: int = 0) -> str:
    if not s or not s.get("n"):
        return "not measured"
    return f"p50 {s['p50']:.{digits}f} / p95 {s['p95']:.{digits}f} {unit} (n={s['n']})"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "–"
    return "**pass**" if ok else "**FAIL**"


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


# --------------------------------------------------------------------------
# the key figures of a run (used for the table, the previous-run column and the history)
# --------------------------------------------------------------------------


def key_figures(r: dict) -> dict:
    s = r.get("sections", {})
    k = {}
    k["kernel_info_s"] = _get(s, "startup", "kernel_info_s", "ours", "median")
    k["ipykernel_info_s"] = _get(s, "startup", "kernel_info_s", "ipykernel", "median")
    k["first_count_s"] = _get(s, "startup", "first_count_s", "ours", "median")
    k["bare_count_s"] = _get(s, "startup", "first_count_s", "bare", "median")
    k["first_count_ratio"] = _get(s, "startup", "first_count_ratio")
    k["rt_p50_ms"] = _get(s, "roundtrip", "ours", "to_reply_ms", "p50")
    k["rt_p95_ms"] = _get(s, "roundtrip", "ours", "to_reply_ms", "p95")
    k["rss_idle_mb"] = _get(s, "startup", "rss_idle_mb", "ours", "median")
    for rate in ("1", "5"):
        k[f"sock{rate}_p50_ms"] = _get(s, "socket", "by_rate", rate, "ours", "summary", "p50")
        k[f"sock{rate}_p95_ms"] = _get(s, "socket", "by_rate", rate, "ours", "summary", "p95")
        k[f"sock{rate}_fast_p50_ms"] = _get(s, "socket", "by_rate", rate, "ours_fast", "summary", "p50")
        k[f"sock{rate}_bare_p50_ms"] = _get(s, "socket", "by_rate", rate, "bare", "summary", "p50")
        k[f"sock{rate}_ratio"] = _get(s, "socket", "by_rate", rate, "ratio_p50")
        k[f"sock{rate}_fast_ratio"] = _get(s, "socket", "by_rate", rate, "ratio_p50_fast")
    k["long_rss_slope"] = _get(s, "longrun", "rss_slope_second_half_mb_per_min")
    k["long_rss_slope_all"] = _get(s, "longrun", "rss_slope_mb_per_min")
    k["long_batch_growth"] = _get(s, "longrun", "batch_growth")
    k["long_heap_growth"] = _get(s, "longrun", "live_heap_growth_mb")
    k["long_minutes"] = (_get(s, "longrun", "duration_s") or 0) / 60 or None
    k["lessons_peak_mb"] = _get(s, "lessons", "peak_tree_mb")
    k["titles_s"] = _get(s, "titles", "ours_summary", "median")
    k["titles_ratio"] = _get(s, "titles", "ratio")
    k["titles_throughput"] = 1 / k["titles_ratio"] if k["titles_ratio"] else None  # kernel records/s / bare's
    return k


def checks(r: dict) -> dict:
    t = r["targets"]
    k = key_figures(r)

    def le(x, limit):
        return None if x is None else x <= limit

    return {
        "kernel_info": le(k["kernel_info_s"], t["kernel_info_s"]),
        "first_count": le(k["first_count_ratio"], t["first_count_ratio"]),
        "roundtrip": le(k["rt_p50_ms"], t["roundtrip_p50_ms"]),
        "rss": le(k["rss_idle_mb"], t["rss_idle_mb"]),
        "socket1": le(k["sock1_ratio"], t["socket_ratio"]),
        "socket1_fast": le(k["sock1_fast_ratio"], t["socket_ratio"]),
        "socket5": le(k["sock5_ratio"], t["socket_ratio"]),
        "socket5_fast": le(k["sock5_fast_ratio"], t["socket_ratio"]),
        "long_rss": le(k["long_rss_slope"], t["longrun_rss_slope_mb_per_min"]),
        "long_batch": le(k["long_batch_growth"], t["longrun_batch_growth"]),
        "long_heap": le(k["long_heap_growth"], t["longrun_live_heap_growth_mb"]),
        # results from before the target was set have none
        "titles": None if k["titles_throughput"] is None or "titles_throughput_ratio" not in t
        else k["titles_throughput"] >= t["titles_throughput_ratio"],
    }


def previous_results(current: Path, results_dir: Path) -> list[tuple[Path, dict]]:
    """Earlier result files, newest first."""
    out = []
    for p in sorted(results_dir.glob("*.json"), reverse=True):
        if p.resolve() == current.resolve():
            continue
        try:
            out.append((p, json.loads(p.read_text())))
        except (OSError, json.JSONDecodeError):
            continue
    return [(p, r) for p, r in out if r.get("started", "") < json.loads(current.read_text()).get("started", "")]


# --------------------------------------------------------------------------
# charts
# --------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "spark-streaming-lab-bench", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt


COLORS = {"ours": "#1565c0", "ours_fast": "#64b5f6", "bare": "#ef6c00", "bare_cds": "#ffb74d", "ipykernel": "#757575"}
LABELS = {"ours": "lab kernel", "ours_fast": "lab kernel, live view every 10 ms", "bare": "bare Spark program",
          "bare_cds": "bare, own class archive",
          "ipykernel": "ipykernel (reference)"}


def chart_startup(r: dict, path: Path) -> bool:
    st = r["sections"].get("startup")
    if not st or "runs" not in st:
        return False
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
    panels = [("start → kernel_info_reply (s)", "kernel_info_s", ["ours", "ipykernel"]),
              ("start → first spark.range(10).count() (s)", "first_count_s", ["ours", "bare", "bare_cds"]),
              ("RSS idle, session up (MB)", "rss_idle_mb", ["ours", "bare"])]
    for ax, (title, key, who) in zip(axes, panels):
        for i, w in enumerate(who):
            vals = [x[key] for x in st["runs"].get(w, []) if x.get(key) is not None]
            if not vals:
                continue
            vals_sorted = sorted(vals)
            med = vals_sorted[len(vals) // 2] if len(vals) % 2 else sum(vals_sorted[len(vals) // 2 - 1:len(vals) // 2 + 1]) / 2
            ax.bar(i, med, color=COLORS[w], alpha=0.8, width=0.6)
            ax.errorbar(i, med, yerr=[[med - min(vals)], [max(vals) - med]], color="black", capsize=4, lw=1)
            ax.scatter([i] * len(vals), vals, color="black", s=8, zorder=3)
            ax.text(i, med, f" {med:.2f}" if med < 100 else f" {med:.0f}", va="bottom", ha="left", fontsize=8)
        ax.set_xticks(range(len(who)), [LABELS[w].replace(" (reference)", "").replace(", ", ",\n") for w in who],
                      fontsize=8)
        ax.set_title(title, fontsize=9)
    fig.suptitle("Start-up and memory: median (bar), min–max (whiskers), repetitions (dots)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def chart_roundtrip(r: dict, path: Path) -> bool:
    rt = r["sections"].get("roundtrip")
    if not rt:
        return False
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    drawn = False
    for w in ("ours", "ipykernel"):
        xs = sorted(_get(rt, w, "samples_ms") or [])
        if not xs:
            continue
        ys = [(i + 1) / len(xs) for i in range(len(xs))]
        ax.step(xs, ys, where="post", color=COLORS[w], label=LABELS[w])
        drawn = True
    if not drawn:
        plt.close(fig)
        return False
    ax.axvline(r["targets"]["roundtrip_p50_ms"], color="#c62828", ls="--", lw=1, label="target p50 20 ms")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.axhline(0.95, color="grey", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel("execute_request → execute_reply (ms, log)")
    ax.set_ylabel("fraction of executes")
    ax.set_title(f"`1+1` round trip, {rt.get('n')} executes after {rt.get('warmup')} warm-up", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def chart_socket(r: dict, path: Path) -> bool:
    so = r["sections"].get("socket")
    if not so or "runs" not in so:
        return False
    plt = _plt()
    rates = sorted(so["by_rate"], key=float)
    fig, axes = plt.subplots(1, len(rates), figsize=(5 * len(rates), 3.4), squeeze=False)
    for ax, rate in zip(axes[0], rates):
        data, names = [], []
        for w in ("bare", "ours", "ours_fast"):
            lat = [x for run in so["runs"].get(w, []) for x in run["rates"].get(rate, run["rates"].get(int(rate), {}))
                   .get("latencies_ms", [])]
            if lat:
                data.append(lat)
                names.append(w)
        if not data:
            continue
        bp = ax.boxplot(data, whis=(5, 95), showfliers=True, patch_artist=True, widths=0.5,
                        flierprops={"markersize": 2})
        for patch, w in zip(bp["boxes"], names):
            patch.set_facecolor(COLORS[w])
            patch.set_alpha(0.7)
        ax.set_xticks(range(1, len(names) + 1), [LABELS[w].replace(", live view every 10 ms", ",\nview every 10 ms")
                                                 for w in names], fontsize=8)
        ax.set_ylabel("line sent → new count seen (ms)")
        ax.set_title(f"{rate} line(s)/s (box: p25–p75, whiskers: p5–p95)", fontsize=9)
        ax.set_ylim(bottom=0)
    fig.suptitle("Socket WordCount: a new word sent → its count in the result", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def chart_longrun(r: dict, path: Path) -> bool:
    lr = r["sections"].get("longrun")
    if not lr or not lr.get("samples"):
        return False
    plt = _plt()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    t = [s["t_s"] / 60 for s in lr["samples"]]
    a1.plot(t, [s["rss_mb"] for s in lr["samples"]], color=COLORS["ours"], label="kernel JVM RSS")
    a1.plot(t, [s["heap_used_mb"] for s in lr["samples"]], color="#2e7d32", lw=0.8, label="heap used (incl. garbage)")
    a1.plot(t, [s["heap_total_mb"] for s in lr["samples"]], color="#9e9e9e", lw=0.8, ls="--", label="heap committed")
    lh = lr.get("live_heap") or []
    if lh:
        a1.plot([h["t_s"] / 60 for h in lh], [h["mb"] for h in lh], color="#2e7d32", marker="D", ms=4, lw=1.5,
                label="live heap after a full GC")
    a1.set_ylabel("MB")
    a1.set_ylim(bottom=0)
    a1.legend(fontsize=7, loc="lower right")
    a1.set_title(f"Long run: rate source at {lr['rate_per_s']} rows/s, complete-mode aggregation, live view open "
                 f"({lr['duration_s'] / 60:.0f} min)", fontsize=9)
    bt = [b["t_s"] / 60 for b in lr["batches"]]
    bd = [b["duration_ms"] for b in lr["batches"]]
    a2.scatter(bt, bd, s=3, color=COLORS["bare"], alpha=0.5, label="micro-batch duration")
    window = 25
    if len(bd) > window:
        roll = []
        for i in range(len(bd)):
            w = sorted(bd[max(0, i - window // 2):i + window // 2 + 1])
            roll.append(w[len(w) // 2])
        a2.plot(bt, roll, color="black", lw=1, label=f"rolling median of {window}")
    a2.axvline(lr["warmup_s"] / 60, color="grey", ls=":", lw=1)
    a2.set_ylabel("triggerExecution (ms)")
    a2.set_xlabel("minutes since the query started")
    a2.set_ylim(bottom=0, top=max(1, sorted(bd)[int(len(bd) * 0.99)] * 1.5) if bd else None)
    a2.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def chart_lessons(r: dict, path: Path) -> bool:
    le = r["sections"].get("lessons")
    if not le or not le.get("lessons"):
        return False
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3.4))
    offset = 0.0
    for e in le["lessons"]:
        tr = e.get("trace") or []
        if not tr:
            continue
        xs = [(offset + x[0]) / 60 for x in tr]
        ax.plot(xs, [x[2] for x in tr], lw=1.2, color=COLORS["ours"])
        ax.fill_between(xs, [x[1] for x in tr], [x[2] for x in tr], color="#ef6c00", alpha=0.5, lw=0)
        ax.text(xs[0], 15, e["notebook"][:2], fontsize=7, color="#424242")
        offset += tr[-1][0] + 5
    ax.plot([], [], color=COLORS["ours"], label="kernel JVM + its children (RSS)")
    ax.fill_between([], [], [], color="#ef6c00", alpha=0.5, label="of which: children (the broker JVM)")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("minutes (lessons one after another, each in a fresh kernel; labels: lesson number)")
    ax.set_ylabel("MB")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Memory while the lesson notebooks run", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------


SECTION_NAMES = ("startup", "roundtrip", "socket", "longrun", "lessons", "titles")


def with_earlier_sections(r: dict, current: Path, results_dir: Path) -> tuple[dict, dict[str, str]]:
    """A run of some sections (bench/run.sh --only ...) completed by the newest earlier measurement of each
    section it did not run, so the report stays whole; returns the merged result and, per borrowed section,
    where it came from."""
    merged = dict(r)
    merged["sections"] = dict(r.get("sections", {}))
    borrowed = {}
    for name in SECTION_NAMES:
        if name in merged["sections"]:
            continue
        for p, earlier in previous_results(current, results_dir):
            section = earlier.get("sections", {}).get(name)
            if section and "error" not in section:
                merged["sections"][name] = section
                borrowed[name] = f"[`{p.name}`](../bench/results/{p.name}) ({earlier.get('mode')}, {earlier.get('started')})"
                break
    return merged, borrowed


def write(r: dict, current: Path, results_dir: Path, docs: Path) -> Path:
    docs.mkdir(parents=True, exist_ok=True)
    r, borrowed = with_earlier_sections(r, current, results_dir)
    charts = {}
    for name, fn in (("startup", chart_startup), ("roundtrip", chart_roundtrip), ("socket", chart_socket),
                     ("longrun", chart_longrun), ("lessons", chart_lessons)):
        p = docs / f"bench-{name}.svg"
        try:
            if fn(r, p):
                charts[name] = p.name
        except Exception as e:  # a chart must not lose the report
            print(f"[bench] chart {name} failed: {e!r}")

    earlier = previous_results(current, results_dir)
    prev_same = next(((p, x) for p, x in earlier if x.get("mode") == r.get("mode")), None)
    prev_k = key_figures(prev_same[1]) if prev_same else {}
    k = key_figures(r)
    c = checks(r)
    t = r["targets"]
    s = r.get("sections", {})
    m = r.get("machine", {})

    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append("Written by `bench/run.sh` (do not edit by hand: the next run rewrites it). The lab kernel is "
             "measured through a real Jupyter client (`jupyter_client`), one measurement at a time, side by side "
             "in the same run with bare Spark programs (`bench/java/`) started with the kernelspec's own JVM flags, "
             "and with ipykernel as a reference point. Raw numbers: "
             f"[`bench/results/{current.name}`](../bench/results/{current.name}).")
    L.append("")
    L.append("```bash")
    L.append("bench/run.sh            # full run, about 30 minutes")
    L.append("bench/run.sh --quick    # 2 repetitions, short streams, 1-minute long run")
    L.append("```")
    L.append("")
    L.append(f"This run: **{r.get('mode')}**, {r.get('reps')} repetitions of the start-up measurements, started "
             f"{r.get('started')}, finished {r.get('finished')}. Load average (1, 5, 15 min) at start "
             f"{r.get('load_at_start')}, at end {r.get('load_at_end')}."
             + (" **The run was interrupted: some sections are missing.**" if r.get("interrupted") else "")
             + ((" Processes left running by the bench at the end: "
                 + ("none." if not r.get("leftover_processes") else f"{len(r['leftover_processes'])} (ended by the bench)."))
                if "leftover_processes" in r else ""))
    if borrowed:
        L.append("")
        L.append("This run measured " + ", ".join(n for n in SECTION_NAMES if n in r["sections"] and n not in borrowed)
                 + " only; the other sections are the newest earlier measurements: "
                 + "; ".join(f"{n} from {src}" for n, src in borrowed.items()) + ".")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    L.append(f"| CPU | {m.get('cpu', '?')}, {m.get('cores')} cores |")
    L.append(f"| RAM | {m.get('ram_gb')} GB |")
    L.append(f"| OS | {m.get('platform')} |")
    L.append(f"| Java | {m.get('java')} |")
    L.append(f"| Spark | {m.get('spark')} |")
    L.append(f"| Kernel JVM flags (from kernel.json, also used for the bare programs; `--add-opens` list left out) | "
             f"`{m.get('jvm_flags')}` |")
    L.append(f"| Client | Python {m.get('python')}, jupyter_client {m.get('jupyter_client')}, "
             f"ipykernel {m.get('ipykernel')} |")
    L.append(f"| Code | git {m.get('git')}, kernel jar built {r.get('setup', {}).get('kernel_jar_built')} |")
    L.append("")

    prev_label = (f"previous {prev_same[1].get('mode')} run ({prev_same[1].get('started')})" if prev_same
                  else "previous run")

    def prev(key, fmt):
        v = prev_k.get(key)
        return fmt(v) if v is not None else "–"

    L.append("## Results")
    L.append("")
    L.append("Medians with (min–max) over repetitions; latencies as p50 / p95 over all samples.")
    L.append("")
    L.append(f"| measure | lab kernel | reference | ratio | target | result | {prev_label} |")
    L.append("|---|---|---|---|---|---|---|")
    st = s.get("startup", {})
    rt = s.get("roundtrip", {})
    if st.get("runs"):
        L.append(f"| start → `kernel_info_reply` | {med_range(_get(st, 'kernel_info_s', 'ours'))} | ipykernel "
                 f"{med_range(_get(st, 'kernel_info_s', 'ipykernel'))} | – | ≤ {t['kernel_info_s']} s median | "
                 f"{verdict(c['kernel_info'])} | {prev('kernel_info_s', lambda v: f'{v:.2f} s')} |")
        L.append(f"| start → result of a first `spark.range(10).count()` | {med_range(_get(st, 'first_count_s', 'ours'))} | "
                 f"bare program {med_range(_get(st, 'first_count_s', 'bare'))} | {_num(k['first_count_ratio'])}× | "
                 f"≤ {t['first_count_ratio']}× | {verdict(c['first_count'])} | "
                 f"{prev('first_count_ratio', lambda v: f'{v:.2f}×')} |")
    if rt:
        L.append(f"| `1+1` round trip (execute_request → execute_reply) | {p50_p95(_get(rt, 'ours', 'to_reply_ms'), digits=1)} | "
                 f"ipykernel {p50_p95(_get(rt, 'ipykernel', 'to_reply_ms'), digits=1)} | – | p50 ≤ {t['roundtrip_p50_ms']:.0f} ms | "
                 f"{verdict(c['roundtrip'])} | {prev('rt_p50_ms', lambda v: f'p50 {v:.1f} ms')} |")
        if _get(rt, "ours", "later_to_reply_ms"):
            L.append(f"| the same, later: after {rt.get('later_after_cells')} cells | "
                     f"{p50_p95(_get(rt, 'ours', 'later_to_reply_ms'), digits=1)} | "
                     f"ipykernel {p50_p95(_get(rt, 'ipykernel', 'later_to_reply_ms'), digits=1)} | – | – | – | – |")
        if _get(rt, "ours", "declaration_to_reply_ms"):
            L.append(f"| a declaration (`int v = i;`), after that | "
                     f"{p50_p95(_get(rt, 'ours', 'declaration_to_reply_ms'), digits=1)} | "
                     f"ipykernel (`v = i`) {p50_p95(_get(rt, 'ipykernel', 'declaration_to_reply_ms'), digits=1)} "
                     f"| – | – | – | – |")
    if st.get("runs"):
        L.append(f"| kernel RSS, idle with the session up | {med_range(_get(st, 'rss_idle_mb', 'ours'), 'MB', 0)} | "
                 f"bare program {med_range(_get(st, 'rss_idle_mb', 'bare'), 'MB', 0)} | – | ≤ {t['rss_idle_mb']:.0f} MB | "
                 f"{verdict(c['rss'])} | {prev('rss_idle_mb', lambda v: f'{v:.0f} MB')} |")
    so = s.get("socket", {})
    for rate in ("1", "5"):
        row = _get(so, "by_rate", rate)
        if not row:
            continue
        target = f"p50 ≤ {t['socket_ratio']}× bare" if rate == "1" else f"(issue 3's target is for 1 line/s; {t['socket_ratio']}× shown for reference)"
        L.append(f"| socket line → live view shows the new count, {rate} line(s)/s, default view interval 250 ms | "
                 f"{p50_p95(_get(row, 'ours', 'summary'))} | bare foreachBatch {p50_p95(_get(row, 'bare', 'summary'))} | "
                 f"{_num(row.get('ratio_p50'))}× (p50) | {target} | {verdict(c['socket' + rate])} | "
                 f"{prev('sock' + rate + '_ratio', lambda v: f'{v:.2f}×')} |")
        L.append(f"| same, `SPARK_LAB_LIVE_VIEW_INTERVAL_MS=10` | {p50_p95(_get(row, 'ours_fast', 'summary'))} | "
                 f"(same bare figure) | {_num(row.get('ratio_p50_fast'))}× (p50) | | {verdict(c['socket' + rate + '_fast'])} | "
                 f"{prev('sock' + rate + '_fast_ratio', lambda v: f'{v:.2f}×')} |")
    lr = s.get("longrun", {})
    if lr.get("samples"):
        L.append(f"| long run {lr['duration_s'] / 60:.0f} min at {lr['rate_per_s']} rows/s: RSS trend over the second half | "
                 f"{_num(k['long_rss_slope'], 1)} MB/min (RSS {_num(_get(lr, 'rss_mb', 'at_half'), 0)} → "
                 f"{_num(_get(lr, 'rss_mb', 'end'), 0)} MB; after warm-up {_num(k['long_rss_slope_all'], 1)} MB/min) | – | – | "
                 f"≤ {t['longrun_rss_slope_mb_per_min']} MB/min | "
                 f"{verdict(c['long_rss'])} | {prev('long_rss_slope', lambda v: f'{v:.1f} MB/min')} |")
        L.append(f"| long run: live heap after a full GC, floor of the second half − floor of the first | "
                 f"{_num(k['long_heap_growth'], 1)} MB "
                 f"({_num(_get(lr, 'live_heap_mb', 'floor_first_half'), 0)} → {_num(_get(lr, 'live_heap_mb', 'floor_second_half'), 0)} MB) | – | – | "
                 f"≤ {t['longrun_live_heap_growth_mb']:.0f} MB | {verdict(c['long_heap'])} | "
                 f"{prev('long_heap_growth', lambda v: f'{v:.1f} MB')} |")
        L.append(f"| long run: batch duration, last quarter p50 / first quarter p50 | "
                 f"{_num(_get(lr, 'batch_ms', 'last_quarter', 'p50'), 0)} / {_num(_get(lr, 'batch_ms', 'first_quarter', 'p50'), 0)} ms | – | "
                 f"{_num(k['long_batch_growth'])}× | ≤ {t['longrun_batch_growth']}× | {verdict(c['long_batch'])} | "
                 f"{prev('long_batch_growth', lambda v: f'{v:.2f}×')} |")
    elif lr:
        L.append(f"| long run | not measured: {lr.get('error', '?')} | | | | – | |")
    le = s.get("lessons", {})
    if le.get("lessons"):
        L.append(f"| peak RSS across the lessons, kernel + the processes it started | {_num(le.get('peak_tree_mb'), 0)} MB "
                 f"(kernel JVM alone {_num(le.get('peak_kernel_mb'), 0)} MB; {len(le['lessons'])} lesson(s)) | – | – | "
                 f"(none set) | – | {prev('lessons_peak_mb', lambda v: f'{v:.0f} MB')} |")
    ti = s.get("titles", {})
    if ti.get("status") == "measured":
        L.append(f"| title analysis over {ti['records']:,} Kafka records (available-now), cell sent → reply | "
                 f"{med_range(ti.get('ours_summary'))} | bare program {med_range(ti.get('bare_summary'))} | "
                 f"{_num(ti.get('ratio'))}× the time, {_num(k['titles_throughput'])}× the records/s "
                 f"(warm runs only: {_num(ti.get('ratio_warm'))}× the time) | "
                 + (f"records/s ≥ {t['titles_throughput_ratio']}× bare | {verdict(c['titles'])}"
                    if "titles_throughput_ratio" in t else "(none set) | –")
                 + f" | {prev('titles_throughput', lambda v: f'{v:.2f}× records/s')} |")
    elif ti:
        L.append(f"| title analysis over 1 M Kafka records, kernel vs plain program | {ti.get('status', '?')} | | | | – | |")
    L.append("")

    # -- details ------------------------------------------------------------------
    L.append("## Start-up and idle memory")
    L.append("")
    if st.get("runs"):
        L.append(f"Each repetition starts, one after another (order rotated per repetition), the lab kernel, "
                 f"ipykernel and the bare program `bench/java/BareSparkCount.java`. The kernel is timed from spawn "
                 f"(`KernelManager.start_kernel`) to the `kernel_info_reply`, then a `{'spark.range(10).count()'}` cell is "
                 f"sent at once and timed to its `execute_result`. The bare program (SparkSession `local[*]`, 3 shuffle "
                 f"partitions, UI on, loopback, Spark logging at WARN into a file as the kernel does) is timed from spawn "
                 f"to the line printing the count. RSS (`VmRSS` of the JVM) is read {st.get('idle_wait_s'):.0f} s "
                 f"after the result, both idle.")
        L.append("")
        if _get(st, "first_count_s", "bare_cds", "n"):
            L.append(f"The kernel maps the class archive (AppCDS) its installer wrote (`{st.get('kernel_class_archive')}`); "
                     f"the bare program above has none, as a plain program has. Given an archive of its own (written "
                     f"by one run of it first), the bare program took {med_range(_get(st, 'first_count_s', 'bare_cds'))}: "
                     f"the kernel is {_num(st.get('first_count_ratio_vs_bare_cds'))}× that.")
            L.append("")
        per = st.get("first_count_ratio_per_rep", {})
        if per.get("n"):
            L.append(f"First-count ratio per repetition (kernel and bare of the same repetition): median "
                     f"{per['median']:.2f}×, range {per['min']:.2f}–{per['max']:.2f}×.")
        bare = st["runs"].get("bare", [])
        if bare:
            ss = sorted(x["session_s"] for x in bare)
            cs = sorted(x["count_s"] for x in bare)
            L.append(f"Inside the bare program: SparkSession creation median {ss[len(ss) // 2]:.2f} s, the first count "
                     f"{cs[len(cs) // 2]:.2f} s; the rest is JVM start and class loading.")
        L.append("")
        if st.get("errors"):
            L.append("Failed repetitions: " + "; ".join(st["errors"]))
            L.append("")
    if "startup" in charts:
        L.append(f"![start-up]({charts['startup']})")
        L.append("")

    L.append("## `1+1` round trip")
    L.append("")
    if rt:
        L.append(f"One kernel each, with the SparkSession up (a count ran first); {rt.get('warmup')} warm-up executes, "
                 f"then {rt.get('n')} `1+1` executes one after another, timed from sending the execute_request to "
                 f"receiving the execute_reply (to the IOPub idle status: lab kernel "
                 f"{p50_p95(_get(rt, 'ours', 'to_idle_ms'), digits=1)}, ipykernel "
                 f"{p50_p95(_get(rt, 'ipykernel', 'to_idle_ms'), digits=1)}).")
        if rt.get("later_after_cells"):
            L.append("")
            L.append(f"Then more `1+1` executes, and the same {rt.get('n')} again after {rt.get('later_after_cells')} "
                     "cells in all: what a cell costs later in a session. A fresh kernel runs javac partly "
                     "interpreted for its first couple of hundred cells, until the JIT has compiled it; a cost "
                     "that grew with every cell run would show here as a higher number.")
        if _get(rt, "ours", "declaration_to_reply_ms"):
            L.append("")
            L.append(f"Last, {rt.get('n')} declarations (`int benchDeclared = i;`, the same variable declared again "
                     "each time). The lab kernel compiles a cell that is a plain expression itself, in one javac "
                     "task; a declaration, a statement or a class goes through JShell, which takes three to five "
                     "javac tasks; both are shown, so that `1+1` does not stand for every cell.")
        L.append("")
    if "roundtrip" in charts:
        L.append(f"![round trip]({charts['roundtrip']})")
        L.append("")

    L.append("## Socket WordCount: line sent → new count seen")
    L.append("")
    if so.get("by_rate"):
        plan = so.get("plan", {})
        L.append(
            "The lesson's query (socket source, `explode(split(value, ' '))`, `groupBy(\"word\").count()`, complete "
            "mode, a checkpoint) runs once per configuration, fed one new distinct word per line, so each line's "
            "word reaches count 1 exactly once. After "
            f"{plan.get('warmup')} warm-up lines, {', '.join(f'{n} lines at {r}/s' for r, n in plan.get('lines', {}).items())} "
            f"per round, {plan.get('rounds')} round(s), configurations interleaved (bare, kernel, kernel with a fast "
            "view) in each round.")
        L.append("")
        L.append("- **Lab kernel**: `%socket start`, the query with `.format(\"console\")` started in a cell (its live "
                 "view), then one `%%socket send PORT` cell per line. Measured on the client from sending that "
                 "execute_request to the first `update_display_data` for the view's display id whose table has the "
                 "word with count 1. `SPARK_LAB_MAX_ROWS` and the sink's `numRows` are raised so the whole table is "
                 "rendered (the lesson's default shows 20 rows; with a new word per line the word could be cut).")
        L.append("- **Bare**: `bench/java/BareSocketWordCount.java`, the same query with `foreachBatch` (collects the "
                 "table, prints a timestamped line per batch), reading from a socket server in the bench. Measured from "
                 "the bench writing the line to the foreachBatch timestamp of the batch that holds the count (same "
                 "machine clock).")
        L.append("")
        L.append("| rate | bare p50 / p95 | kernel p50 / p95 (view ≤ every 250 ms) | kernel p50 / p95 (view ≤ every 10 ms) | "
                 "ratio p50 (default / fast) | lines not seen (bare / kernel / fast) |")
        L.append("|---|---|---|---|---|---|")
        for rate, row in sorted(so["by_rate"].items(), key=lambda kv: float(kv[0])):
            def pp(w):
                x = _get(row, w, "summary")
                return f"{x['p50']:.0f} / {x['p95']:.0f} ms" if x and x.get("n") else "–"

            achieved = _get(row, "ours", "achieved_rate", "median")
            L.append(f"| {rate}/s{f' (sent at {achieved:.2f}/s)' if achieved else ''} | {pp('bare')} | {pp('ours')} | "
                     f"{pp('ours_fast')} | {_num(row.get('ratio_p50'))}× / {_num(row.get('ratio_p50_fast'))}× | "
                     f"{_get(row, 'bare', 'missing')} / {_get(row, 'ours', 'missing')} / {_get(row, 'ours_fast', 'missing')} |")
        rounds = max((len(v) for v in so.get("runs", {}).values()), default=0)
        if rounds > 1:
            L.append("")
            L.append("Per round (p50, ms), to show how much the machine moved between rounds:")
            L.append("")
            L.append("| rate | " + " | ".join(f"round {i + 1}: bare / kernel / fast" for i in range(rounds)) + " |")
            L.append("|---|" + "---|" * rounds)
            for rate in sorted(so["by_rate"], key=float):
                cells = []
                for i in range(rounds):
                    vals = []
                    for w in ("bare", "ours", "ours_fast"):
                        runs = so["runs"].get(w, [])
                        lat = (runs[i]["rates"].get(rate, {}).get("latencies_ms") if i < len(runs) else None) or []
                        vals.append(f"{percentile(lat, 50):.0f}" if lat else "–")
                    cells.append(" / ".join(vals))
                L.append(f"| {rate}/s | " + " | ".join(cells) + " |")
        read = _get(so, "by_rate", "1", "bare", "summary_read")
        if read and read.get("n"):
            L.append("")
            L.append(f"Cross-check of the bare figure with the bench's own clock (line written → batch line read from "
                     f"the program's stdout), 1 line/s: p50 {read['p50']:.0f} ms, p95 {read['p95']:.0f} ms.")
        if so.get("errors"):
            L.append("")
            L.append("Failed runs: " + "; ".join(so["errors"]))
        L.append("")
    if "socket" in charts:
        L.append(f"![socket latency]({charts['socket']})")
        L.append("")

    L.append("## Long run")
    L.append("")
    if lr.get("samples"):
        L.append(f"One kernel runs a `rate` source at {lr['rate_per_s']} rows/s into a complete-mode aggregation "
                 f"(100 groups) on the console sink, so its live view stays open and updates, for "
                 f"{lr['duration_s'] / 60:.0f} minutes. Every {lr['sample_every_s']:.0f} s a cell reads the query's new "
                 f"progress entries (batch id, `durationMs.triggerExecution`, rows) and the heap, and the bench reads the "
                 f"JVM's RSS from `/proc`; from the end of a {lr['warmup_s']:.0f} s warm-up, a cell forces a full GC "
                 f"every {lr.get('live_heap_every_s', 0):.0f} s and reports the live heap. Flat means: over the second half, "
                 f"RSS grows by at most {t['longrun_rss_slope_mb_per_min']} MB/min and the live heap's floor (its smallest "
                 f"value; Spark's bounded bookkeeping, such as the UI's job history, makes it swing between GCs) rises "
                 f"by at most {t['longrun_live_heap_growth_mb']:.0f} MB over the first half's, and the last quarter's median batch takes at most "
                 f"{t['longrun_batch_growth']}× the first quarter's (after warm-up). The forced full GCs let G1 give "
                 "memory back, so RSS steps down once a minute: RSS follows the heap G1 keeps committed (the kernelspec "
                 "allows up to half the machine's memory), while the live heap is what the lab actually holds.")
        L.append("")
        L.append(f"- batches: {len(lr['batches'])}, input {(_num(lr.get('input_rows_per_s'), 0))} rows/s on average; "
                 f"batch duration after warm-up {p50_p95(_get(lr, 'batch_ms', 'all_steady'))}")
        L.append(f"- RSS: {_num(_get(lr, 'rss_mb', 'at_warmup_end'), 0)} MB after warm-up, "
                 f"{_num(_get(lr, 'rss_mb', 'end'), 0)} MB at the end, max {_num(_get(lr, 'rss_mb', 'max'), 0)} MB; "
                 f"trend {_num(lr.get('rss_slope_mb_per_min'), 1)} MB/min")
        lh = lr.get("live_heap_mb", {})
        if lh:
            L.append(f"- live heap after a forced full GC (every {lr.get('live_heap_every_s', 0):.0f} s): "
                     f"{lh['first']:.0f} MB after warm-up, {lh['end']:.0f} MB at the end, between "
                     f"{min(h['mb'] for h in lr['live_heap']):.0f} and {lh['max']:.0f} MB; floor (smallest value) "
                     f"{_num(lh.get('floor_first_half'), 0)} MB in the first half, "
                     f"{_num(lh.get('floor_second_half'), 0)} MB in the second")
        if lr.get("view_updates"):
            L.append(f"- live view updates received: {lr['view_updates']['count']} "
                     f"({_num(lr['view_updates'].get('per_s'), 1)} per second)")
        L.append(f"- query at the end: `{lr.get('final_status', '')}`")
        L.append("")
    elif lr:
        L.append(f"Not measured: {lr.get('error')}")
        L.append("")
    if "longrun" in charts:
        L.append(f"![long run]({charts['longrun']})")
        L.append("")

    if ti.get("status") == "measured":
        L.append("## Title analysis over Kafka")
        L.append("")
        L.append(f"The Kafka lesson's title analysis (`from_json` of the people records, count per title, complete mode, "
                 f"memory sink) with `Trigger.AvailableNow()` over {ti['records']:,} records that "
                 f"`%kafka produce --fake people` put into a 3-partition topic of the kernel's embedded broker "
                 f"({_num(ti.get('produce_s'), 1)} s, {_num(ti.get('produce_records_per_s'), 0)} records/s). Kernel: "
                 "a cell that starts the query and calls `awaitTermination()`, timed from execute_request to "
                 "execute_reply. Bare: `bench/java/BareTitleAnalysis.java`, the same query in a program whose session "
                 "is up and has run one count (as the kernel's has), timed from `start()` to termination; it reads the "
                 "same broker while the kernel sits idle. Repetitions interleaved (kernel, bare, kernel, ...)"
                 + (", after one unrecorded warm-up run each (the bare JVM starts fresh while the kernel's has just run "
                    "the producer)" if ti.get("warmup_ours") else "")
                 + "; every run is checked to count all records.")
        L.append("")
        L.append("| run | kernel | bare |")
        L.append("|---|---|---|")
        for i, (a, b) in enumerate(zip(ti["ours"], ti["bare"])):
            L.append(f"| {i + 1}{' (first query of the session)' if i == 0 and not ti.get('warmup_ours') else ''} | {a['seconds']:.2f} s, "
                     f"{a['records_per_s']:,.0f} records/s | {b['seconds']:.2f} s, {b['records_per_s']:,.0f} records/s |")
        wrong = (ti.get("ours_wrong_counts") or 0) + (ti.get("bare_wrong_counts") or 0)
        L.append("")
        L.append(f"Runs that did not count every record: {wrong}.")
        if ti.get("broker_start_s") is not None:
            L.append(f"The embedded broker started in {_num(ti.get('broker_start_s'), 1)} s (as `%kafka start` reports it); "
                     f"its RSS was {_num(ti.get('broker_rss_mb_started'), 0)} MB then and "
                     f"{_num(ti.get('broker_rss_mb_filled'), 0)} MB with the {ti['records']:,} records in its topic.")
        L.append("")

    L.append("## Memory across the lessons")
    L.append("")
    if le.get("lessons"):
        L.append("Every notebook in `notebooks/` executed end to end by nbclient, each in a fresh kernel; the RSS of "
                 "the kernel JVM and of everything it started (the embedded Kafka broker is its own JVM, a child of the "
                 "kernel) sampled every 0.5 s.")
        L.append("")
        L.append("| lesson | status | seconds | peak kernel RSS | peak kernel + children | child processes |")
        L.append("|---|---|---|---|---|---|")
        for e in le["lessons"]:
            kids = "; ".join(f"`{c}`" for c in e.get("children_seen", [])) or "–"
            L.append(f"| {e['notebook']} | {e['status']} | {e['seconds']:.0f} | {e['peak_kernel_mb']:.0f} MB | "
                     f"{e['peak_tree_mb']:.0f} MB | {kids} |")
        if le.get("broker_note"):
            L.append("")
            L.append(f"Note: {le['broker_note']}.")
        L.append("")
    else:
        L.append("Not measured in this run.")
        L.append("")

    if "lessons" in charts:
        L.append(f"![lessons memory]({charts['lessons']})")
        L.append("")
    L.append("## Not measured")
    L.append("")
    if ti and ti.get("status") != "measured":
        L.append(f"- Title analysis over 1 M Kafka records (kernel vs plain program): {ti.get('why', ti.get('status'))}.")
    for name in ("startup", "roundtrip", "socket", "longrun", "lessons", "titles"):
        if name not in s:
            L.append(f"- `{name}`: not run this time (`--only`).")
        elif s[name].get("error"):
            L.append(f"- `{name}` failed: {s[name]['error']}")
    L.append("- JJava (the Java kernel issue 2 compares with) is not installed here; ipykernel is the reference kernel.")
    L.append("")

    L.append("## History")
    L.append("")
    L.append("Key figures of this run and the earlier ones kept in `bench/results/` (newest first), so a regression "
             "shows.")
    L.append("")
    L.append("| run | mode | load at start | kernel_info | first count (ratio) | 1+1 p50 | RSS idle | socket 1/s p50 (ratio) | "
             "socket 5/s p50 (ratio) | long-run RSS trend |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for p, x in [(current, r)] + earlier[:15]:
        kk = key_figures(x)

        def f(v, fmt):
            return fmt.format(v) if v is not None else "–"

        L.append(f"| {x.get('started')} | {x.get('mode')} | {(x.get('load_at_start') or ['?'])[0]} | "
                 f"{f(kk['kernel_info_s'], '{:.2f} s')} | {f(kk['first_count_s'], '{:.1f} s')} "
                 f"({f(kk['first_count_ratio'], '{:.2f}×')}) | {f(kk['rt_p50_ms'], '{:.1f} ms')} | "
                 f"{f(kk['rss_idle_mb'], '{:.0f} MB')} | {f(kk['sock1_p50_ms'], '{:.0f} ms')} "
                 f"({f(kk['sock1_ratio'], '{:.2f}×')}) | {f(kk['sock5_p50_ms'], '{:.0f} ms')} "
                 f"({f(kk['sock5_ratio'], '{:.2f}×')}) | {f(kk['long_rss_slope'], '{:.1f} MB/min')} |")
    L.append("")

    md = docs / "benchmarks.md"
    md.write_text("\n".join(L) + "\n")
    return md


if __name__ == "__main__":
    # Re-render the report from a result file: python bench/report.py bench/results/X.json
    import sys

    cur = Path(sys.argv[1]).resolve()
    print(write(json.loads(cur.read_text()), cur, cur.parent, ROOT / "docs"))

"""Writes the comparison table: glmm's wall time (command line, CSV loading included) and its model frame plus fit
(from GLMMGPU_TRACE's phases, loading excluded) against R's fits of the same file (R's data loading excluded), with
both ratios and the largest estimate difference."""
import json, os, re, sys


def frame_and_fit(path):
    """Seconds of the phases from the model frame to the fitted result (each trace line is one phase's time)."""
    phases = [(m.group(1), float(m.group(2))) for m in re.finditer(r"\[trace\] (.*): ([0-9.]+) s", open(path).read())]
    names = [n for n, _ in phases]
    start, end = names.index("model frame"), names.index("fitted")
    return sum(t for _, t in phases[start:end + 1])


work, sizes = sys.argv[1], sys.argv[2:]
pairs = [("laplace", "glmer_laplace"), ("laplace", "glmmTMB"), ("agq7", "glmer_agq7"), ("agq7", "glmer_agq7_bobyqa"), ("pql", "glmmPQL")]
print("| rows | groups | glmm method | glmm s (command, load included) | glmm s (frame + fit) | glmm peak RSS MB | R method | R s (fit only) | R peak heap MB | ratio (command) | ratio (fit) | max abs diff fixef | sd glmm / R |")
print("| ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |")
for rows in sizes:
    r = json.load(open(f"{work}/r-{rows}.json"))
    for ours, theirs in pairs:
        if theirs not in r:
            continue
        g = json.load(open(f"{work}/glmm-{rows}-{ours}.json"))
        wall = float(open(f"{work}/glmm-{rows}-{ours}.wall").read())
        fit = frame_and_fit(f"{work}/glmm-{rows}-{ours}.trace")
        t = r[theirs]
        diff = max(abs(g["fixef"][k] - v) for k, v in t["fixef"].items())
        sd = g["varcorr"]["g"]["sd"]["(Intercept)"]
        # glmer reports logLik = Inf when its quadrature fails (it then returns its nAGQ = 0 estimates): no ratio.
        ll = t.get("loglik")
        failed = theirs != "glmmPQL" and not (isinstance(ll, (int, float)) and abs(ll) < float("inf"))
        ratios = "(failed) | (failed)" if failed else f"{t['seconds']/wall:.0f}x | {t['seconds']/fit:.0f}x"
        # Memory figures where the run recorded them (time(1)'s peak RSS for glmm, gc()'s peak heap for R).
        rss_path = f"{work}/glmm-{rows}-{ours}.rss"
        rss = f"{int(open(rss_path).read().split()[-1]) / 1024:.0f}" if os.path.exists(rss_path) else "-"
        heap = f"{t['heap_mb']:.0f}" if isinstance(t.get("heap_mb"), (int, float)) else "-"
        print(f"| {rows} | {int(rows)//10} | {ours} | {wall:.2f} | {fit:.2f} | {rss} | {theirs} | {t['seconds']:.2f} | {heap} | {ratios} | {diff:.1e} | {sd:.4f} / {t['sd']:.4f} |")

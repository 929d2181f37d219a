"""Writes the comparison table: wall time of glmm (command line, CSV loading included) against R's fits of the
same file (model fitting only, R's data loading excluded), with the ratio and the largest estimate difference."""
import json, sys

work, sizes = sys.argv[1], sys.argv[2:]
pairs = [("laplace", "glmer_laplace"), ("laplace", "glmmTMB"), ("agq7", "glmer_agq7"), ("pql", "glmmPQL")]
print("| rows | groups | glmm method | glmm s (CLI, load included) | R method | R s (fit only) | ratio | max abs diff fixef | sd glmm / R |")
print("| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | --- |")
for rows in sizes:
    r = json.load(open(f"{work}/r-{rows}.json"))
    for ours, theirs in pairs:
        g = json.load(open(f"{work}/glmm-{rows}-{ours}.json"))
        wall = float(open(f"{work}/glmm-{rows}-{ours}.wall").read())
        t = r[theirs]
        diff = max(abs(g["fixef"][k] - v) for k, v in t["fixef"].items())
        sd = g["varcorr"]["g"]["sd"]["(Intercept)"]
        print(f"| {rows} | {int(rows)//10} | {ours} | {wall:.2f} | {theirs} | {t['seconds']:.2f} | {t['seconds']/wall:.0f}x | {diff:.1e} | {sd:.4f} / {t['sd']:.4f} |")

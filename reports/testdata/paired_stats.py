#!/usr/bin/python3
"""Reference p-values for reports/stats_test.go (TestStatsMatchSciPy).

Writes reports/testdata/paired_stats.json: the Wilcoxon signed-rank test,
McNemar's exact test and the Holm adjustment on fixed inputs, computed with
Debian's python3-scipy 1.10.1:

    /usr/bin/python3 reports/testdata/paired_stats.py > reports/testdata/paired_stats.json

The Wilcoxon test is scipy.stats.wilcoxon(d, zero_method="wilcox",
correction=False) with method="exact" when there are at most 50 nonzero
differences, no zero and no tie, and method="approx" otherwise (the rule
reports.Wilcoxon documents). McNemar's test is the exact binomial test
scipy.stats.binomtest(b, b + c, 0.5). scipy 1.10 has no Holm adjustment; it
is computed here from its definition (as statsmodels' multipletests with
method="holm" does).
"""
import json
import random
import warnings

import numpy as np
from scipy import stats

warnings.simplefilter("ignore")  # "exact p-value with zeros", small samples


def wilcoxon(d):
    nz = [x for x in d if x != 0]
    exact = len(nz) <= 50 and len(nz) == len(d) and len(set(abs(x) for x in nz)) == len(nz)
    r = stats.wilcoxon(d, zero_method="wilcox", correction=False,
                       method="exact" if exact else "approx")
    return {"d": d, "stat": float(r.statistic), "p": float(r.pvalue), "exact": exact}


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out, run = [0.0] * len(ps), 0.0
    for k, i in enumerate(order):
        run = max(run, min(1.0, (len(ps) - k) * ps[i]))
        out[i] = run
    return {"p": ps, "holm": out}


rng = random.Random(12)
cases = [
    [0.01, -0.02, 0.03, 0.04, 0.05],
    [0.1, 0.2, 0.3],
    [-0.5, -0.25],
    [0.012, -0.003, 0.021, 0.008, 0.015, -0.011, 0.019, 0.004, 0.027, 0.006],
    [0.01, 0.01, -0.02, 0.03, 0.03, 0.03, 0.05],  # ties
    [0.0, 0.02, -0.01, 0.04, 0.0, 0.05, 0.06],  # zeros
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, -12.0],
    [round(rng.gauss(0.01, 0.02), 6) for _ in range(30)],
    [round(rng.gauss(0.005, 0.02), 6) for _ in range(51)],  # n > 50
    [round(rng.gauss(0.0, 0.02), 3) for _ in range(80)],  # ties, n > 50
]
out = {
    "wilcoxon": [wilcoxon(d) for d in cases],
    "mcnemar": [{"b": b, "c": c, "p": float(stats.binomtest(b, b + c, 0.5).pvalue)}
                for b, c in [(1, 0), (0, 5), (3, 3), (10, 2), (2, 10), (40, 25), (7, 19), (120, 90), (1500, 1400), (9, 1)]],
    "holm": [holm(ps) for ps in [
        [0.01, 0.04, 0.03, 0.005],
        [0.5, 0.2, 0.2, 0.9, 0.01],
        [0.0625, 0.125, 0.0625],
        [1e-6, 0.03, 0.04, 0.045, 0.5, 0.02],
    ]],
}
print(json.dumps(out, indent=1))

#!/usr/bin/python3
"""Reference metrics for bench/metrics_test.go.

Reads testdata/predictions.csv (columns truth,prediction) and prints the
scores scikit-learn computes with its defaults. The expected numbers in
bench/metrics_test.go (TestScoreMatchesScikitLearn) were produced with
Debian's python3-sklearn 1.2.1:

    /usr/bin/python3 testdata/sklearn_metrics.py testdata/predictions.csv

Rerun it after changing the prediction file and paste the output into the
test.
"""
import csv
import sys
import warnings

from sklearn.metrics import (accuracy_score, confusion_matrix,
                             precision_recall_fscore_support)

warnings.simplefilter("ignore")  # zero_division warnings: sklearn uses 0

with open(sys.argv[1] if len(sys.argv) > 1 else "testdata/predictions.csv") as f:
    rows = list(csv.DictReader(f))
y = [r["truth"] for r in rows]
p = [r["prediction"] for r in rows]
labels = sorted(set(y) | set(p))
print("labels", labels)
print("accuracy %.17g" % accuracy_score(y, p))
for avg in ("macro", "weighted"):
    pr, rc, f1, _ = precision_recall_fscore_support(y, p, average=avg)
    print("%s %.17g %.17g %.17g" % (avg, pr, rc, f1))
pr, rc, f1, sup = precision_recall_fscore_support(y, p, labels=labels, average=None)
for i, l in enumerate(labels):
    print("class %s %.17g %.17g %.17g %d" % (l, pr[i], rc[i], f1[i], sup[i]))
print("confusion", confusion_matrix(y, p, labels=labels).tolist())

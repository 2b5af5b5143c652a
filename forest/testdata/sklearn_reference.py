#!/usr/bin/python3
"""Reference accuracy of scikit-learn on the synthetic data set.

Fits RandomForestClassifier(n_estimators=100, max_features="sqrt",
random_state=0) on synth_train.csv and prints its accuracy on
synth_test.csv (first column: class index; the others: features).
Run from this folder with Debian's python3-sklearn (1.2.1):

    /usr/bin/python3 sklearn_reference.py

The printed value is the constant sklearnAccuracy in ../forest_test.go.
With two arguments, TRAIN.csv and TEST.csv (for instance the files that
`go test ./forest/ -run TestParityLarge -parity DIR` writes), it uses those
files instead and also prints the fit and predict times (one job).
"""
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier

paths = sys.argv[1:3] if len(sys.argv) == 3 else ["synth_train.csv", "synth_test.csv"]
train = np.loadtxt(paths[0], delimiter=",")
test = np.loadtxt(paths[1], delimiter=",")
clf = RandomForestClassifier(n_estimators=100, max_features="sqrt", random_state=0)
t0 = time.perf_counter()
clf.fit(train[:, 1:], train[:, 0].astype(int))
t1 = time.perf_counter()
pred = clf.predict(test[:, 1:])
t2 = time.perf_counter()
acc = (pred == test[:, 0].astype(int)).mean()
print("sklearn", sklearn.__version__)
if len(sys.argv) == 3:
    print("fit %.1f s, predict %.2f s (%d rows)" % (t1 - t0, t2 - t1, len(test)))
print("accuracy %.4f" % acc)

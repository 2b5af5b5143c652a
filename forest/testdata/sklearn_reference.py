#!/usr/bin/python3
"""Reference accuracy of scikit-learn on the synthetic data set.

Fits RandomForestClassifier(n_estimators=100, max_features="sqrt",
random_state=0) on synth_train.csv and prints its accuracy on
synth_test.csv (first column: class index; the others: features).
Run from this folder with Debian's python3-sklearn (1.2.1):

    /usr/bin/python3 sklearn_reference.py

The printed value is the constant sklearnAccuracy in ../forest_test.go.
"""
import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier

train = np.loadtxt("synth_train.csv", delimiter=",")
test = np.loadtxt("synth_test.csv", delimiter=",")
clf = RandomForestClassifier(n_estimators=100, max_features="sqrt", random_state=0)
clf.fit(train[:, 1:], train[:, 0].astype(int))
acc = (clf.predict(test[:, 1:]) == test[:, 0].astype(int)).mean()
print("sklearn", sklearn.__version__)
print("accuracy %.4f" % acc)

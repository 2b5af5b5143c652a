#!/usr/bin/env python3
"""AppScanner in scikit-learn: a random forest on the flow rows of
`input: appscanner` (f00..f53), each test chunk labelled by the majority
vote of its flows, as the Go appscanner method does (threshold 0: every
flow votes). Score: the winner's share of the votes. A chunk without a
flow is marked unknown."""
import os

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

import plugin

FEATURES = [f"f{i:02d}" for i in range(54)]
TREES = int(os.environ.get("TREES", "150"))


def flows(folder):
    return pd.read_csv(os.path.join(folder, "features.csv"), dtype={"id": str})


def fit(train_dir, model_dir, seed, workers):
    labels = plugin.samples(train_dir).set_index("id")["label"]
    rows = flows(train_dir)
    y = rows["id"].map(labels)
    forest = RandomForestClassifier(n_estimators=TREES, random_state=seed, n_jobs=workers)
    forest.fit(rows[FEATURES].to_numpy(), y.to_numpy())
    print(f"appscanner_rf: {len(rows)} flows of {len(labels)} chunks, {len(forest.classes_)} apps", flush=True)
    plugin.save(model_dir, forest)


def predict(model_dir, test_dir, seed, workers):
    forest = plugin.load(model_dir)
    test = plugin.samples(test_dir)
    rows = flows(test_dir)
    out = test[["id"]].assign(label="", score=0.0, unknown=1)
    if len(rows):
        votes = rows[["id"]].assign(label=forest.predict(rows[FEATURES].to_numpy()))
        counts = votes.groupby(["id", "label"]).size().rename("n").reset_index()
        # Majority per chunk; ties go to the first label in byte order.
        counts = counts.sort_values(["id", "n", "label"], ascending=[True, False, True])
        best = counts.drop_duplicates("id").set_index("id")
        share = best["n"] / counts.groupby("id")["n"].sum()
        has = out["id"].isin(best.index)
        out.loc[has, "label"] = out.loc[has, "id"].map(best["label"])
        out.loc[has, "score"] = out.loc[has, "id"].map(share)
        out.loc[has, "unknown"] = 0
    return out


if __name__ == "__main__":
    plugin.main(fit, predict)

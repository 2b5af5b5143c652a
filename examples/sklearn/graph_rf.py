#!/usr/bin/env python3
"""graph-rf in scikit-learn: each MAppGraph graph of `input: graph`
flattened as the Go graph-rf method does (node features but protocol and
the IP octets standardised with the training nodes' mean and standard
deviation, the first 20 nodes' 63
features in stored order, zero rows for missing nodes, non-finite values as
0, then the edge statistics nodes, edges, mean, std and max of the weights),
and a random forest on the vectors. A sample without a graph gets the most
frequent training label with score 0, as graph-rf's default
(degenerate: majority)."""
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

import plugin

MAX_NODES = 20
TREES = int(os.environ.get("TREES", "100"))


def read_graphs(folder):
    nodes = pd.read_csv(os.path.join(folder, "nodes.csv"), dtype={"id": str})
    edges = pd.read_csv(os.path.join(folder, "edges.csv"), dtype={"id": str})
    return nodes, edges


def feature_columns(nodes):
    return [c for c in nodes.columns if c not in ("id", "node")]


# Features graph-rf leaves unstandardised (mappgraph.Standardized).
RAW = {"protocol", "ip1", "ip2", "ip3", "ip4"}


def vectors(ids, nodes, edges, mean, std):
    """One row per id: the flattened graph, or None for ids without one."""
    cols = feature_columns(nodes)
    x = ((nodes[cols] - mean) / std).to_numpy(dtype=float)
    x[~np.isfinite(x)] = 0
    nf = len(cols)
    out = {}
    for (gid, group) in nodes.assign(_row=np.arange(len(nodes))).groupby("id", sort=False):
        v = np.zeros(MAX_NODES * nf + 5)
        rows = group.sort_values("node")["_row"].to_numpy()[:MAX_NODES]
        v[: len(rows) * nf] = x[rows].ravel()
        out[gid] = v
    weights = edges.assign(weight=edges["weight"].fillna(0)).groupby("id")["weight"]
    stats = pd.DataFrame({"edges": weights.size(), "mean": weights.mean(), "std": weights.std(ddof=0), "max": weights.max()})
    n_nodes = nodes.groupby("id").size()
    for gid, v in out.items():
        v[-5] = n_nodes[gid]
        if gid in stats.index:
            v[-4:] = stats.loc[gid, ["edges", "mean", "std", "max"]].to_numpy(dtype=float)
    return [out.get(i) for i in ids]


def fit(train_dir, model_dir, seed, workers):
    train = plugin.samples(train_dir)
    nodes, edges = read_graphs(train_dir)
    cols = feature_columns(nodes)
    mean, std = nodes[cols].mean(), nodes[cols].std(ddof=1)
    for c in RAW & set(cols):
        mean[c], std[c] = 0.0, 1.0
    vs = vectors(train["id"], nodes, edges, mean, std)
    keep = [i for i, v in enumerate(vs) if v is not None]
    X = np.stack([vs[i] for i in keep])
    y = train["label"].to_numpy()[keep]
    forest = RandomForestClassifier(n_estimators=TREES, random_state=seed, n_jobs=workers)
    forest.fit(X, y)
    majority = train["label"].value_counts().sort_index().idxmax()
    print(f"graph_rf: {len(keep)} training graphs of {len(train)} samples, {X.shape[1]} features", flush=True)
    plugin.save(model_dir, {"forest": forest, "mean": mean, "std": std, "majority": majority})


def predict(model_dir, test_dir, seed, workers):
    m = plugin.load(model_dir)
    test = plugin.samples(test_dir)
    nodes, edges = read_graphs(test_dir)
    vs = vectors(test["id"], nodes, edges, m["mean"], m["std"])
    out = test[["id"]].assign(label=m["majority"], score=0.0, unknown=0)
    keep = [i for i, v in enumerate(vs) if v is not None]
    if keep:
        proba = m["forest"].predict_proba(np.stack([vs[i] for i in keep]))
        out.loc[keep, "label"] = m["forest"].classes_[proba.argmax(axis=1)]
        out.loc[keep, "score"] = proba.max(axis=1)
    return out


if __name__ == "__main__":
    plugin.main(fit, predict)

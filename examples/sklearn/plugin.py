"""What the two example plugins share: the appbench external-method
protocol's command line, reading samples.csv and writing predictions.csv.

A plugin module defines fit(train_dir, model_dir, seed, workers) and
predict(model_dir, test_dir, seed, workers) -> DataFrame with columns
id, label, score, unknown; main() dispatches the calls:

    <command> fit <train-folder> <model-folder>
    <command> predict <model-folder> <test-folder> <predictions.csv>
"""
import os
import pickle
import sys

import pandas as pd


def samples(folder):
    """The folder's samples.csv, ids as strings, labels as strings."""
    return pd.read_csv(os.path.join(folder, "samples.csv"), dtype={"id": str, "label": str, "capture": str})


def save(model_dir, obj):
    with open(os.path.join(model_dir, "model.pkl"), "wb") as f:
        pickle.dump(obj, f)


def load(model_dir):
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f)


def main(fit, predict):
    seed = int(os.environ.get("APPBENCH_SEED", "1")) % (2**32)
    workers = int(os.environ.get("APPBENCH_WORKERS", "1"))
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "fit":
        fit(args[1], args[2], seed, workers)
    elif len(args) == 4 and args[0] == "predict":
        out = predict(args[1], args[2], seed, workers)
        out[["id", "label", "score", "unknown"]].to_csv(args[3], index=False)
    else:
        print("usage: fit TRAIN MODEL | predict MODEL TEST PREDICTIONS", file=sys.stderr)
        sys.exit(2)

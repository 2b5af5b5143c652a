"""Reads an `appbench features` CSV or Parquet file with pandas and prints its shape."""
import sys

import pandas as pd

path = sys.argv[1]
frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
print(f"{frame.shape[0]} {frame.shape[1]} {frame['id'].nunique()}")

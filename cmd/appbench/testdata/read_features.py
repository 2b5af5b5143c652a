"""Reads an `appbench features` CSV with pandas and prints its shape."""
import sys

import pandas as pd

frame = pd.read_csv(sys.argv[1])
print(f"{frame.shape[0]} {frame.shape[1]} {frame['id'].nunique()}")

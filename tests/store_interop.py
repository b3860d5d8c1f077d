"""store_interop.py: the Python side of tests/test_store_interop.sh.

  store_interop.py xarray-write PATH   write a store with xarray (h5netcdf)
  store_interop.py dump PATH           print every value as xarray reads it,
                                       "frame|area|date|measure|value" lines
  store_interop.py csv-expect CSV      the same lines, from tidy CSV (pandas
                                       periods), for a one-frame import
"""
import csv
import sys

import h5py
import numpy as np
import pandas as pd
import xarray as xr


def line(frame, area, date, measure, value):
    text = "nan" if np.isnan(value) else "%.6f" % value
    return "%s|%s|%s|%s|%s" % (frame, area, pd.Timestamp(date).strftime("%Y-%m-%d"), measure, text)


def xarray_write(path):
    areas = ["E14000559", "E14001010", "E14001043", "E14001044"]
    times = pd.date_range("2015-01-01", periods=8, freq="QS")
    claimants = np.arange(32, dtype="float64").reshape(4, 8) * 10.5
    claimants[1, 3] = np.nan
    rate = (np.arange(32, dtype="float32").reshape(4, 8) / 4).astype("float32")
    ds = xr.Dataset(
        {"claimants": (("area", "time"), claimants, {"units": "people", "long_name": "ESA/IB claimants"}),
         "rate": (("area", "time"), rate, {"units": "%", "long_name": "claimant rate"}),
         "area_name": (("area",), ["Birkenhead", "Wallasey", "Wirral South", "Wirral West"])},
        coords={"area": areas, "time": times})
    ds.to_netcdf(path, engine="h5netcdf")


def frames(path):
    with h5py.File(path, "r") as f:
        if "area" in f:
            return [None]
        return sorted(name for name in f if isinstance(f[name], h5py.Group) and "area" in f[name])


def dump(path):
    out = []
    for group in frames(path):
        ds = xr.open_dataset(path, engine="h5netcdf", group=group)
        assert np.issubdtype(ds["time"].dtype, np.datetime64), "time is not decoded: %s" % ds["time"].dtype
        name = "/" if group is None else "/" + group
        for measure in ds.data_vars:
            if ds[measure].dims != ("area", "time"):
                continue
            values = ds[measure].values.astype("float64")
            for a, area in enumerate(ds["area"].values):
                for t, date in enumerate(ds["time"].values):
                    out.append(line(name, str(area), date, measure, values[a, t]))
        ds.close()
    return out


def csv_expect(path):
    suppressed = {"", "x", "X", "c", "C", "..", "*", "-"}
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            value = row["value"].strip()
            number = np.nan if value in suppressed else float(value.replace(",", ""))
            start = pd.Period(row["period"].replace(" ", ""), freq="Q" if "Q" in row["period"] else "M").start_time
            out.append(line("/", row["area"], start, row["measure"], number))
    return out


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "xarray-write":
        xarray_write(path)
    else:
        for text in (dump(path) if mode == "dump" else csv_expect(path)):
            print(text)

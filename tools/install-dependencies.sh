#!/bin/sh
# Installs, from Debian 12's own packages, everything outcomes needs to build,
# test and benchmark. One list, used by the README and by CI.
set -e
packages="build-essential autoconf automake libtool pkg-config
  libhdf5-dev zlib1g-dev libdeflate-dev hdf5-tools libiniparser-dev libjansson-dev libcsv-dev nettle-dev check
  python3 python3-h5py python3-numpy python3-xarray python3-h5netcdf"
if [ "$(id -u)" -eq 0 ]; then as_root=; else as_root=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update
# shellcheck disable=SC2086
$as_root apt-get install -y --no-install-recommends $packages

/*
 * store_fixtures.h: small stores written with the raw HDF5 API, as other
 * tools (h5py, netCDF, hand-made files) would write them, so the reader's
 * tests do not depend on the store's own writer; and broken ones for the
 * robustness tests. Shared by tests/test_store_read.c and the
 * tests/store_fixture program the shell tests call.
 *
 * Every good fixture is one frame at the root with areas E1, E2, E3
 * (names Alpha, Beta, Gamma; parent P1, P1, P2), times 2016-02-01,
 * 2016-05-01, 2016-08-01 (days 16832, 16922, 17014: 2016-01-01 is day
 * 46 * 365 + 11 leap days = 16801, plus 31 for January; then + 90 and +
 * 182) and a measure `claimants` whose value at area a, time t is
 * 10 * (a + 1) + t, except area 1 time 2, which is missing.
 */
#ifndef OC_TEST_STORE_FIXTURES_H
#define OC_TEST_STORE_FIXTURES_H

/* The value of the good fixtures' `claimants` at area, time. */
double fixture_value(int area, int time);

/* Writes the fixture `kind` at path. Good kinds: "plain" (our layout,
 * contiguous float64), "chunked" (float32, chunks of 2 areas x 2 times,
 * deflate), "integer" (int32 with _FillValue -1 for the missing value),
 * "xarray" (int64 time in "days since 2016-02-01 00:00:00",
 * proleptic_gregorian, no version attribute), "hours" (time in hours
 * since 2016-02-01), "fixed" (fixed-length space-padded area codes),
 * "groups" (frames /quarterly and /yearly), "sparse" (chunks of 2 x 2,
 * fill value NaN, only areas E1 and E2 written: the chunks of E3 never
 * are), "extra-objects" ("groups" plus, at the root and in /quarterly, a
 * soft link to nothing, an external link to a missing file and a group
 * of the user's). Broken kinds:
 * "missing-time", "wrong-shape", "string-measure", "duplicate-areas",
 * "short-area-names" (area_name has 2 entries for the 3 areas),
 * "non-monotonic-time", "midday-time" (time 1 at noon), "empty", "version-2", "truncated",
 * "zeroed-superblock", "corrupt-chunk", "not-hdf5", "unattached",
 * "huge-areas", "huge-times" (an axis of 2^61 + 1 or 2^62 + 1 entries),
 * "dangling-string" (the first area code points at an object missing from
 * the global heap: Debian's HDF5 1.10 dies of SIGSEGV reading it),
 * "damaged-later-heap" (3,000 area codes, the second of the global heap
 * collections holding them damaged: reading the axis fails half-way),
 * "damaged-scale-class" (the CLASS attribute of /area damaged: Debian's
 * HDF5-HL frees a buffer twice and glibc aborts, printing to stderr),
 * "damaged-frame-header" and "damaged-measure-header" ("groups" with the
 * object header of /quarterly, or of /quarterly/claimants, unreadable),
 * "damaged-chunk-key" ("plain" chunked 2 x 2, with the chunk B-tree's
 * last key zeroed: the last chunk is listed but not found by position).
 * Returns 0 on success, -1 on an unknown kind or a failure. */
int fixture_write(const char *kind, const char *path);

#endif

/* store_chunks.c: reading a measure's chunks whole, straight into the
 * caller's block (or, for a part of a chunk, through a buffer of its own).
 * H5Dread passes every chunk through buffers of its own:
 * the deflate filter grows one by doubling (copying as it goes), shuffle
 * writes a second, the chunk cache keeps it and the hyperslab copy moves it
 * once more into the caller's memory. With two workers sharing a machine
 * those copies cost 10-15% of reading (docs/performance-history.md).
 * A chunk stored the way the store writer stores it (little-endian
 * float64 over the whole time axis, at most shuffle and deflate) is
 * instead read as stored, inflated by libdeflate into a reused buffer and
 * unshuffled into place.
 * Anything else is left to H5Dread.
 *
 * libdeflate rather than zlib: it reads the same zlib streams (HDF5's
 * deflate filter writes them with zlib) two to three times as fast, given
 * the exact size they inflate to, which a chunk's shape tells us. Inflating
 * was three quarters of reading a national store
 * (docs/performance-history.md). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#include "store_internal.h"

void oc__store_chunk_layout_decide(oc__store_chunk_layout *layout, hid_t creation, hid_t type,
                                   size_t time_count)
{
    memset(layout, 0, sizeof *layout);
    hsize_t chunk[2] = {0, 0};
    if (time_count == 0 || H5Pget_layout(creation) != H5D_CHUNKED
        || H5Pget_chunk(creation, 2, chunk) != 2 || chunk[0] == 0 || chunk[1] != time_count)
        return;
    /* The bytes as stored must be the bytes of a native double. */
    if (H5Tequal(type, H5T_IEEE_F64LE) <= 0 || H5Tequal(H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE) <= 0)
        return;
    int filters = H5Pget_nfilters(creation);
    if (filters < 0)
        return;
    for (int i = 0; i < filters; i++) {
        unsigned flags = 0, values[4] = {0};
        size_t value_count = 4;
        char name[64];
        H5Z_filter_t filter = H5Pget_filter2(creation, (unsigned)i, &flags, &value_count, values,
                                             sizeof name, name, NULL);
        unsigned bit = 1u << i;
        /* shuffle must come first (it runs before deflate on writing) and
         * work on 8-byte elements; each filter at most once. */
        if (filter == H5Z_FILTER_SHUFFLE && i == 0 && (value_count == 0 || values[0] == 8))
            layout->shuffle_bit = bit;
        else if (filter == H5Z_FILTER_DEFLATE && layout->deflate_bit == 0)
            layout->deflate_bit = bit;
        else
            return;
    }
    unsigned options = 0;
    if (H5Pget_chunk_opts(creation, &options) < 0) {
        H5Eclear2(H5E_DEFAULT);
        options = H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS; /* unknown: leave the edge to H5Dread */
    }
    layout->edge_direct = !(options & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS);
    layout->chunk_areas = (size_t)chunk[0];
    layout->time_count = time_count;
    layout->direct = 1;
}

#ifdef __SSE2__
/* Sixteen values at a time with SSE2 (every x86-64 has it): sixteen bytes
 * from each plane, then three rounds of interleaving, bytes of planes
 * 0-1, 2-3, 4-5 and 6-7, then pairs of those, then quadruples, leave two
 * whole values in each register: 24 shuffles for 16 values, where the
 * word transpose below takes about 50 instructions for 8. Reading a
 * national store spent 12% of a run's CPU unshuffling before this. */
#include <emmintrin.h>

static size_t unshuffle_sixteen_at_a_time(const unsigned char *planes, size_t count,
                                          unsigned char *out)
{
    /* Written out rather than looped over arrays: GCC at -O2 kept such
     * arrays of registers on the stack, storing and reloading every
     * shuffle's operands, and took about 160 instructions for 16 values
     * (callgrind: a quarter of a worker's instructions over eight
     * measures) where these take about 60. */
    const unsigned char *plane0 = planes, *plane1 = planes + count, *plane2 = planes + 2 * count,
                        *plane3 = planes + 3 * count, *plane4 = planes + 4 * count,
                        *plane5 = planes + 5 * count, *plane6 = planes + 6 * count,
                        *plane7 = planes + 7 * count;
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
#define OC__PLANE(p) _mm_loadu_si128((const __m128i *)(plane##p + i))
        __m128i p0 = OC__PLANE(0), p1 = OC__PLANE(1), p2 = OC__PLANE(2), p3 = OC__PLANE(3);
        __m128i p4 = OC__PLANE(4), p5 = OC__PLANE(5), p6 = OC__PLANE(6), p7 = OC__PLANE(7);
#undef OC__PLANE
        /* bytes 2k and 2k+1 of values 0-7 (low) and 8-15 (high) */
        __m128i low01 = _mm_unpacklo_epi8(p0, p1), high01 = _mm_unpackhi_epi8(p0, p1);
        __m128i low23 = _mm_unpacklo_epi8(p2, p3), high23 = _mm_unpackhi_epi8(p2, p3);
        __m128i low45 = _mm_unpacklo_epi8(p4, p5), high45 = _mm_unpackhi_epi8(p4, p5);
        __m128i low67 = _mm_unpacklo_epi8(p6, p7), high67 = _mm_unpackhi_epi8(p6, p7);
        /* bytes 0-3 (first) and 4-7 (second) of values 4q..4q+3 */
        __m128i first0 = _mm_unpacklo_epi16(low01, low23);
        __m128i first1 = _mm_unpackhi_epi16(low01, low23);
        __m128i first2 = _mm_unpacklo_epi16(high01, high23);
        __m128i first3 = _mm_unpackhi_epi16(high01, high23);
        __m128i second0 = _mm_unpacklo_epi16(low45, low67);
        __m128i second1 = _mm_unpackhi_epi16(low45, low67);
        __m128i second2 = _mm_unpacklo_epi16(high45, high67);
        __m128i second3 = _mm_unpackhi_epi16(high45, high67);
        __m128i *to = (__m128i *)(out + 8 * i);
        _mm_storeu_si128(to + 0, _mm_unpacklo_epi32(first0, second0));
        _mm_storeu_si128(to + 1, _mm_unpackhi_epi32(first0, second0));
        _mm_storeu_si128(to + 2, _mm_unpacklo_epi32(first1, second1));
        _mm_storeu_si128(to + 3, _mm_unpackhi_epi32(first1, second1));
        _mm_storeu_si128(to + 4, _mm_unpacklo_epi32(first2, second2));
        _mm_storeu_si128(to + 5, _mm_unpackhi_epi32(first2, second2));
        _mm_storeu_si128(to + 6, _mm_unpacklo_epi32(first3, second3));
        _mm_storeu_si128(to + 7, _mm_unpackhi_epi32(first3, second3));
    }
    return i;
}
#endif

/* Byte plane p of a shuffled chunk holds byte p of every value. Eight
 * values at a time are an 8 x 8 byte matrix to transpose: eight words read
 * one from each plane, three rounds of swapping halves, quarters and
 * single bytes between pairs of words, eight values out; with SSE2,
 * unless widest says words only, sixteen at a time first (above). */
void oc__store_unshuffle(const unsigned char *planes, size_t count, double *values, int widest)
{
    unsigned char *out = (unsigned char *)values;
    size_t i = 0;
#ifdef __SSE2__
    if (widest >= OC__STORE_UNSHUFFLE_SSE2)
        i = unshuffle_sixteen_at_a_time(planes, count, out);
#endif
    (void)widest;
#define OC__LOAD(p) memcpy(&w##p, planes + (p) * count + i, 8)
#define OC__SWAP(a, b, step, mask)                                  \
    do {                                                            \
        uint64_t swap = ((w##a >> (8 * (step))) ^ w##b) & (mask);   \
        w##b ^= swap;                                               \
        w##a ^= swap << (8 * (step));                               \
    } while (0)
    for (; i + 8 <= count; i += 8) {
        uint64_t w0, w1, w2, w3, w4, w5, w6, w7;
        OC__LOAD(0); OC__LOAD(1); OC__LOAD(2); OC__LOAD(3);
        OC__LOAD(4); OC__LOAD(5); OC__LOAD(6); OC__LOAD(7);
        OC__SWAP(0, 4, 4, 0x00000000ffffffffu); OC__SWAP(1, 5, 4, 0x00000000ffffffffu);
        OC__SWAP(2, 6, 4, 0x00000000ffffffffu); OC__SWAP(3, 7, 4, 0x00000000ffffffffu);
        OC__SWAP(0, 2, 2, 0x0000ffff0000ffffu); OC__SWAP(1, 3, 2, 0x0000ffff0000ffffu);
        OC__SWAP(4, 6, 2, 0x0000ffff0000ffffu); OC__SWAP(5, 7, 2, 0x0000ffff0000ffffu);
        OC__SWAP(0, 1, 1, 0x00ff00ff00ff00ffu); OC__SWAP(2, 3, 1, 0x00ff00ff00ff00ffu);
        OC__SWAP(4, 5, 1, 0x00ff00ff00ff00ffu); OC__SWAP(6, 7, 1, 0x00ff00ff00ff00ffu);
        uint64_t words[8] = {w0, w1, w2, w3, w4, w5, w6, w7};
        memcpy(out + 8 * i, words, sizeof words); /* little-endian, as checked */
    }
#undef OC__LOAD
#undef OC__SWAP
    for (; i < count; i++)
        for (size_t p = 0; p < 8; p++)
            out[8 * i + p] = planes[p * count + i];
}

/* Grows *buffer to at least size bytes; keeps it on failure, with the
 * reason in reason (size bytes). */
static int reserve(unsigned char **buffer, size_t *capacity, size_t wanted, char *reason,
                   size_t size)
{
    if (*capacity >= wanted)
        return OC_OK;
    unsigned char *grown = realloc(*buffer, wanted);
    if (grown == NULL) {
        snprintf(reason, size, "out of memory");
        return OC_ERROR_NO_MEMORY;
    }
    *buffer = grown;
    *capacity = wanted;
    return OC_OK;
}

/* Inflates a zlib stream (checking its Adler-32) that must fill exactly
 * expected bytes. */
static int inflate_exactly(oc__store_chunk_buffers *buffers, const unsigned char *stored,
                           size_t stored_size, unsigned char *out, size_t expected, char *reason,
                           size_t size)
{
    if (buffers->decompressor == NULL
        && (buffers->decompressor = libdeflate_alloc_decompressor()) == NULL) {
        snprintf(reason, size, "out of memory");
        return OC_ERROR_NO_MEMORY;
    }
    size_t produced = 0;
    enum libdeflate_result result = libdeflate_zlib_decompress(
        buffers->decompressor, stored, stored_size, out, expected, &produced);
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE) {
        snprintf(reason, size, "deflated data inflate to more than %zu bytes", expected);
        return OC_ERROR_FORMAT;
    }
    if (result != LIBDEFLATE_SUCCESS) {
        snprintf(reason, size, "deflated data are damaged (invalid or incomplete data)");
        return OC_ERROR_FORMAT;
    }
    if (produced != expected) {
        snprintf(reason, size, "deflated data inflate to %zu bytes, not the chunk's %zu",
                 produced, expected);
        return OC_ERROR_FORMAT;
    }
    return OC_OK;
}

int oc__store_read_chunk(hid_t dataset, const oc__store_chunk_layout *layout,
                         oc__store_chunk_buffers *buffers, size_t first_area, double *values,
                         char *reason, size_t size)
{
    if (!layout->direct || first_area % layout->chunk_areas != 0)
        return OC__STORE_CHUNK_NOT_DIRECT;
    size_t count = layout->chunk_areas * layout->time_count;
    size_t chunk_bytes = count * sizeof(double);
    hsize_t offset[2] = {first_area, 0};
    hsize_t stored_size = 0;
    /* A chunk never written (its fill value) or a size no filter of ours
     * could produce (zlib's bound: HDF5 deflates with zlib) goes through
     * H5Dread, which knows or says what is wrong. */
    if (H5Dget_chunk_storage_size(dataset, offset, &stored_size) < 0 || stored_size == 0
        || stored_size > compressBound((uLong)chunk_bytes)) {
        H5Eclear2(H5E_DEFAULT);
        return OC__STORE_CHUNK_NOT_DIRECT;
    }
    if (reserve(&buffers->stored, &buffers->stored_size, (size_t)stored_size, reason, size)
        != OC_OK)
        return OC_ERROR_NO_MEMORY;
    uint32_t skipped = 0;
    if (H5Dread_chunk(dataset, H5P_DEFAULT, offset, &skipped, buffers->stored) < 0) {
        oc__store_hdf5_reason(reason, size);
        return OC_ERROR_FORMAT;
    }
    int deflated = layout->deflate_bit != 0 && !(skipped & layout->deflate_bit);
    int shuffled = layout->shuffle_bit != 0 && !(skipped & layout->shuffle_bit);
    /* The chunk once inflated: in place when it needs no unshuffling. */
    const unsigned char *plain = buffers->stored;
    if (deflated) {
        unsigned char *into = (unsigned char *)values;
        if (shuffled) {
            if (reserve(&buffers->inflated, &buffers->inflated_size, chunk_bytes, reason, size)
                != OC_OK)
                return OC_ERROR_NO_MEMORY;
            into = buffers->inflated;
        }
        int status = inflate_exactly(buffers, buffers->stored, (size_t)stored_size, into,
                                     chunk_bytes, reason, size);
        if (status != OC_OK)
            return status;
        plain = into;
    } else if (stored_size != chunk_bytes) {
        snprintf(reason, size, "chunk stored in %llu bytes, not %zu",
                 (unsigned long long)stored_size, chunk_bytes);
        return OC_ERROR_FORMAT;
    }
    if (shuffled)
        oc__store_unshuffle(plain, count, values, OC__STORE_UNSHUFFLE_WIDEST);
    else if (plain != (const unsigned char *)values)
        memcpy(values, plain, chunk_bytes);
    return OC_OK;
}

int oc__store_read_chunk_part(hid_t dataset, const oc__store_chunk_layout *layout,
                              oc__store_chunk_buffers *buffers, size_t first_area,
                              size_t skip_areas, size_t area_count, double *values, char *reason,
                              size_t size)
{
    if (!layout->direct || skip_areas + area_count > layout->chunk_areas)
        return OC__STORE_CHUNK_NOT_DIRECT;
    size_t area_bytes = layout->time_count * sizeof(double);
    if (reserve(&buffers->whole, &buffers->whole_size, layout->chunk_areas * area_bytes, reason,
                size)
        != OC_OK)
        return OC_ERROR_NO_MEMORY;
    /* malloc'd, so aligned for doubles */
    int status = oc__store_read_chunk(dataset, layout, buffers, first_area,
                                      (double *)(void *)buffers->whole, reason, size);
    if (status == OC_OK)
        memcpy(values, buffers->whole + skip_areas * area_bytes, area_count * area_bytes);
    return status;
}

void oc__store_chunk_buffers_free(oc__store_chunk_buffers *buffers)
{
    free(buffers->stored);
    free(buffers->inflated);
    free(buffers->whole);
    libdeflate_free_decompressor(buffers->decompressor);
    memset(buffers, 0, sizeof *buffers);
}

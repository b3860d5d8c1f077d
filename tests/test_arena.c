/* test_arena.c: pieces from core/arena.c are aligned, distinct and whole
 * (each filled and checked after all the others, so an overlap shows, and
 * AddressSanitizer sees any piece that outruns its block), large pieces
 * included, and freeing leaves an empty arena that can be used again. */
#include "config.h"

#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "check_runner.h"

#define PIECES 5000

START_TEST(pieces_are_aligned_and_do_not_overlap)
{
    oc__arena arena = {0};
    static unsigned char *pieces[PIECES];
    static size_t sizes[PIECES];
    for (size_t i = 0; i < PIECES; i++) {
        /* 0 to 299 bytes, and every 1000th one larger than a block */
        sizes[i] = i % 1000 == 999 ? 100000 + i : (i * 7919) % 300;
        pieces[i] = oc__arena_allocate(&arena, sizes[i]);
        ck_assert_ptr_nonnull(pieces[i]);
        ck_assert_uint_eq((uintptr_t)pieces[i] % alignof(max_align_t), 0);
        memset(pieces[i], (int)(i & 0xff), sizes[i]);
    }
    for (size_t i = 0; i < PIECES; i++)
        for (size_t b = 0; b < sizes[i]; b++)
            ck_assert_uint_eq(pieces[i][b], i & 0xff);
    for (size_t i = 1; i < PIECES; i++) /* zero-sized pieces are distinct too */
        ck_assert_ptr_ne(pieces[i], pieces[i - 1]);
    oc__arena_free(&arena);
    ck_assert_ptr_null(arena.blocks);
}
END_TEST

/* A large piece does not end the block being cut: small pieces after it
 * still come from the same block as those before it. */
START_TEST(a_large_piece_leaves_the_block_in_use)
{
    oc__arena arena = {0};
    unsigned char *before = oc__arena_allocate(&arena, 16);
    unsigned char *large = oc__arena_allocate(&arena, 1 << 20);
    unsigned char *after = oc__arena_allocate(&arena, 16);
    ck_assert_ptr_nonnull(before);
    ck_assert_ptr_nonnull(large);
    ck_assert_ptr_nonnull(after);
    if (!OC__ARENA_PIECES_APART) /* under ASan each piece is on its own */
        ck_assert_ptr_eq(after, before + alignof(max_align_t) * ((16 + alignof(max_align_t) - 1)
                                                                 / alignof(max_align_t)));
    memset(large, 1, 1 << 20);
    oc__arena_free(&arena);

    /* The first piece of an empty arena may be the large one. */
    large = oc__arena_allocate(&arena, 1 << 20);
    ck_assert_ptr_nonnull(large);
    memset(large, 2, 1 << 20);
    after = oc__arena_allocate(&arena, 16);
    ck_assert_ptr_nonnull(after);
    memset(after, 3, 16);
    ck_assert_uint_eq(large[(1 << 20) - 1], 2);
    oc__arena_free(&arena);
}
END_TEST

START_TEST(text_is_copied_whole)
{
    oc__arena arena = {0};
    const char *texts[] = {"", "E01000001", "Birkenhead and Tranmere \xe2\x80\x94 ward"};
    char *copies[3];
    for (size_t i = 0; i < 3; i++) {
        copies[i] = oc__arena_copy_text(&arena, texts[i]);
        ck_assert_ptr_nonnull(copies[i]);
        ck_assert_ptr_ne(copies[i], texts[i]);
    }
    for (size_t i = 0; i < 3; i++)
        ck_assert_str_eq(copies[i], texts[i]);
    oc__arena_free(&arena);
}
END_TEST

START_TEST(an_impossible_size_is_refused)
{
    oc__arena arena = {0};
    ck_assert_ptr_null(oc__arena_allocate(&arena, SIZE_MAX));
    ck_assert_ptr_null(oc__arena_allocate(&arena, SIZE_MAX - 8));
    ck_assert_ptr_nonnull(oc__arena_allocate(&arena, 8)); /* and the arena still works */
    oc__arena_free(&arena);
}
END_TEST

START_TEST(a_freed_arena_is_used_again)
{
    oc__arena arena = {0};
    oc__arena_free(&arena); /* an empty arena frees nothing */
    for (int round = 0; round < 3; round++) {
        char *text = oc__arena_copy_text(&arena, "E14000530");
        ck_assert_ptr_nonnull(text);
        ck_assert_str_eq(text, "E14000530");
        oc__arena_free(&arena);
        ck_assert_ptr_null(arena.blocks);
        ck_assert_uint_eq(arena.used, 0);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("arena");
    TCase *tests = tcase_create("arena");
    tcase_add_test(tests, pieces_are_aligned_and_do_not_overlap);
    tcase_add_test(tests, a_large_piece_leaves_the_block_in_use);
    tcase_add_test(tests, text_is_copied_whole);
    tcase_add_test(tests, an_impossible_size_is_refused);
    tcase_add_test(tests, a_freed_arena_is_used_again);
    suite_add_tcase(suite, tests);
    return check_runner_run_suite(suite);
}

/* store_fixture_main.c: `store_fixture KIND PATH` writes one of the
 * fixtures of store_fixtures.h, for the shell tests. */
#include "config.h"

#include <stdio.h>

#include "store_fixtures.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: store_fixture KIND PATH\n");
        return 2;
    }
    if (fixture_write(argv[1], argv[2]) != 0) {
        fprintf(stderr, "store_fixture: cannot write fixture '%s' at %s\n", argv[1], argv[2]);
        return 1;
    }
    return 0;
}

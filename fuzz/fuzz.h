/*
 * fuzz.h — what the harnesses share: an invariant check that stops the
 * run, and a check that a failure says why. A broken invariant is a bug
 * like a crash, so it aborts: libFuzzer then saves the input
 * (crash-<sha1>) and prints the stack, as for a sanitizer report.
 */
#ifndef TG_FUZZ_H
#define TG_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tilegemm.h"

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fprintf(stderr, "\n  tg_last_error: %s\n", tg_last_error());                 \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/*
 * The library keeps the last failure's message per thread and has no call
 * to clear it, so a stale message could pass for a new one. fuzz_mark()
 * records a failure of a known kind first (tg_config_get with a NULL out);
 * a later failure must have replaced that message with its own.
 */
static char fuzz_marker[256];

static inline void fuzz_mark(void)
{
    tg_config_get(0, NULL);
    if (!fuzz_marker[0])
        snprintf(fuzz_marker, sizeof fuzz_marker, "%s", tg_last_error());
}

/* Is s one of the library's documented failure statuses? */
static inline int fuzz_known_error(tg_status s)
{
    return s <= TG_ERR_INVALID_ARGUMENT && s >= TG_ERR_BUFFER_TOO_SMALL;
}

/* A failure (after fuzz_mark) must be a documented status with its own message. */
#define FUZZ_CHECK_FAILURE(s, what)                                                        \
    FUZZ_CHECK(fuzz_known_error(s) && tg_last_error()[0] != '\0' &&                        \
                   strcmp(tg_last_error(), fuzz_marker) != 0,                              \
               "%s failed with status %d and no message of its own", what, (int)(s))

#endif /* TG_FUZZ_H */

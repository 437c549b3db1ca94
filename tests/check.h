/*
 * check.h — the tests' one assertion macro and their summary line (and how
 * the verifier tests read a report).
 *
 *   CHECK(cond, "what was expected, with %d values", x);
 *   ...
 *   return check_summary();
 *
 * A failed CHECK prints file:line, the condition and the message, counts the
 * failure and carries on, so one run shows every broken expectation. Tests are
 * programs, not the library: printing here is the point.
 */
#ifndef TG_TEST_CHECK_H
#define TG_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_count;
static int check_failures;

/* The message is a printf format and its arguments (at least the format). */
#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            printf("%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond);            \
            printf(__VA_ARGS__);                                                 \
            printf("\n");                                                        \
            fflush(stdout);                                                      \
        }                                                                        \
    } while (0)

/*
 * "N checks, F failures"; the exit status of the test. A test that checked
 * nothing has proved nothing, so zero checks is a failure too.
 */
static inline int check_summary(void)
{
    printf("%d checks, %d failures\n", check_count, check_failures);
    if (check_count == 0)
        printf("FAILED: no checks ran\n");
    fflush(stdout);
    return check_failures == 0 && check_count > 0 ? 0 : 1;
}

/*
 * Does a CPU verifier's report (tg_config_verify and the families'
 * *_verify_ops) name a failure of this check: a line "  FAIL <check>: ..."?
 */
static inline int report_fails(const char *report, const char *check)
{
    char needle[64];
    snprintf(needle, sizeof needle, "FAIL %s:", check);
    return strstr(report, needle) != NULL;
}

#endif /* TG_TEST_CHECK_H */

/* error.c — status and dtype names, dtype sizes, the per-thread last-error message, text into callers' buffers, and the verifiers' reports and data. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static _Thread_local char last_error[TG_LAST_ERROR_BYTES];

tg_status tg_fail(tg_status s, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    /* Argument errors speak for themselves; CUDA failures also say where. */
    if (s == TG_ERR_CUDA && n >= 0 && (size_t)n < sizeof last_error) {
        const char *base = strrchr(file, '/');
        int m = snprintf(last_error + n, sizeof last_error - (size_t)n, " [%s:%d]",
                         base ? base + 1 : file, line);
        char why[256];
        if (m >= 0 && (size_t)(n + m) < sizeof last_error && tg_trap_report(why, sizeof why))
            snprintf(last_error + n + m, sizeof last_error - (size_t)(n + m), "; %s", why);
    }
    return s;
}

const char *tg_last_error(void) { return last_error; }

const char *tg_status_string(tg_status s)
{
    switch (s) {
    case TG_SUCCESS: return "success";
    case TG_ERR_INVALID_ARGUMENT: return "invalid argument";
    case TG_ERR_UNKNOWN_CONFIG: return "unknown configuration";
    case TG_ERR_INVALID_CONFIG: return "invalid configuration";
    case TG_ERR_NOT_COMPILED: return "configuration not compiled";
    case TG_ERR_NO_DEVICE: return "no CUDA device";
    case TG_ERR_UNSUPPORTED_DEVICE: return "unsupported device";
    case TG_ERR_CUDA: return "CUDA error";
    case TG_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    }
    return "unknown status";
}

const char *tg_dtype_name(tg_dtype d)
{
    switch (d) {
    case TG_DTYPE_F32: return "fp32";
    case TG_DTYPE_BF16: return "bf16";
    }
    return "unknown dtype";
}

size_t tg_dtype_size(tg_dtype d)
{
    switch (d) {
    case TG_DTYPE_F32: return 4;
    case TG_DTYPE_BF16: return 2;
    }
    return 0;
}

tg_text tg_text_init(char *buf, size_t len)
{
    tg_text t = {buf, len, 0, 0};
    if (buf && len)
        buf[0] = '\0';
    return t;
}

void tg_text_add(tg_text *t, const char *fmt, ...)
{
    if (!t->buf || t->len == 0 || t->cut) {
        t->cut = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->len - t->used) {
        t->cut = 1;
        t->used = t->len - 1;
    } else {
        t->used += (size_t)n;
    }
}

tg_status tg_text_done(const tg_text *t, const char *what)
{
    if (t->cut)
        return TG_FAIL(TG_ERR_BUFFER_TOO_SMALL, "%s of %zu bytes is too short", what, t->len);
    return TG_SUCCESS;
}

tg_report tg_report_init(char *buf, size_t len, const char *const *names, int nchecks)
{
    tg_report r;
    memset(&r, 0, sizeof r);
    r.text = tg_text_init(buf, len);
    r.names = names;
    r.nchecks = nchecks < TG_REPORT_MAX_CHECKS ? nchecks : TG_REPORT_MAX_CHECKS;
    return r;
}

void tg_report_fail(tg_report *r, int check, const char *fmt, ...)
{
    r->failures++;
    if (check < 0 || check >= r->nchecks || r->per[check]++ >= TG_REPORT_LINES)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    tg_text_add(&r->text, "  FAIL %s: %s\n", r->names[check], line);
}

void tg_report_failures(tg_report *r)
{
    tg_text_add(&r->text, "plan verifier: %d failure(s) (", r->failures);
    for (int c = 0, first = 1; c < r->nchecks; c++)
        if (r->per[c]) {
            tg_text_add(&r->text, "%s%s %d", first ? "" : ", ", r->names[c], r->per[c]);
            first = 0;
        }
    tg_text_add(&r->text, ")\n");
}

int tg_verify_small_int(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int v = (int)(*state >> 60) % 4 + 1; /* 1..4 */
    return (*state >> 59 & 1) ? v : -v;
}

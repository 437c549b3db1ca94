/*
 * config.c — configuration strings, for every family alike: the parser
 * ("seed,reg_block_m=16"), the formatter, and parameter lookup by key.
 * Everything is driven by the family's tg_param table (its X-macro list)
 * and alias table; nothing here knows a parameter by name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

enum { MAX_TEXT = 4096 }; /* longer config strings are refused, not truncated */

/* Do the first n characters of a and b match, ignoring case (b may end sooner)? */
static int same_chars(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] == '\0' || tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Does text[0..n) equal the NUL-terminated word, ignoring case? */
static int same_word(const char *text, size_t n, const char *word)
{
    return same_chars(text, word, n) && word[n] == '\0';
}

/* Index of the parameter whose key is text[0..n), or -1. */
static int param_index(const tg_family_ops *f, const char *text, size_t n)
{
    for (int i = 0; i < f->nparams; i++)
        if (same_word(text, n, f->params[i].key) || same_word(text, n, f->params[i].name))
            return i;
    return -1;
}

/* The parameters a key sets (1 or 2 of them) into idx; 0 if the key is unknown. */
static int key_targets(const tg_family_ops *f, const char *key, size_t n, int idx[2])
{
    idx[0] = param_index(f, key, n);
    if (idx[0] >= 0)
        return 1;
    for (int a = 0; a < f->naliases; a++) {
        const tg_alias *al = &f->aliases[a];
        if (!same_word(key, n, al->key))
            continue;
        idx[0] = param_index(f, al->first, strlen(al->first));
        idx[1] = al->second ? param_index(f, al->second, strlen(al->second)) : -1;
        return idx[1] >= 0 ? 2 : 1;
    }
    return 0;
}

/* The i-th name of an enumeration "a|b|c" into name[0..*n); 0 if there is none. */
static int enum_name(const char *values, int i, const char **name, size_t *n)
{
    const char *p = values;
    for (int k = 0; k < i; k++) {
        p = strchr(p, '|');
        if (!p)
            return 0;
        p++;
    }
    const char *end = strchr(p, '|');
    *name = p;
    *n = end ? (size_t)(end - p) : strlen(p);
    return 1;
}

/* ------------------------------------------------------------------------
 * Parsing
 * ---------------------------------------------------------------------- */

/* One value for parameter p: a decimal integer, or one of its names. */
static tg_status parse_value(const tg_param *p, const char *v, size_t n, int *out)
{
    if (p->values) {
        const char *name;
        size_t len;
        for (int i = 0; enum_name(p->values, i, &name, &len); i++)
            if (n == len && same_chars(v, name, n)) {
                *out = i;
                return TG_SUCCESS;
            }
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "%s must be one of %s, got '%.*s'", p->key,
                       p->values, (int)n, v);
    }
    size_t i = n > 0 && (v[0] == '+' || v[0] == '-'); /* an optional sign, then digits */
    int digits = i < n;
    for (; i < n; i++)
        digits &= isdigit((unsigned char)v[i]) != 0;
    if (!digits)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "%s must be an integer in %d..%d, got '%.*s'",
                       p->key, p->min, p->max, (int)n, v);
    char buf[32];
    if (n >= sizeof buf)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "%s must be %d..%d, got '%.*s' (%s)", p->key, p->min,
                       p->max, (int)n, v, p->doc);
    memcpy(buf, v, n);
    buf[n] = '\0';
    errno = 0;
    long long x = strtoll(buf, NULL, 10);
    if (errno == ERANGE || x < p->min || x > p->max)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "%s must be %d..%d, got %s (%s)", p->key, p->min,
                       p->max, buf, p->doc);
    *out = (int)x;
    return TG_SUCCESS;
}

/* The preset or family named text[0..n): its family and parameters. */
static tg_status parse_base(const char *text, size_t n, const tg_family_ops **fam, int *params)
{
    for (int fi = 0; fi < tg_family_count(); fi++) {
        const tg_family_ops *f = tg_family_get(fi);
        const char *preset = same_word(text, n, f->name) ? f->base : NULL;
        for (int i = 0; i < f->npresets; i++)
            if (same_word(text, n, f->presets[i].name) || (preset && !strcmp(preset, f->presets[i].name))) {
                *fam = f;
                memcpy(params, f->presets[i].params, sizeof(int) * TG_CONFIG_MAX_PARAMS);
                return TG_SUCCESS;
            }
    }
    char list[TG_LAST_ERROR_BYTES]; /* every preset and family name: the message's bound, no other */
    tg_text t = tg_text_init(list, sizeof list);
    for (int i = 0; i < tg_config_count(); i++) {
        tg_config c;
        if (tg_config_get(i, &c) == TG_SUCCESS)
            tg_text_add(&t, "%s%s", i ? ", " : "", c.name);
    }
    for (int fi = 0; fi < tg_family_count(); fi++)
        tg_text_add(&t, ", %s", tg_family_get(fi)->name);
    return TG_FAIL(TG_ERR_UNKNOWN_CONFIG, "unknown preset '%.*s' (presets and families: %s)",
                   (int)n, text, list);
}

static tg_status unknown_key(const tg_family_ops *f, const char *key, size_t n)
{
    char list[1024];
    tg_text t = tg_text_init(list, sizeof list);
    for (int i = 0; i < f->nparams; i++)
        tg_text_add(&t, "%s%s", i ? ", " : "", f->params[i].key);
    for (int a = 0; a < f->naliases; a++)
        tg_text_add(&t, ", %s", f->aliases[a].key);
    return TG_FAIL(TG_ERR_UNKNOWN_CONFIG, "unknown key '%.*s' for the %s family (keys: %s)",
                   (int)n, key, f->name, list);
}

/* An item of a config string, trimmed: [start, start+len). */
typedef struct item {
    const char *start;
    size_t len;
} item;

static item trim(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    item it = {s, n};
    return it;
}

tg_status tg_config_parse(const char *text, tg_config *out)
{
    if (!text)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "config text is NULL");
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_parse: out is NULL");
    size_t total = 0;
    while (total <= MAX_TEXT && text[total] != '\0')
        total++;
    if (total > MAX_TEXT)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "config is longer than %d characters", MAX_TEXT);
    for (size_t i = 0; i < total; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch < 0x20 ? ch != '\t' : ch > 0x7e)
            return TG_FAIL(TG_ERR_INVALID_CONFIG,
                           "config has a byte that is not printable ASCII (0x%02x at offset %zu)",
                           ch, i);
    }

    if (trim(text, total).len == 0)
        return TG_FAIL(TG_ERR_INVALID_CONFIG,
                       "config is empty: name a preset or a family (tilegemm list shows the "
                       "presets)");

    const tg_family_ops *f = NULL;
    int params[TG_CONFIG_MAX_PARAMS] = {0};
    const char *set_by[TG_CONFIG_MAX_PARAMS] = {0}; /* the key that set each parameter */
    size_t set_len[TG_CONFIG_MAX_PARAMS] = {0};
    const char *p = text;
    for (int first = 1;; first = 0) {
        const char *comma = strchr(p, ',');
        item it = trim(p, comma ? (size_t)(comma - p) : strlen(p));
        if (it.len == 0)
            return TG_FAIL(TG_ERR_INVALID_CONFIG, "config '%s' has an empty item%s", text,
                           first ? "" : " (a stray comma?)");
        const char *eq = memchr(it.start, '=', it.len);
        if (first) {
            if (eq)
                return TG_FAIL(TG_ERR_INVALID_CONFIG,
                               "config '%s' starts with a key: name its base first, a preset or a "
                               "family (e.g. 'seed,%s'; tilegemm list shows the presets)",
                               text, text);
            TG_TRY(parse_base(it.start, it.len, &f, params));
        } else {
            if (!eq)
                return TG_FAIL(TG_ERR_INVALID_CONFIG,
                               "item '%.*s' of config '%s' is not key=value (only the first item "
                               "names a preset)",
                               (int)it.len, it.start, text);
            item key = trim(it.start, (size_t)(eq - it.start));
            item val = trim(eq + 1, it.len - (size_t)(eq + 1 - it.start));
            int idx[2];
            int targets = key_targets(f, key.start, key.len, idx);
            if (targets == 0)
                return unknown_key(f, key.start, key.len);
            int value = 0;
            tg_status vs = parse_value(&f->params[idx[0]], val.start, val.len, &value);
            if (vs != TG_SUCCESS && param_index(f, key.start, key.len) < 0) {
                /* An alias: say which parameters it stands for before the value's problem. */
                char why[1024];
                snprintf(why, sizeof why, "%s", tg_last_error());
                return TG_FAIL(vs, "'%.*s' sets %s%s%s: %s", (int)key.len, key.start,
                               f->params[idx[0]].key, targets == 2 ? " and " : "",
                               targets == 2 ? f->params[idx[1]].key : "", why);
            }
            TG_TRY(vs);
            for (int t = 0; t < targets; t++) {
                int i = idx[t];
                if (set_by[i])
                    return TG_FAIL(TG_ERR_INVALID_CONFIG,
                                   "config '%s' sets %s twice ('%.*s' and '%.*s')", text,
                                   f->params[i].key, (int)set_len[i], set_by[i], (int)key.len,
                                   key.start);
                set_by[i] = key.start;
                set_len[i] = key.len;
                params[i] = value;
            }
        }
        if (!comma)
            break;
        p = comma + 1;
    }

    tg_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.family = f->id;
    memcpy(cfg.params, params, sizeof cfg.params);
    TG_TRY(tg_config_check(&cfg));
    const int preset = tg_preset_find(f, cfg.params);
    snprintf(cfg.name, sizeof cfg.name, "%s", preset >= 0 ? f->presets[preset].name : "custom");
    *out = cfg;
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Formatting and lookup
 * ---------------------------------------------------------------------- */

tg_status tg_config_format(const tg_config *cfg, char *buf, size_t len)
{
    TG_TRY(tg_config_check(cfg));
    if (!buf)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_format: buf is NULL");
    const tg_family_ops *f = tg_family_get(cfg->family);
    tg_text t = tg_text_init(buf, len);
    tg_text_add(&t, "%s", f->name);
    for (int i = 0; i < f->nparams; i++) {
        const tg_param *p = &f->params[i];
        const char *name;
        size_t n;
        if (p->values && enum_name(p->values, cfg->params[i], &name, &n))
            tg_text_add(&t, ",%s=%.*s", p->key, (int)n, name);
        else
            tg_text_add(&t, ",%s=%d", p->key, cfg->params[i]);
    }
    return tg_text_done(&t, "tg_config_format's buffer");
}

tg_status tg_config_preset_line(const tg_config *cfg, char *buf, size_t len)
{
    TG_TRY(tg_config_check(cfg));
    if (!buf)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_preset_line: buf is NULL");
    const tg_family_ops *f = tg_family_get(cfg->family);
    const int preset = tg_preset_find(f, cfg->params);
    tg_text t = tg_text_init(buf, len);
    tg_text_add(&t, "%s: %s(%s", f->presets_file, f->preset_macro,
                preset >= 0 ? f->presets[preset].name : "my_config");
    for (int i = 0; i < f->nparams; i++) {
        const tg_param *p = &f->params[i];
        const char *name;
        size_t n;
        if (p->values && enum_name(p->values, cfg->params[i], &name, &n)) {
            tg_text_add(&t, ", TG_");
            for (size_t c = 0; c < n; c++)
                tg_text_add(&t, "%c", toupper((unsigned char)name[c]));
        } else {
            tg_text_add(&t, ", %d", cfg->params[i]);
        }
    }
    tg_text_add(&t, ")");
    return tg_text_done(&t, "tg_config_preset_line's buffer");
}

tg_status tg_config_param(const tg_config *cfg, const char *key, int *value)
{
    TG_TRY(tg_config_check(cfg));
    if (!key || !value)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_param: key or value is NULL");
    const tg_family_ops *f = tg_family_get(cfg->family);
    int idx[2];
    const int targets = key_targets(f, key, strlen(key), idx);
    if (targets == 0)
        return unknown_key(f, key, strlen(key));
    if (targets == 2 && cfg->params[idx[0]] != cfg->params[idx[1]])
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "'%s' stands for %s and %s, which differ (%d, %d)",
                       key, f->params[idx[0]].key, f->params[idx[1]].key, cfg->params[idx[0]],
                       cfg->params[idx[1]]);
    *value = cfg->params[idx[0]];
    return TG_SUCCESS;
}

tg_status tg_params_check(int family, const int *params, int n)
{
    if (!params || n < 0 || n > TG_CONFIG_MAX_PARAMS)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_params_check: %d parameters (0..%d), or NULL",
                       n, TG_CONFIG_MAX_PARAMS);
    tg_config cfg = {"custom", family, {0}};
    memcpy(cfg.params, params, sizeof(int) * (size_t)n);
    return tg_config_check(&cfg);
}

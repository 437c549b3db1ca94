/*
 * registry.c — the families and their compiled configurations, and what
 * the public API asks of a configuration's family: its checks, its plan in
 * words and numbers, its CPU verifier and its kernel's resources.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* Every family, indexed by tg_family. Add a family: its enum, its line here. */
static const tg_family_ops *const families[] = {
    &tg_micro_family,
    &tg_hopper_family,
    &tg_decode_family,
    &tg_gemv_family,
};

enum { NFAMILIES = (int)(sizeof families / sizeof families[0]) };

int tg_family_count(void) { return NFAMILIES; }

const tg_family_ops *tg_family_get(int f)
{
    return f >= 0 && f < NFAMILIES ? families[f] : NULL;
}

const char *tg_family_name(tg_family f)
{
    const tg_family_ops *fam = tg_family_get((int)f);
    return fam ? fam->name : NULL;
}

int tg_param_count(tg_family f)
{
    const tg_family_ops *fam = tg_family_get((int)f);
    return fam ? fam->nparams : 0;
}

const tg_param *tg_param_get(tg_family f, int i)
{
    const tg_family_ops *fam = tg_family_get((int)f);
    return fam && i >= 0 && i < fam->nparams ? &fam->params[i] : NULL;
}

const tg_family_ops *tg_family_of(const tg_config *cfg)
{
    const tg_family_ops *f = tg_family_get(cfg->family);
    if (!f)
        TG_FAIL(TG_ERR_INVALID_CONFIG, "config family %d is not a tilegemm family (0..%d)",
                cfg->family, NFAMILIES - 1);
    return f;
}

int tg_preset_find(const tg_family_ops *f, const int *p)
{
    for (int i = 0; i < f->npresets; i++)
        if (!memcmp(f->presets[i].params, p, sizeof(int) * (size_t)f->nparams))
            return i;
    return -1;
}

/* ------------------------------------------------------------------------
 * Compiled configurations, every family in turn
 * ---------------------------------------------------------------------- */

int tg_config_count(void)
{
    int n = 0;
    for (int f = 0; f < NFAMILIES; f++)
        n += families[f]->npresets;
    return n;
}

tg_status tg_config_get(int i, tg_config *out)
{
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_get: out is NULL");
    const int count = tg_config_count();
    if (i < 0 || i >= count)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_get: index %d is outside 0..%d", i,
                       count - 1);
    for (int f = 0; f < NFAMILIES; f++) {
        if (i < families[f]->npresets) {
            const tg_preset *p = &families[f]->presets[i];
            memset(out, 0, sizeof *out);
            snprintf(out->name, sizeof out->name, "%s", p->name);
            out->family = families[f]->id;
            memcpy(out->params, p->params, sizeof out->params);
            return TG_SUCCESS;
        }
        i -= families[f]->npresets;
    }
    return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_get: index out of range"); /* unreachable */
}

/* ------------------------------------------------------------------------
 * Checks: ranges first (so the family's rules form no overflowing product),
 * then the family's rules
 * ---------------------------------------------------------------------- */

/* The family of a configuration whose every parameter is in range. */
static const tg_family_ops *checked_family(const tg_config *cfg, tg_status *s)
{
    *s = TG_ERR_INVALID_ARGUMENT;
    if (!cfg) {
        TG_FAIL(TG_ERR_INVALID_ARGUMENT, "cfg is NULL");
        return NULL;
    }
    *s = TG_ERR_INVALID_CONFIG;
    if (!memchr(cfg->name, '\0', sizeof cfg->name)) {
        TG_FAIL(TG_ERR_INVALID_CONFIG, "config name is not NUL-terminated within %d bytes",
                TG_CONFIG_NAME_MAX);
        return NULL;
    }
    const tg_family_ops *f = tg_family_of(cfg);
    if (!f)
        return NULL;
    for (int i = 0; i < f->nparams; i++) {
        const tg_param *p = &f->params[i];
        if (cfg->params[i] < p->min || cfg->params[i] > p->max) {
            TG_FAIL(TG_ERR_INVALID_CONFIG, "%s must be %d..%d, got %d (%s)", p->key, p->min,
                    p->max, cfg->params[i], p->doc);
            return NULL;
        }
    }
    for (int i = f->nparams; i < TG_CONFIG_MAX_PARAMS; i++)
        if (cfg->params[i] != 0) {
            TG_FAIL(TG_ERR_INVALID_CONFIG,
                    "config params[%d] must be 0: the %s family has %d parameters", i, f->name,
                    f->nparams);
            return NULL;
        }
    *s = f->check(cfg->params);
    return *s == TG_SUCCESS ? f : NULL;
}

tg_status tg_config_check(const tg_config *cfg)
{
    tg_status s;
    checked_family(cfg, &s);
    return s;
}

int tg_config_compiled(const tg_config *cfg)
{
    tg_status s;
    const tg_family_ops *f = checked_family(cfg, &s);
    return f && tg_preset_find(f, cfg->params) >= 0;
}

tg_status tg_config_describe(const tg_config *cfg, char *buf, size_t len)
{
    tg_status s;
    const tg_family_ops *f = checked_family(cfg, &s);
    if (!f)
        return s;
    if (!buf)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_describe: buf is NULL");
    return f->describe(cfg->params, buf, len);
}

int tg_config_facts(const tg_config *cfg, tg_fact *out, int max)
{
    tg_status s;
    const tg_family_ops *f = checked_family(cfg, &s);
    if (!f)
        return (int)s;
    if (max < 0 || (max > 0 && !out))
        return (int)TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_facts: out is NULL or max < 0");
    return f->facts(cfg->params, out, max);
}

tg_status tg_config_verify(const tg_config *cfg, char *report, size_t len)
{
    tg_status s;
    const tg_family_ops *f = checked_family(cfg, &s);
    if (!f)
        return s;
    return f->verify(cfg->params, report, len);
}

tg_status tg_kernel_get_info(const tg_config *cfg, tg_kernel_info *out)
{
    tg_status s;
    const tg_family_ops *f = checked_family(cfg, &s);
    if (!f)
        return s;
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_kernel_get_info: out is NULL");
    const int preset = tg_preset_find(f, cfg->params);
    if (preset < 0)
        return TG_FAIL(TG_ERR_NOT_COMPILED, "config '%s' has no compiled kernel", cfg->name);
    int dev = 0;
    TG_TRY(tg_current_device(&dev));
    return f->info(preset, dev, out);
}

int tg_facts_out(const tg_fact *all, int n, tg_fact *out, int max)
{
    for (int i = 0; i < n && i < max; i++)
        out[i] = all[i];
    return n;
}

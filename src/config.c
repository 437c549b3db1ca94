/*
 * config.c — the preset registry (one entry per line of configs.def), the
 * configuration parser and formatter, and the runtime tile-rule check.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------------
 * Registry
 * ---------------------------------------------------------------------- */

static const tg_kernel_entry kernels[] = {
#define TG_CONFIG(name, BM, BN, KS, DSS, DS, RM, RN, WM, WN, LAYOUT, PIPE, ST, MINB, RASTER)        \
    {#name,                                                                                        \
     {BM, BN, KS, DSS, DS, RM, RN, WM, WN, TG_LAYOUT_##LAYOUT, TG_PIPE_##PIPE, ST, MINB, RASTER}, \
     tg_micro_launch_##name, tg_micro_info_##name},
#include "kernels/configs.def"
#undef TG_CONFIG
};

enum { KERNEL_COUNT = (int)(sizeof kernels / sizeof kernels[0]) };

int tg_config_count(void) { return KERNEL_COUNT; }

tg_status tg_config_get(int i, tg_config *out)
{
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_get: out is NULL");
    if (i < 0 || i >= KERNEL_COUNT)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_get: index %d is outside 0..%d", i,
                       KERNEL_COUNT - 1);
    snprintf(out->name, sizeof out->name, "%s", kernels[i].name);
    out->tile = kernels[i].tile;
    return TG_SUCCESS;
}

static int tile_equal(const tg_tile *x, const tg_tile *y)
{
    return x->block_m == y->block_m && x->block_n == y->block_n && x->k_step == y->k_step &&
           x->dot_slice_shared == y->dot_slice_shared && x->dot_slice == y->dot_slice &&
           x->reg_block_m == y->reg_block_m && x->reg_block_n == y->reg_block_n &&
           x->warps_m == y->warps_m && x->warps_n == y->warps_n && x->layout == y->layout &&
           x->pipe == y->pipe && x->stages == y->stages && x->min_blocks == y->min_blocks &&
           x->raster == y->raster;
}

const tg_kernel_entry *tg_kernel_find(const tg_tile *t)
{
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (tile_equal(&kernels[i].tile, t))
            return &kernels[i];
    return NULL;
}

/* ------------------------------------------------------------------------
 * Rules
 * ---------------------------------------------------------------------- */

#define TG_CHECK_RULE(cond, why)                                        \
    if (!(cond))                                                        \
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "invalid tile: %s", why);

tg_status tg_tile_check(const tg_tile *t)
{
    if (!t)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_tile_check: tile is NULL");
    TG_TILE_RULES(TG_CHECK_RULE, t->block_m, t->block_n, t->k_step, t->dot_slice_shared,
                  t->dot_slice, t->reg_block_m, t->reg_block_n, t->warps_m, t->warps_n,
                  t->layout, t->pipe, t->stages, t->min_blocks, t->raster)
    return TG_SUCCESS;
}

/* ------------------------------------------------------------------------
 * Parsing and formatting
 * ---------------------------------------------------------------------- */

/* A key of the parameter string: the field(s) it sets. Seed names are accepted too. */
typedef struct key_spec {
    const char *name;
    size_t field, field2; /* offsets into tg_tile; field2 = field when one field */
} key_spec;

#define F(x) offsetof(tg_tile, x)
static const key_spec keys[] = {
    {"block", F(block_m), F(block_n)},
    {"block_size", F(block_m), F(block_n)},
    {"block_m", F(block_m), F(block_m)},
    {"block_n", F(block_n), F(block_n)},
    {"k_step", F(k_step), F(k_step)},
    {"dot_slice_shared", F(dot_slice_shared), F(dot_slice_shared)},
    {"dot_slice", F(dot_slice), F(dot_slice)},
    {"reg", F(reg_block_m), F(reg_block_n)},
    {"reg_block", F(reg_block_m), F(reg_block_n)},
    {"reg_m", F(reg_block_m), F(reg_block_m)},
    {"reg_block_m", F(reg_block_m), F(reg_block_m)},
    {"reg_n", F(reg_block_n), F(reg_block_n)},
    {"reg_block_n", F(reg_block_n), F(reg_block_n)},
    {"warps_m", F(warps_m), F(warps_m)},
    {"warps_n", F(warps_n), F(warps_n)},
    {"layout", F(layout), F(layout)},
    {"pipe", F(pipe), F(pipe)},
    {"stages", F(stages), F(stages)},
    {"min_blocks", F(min_blocks), F(min_blocks)},
    {"raster", F(raster), F(raster)},
};
#undef F

static const char *const layout_names[] = {"interleaved", "contiguous"};
static const char *const pipe_names[] = {"cp_async", "regs"};

static int equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return b[n] == '\0';
}

static const tg_kernel_entry *find_preset(const char *name, size_t len)
{
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (equal_nocase(name, kernels[i].name, len))
            return &kernels[i];
    return NULL;
}

static tg_status unknown_preset(const char *name, size_t len)
{
    char list[512] = "";
    size_t used = 0;
    for (int i = 0; i < KERNEL_COUNT && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 kernels[i].name);
    return TG_FAIL(TG_ERR_UNKNOWN_CONFIG, "unknown preset '%.*s' (presets: %s)", (int)len, name,
                   list);
}

/* Parse one value (an integer, or an enum name for layout and pipe) into *out. */
static tg_status parse_value(const key_spec *key, const char *v, size_t len, int *out)
{
    const char *const *names = NULL;
    int count = 0;
    if (key->field == offsetof(tg_tile, layout)) {
        names = layout_names;
        count = 2;
    } else if (key->field == offsetof(tg_tile, pipe)) {
        names = pipe_names;
        count = 2;
    }
    if (names) {
        for (int i = 0; i < count; i++)
            if (equal_nocase(v, names[i], len)) {
                *out = i;
                return TG_SUCCESS;
            }
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "value of '%s' must be %s or %s, got '%.*s'",
                       key->name, names[0], names[1], (int)len, v);
    }
    char buf[32];
    if (len == 0 || len >= sizeof buf)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "value of '%s' must be a positive integer, got '%.*s'",
                       key->name, (int)len, v);
    memcpy(buf, v, len);
    buf[len] = '\0';
    char *end = NULL;
    errno = 0;
    long x = strtol(buf, &end, 10);
    if (errno || *end != '\0' || x <= 0 || x > 1 << 20)
        return TG_FAIL(TG_ERR_INVALID_CONFIG, "value of '%s' must be an integer in 1..%d, got '%s'",
                       key->name, 1 << 20, buf);
    *out = (int)x;
    return TG_SUCCESS;
}

static tg_status parse_pair(tg_tile *t, const char *item, size_t len)
{
    const char *eq = memchr(item, '=', len);
    size_t klen = (size_t)(eq - item);
    while (klen > 0 && isspace((unsigned char)item[klen - 1]))
        klen--;
    const key_spec *key = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (equal_nocase(item, keys[i].name, klen))
            key = &keys[i];
    if (!key)
        return TG_FAIL(TG_ERR_UNKNOWN_CONFIG,
                       "unknown key '%.*s' (keys: block, block_m, block_n, k_step, "
                       "dot_slice_shared, dot_slice, reg, reg_m, reg_n, warps_m, warps_n, "
                       "layout, pipe, stages, min_blocks, raster)",
                       (int)klen, item);
    const char *v = eq + 1;
    size_t vlen = len - (size_t)(v - item);
    while (vlen > 0 && isspace((unsigned char)*v)) {
        v++;
        vlen--;
    }
    int value = 0;
    TG_TRY(parse_value(key, v, vlen, &value));
    *(int *)((char *)t + key->field) = value;
    *(int *)((char *)t + key->field2) = value;
    return TG_SUCCESS;
}

tg_status tg_config_parse(const char *text, tg_config *out)
{
    if (!text)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "config text is NULL");
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_parse: out is NULL");

    /* A parameter string starts from the "seed" preset. */
    const tg_kernel_entry *seed = find_preset("seed", 4);
    if (!seed)
        return TG_FAIL(TG_ERR_UNKNOWN_CONFIG, "configs.def has no 'seed' line to start from");
    tg_tile tile = seed->tile;
    const char *p = text;
    for (int first = 1;; first = 0) {
        while (isspace((unsigned char)*p))
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (len == 0)
            return TG_FAIL(TG_ERR_INVALID_CONFIG, "empty item in config '%s'", text);
        if (memchr(p, '=', len)) {
            TG_TRY(parse_pair(&tile, p, len));
        } else if (first) {
            /* A leading bare word is a preset name; later keys change it. */
            const tg_kernel_entry *base = find_preset(p, len);
            if (!base)
                return unknown_preset(p, len);
            tile = base->tile;
        } else {
            return TG_FAIL(TG_ERR_INVALID_CONFIG,
                           "item '%.*s' in config '%s' is not key=value (only the first item may "
                           "be a preset name)",
                           (int)len, p, text);
        }
        if (!end)
            break;
        p = end + 1;
    }

    TG_TRY(tg_tile_check(&tile));
    out->tile = tile;
    const tg_kernel_entry *compiled = tg_kernel_find(&tile);
    if (compiled) {
        snprintf(out->name, sizeof out->name, "%s", compiled->name);
        return TG_SUCCESS;
    }
    snprintf(out->name, sizeof out->name, "%s", "custom");
    return TG_FAIL(TG_ERR_NOT_COMPILED,
                   "no compiled kernel has these parameters; add a line to "
                   "src/kernels/configs.def: TG_CONFIG(my_name, %d, %d, %d, %d, %d, %d, %d, %d, "
                   "%d, %s, %s, %d, %d, %d)",
                   tile.block_m, tile.block_n, tile.k_step, tile.dot_slice_shared, tile.dot_slice,
                   tile.reg_block_m, tile.reg_block_n, tile.warps_m, tile.warps_n,
                   tile.layout == TG_LAYOUT_INTERLEAVED ? "INTERLEAVED" : "CONTIGUOUS",
                   tile.pipe == TG_PIPE_CP_ASYNC ? "CP_ASYNC" : "REGS", tile.stages,
                   tile.min_blocks, tile.raster);
}

tg_status tg_config_format(const tg_config *cfg, char *buf, size_t len)
{
    if (!cfg)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_format: cfg is NULL");
    if (!buf)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_config_format: buf is NULL");
    TG_TRY(tg_tile_check(&cfg->tile));
    const tg_tile *t = &cfg->tile;
    int lay = t->layout == TG_LAYOUT_CONTIGUOUS;
    int pip = t->pipe == TG_PIPE_REGS;
    int n = snprintf(buf, len,
                     "block_m=%d,block_n=%d,k_step=%d,dot_slice_shared=%d,dot_slice=%d,"
                     "reg_m=%d,reg_n=%d,warps_m=%d,warps_n=%d,layout=%s,pipe=%s,stages=%d,"
                     "min_blocks=%d,raster=%d",
                     t->block_m, t->block_n, t->k_step, t->dot_slice_shared, t->dot_slice,
                     t->reg_block_m, t->reg_block_n, t->warps_m, t->warps_n, layout_names[lay],
                     pipe_names[pip], t->stages, t->min_blocks, t->raster);
    if (n < 0 || (size_t)n >= len)
        return TG_FAIL(TG_ERR_BUFFER_TOO_SMALL, "tg_config_format: buffer of %zu bytes is too short",
                       len);
    return TG_SUCCESS;
}

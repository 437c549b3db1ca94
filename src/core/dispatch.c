/*
 * dispatch.c — the configuration tg_gemm runs when the caller passes none:
 * the first row of the table in rules.c whose shape class holds and whose
 * configuration takes the arguments, and the words that say why.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/rules.h"

/* The family and index of the compiled preset called name, or 0. */
static int find_preset(const char *name, const tg_family_ops **fam, int *preset)
{
    for (int fi = 0; fi < tg_family_count(); fi++) {
        const tg_family_ops *f = tg_family_get(fi);
        for (int i = 0; i < f->npresets; i++)
            if (!strcmp(f->presets[i].name, name)) {
                *fam = f;
                *preset = i;
                return 1;
            }
    }
    return 0;
}

/*
 * Does rule r's split of g fit: the family takes the batched view, and the
 * workspace holds the partials and the family's own (or assume_workspace)?
 */
static int split_fits(const tg_gemm_args *g, const struct tg_rule *r, const tg_family_ops *f,
                      int preset, int assume_workspace, tg_split *split)
{
    tg_split_plan(g, r->splits(g), split);
    tg_gemm_args view;
    tg_split_view(g, split, &view);
    if (f->supports(preset, &view) != TG_SUCCESS)
        return 0;
    const size_t need = split->bytes + f->workspace(preset, &view);
    return assume_workspace || tg_workspace_holds(g, need);
}

/*
 * Rules are read top to bottom; the first whose class holds and whose
 * configuration takes g wins — as it is, or, for a rule that packs, with A
 * and/or B copied into the workspace when copies are what the family's
 * rules ask for and the workspace holds them (tg_pack_fits;
 * tg_gemm_workspace_size asks with assume_workspace), or, for a rule that
 * splits, as a batch over K into partials in the workspace. Without that
 * workspace such a call goes on down the table to a family that reads any
 * layout.
 */
tg_status tg_dispatch(const tg_gemm_args *g, int assume_workspace, const tg_family_ops **fam,
                      int *preset, const tg_rule **rule, tg_pack *pack, tg_split *split)
{
    pack->a = pack->b = 0;
    pack->bytes = 0;
    tg_split_plan(g, 1, split);
    /* The last refusal, so the message says why (a batch or grid limit), not only that. */
    char why[512] = "";
    const char *refused = NULL;
    for (int r = 0; r < tg_nrules; r++) {
        if (!tg_rules[r].applies(g) || !find_preset(tg_rules[r].config, fam, preset))
            continue;
        if (tg_rules[r].splits) {
            if (tg_nothing_to_do(g) || !tg_reads_ab(g) ||
                !split_fits(g, &tg_rules[r], *fam, *preset, assume_workspace, split)) {
                tg_split_plan(g, 1, split);
                continue;
            }
            if (rule)
                *rule = &tg_rules[r];
            return TG_SUCCESS;
        }
        if (!tg_nothing_to_do(g) && tg_reads_ab(g) && (*fam)->supports(*preset, g) != TG_SUCCESS) {
            snprintf(why, sizeof why, "%s", tg_last_error());
            refused = tg_rules[r].config;
            if (!tg_rules[r].packs || !tg_pack_fits(g, *fam, *preset, assume_workspace, pack, NULL))
                continue;
        } else if (!tg_nothing_to_do(g) && tg_reads_ab(g) && !assume_workspace) {
            const size_t need = (*fam)->workspace(*preset, g);
            if (need && !tg_workspace_holds(g, need))
                continue; /* it needs a workspace (stream-K) the call lacks: the next rule */
        }
        if (rule)
            *rule = &tg_rules[r];
        return TG_SUCCESS;
    }
    return TG_FAIL(TG_ERR_INVALID_ARGUMENT,
                   "no compiled configuration takes m=%lld, n=%lld, k=%lld, batch=%lld%s%s%s%s",
                   (long long)g->m, (long long)g->n, (long long)g->k, (long long)g->batch,
                   refused ? "; " : "", refused ? refused : "",
                   refused ? " (the last one tried): " : "", why);
}

tg_status tg_gemm_choose(const tg_gemm_args *args, tg_config *out, char *why, size_t len)
{
    tg_gemm_args g;
    TG_TRY(tg_args_read(args, &g));
    TG_TRY(tg_check_args(&g, 0));
    if (!out)
        return TG_FAIL(TG_ERR_INVALID_ARGUMENT, "tg_gemm_choose: out is NULL");
    const tg_family_ops *f;
    int preset;
    const tg_rule *rule = NULL;
    tg_pack pack;
    tg_split split;
    TG_TRY(tg_dispatch(&g, 0, &f, &preset, &rule, &pack, &split));
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", f->presets[preset].name);
    out->family = f->id;
    memcpy(out->params, f->presets[preset].params, sizeof out->params);
    if (!why || len == 0)
        return TG_SUCCESS;
    tg_text t = tg_text_init(why, len);
    tg_text_add(&t, "rule '%s' (%s family): %s", rule->when, f->name, rule->why);
    if (pack.a || pack.b)
        tg_text_add(&t, "; %s%s%s, as %s, not taken by the %s family: packed into the "
                    "workspace first (%zu bytes, rows of %lld elements)", pack.a ? "A" : "",
                    pack.a && pack.b ? " and " : "", pack.b ? "B" : "",
                    pack.a && pack.b ? "they are" : "it is", f->name, pack.bytes,
                    (long long)(pack.a ? pack.op[0].dst_ld : pack.op[1].dst_ld));
    if (split.s > 1)
        tg_text_add(&t, "; split-K: %d GEMMs of K = %lld into fp32 partials in the workspace "
                    "(%zu bytes), summed into C in split order", split.s,
                    (long long)(g.k / split.s), split.bytes);
    if (!tg_nothing_to_do(&g) && tg_reads_ab(&g)) {
        /* The kernel's launch (the split's batched view: its GEMMs in one launch). */
        tg_gemm_args view = g;
        if (split.s > 1)
            tg_split_view(&g, &split, &view);
        tg_launch l;
        const tg_grid_kind kind = f->geometry(preset, &view, 0, &l);
        const int persistent = kind != TG_GRID_OVER_OUTPUT;
        const unsigned cluster = l.cluster[0] * l.cluster[1] * l.cluster[2];
        if (kind == TG_GRID_SHARED_K)
            tg_text_add(&t, "; grid: persistent, %u blocks (one an SM) share its tiles along K "
                        "(stream-K, a few blocks a tile)", l.grid[0]);
        else if (kind == TG_GRID_ROWS)
            tg_text_add(&t, "; grid: as many blocks as fit at once (at most %u, several an SM), "
                        "block b of G taking rows b, b+G, ... of B", l.grid[0]);
        else if (persistent)
            tg_text_add(&t, "; grid: persistent, as many blocks as fit at once (one an SM)%s walk "
                        "its %u %stiles", cluster > 1 ? ", in clusters," : "", l.grid[0] / cluster,
                        cluster > 1 ? "cluster " : "");
        else
            tg_text_add(&t, "; grid: %u x %u blocks", l.grid[0], l.grid[1]);
        if (cluster > 1)
            tg_text_add(&t, "%s clusters of %u", persistent ? ";" : ", in", cluster);
        tg_text_add(&t, "; blocks of %u threads, %zu bytes of %sshared memory each",
                    l.block[0] * l.block[1] * l.block[2], l.smem,
                    kind == TG_GRID_ROWS ? "dynamic (A's rows; the partial sums static) " : "");
    }
    return tg_text_done(&t, "tg_gemm_choose's why buffer");
}

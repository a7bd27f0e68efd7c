/* Exporting a training run to PyTorch (see export_run.h). */
#include "export_run.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "atomic.h"
#include "gpt.h"
#include "policy.h"
#include "safetensors.h"

/* ---- files ---- */

/* `dir` must not exist, or be an empty directory. */
static int check_fresh(const char *dir, ws_err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : ws_fail(e, "%s: %s", dir, strerror(errno));
    struct dirent *de;
    int any = 0;
    while (!any && (de = readdir(d)))
        any = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return any ? ws_fail(e, "exists and is not empty (an export needs a new directory)") : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(path);
}

/* An export is built in a hidden temporary directory beside `dir` and
 * renamed into place at the end: all of it or nothing. */
typedef struct staging {
    char *tmp;
    const char *dir;
} staging;

static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

static int stage_open(staging *s, const char *dir, ws_err *e)
{
    size_t n = strlen(dir) + 32, len = strlen(dir);
    s->dir = dir;
    s->tmp = NULL;
    if (check_fresh(dir, e))
        return -1;
    if (!(s->tmp = malloc(n)))
        return ws_fail(e, "out of memory");
    while (len > 1 && dir[len - 1] == '/')
        len--;
    const char *slash = memrchr(dir, '/', len);
    size_t base = slash ? (size_t)(slash - dir) + 1 : 0;   /* ".NAME.wscope-export-XXXXXX" beside it */
    snprintf(s->tmp, n, "%.*s.%.*s.wscope-export-XXXXXX", (int)base, dir, (int)(len - base), dir + base);
    if (!mkdtemp(s->tmp)) {
        int rc = ws_fail(e, "%s: %s", s->tmp, strerror(errno));
        free(s->tmp);
        s->tmp = NULL;
        return rc;
    }
    chmod(s->tmp, 0777 & ~current_umask());
    return 0;
}

/* Rename into place on success (rc 0), else remove; returns rc. */
static int stage_close(staging *s, int rc, ws_err *e)
{
    if (!rc && rename(s->tmp, s->dir))
        rc = ws_fail(e, "%s: %s", s->dir, strerror(errno));
    if (rc)
        nftw(s->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(s->tmp);
    return rc;
}

static char *path_in(const char *dir, const char *name, ws_err *e)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        ws_fail(e, "out of memory");
    else
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int write_in(const char *dir, const char *name, const void *buf, size_t len, int exec,
                    ws_err *e)
{
    char *p = path_in(dir, name, e);
    int rc = p ? ws_atomic_write(p, buf, len, e) : -1;
    if (!rc && exec && chmod(p, 0755))
        rc = ws_fail(e, "%s: %s", p, strerror(errno));
    free(p);
    return rc;
}

/* A text built with fprintf into memory, then written atomically. */
typedef struct text {
    FILE *fp;
    char *buf;
    size_t len;
} text;

static int text_open(text *t, ws_err *e)
{
    t->buf = NULL;
    t->fp = open_memstream(&t->buf, &t->len);
    return t->fp ? 0 : ws_fail(e, "out of memory");
}

static int text_write(text *t, const char *dir, const char *name, int exec, ws_err *e)
{
    fclose(t->fp);
    int rc = t->buf ? write_in(dir, name, t->buf, t->len, exec, e) : ws_fail(e, "out of memory");
    free(t->buf);
    return rc;
}

/* ---- shared files: data and starting weights ---- */

typedef struct shared {
    const char *train, *val;    /* file names; val NULL when there is no validation split */
    const char *dtype;
} shared;

static int write_tokens(const char *path, const int32_t *tok, size_t n, int wide, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e))
        return -1;
    unsigned char buf[1 << 16];
    size_t el = wide ? 4 : 2, per = sizeof buf / el;
    for (size_t i = 0; i < n; i += per) {
        size_t k = n - i < per ? n - i : per;
        for (size_t j = 0; j < k; j++) {
            uint32_t v = (uint32_t)tok[i + j];
            for (size_t b = 0; b < el; b++)   /* little-endian */
                buf[j * el + b] = (unsigned char)(v >> (8 * b));
        }
        if (fwrite(buf, el, k, a.fp) != k) {
            ws_atomic_abort(&a);
            return ws_fail(e, "%s: write failed", path);
        }
    }
    return ws_atomic_commit(&a, e);
}

static int write_data(const ws_data *d, int vocab, const char *dir, shared *s, ws_err *e)
{
    int wide = vocab > 65536;
    s->dtype = wide ? "uint32" : "uint16";
    s->train = wide ? "train.u32" : "train.bin";
    s->val = d->n > d->n_train ? (wide ? "val.u32" : "val.bin") : NULL;
    char *p = path_in(dir, s->train, e);
    int rc = p ? write_tokens(p, d->tok, d->n_train, wide, e) : -1;
    free(p);
    if (rc || !s->val)
        return rc;
    p = path_in(dir, s->val, e);
    rc = p ? write_tokens(p, d->tok + d->n_train, d->n - d->n_train, wide, e) : -1;
    free(p);
    return rc;
}

/* The network's tensors as the file has them, with its metadata (training
 * state and train.* keys left out). */
static int write_weights(const ws_model *m, ws_gpt *g, const char *path, ws_err *e)
{
    ws_model *w = ws_model_new();
    int rc = w ? 0 : ws_fail(e, "out of memory");
    for (size_t i = 0; !rc && i < ws_gpt_nparams(g); i++) {
        ws_tensor *t = ws_model_find(m, ws_gpt_param_at(g, i)->name);
        if (t->dtype == WS_DT_F32 || t->dtype == WS_DT_F16 || t->dtype == WS_DT_BF16) {
            rc = ws_model_add(w, t->name, t->dtype, t->ndim, t->shape, (void *)t->data, 0, e) ? 0 : -1;
            continue;
        }
        float *f = malloc((size_t)t->numel * sizeof *f + 1);   /* other types: float32 */
        rc = !f ? ws_fail(e, "out of memory") : ws_convert_to_f32(t->dtype, t->data, f, (size_t)t->numel, e);
        if (!rc && !ws_model_add(w, t->name, WS_DT_F32, t->ndim, t->shape, f, 1, e))
            rc = -1;
        if (rc)
            free(f);
    }
    for (size_t i = 0; !rc && i < m->n_meta; i++)
        if (strncmp(m->meta_keys[i], "train.", 6))
            rc = ws_model_set_meta(w, m->meta_keys[i], m->meta_vals[i], e);
    if (!rc)
        rc = ws_st_save(w, path, e);
    ws_model_free(w);
    return rc;
}

/* ---- one job ---- */

/* The naming the weights file uses (the script reads the plan's names, so
 * this is for the reader of the plan). */
static const char *layout_id(ws_layout l)
{
    return l == WS_LAYOUT_OURS ? "ours" : l == WS_LAYOUT_NANOGPT ? "nanogpt"
           : l == WS_LAYOUT_HF_GPT2 ? "hf-gpt2" : "other";
}

static json_t *model_json(const ws_model *m, ws_gpt *g, const char *weights)
{
    const ws_gpt_dims *d = ws_gpt_get_dims(g);
    return json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:b,s:b,s:s,s:f}", "weights", weights, "layout",
                     layout_id(m->layout), "n_layer", d->n_layer, "n_head", d->n_head,
                     "n_embd", d->n_embd, "vocab_size", d->vocab_size, "block_size",
                     d->block_size, "tied", d->tied, "bias", m->cfg.bias, "gelu",
                     d->gelu_tanh ? "tanh" : "exact", "ln_eps", (double)d->ln_eps);
}

static json_t *tensors_json(const ws_model *m, ws_gpt *g, const ws_policy *pol)
{
    json_t *a = json_array();
    char buf[64];
    for (size_t i = 0; a && i < ws_gpt_nparams(g); i++) {
        ws_gpt_param *p = ws_gpt_param_at(g, i);
        ws_tensor *t = ws_model_find(m, p->name);
        json_t *shape = json_array();
        for (int k = 0; shape && k < t->ndim; k++)
            json_array_append_new(shape, json_integer(t->shape[k]));
        json_t *o = json_pack("{s:s,s:s,s:i,s:b,s:i,s:I,s:I,s:o,s:b,s:s}", "name", p->name, "role",
                              ws_role_name(p->role), "layer", p->layer, "bias", p->is_bias, "ndim",
                              p->ndim, "rows", (json_int_t)p->rows, "cols", (json_int_t)p->cols,
                              "file_shape", shape, "transposed", t->transposed, "policy",
                              ws_policy_text(pol, i, buf, sizeof buf));
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *optimizer_json(const ws_train_opts *o)
{
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s,s:I}", "lr", (double)o->lr, "min_lr",
                     (double)o->min_lr, "beta1", (double)o->adam.beta1, "beta2",
                     (double)o->adam.beta2, "eps", (double)o->adam.eps, "weight_decay",
                     (double)o->adam.weight_decay, "clip", (double)o->clip, "schedule",
                     o->cosine ? "cosine" : "constant", "warmup", (json_int_t)o->warmup);
}

static json_t *data_json(const ws_data *d, const shared *s, const char *pre)
{
    char train[600], val[600];
    snprintf(train, sizeof train, "%s%s", pre, s->train);
    snprintf(val, sizeof val, "%s%s", pre, s->val ? s->val : "");
    return json_pack("{s:s,s:o,s:s,s:I,s:I}", "train", train, "val",
                     s->val ? json_string(val) : json_null(), "dtype", s->dtype, "n_train",
                     (json_int_t)d->n_train, "n_val", (json_int_t)(d->n - d->n_train));
}

/* The values of the `random` tensors (canonical, float32); 0 and nothing
 * written when there are none. */
static int write_random(ws_gpt *g, const ws_policy *pol, const char *path, int *any, ws_err *e)
{
    ws_model *w = ws_model_new();
    char buf[64];
    int rc = w ? 0 : ws_fail(e, "out of memory");
    *any = 0;
    for (size_t i = 0; !rc && i < ws_gpt_nparams(g); i++) {
        ws_gpt_param *p = ws_gpt_param_at(g, i);
        if (strcmp(ws_policy_text(pol, i, buf, sizeof buf), "random"))
            continue;
        int64_t shape[2] = {p->rows, p->cols};
        if (!ws_model_add(w, p->name, WS_DT_F32, 2, shape, p->w, 0, e))
            rc = -1;
        *any = 1;
    }
    if (!rc && *any)
        rc = ws_st_save(w, path, e);
    ws_model_free(w);
    return rc;
}

/* The plan of a run with options o; `pre` leads from the job to the shared files. */
static json_t *plan_json(const ws_model *m, const ws_data *d, const ws_train_opts *o, ws_gpt *g,
                         const ws_policy *pol, const shared *s, const char *pre, int random,
                         const char *source, ws_err *e)
{
    char weights[600];
    snprintf(weights, sizeof weights, "%sinit.safetensors", pre);
    char *oj = ws_train_opts_json(o, e);
    json_t *opts = oj ? json_loads(oj, 0, NULL) : NULL;
    free(oj);
    int64_t pr_every = o->pr_every ? o->pr_every : o->eval_every ? o->eval_every : 100;
    json_t *p = json_pack(
        "{s:s,s:i,s:o,s:o,s:o,s:I,s:i,s:i,s:I,s:s,s:I,s:i,s:I,s:o,s:o,s:{s:s,s:s,s:s},s:o,s:{s:s}}",
        "format", "wscope-run-plan", "version", 1, "model", model_json(m, g, weights), "tensors",
        tensors_json(m, g, pol), "random_values", random ? json_string("random.safetensors") : json_null(),
        "steps", (json_int_t)o->steps, "batch", o->B, "seq", o->T, "seed", (json_int_t)o->seed,
        "sampling", o->sampling == WS_SAMPLE_SEQUENTIAL ? "sequential" : "random", "eval_every",
        (json_int_t)o->eval_every, "eval_batches", o->eval_batches, "pr_every", (json_int_t)pr_every,
        "optimizer", optimizer_json(o), "data", data_json(d, s, pre), "outputs", "log", "log.csv",
        "final", "final.safetensors", "ckpt", "ckpt.pt", "train_options",
        opts ? opts : json_null(), "source", "model", source ? source : "");
    if (!p)
        ws_fail(e, "out of memory building the plan");
    return p;
}

/* One job in `dir`: plan, script, the random values. Policies are applied
 * to a copy of the network to resolve them (and draw `random`). */
static int write_job(const ws_model *m, const ws_data *d, const ws_train_opts *o, const shared *s,
                     const char *dir, const char *pre, const char *source, ws_err *e)
{
    ws_gpt *g = ws_gpt_new(m, 1, 1, e);
    ws_policy *pol = g ? ws_policy_apply(g, o->rules, o->n_rules, o->seed, e) : NULL;
    char *rnd = pol ? path_in(dir, "random.safetensors", e) : NULL;
    int any = 0, rc = rnd ? write_random(g, pol, rnd, &any, e) : -1;
    json_t *plan = rc ? NULL : plan_json(m, d, o, g, pol, s, pre, any, source, e);
    char *txt = plan ? json_dumps(plan, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    if (!rc)
        rc = !txt ? ws_fail(e, "out of memory")
             : write_in(dir, "plan.json", txt, strlen(txt), 0, e) ||
                       write_in(dir, "train.py", ws_export_train_py, ws_export_train_py_len, 1, e)
                 ? -1 : 0;
    free(txt);
    json_decref(plan);
    free(rnd);
    ws_policy_free(pol);
    ws_gpt_free(g);
    return rc;
}

/* The shared part: directory, data, starting weights. */
static int write_shared(const ws_model *m, const ws_data *d, const ws_train_opts *o,
                        const char *dir, shared *s, ws_err *e)
{
    if (ws_data_check(d, o->B, o->T, m->cfg.block_size, e))
        return -1;
    ws_gpt *g = ws_gpt_new(m, 1, 1, e);   /* checks the layout and names the network's tensors */
    if (!g)
        return -1;
    char *w = path_in(dir, "init.safetensors", e);
    int rc = !w || write_data(d, m->cfg.vocab_size, dir, s, e) || write_weights(m, g, w, e) ? -1 : 0;
    free(w);
    ws_gpt_free(g);
    return rc;
}

static void how_to_run(FILE *fp, const char *script, int B)
{
    fprintf(fp,
            "Run it (needs python3 with torch and numpy):\n"
            "  python3 %s [--device cuda]\n"
            "  torchrun --nproc_per_node N %s\n"
            "    (N processes with DDP: gloo on CPU, nccl on GPUs; N must divide the batch B = %d;\n"
            "    Debian 12's torchrun, torch 1.13 on Python 3.11, needs --redirects 1 --tee 1)\n",
            script, script, B);
}

int ws_export_run(const ws_model *m, const ws_data *d, const ws_train_opts *o, const char *dir,
                  const char *source, ws_err *e)
{
    shared s;
    staging st;
    text t;
    if (stage_open(&st, dir, e))
        return -1;
    int rc = write_shared(m, d, o, st.tmp, &s, e) || write_job(m, d, o, &s, st.tmp, "", source, e) ||
             text_open(&t, e) ? -1 : 0;
    if (!rc) {
        fprintf(t.fp, "A wscope training run exported to PyTorch%s%s.\n\n", source ? " from " : "",
                source ? source : "");
        how_to_run(t.fp, "train.py", o->B);
        fprintf(t.fp, "\nIt writes log.csv, final.safetensors and ckpt.pt here. Read them back with\n"
                      "  wscope MODEL --runs log.csv\n"
                      "  wscope drift MODEL final.safetensors\n"
                      "See plan.json for what runs and wscope(1), export-run, for its format.\n");
        rc = text_write(&t, st.tmp, "README.txt", 0, e);
    }
    return stage_close(&st, rc, e);
}

/* ---- compare ---- */

/* DIR-safe job name: the strategy's name with other characters as '_'. */
static void job_name(const ws_strategy *st, uint64_t seed, char *out, size_t n)
{
    snprintf(out, n, "%s-seed%llu", st->name, (unsigned long long)seed);
    for (char *c = out; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            *c = '_';
    if (out[0] == '.')
        out[0] = '_';
}

/* The jobs, each in its directory under `dir`, listed in the runner and the README. */
static int write_jobs(const ws_model *m, const ws_data *d, const ws_train_opts *o,
                      const ws_strategy *st, size_t n_strat, int n_seeds, const char *dir,
                      const shared *s, FILE *run, FILE *readme, const char *source, ws_err *e)
{
    for (size_t i = 0; i < n_strat; i++)
        for (int k = 0; k < n_seeds; k++) {
            ws_train_opts jo = *o;
            char name[128];
            jo.rules = st[i].rules;
            jo.n_rules = st[i].n_rules;
            jo.seed = o->seed + (uint64_t)k;
            jo.eval_every = jo.steps;   /* as compare: at step 0 and at the end */
            job_name(&st[i], jo.seed, name, sizeof name);
            char *jd = path_in(dir, name, e);
            int rc = !jd ? -1 : mkdir(jd, 0777) ? ws_fail(e, "%s: %s", jd, strerror(errno))
                                                 : write_job(m, d, &jo, s, jd, "../", source, e);
            free(jd);
            if (rc)
                return ws_wrap(e, "strategy %s", st[i].name);
            fprintf(run, "${RUN:-python3} %s/train.py \"$@\"\n", name);
            fprintf(readme, "  %-24s %s\n", name, st[i].text);
        }
    return 0;
}

int ws_export_compare(const ws_model *m, const ws_data *d, const ws_train_opts *o,
                      const ws_strategy *st, size_t n_strat, int n_seeds, const char *dir,
                      const char *source, ws_err *e)
{
    shared s;
    staging sg;
    text run, readme;
    if (n_strat == 0 || n_seeds < 1)
        return ws_fail(e, "nothing to export: give at least one strategy and one seed");
    if (stage_open(&sg, dir, e))
        return -1;
    if (write_shared(m, d, o, sg.tmp, &s, e) || text_open(&run, e))
        return stage_close(&sg, -1, e);
    if (text_open(&readme, e)) {
        fclose(run.fp);
        free(run.buf);
        return stage_close(&sg, -1, e);
    }
    fprintf(run.fp, "#!/bin/sh\n# Every job of this export, one after the other:\n"
                    "#   sh run_all.sh [train.py options]\n"
                    "# Each through torchrun instead of python3:\n"
                    "#   RUN='torchrun --nproc_per_node 8' sh run_all.sh\n"
                    "set -e\ncd \"$(dirname \"$0\")\"\n");
    fprintf(readme.fp, "wscope compare exported to PyTorch%s%s: %zu strategies x %d seeds.\n\n"
                       "Jobs (strategy, seed, policies):\n",
            source ? " from " : "", source ? source : "", n_strat, n_seeds);
    int rc = write_jobs(m, d, o, st, n_strat, n_seeds, sg.tmp, &s, run.fp, readme.fp, source, e);
    fprintf(readme.fp, "\nRun them all with sh run_all.sh (RUN='torchrun --nproc_per_node N' sh\n"
                       "run_all.sh for DDP), or one job:\n");
    how_to_run(readme.fp, "JOB/train.py", o->B);
    fprintf(readme.fp, "\nEach job writes JOB/log.csv, JOB/final.safetensors and JOB/ckpt.pt. Read\n"
                       "them back with wscope MODEL --runs JOB/log.csv and\n"
                       "wscope drift MODEL JOB/final.safetensors.\n");
    if (rc) {
        fclose(run.fp);
        free(run.buf);
        fclose(readme.fp);
        free(readme.buf);
    } else {
        rc = text_write(&run, sg.tmp, "run_all.sh", 1, e);
        rc = text_write(&readme, sg.tmp, "README.txt", 0, rc ? NULL : e) || rc ? -1 : 0;
    }
    return stage_close(&sg, rc, e);
}

/* Tensor names as users type them and read them (DESIGN.md §2).
 *
 * Typing. A name argument (`--tensor`, policy patterns, `plot --tensor`,
 * the TUI's search) is one or more patterns, separated by commas or given
 * again. A pattern is
 *   ROLE            every tensor of that role: qkv, head ...
 *   ROLE@LAYERS     in layers N, N-M, a comma list of them, or *: attn_out@4,
 *                   qkv@0,2, *@0-1 (a comma followed by a layer number
 *                   continues the list: "qkv@0,2,mlp_up@1" is two patterns)
 *   a glob          on the tensor name, written with or without the prefixes
 *                   a framework wraps names in (_orig_mod. from
 *                   torch.compile, module. from DDP, model., transformer.):
 *                   transformer.h.0.attn.c_attn.weight, h.0.attn.*
 * On a tied model lm_head.weight / head.weight (and the role head) mean the
 * token embedding, which is the head.
 *
 * Reading. Displays drop the wrappers and the prefix every network tensor
 * shares; under a "layer N" heading a name is shown relative to its layer
 * (attn.c_attn.weight); training state is shown by the name of the tensor it
 * belongs to, its kind (exp_avg, grid.A ...) in the role column. A name
 * wider than its column is cut by one rule everywhere: the head up to and
 * including the first layer number ("h.4.") when that takes at most half
 * the width (else no head), then "…" ("~" with ASCII glyphs), then the
 * tail, which is what tells the tensors of a layer apart. */
#ifndef WS_NAMES_H
#define WS_NAMES_H

#include <stddef.h>

#include "error.h"
#include "model.h"

/* The name without the wrapper prefixes (a pointer into `name`). */
const char *ws_name_strip(const char *name);

/* Training state by name: the kind's label ("exp_avg", "grid.A", "optim"
 * ...) and, in *inner, the name of the network tensor it belongs to (may be
 * ""); NULL when the name is not training state. The table of prefixes is
 * in names.c. */
const char *ws_state_label(const char *name, const char **inner);

/* Buffers by name (causal masks nanoGPT and HF GPT-2 register: attn.bias,
 * attn.masked_bias; rotary inv_freq; position_ids): 1 when the name is one. */
int ws_name_is_buffer(const char *name);

/* Does one pattern (no commas) select a tensor with this name, role and
 * layer? 1 yes, 0 no, -1 a malformed ROLE@LAYERS. */
int ws_name_pattern_match(const char *pat, const char *name, ws_role role, int layer);
/* The same for a comma-separated list of patterns: any of them. */
int ws_name_list_match(const char *list, const char *name, ws_role role, int layer);

/* A selection: the patterns of one or more name arguments. */
typedef struct ws_namesel {
    char **pat;
    size_t n;
} ws_namesel;

/* Add the patterns of one argument (split at its commas). */
int ws_namesel_add(ws_namesel *s, const char *arg, ws_err *e);
void ws_namesel_free(ws_namesel *s);
/* Does pattern i (or, with i < 0, any pattern) select tensor t of m? */
int ws_namesel_match(const ws_namesel *s, long i, const ws_model *m, const ws_tensor *t);
/* -1 with "PATTERN selects no WHAT" when some pattern selects none of
 * the tensors `eligible` accepts (NULL: the network's); else 0. When it
 * selects training state or buffers, the message names `all_option` (the
 * option that includes them; NULL: none). */
int ws_namesel_check(const ws_namesel *s, const ws_model *m, int (*eligible)(const ws_tensor *t),
                     const char *what, const char *all_option, ws_err *e);

/* One tensor by what a user typed: the exact name, else the one tensor the
 * pattern selects (network tensors first, then weights before biases).
 * `note` (may be NULL) explains an indirection ("lm_head.weight is tied:
 * the token embedding wte.weight"). NULL with a message when nothing or
 * several match. */
ws_tensor *ws_model_resolve(const ws_model *m, const char *name, char *note, size_t nn,
                            ws_err *e);

/* The name to show: wrappers and the model's common prefix dropped, state
 * shown by its network tensor's name, relative to the layer when
 * `in_layer` and the tensor has one. */
const char *ws_display_name(const ws_model *m, const ws_tensor *t, int in_layer, char *buf,
                            size_t n);
/* The text shown in a role column: role, role@layer (with_layer), ".b"
 * after a bias, the state's kind, "buffer", or "-". */
const char *ws_display_role(const ws_tensor *t, int with_layer, char *buf, size_t n);
/* A label for tables without a role column: "qkv@4 attn.c_attn.weight"
 * (role@layer, then the name relative to the layer), cut to `width` cells:
 * the role@layer stays whole, the name is elided (and left out when fewer
 * than 6 cells remain). A tensor without a role: its display name, cut. */
int ws_tensor_label(const ws_model *m, const ws_tensor *t, int width, int ascii, char *buf,
                    size_t n);
/* `s` cut to at most `width` cells by the rule above; returns the cells
 * used. UTF-8 in, UTF-8 out ("…" is one cell, three bytes). */
int ws_elide(const char *s, int width, int ascii, char *buf, size_t n);
/* Cells of a UTF-8 string (code points). */
int ws_text_cells(const char *s);

/* Case-insensitive substring (ATTN finds attn.c_attn.weight). */
int ws_name_contains(const char *hay, const char *needle);

/* For ws_model_recognise: the dotted prefix every network tensor's
 * stripped name shares ("" when none), into m->name_prefix. */
void ws_names_common_prefix(ws_model *m);

#endif

#!/bin/sh
# The model view at 80x24 on a checkpoint with training state: the state is
# one closed line at the end with its count (Enter opens and closes it), the
# info line counts the network's parameters, and search is case-insensitive with
# a match count; the drift view between a nanoGPT ckpt.pt and its fine-tune.
# Skips (77) only when tmux is missing.
set -u
. "${WS_SRCDIR:-.}/tests/tui_lib.sh"
TUI_WAIT=20 TUI_COLS=80 TUI_ROWS=24
need_sample

# A checkpoint of the sample with AdamW state: one step of two, saved to resume.
head -c 4000 /dev/zero > "$TMP/zeros.bin"
"$W" train "$MODEL" --data "$TMP/zeros.bin" --steps 2 --stop-at 1 --batch 2 --seq 8 \
    --out "$TMP/ckpt.safetensors" > /dev/null 2>&1 || fail "could not write the checkpoint"

tui_start "$TMP/ckpt.safetensors"
wait_for "tok_emb.weight"
wait_for "29 tensors, 169.7k parameters (+339.5k training state)"
# 80 columns: the info line ends whole at heads (the layout's name only when it fits)
screen | grep -Eq '^29 tensors, .*, d=64, heads=4 *$' || fail "the model view's info line is cut"
wait_for " attn_out.b 64 "   # every role label whole at 80 columns
absent "exp_avg"
keys End
wait_for "+ training state: 58 tensors, 339.5k values (Enter opens)"
keys Enter
wait_for "- training state: 58 tensors, 339.5k values (Enter closes)"
keys Down
wait_for "exp_avg"
keys Up Enter
wait_for "+ training state: 58 tensors"
absent "exp_avg_sq"

# Search: any case, with the count.
keys Home / attn Enter
wait_for '"attn": match 1 of 8 (+16 in the closed training state'
keys n
wait_for '"attn": match 2 of 8'
keys / ATTN Enter
wait_for '"ATTN": match 2 of 8'   # from the selected tensor on
keys / nothing Enter
wait_for 'no tensor matches "nothing"'
# ROLE@LAYER and comma lists as every name argument takes them.
keys Home / qkv@1,attn_out@0 Enter
wait_for '"qkv@1,attn_out@0": match 1 of 4'
# Policies marked: the info line keeps the share they leave trainable.
keys P C-u qkv=freeze Enter
wait_for "qkv=freeze: 4 tensors; "
keys Down
wait_for "29 tensors, 169.7k parameters, 85.3 % trainable, 2 layers, d=64, heads=4"
# The state's labels whole too: exp_avg and exp_avg_sq told apart.
keys End Enter End
wait_for " exp_avg_sq 1x64 "

keys Q
wait_for "WSCOPE-EXIT=0"

# Drift (D) from a nanoGPT ckpt.pt to its wscope fine-tune with training
# state: the network only, layers told apart, the mean of per-matrix cosines.
N="${WS_SRCDIR:-.}/tests/fixtures/net"
tui_start "$N/nanogpt/ckpt.pt" "$N/tuned.safetensors"
wait_for "wte.weight"
wait_for "TUNED open (D: drift)"   # the key to press, at 80 columns too
keys D
wait_for "mean cos"
wait_for " wscope  ckpt.pt | drift: to tuned.safetensors"   # names, not a long path
wait_for "mean cos 0.8906  training state left out"
wait_for "attn_out@1"   # the role column tells the layers apart
screen | grep -q "h.1.attn.c_proj.weight  *attn_out@1 " || fail "no row h.1.attn.c_proj.weight attn_out@1"
absent "optim"
keys Q
wait_for "WSCOPE-EXIT=0"
# An HF model is called by its folder's name; one shard alone says so.
tui_start "$N/hf_tanh/model.safetensors"
wait_for " wscope  hf_tanh | model"
wait_for "heads=2"
keys Q
wait_for "WSCOPE-EXIT=0"
tui_start "$N/hf_sharded/model-00001-of-00002.safetensors"
wait_for "one shard (1 of 2) of a sharded model: open the folder for all of it"
keys Q
wait_for "WSCOPE-EXIT=0"
tui_finish tui_names

# Helpers for TUI tests that drive wscope in a detached tmux session
# (sourced; needs SOCK set to a server name of the test's own).
# T: tmux on our server; screen: the pane's text; keys: send keys;
# wait_for TEXT [SECONDS]: poll the pane until it shows TEXT (counts a
# failure in $fails on timeout); check CMD...: count a failure if CMD fails.
fails=0
T() { tmux -L "$SOCK" "$@"; }
screen() { T capture-pane -p -t w; }
keys() { T send-keys -t w "$@"; }
wait_for() {
    i=0; lim=$(( ${2:-10} * 20 ))
    while [ $i -lt $lim ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.05; i=$((i + 1))
    done
    echo "FAIL: timed out waiting for: $1"; echo "---- screen:"; screen; echo "----"
    fails=$((fails + 1)); return 1
}
check() { "$@" || { echo "FAIL: $*"; fails=$((fails + 1)); }; }

/* Every subcommand: one function each, in its own ui/cmd_*.c file.
 * Each returns the process exit status: 0 ok, 1 failure of the work, 2 bad input. */
#ifndef WS_COMMANDS_H
#define WS_COMMANDS_H

typedef struct ws_command {
    const char *name;
    const char *args;      /* usage after the command name */
    const char *summary;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} ws_command;

extern const ws_command ws_commands[];

int cmd_info(int argc, char **argv);
int cmd_init(int argc, char **argv);
/* ---- fits ---- */
int cmd_fit(int argc, char **argv);
/* ---- spectra ---- */
int cmd_spectrum(int argc, char **argv);
int cmd_pr(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_basis(int argc, char **argv);
/* ---- training ---- */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_export_run(int argc, char **argv);
/* ---- figures ---- */
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* The TUI: `wscope [options] [MODEL [TUNED]]`. argv holds only the
 * TUI's own options and paths. */
int tui_main(int argc, char **argv);

#endif

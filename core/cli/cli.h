/* cli.h -- the lode command line: state, exit codes, shared helpers. */
#ifndef LODE_CLI_H
#define LODE_CLI_H

#include <stdio.h>

#include "lode.h"

/* Exit statuses of the lode command (documented in docs/cli.md). */
enum {
    EXIT_OK = 0,       /* everything worked */
    EXIT_DOCUMENT = 1, /* an input could not be read or is not a valid document */
    EXIT_USAGE = 2,    /* wrong command line: unknown option, missing argument */
    EXIT_OUTPUT = 3,   /* an output could not be written */
    EXIT_NOMEM = 4,    /* out of memory */
    EXIT_INTERNAL = 5  /* a bug in lode: please report it */
};

typedef struct cli {
    FILE *out;
    FILE *err;
    int quiet; /* no warnings */
    lode_sandbox sandbox; /* --sandbox and its limits (run, check) */
    /* plugins (plugins.c) */
    char **plugins;       /* --plugin PATH, in order */
    size_t nplugins;
    int no_plugins;       /* --no-plugins: only the --plugin ones */
    int allow_plugins_flag; /* --allow-plugins: plugins also under --sandbox */
    char *plugin_path;    /* lode_options.plugin_path of every engine (plugins.c) */
    int plugin_path_made;
    char **warned;        /* "plugin skipped" warnings printed (each once, any thread) */
    size_t nwarned;
    int engine_exit;      /* exit status when cli_engine failed */
    int said;             /* cli_error lines printed */
    int exits;            /* the process exits when the command returns (cli_main_exits) */
} cli;

/* Parses the plugin options (--plugin PATH, repeatable; --no-plugins;
 * --allow-plugins, which lets plugins load under --sandbox) into c;
 * returns 1 if name was one of them, 0 if not, -1 on error (printed). */
int cli_plugin_option(cli *c, const char *cmd, const char *name, const char *value);
/* The options of cli_plugin_option, for a subcommand's cli_opt table. */
#define CLI_PLUGIN_OPTS {"plugin", 0, 1}, {"no-plugins", 0, 0}, {"allow-plugins", 0, 0}

/* The engines' plugin path: the folders of $LODE_PLUGIN_PATH, then the
 * plugin folder next to the executable (build/plugins in the source tree,
 * PREFIX/lib/lode/plugins when installed); NULL with --no-plugins.  Their
 * plugins load when first needed (lode_options.plugin_path). */
const char *cli_plugin_path(cli *c);
/* Loads the --plugin ones into e; a failure is printed and gives -1.
 * Under --sandbox only with --allow-plugins. */
int cli_load_plugins(cli *c, lode_engine *e);
/* Whether msg is a "plugin skipped" warning already printed (every engine
 * gives it, and lode run has one engine per worker); remembers it. */
int cli_warned_before(cli *c, const char *msg);
/* Frees what the plugin options and the folder scan allocated. */
void cli_plugins_free(cli *c);
/* `lode plugins`: lists the plugins and what each provides. */
int cmd_plugins(cli *c, int argc, char **argv);
void cmd_plugins_help(FILE *fp);

/* Parses the sandbox options (--sandbox, --max-memory MB, --max-steps N,
 * --timeout MS) into c->sandbox; returns 1 if name was one of them, 0 if
 * not, -1 on a bad value (message printed). */
int cli_sandbox_option(cli *c, const char *cmd, const char *name, const char *value);

/* Runs the command with argv as given to main; returns the exit status. */
int cli_main(int argc, char **argv, FILE *out, FILE *err);
/* As cli_main, for main() itself: the process exits when it returns, so a
 * command may leave its last large structure to the kernel (cli_drop). */
int cli_main_exits(int argc, char **argv, FILE *out, FILE *err);

/* Frees doc -- unless the process is about to exit (c->exits) in a build
 * not checked for leaks.  Freeing a tree of millions of nodes costs up to a
 * sixth of a convert (glibc merging as many small chunks) and gives the
 * kernel nothing it would not take back at exit.  Builds with a sanitizer,
 * and runs with LODE_FREE_AT_EXIT=1 (make leakcheck under valgrind), free as
 * usual, so that path stays tested; a document kept stays reachable from a
 * static pointer, never a leak. */
void cli_drop(cli *c, lode_doc *doc);

/* Prints "lode: " + message + newline to the error stream. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_error(cli *c, const char *fmt, ...);

/* Prints a usage error with a hint to run `lode CMD --help`; returns EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int cli_usage_error(cli *c, const char *cmd, const char *fmt, ...);

/* Maps a lode status code to an exit status. */
int cli_exit_for(int status);

/* The folders `require` searches, ';'-separated, after the script's own
 * folder: extra (-M), then $LODE_PATH, then the folders of
 * $LODE_PLUGIN_PATH (Lua plugins), then the bundled scripts and Lua plugins
 * next to the executable (SRC/scripts and SRC/plugins for build/lode in the
 * source tree, PREFIX/share/lode/scripts and .../plugins when installed).
 * Writes into out. */
void cli_module_path(const char *extra, char *out, size_t n);

/* The folder of the running executable (.../build or PREFIX/bin), read from
 * /proc/self/exe once per process; "" when it cannot be read. */
const char *cli_exe_dir(void);

/* Creates an engine whose warnings go to c's error stream (nothing with
 * c->quiet); prints "out of memory" and returns NULL on failure. */
lode_engine *cli_engine(cli *c);
/* As cli_engine, with warnings going to log (the runner's workers collect
 * them per document, to print them in input order). */
lode_engine *cli_engine_log(cli *c, lode_log_fn log, void *log_ud);

/* Option parsing shared by the subcommands: iterates argv[1..] yielding
 * options (with their value when the option takes one) and positionals.
 * Accepts "--name value", "--name=value", "-x value", "-xvalue" and "--" to
 * end options. */
typedef struct cli_args {
    int argc, i;
    char **argv;
    int only_positionals;
} cli_args;

typedef struct cli_opt {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 if none */
    int takes_value;
} cli_opt;

/* Returns 1 with *opt set (NULL for a positional) and *value set, 0 at the
 * end, -1 on an unknown option or a missing value (message printed). */
int cli_args_next(cli *c, const char *cmd, cli_args *a, const cli_opt *opts, const cli_opt **opt,
                  const char **value);

/* Subcommands. */
int cmd_convert(cli *c, int argc, char **argv);
void cmd_convert_help(FILE *fp);
int cmd_run(cli *c, int argc, char **argv);
void cmd_run_help(FILE *fp);
int cmd_query(cli *c, int argc, char **argv);
void cmd_query_help(FILE *fp);
int cmd_check(cli *c, int argc, char **argv);
void cmd_check_help(FILE *fp);
int cmd_merge(cli *c, int argc, char **argv);
void cmd_merge_help(FILE *fp);

#endif

/* harden.h -- the lode command's process-wide libxml2 settings. */
#ifndef LODE_CLI_HARDEN_H
#define LODE_CLI_HARDEN_H

/* Installs a deny-all external entity loader, turns catalogs off and makes
 * libxml2's buffers grow by doubling once past a small size, for the whole
 * process.  For the command only: the library leaves libxml2's globals to
 * the host. */
void cli_harden_libxml(void);

/* jansson's parser ignores a failed allocation while it collects a token
 * (lex_save drops the character: a transient out-of-memory silently loses
 * a byte of a string).  cli_watch_json_alloc, also called once for a
 * process that is ours, routes jansson's allocations through a wrapper
 * that sets cli_json_alloc_failed (per thread) when one fails; a caller of
 * json_load* clears it first and treats a parse during which it was set
 * as out of memory. */
void cli_watch_json_alloc(void);
extern _Thread_local int cli_json_alloc_failed;

/* For a library call that may parse JSON on this thread (a JSON tree, a
 * document's metadata, a partial report): cli_json_watch_start() before
 * it, and after it cli_json_watch_lost() is nonzero if an allocation of
 * jansson's failed meanwhile -- the call's result may lack a byte, and
 * counts as out of memory even if the call succeeded. */
static inline void cli_json_watch_start(void)
{
    cli_json_alloc_failed = 0;
}

static inline int cli_json_watch_lost(void)
{
    return cli_json_alloc_failed;
}

#endif

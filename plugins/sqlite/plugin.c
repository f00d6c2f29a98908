/* plugin.c -- the sqlite plugin: registers the record sink "sqlite"
 * (`lode run ... -o out.sqlite` or `--sink sqlite`).  See README.md. */
#include "sqlite_sink.h"

#include <stdio.h>
#include <stdlib.h>

LODE_PLUGIN_DECLARE("sqlite", "1.0.0", "records into SQLite tables (sink sqlite: .sqlite .sqlite3 .db)");

const lode_api *sq_api;

static const char *const sink_ext[] = {".sqlite", ".sqlite3", ".db", NULL};

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    if (sqlite3_libversion_number() < 3016000) {
        /* pragma_table_info() as a table-valued function */
        char *m = malloc(96);
        if (m)
            snprintf(m, 96, "SQLite %s is too old: the sqlite plugin needs 3.16 or newer", sqlite3_libversion());
        *errmsg = m;
        return 1;
    }
    sq_api = reg->api;
    lode_sink_class sink = {
        .size = sizeof sink,
        .name = "sqlite",
        .summary = "one table per record kind (_table or the script's name), typed columns; WAL",
        .extensions = sink_ext,
        .open = sq_sink_open,
        .write = sq_sink_write,
        .close = sq_sink_close,
        .ud = NULL,
    };
    return reg->add_sink(reg, &sink) == LODE_OK ? 0 : 1;
}

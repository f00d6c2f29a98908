/* bad_init.c -- a plugin whose init fails after registering a reader: the
 * load fails with its message and the reader must not stay registered. */
#include <lode.h>
#include <stdlib.h>
#include <string.h>

LODE_PLUGIN_DECLARE("badinit", "1", "fails to initialise");

static int never(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
                 const lode_parse_options *o, struct _xmlDoc **out)
{
    (void)ud, (void)e, (void)name, (void)data, (void)len, (void)o, (void)out;
    abort();
}

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    lode_reader r = {sizeof r, "never", NULL, NULL, NULL, never, NULL};
    reg->add_reader(reg, &r);
    *errmsg = strdup("libfoo 2.0 is required, found 1.4");
    return 1;
}

/* clash.c -- a plugin that tries to replace the built-in XML reader: the
 * registration and so the load are refused. */
#include <lode.h>

LODE_PLUGIN_DECLARE("clash", "1", "claims the xml reader");

static int rd(void *ud, lode_engine *e, const char *name, const void *data, size_t len,
              const lode_parse_options *o, struct _xmlDoc **out)
{
    (void)ud, (void)e, (void)name, (void)data, (void)len, (void)o;
    *out = NULL;
    return LODE_ERROR;
}

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)errmsg;
    lode_reader r = {sizeof r, "xml", NULL, NULL, NULL, rd, NULL};
    reg->add_reader(reg, &r);
    return 0; /* says fine, but the registration failed */
}

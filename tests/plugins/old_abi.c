/* old_abi.c -- a plugin as a build against an older lode.h (plugin ABI
 * one less than this one) would declare itself: the loader must refuse it
 * before running any of its code. */
#include <lode.h>
#include <stdlib.h>

LODE_PLUGIN_EXPORT extern const lode_plugin_info lode_plugin;
const lode_plugin_info lode_plugin = {LODE_PLUGIN_ABI - 1, sizeof(lode_plugin_info), "oldie", "0.9",
                                      "built for an older ABI"};

int lode_plugin_init(lode_registry *reg, char **errmsg);
LODE_PLUGIN_EXPORT int lode_plugin_init(lode_registry *reg, char **errmsg)
{
    (void)reg;
    (void)errmsg;
    abort(); /* never reached: the loader checks the ABI first */
}

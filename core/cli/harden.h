/* harden.h -- the lode command's process-wide libxml2 settings. */
#ifndef LODE_CLI_HARDEN_H
#define LODE_CLI_HARDEN_H

/* Installs a deny-all external entity loader and turns catalogs off, for
 * the whole process.  For the command only: the library leaves libxml2's
 * globals to the host. */
void cli_harden_libxml(void);

#endif

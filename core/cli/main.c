/* main.c -- the lode command.  All of it lives in cli.c so that tests and
 * fuzzers can drive the real command in-process. */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv) { return cli_main_exits(argc, argv, stdout, stderr); }

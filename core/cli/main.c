/* main.c -- the lode command.  All of it lives in cli.c so that tests and
 * fuzzers can drive the real command in-process. */
#include <stdio.h>

#include "allocator.h"
#include "cli.h"

int main(int argc, char **argv)
{
    cli_allocator_choose(argc, argv);
    return cli_main_exits(argc, argv, stdout, stderr);
}

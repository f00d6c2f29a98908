/* fuzz_cli.c -- libFuzzer target: the real lode command line, in process.
 *
 * The input is split at NUL bytes into argv words (at most 24) after a
 * fixed "lode"; cli_main runs them with stdout/stderr going to /dev/null.
 *
 * Safety: on the first call the target creates a private temporary folder,
 * writes a few small fixture files into it (documents and two rule scripts
 * written here, never fuzzer-chosen Lua) and chdir()s there for each call
 * of cli_main (and back afterwards); stdin is
 * /dev/null.  An input is skipped when any word contains '/' or "..", so
 * only the fixture folder can be named, or when a word starts with -o, -w,
 * --output or --write, so nothing is ever written (the fixtures stay
 * unchanged from input to input, which keeps runs reproducible), or with
 * --is (--isolate would fork the fuzzer for every document). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 24

static FILE *devnull;
static int home_fd = -1, fixture_fd = -1; /* the fuzzer's own folder; the fixture folder */

static const struct { const char *name, *text; } fixtures[] = {
    {"doc.html", "<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title></head><body>"
                 "<h1 id=h>Head</h1><p class='a b'>One <b>two</b> &amp; three</p>"
                 "<figure><img src=x.jpg alt=A><figcaption>Cap (Foto: X)</figcaption></figure>"
                 "<ul><li>a<li>b</ul><table><tr><td>1<td>2</table></body></html>\n"},
    {"doc.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e \"ent\">]>\n"
                "<r xmlns:x=\"urn:x\"><x:a id=\"1\">&e; text</x:a><b>more<![CDATA[<c>]]></b>"
                "<!-- c --><?pi x?></r>\n"},
    {"doc.txt", " date 2019-04 Headline here\n\nBERLIN (dpa) - First paragraph.\n\n"
                "Second paragraph with caption\n\nFoto: Someone/dpa\n"},
    {"doc.json", "{\"lode\":\"tree\",\"version\":1,\"type\":\"html\",\"children\":[{\"name\":"
                 "\"html\",\"children\":[{\"name\":\"body\",\"children\":[{\"name\":\"p\","
                 "\"attrs\":{\"class\":\"a\"},\"children\":[\"hi \",{\"comment\":\"c\"}]}]}]}]}\n"},
    {"rules.lua", "local n = 0\nreturn {\n  [\"p\"] = function(p, ctx) n = n + 1; "
                  "ctx:emit{tag = p.name, text = p:text()} end,\n"
                  "  [\"h1, b\"] = function(e, ctx) e:set_attr('seen', 'y') end,\n"
                  "  finish = function(ctx) ctx:emit{count = n} end,\n}\n"},
    {"bad.lua", "return { [\"p >\"] = function() end }\n"},
    {"err.lua", "return { p = function() error('boom') end }\n"},
};

static void setup(void)
{
    char dir[] = "/tmp/lode-fuzz-cli-XXXXXX";
    home_fd = open(".", O_RDONLY | O_DIRECTORY);
    if (home_fd < 0 || !mkdtemp(dir) || chdir(dir) != 0)
        abort();
    fixture_fd = open(".", O_RDONLY | O_DIRECTORY);
    if (fixture_fd < 0)
        abort();
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        FILE *fp = fopen(fixtures[i].name, "w");
        if (!fp || fputs(fixtures[i].text, fp) < 0 || fclose(fp) != 0)
            abort();
    }
    if (!freopen("/dev/null", "r", stdin))
        abort();
    devnull = fopen("/dev/null", "w");
    if (!devnull || fchdir(home_fd) != 0)
        abort();
}

static int unsafe(const char *w)
{
    return strchr(w, '/') || strstr(w, "..") || !strncmp(w, "-o", 2) || !strncmp(w, "-w", 2) ||
           !strncmp(w, "--output", 8) || !strncmp(w, "--write", 7) || !strncmp(w, "--o", 3) ||
           !strncmp(w, "--w", 3) || !strncmp(w, "--is", 4); /* --isolate: a fork per document */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull)
        setup();
    if (size > 4096)
        return 0;
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[MAX_WORDS + 2];
    int argc = 0;
    argv[argc++] = (char *)"lode";
    for (size_t i = 0; i < size && argc <= MAX_WORDS;) {
        char *w = copy + i;
        size_t n = strlen(w);
        if (unsafe(w)) {
            free(copy);
            return 0;
        }
        argv[argc++] = w;
        i += n + 1;
    }
    argv[argc] = NULL;
    /* Only inside the call: libFuzzer itself reads and writes corpus and
     * artifact paths relative to its own folder. */
    if (fchdir(fixture_fd) != 0)
        abort();
    int rc = cli_main(argc, argv, devnull, devnull);
    if (fchdir(home_fd) != 0)
        abort();
    if (rc < 0 || rc > EXIT_INTERNAL)
        abort(); /* statuses are documented as 0..5 */
    if (rc == EXIT_INTERNAL) {
        fprintf(stderr, "fuzz_cli: EXIT_INTERNAL (a bug in lode)\n");
        abort();
    }
    free(copy);
    fflush(stdout);
    return 0;
}

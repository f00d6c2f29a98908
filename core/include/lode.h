/*
 * lode.h -- the one public header of lode, an embeddable document processor.
 *
 * lode loads documents (XML, HTML, plain-text articles, lode's JSON tree) into
 * one tree -- a libxml2 xmlDoc -- and writes them out again as XML, HTML,
 * plain text, Markdown or JSON.
 *
 * Conventions (they hold for every declaration below):
 *  - Every exported name starts with lode_ or LODE_.
 *  - Objects are opaque.  A constructor lode_X_new/_parse/_load pairs with a
 *    destructor lode_X_free; every lode_X_free(NULL) is a harmless no-op.
 *  - Functions that can fail return an int status: LODE_OK (0) or one of the
 *    LODE_E* codes.  The engine keeps a message for the last failure, read
 *    with lode_errmsg(); it is owned by the engine and valid until the next
 *    call on that engine.
 *  - Ownership is stated on every function in fixed phrases: "Borrowed",
 *    "Returns a new ...; the caller frees it with ...", "Takes ownership".
 *  - Threads: an engine and everything made from it belong to one thread at a
 *    time.  Use one engine per thread; engines share nothing but libxml2's
 *    one-time initialisation, which lode_engine_new() performs safely.
 */
#ifndef LODE_H
#define LODE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LODE_BUILDING) && defined(__GNUC__)
#define LODE_API __attribute__((visibility("default")))
#else
#define LODE_API
#endif

/** Release version of lode, as a string and as MAJOR*10000+MINOR*100+PATCH.
 *  The shared library's ABI version (its soname) is kept separately. */
#define LODE_VERSION "0.1.0"
#define LODE_VERSION_NUMBER 100

/** Returns the release version of the linked library, e.g. "0.1.0".
 *  Static string. */
LODE_API const char *lode_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

enum {
    LODE_OK = 0,        /* success */
    LODE_ERROR = 1,     /* an error with no more specific code */
    LODE_ENOMEM = 2,    /* memory could not be allocated */
    LODE_EIO = 3,       /* a file could not be opened, read or written */
    LODE_EPARSE = 4,    /* the document is malformed (message has line:col) */
    LODE_EENCODING = 5, /* invalid bytes for the document's encoding */
    LODE_ELIMIT = 6,    /* a safety limit was reached (size, depth, entities) */
    LODE_EFORMAT = 7,   /* unknown format, or the format cannot be detected */
    LODE_EMISUSE = 8,   /* the API was called wrongly (NULL object, bad order) */
    LODE_EEMPTY = 9,    /* the input holds no bytes (or only a byte order mark) */
    LODE_ESCRIPT = 10,  /* a rule script failed to load, compile or run */
    LODE_ESANDBOX = 11  /* a sandboxed script hit its memory, instruction or time limit */
};

/** Returns a static, one-line English description of a status code.
 *  Never NULL; an unknown code gives "unknown error". */
LODE_API const char *lode_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Engine                                                                    */
/* ------------------------------------------------------------------------ */

/** An engine owns options, limits, the format registry and the last error. */
typedef struct lode_engine lode_engine;

/** Allocator with the contract of Lua's lua_Alloc: called with nsize == 0 it
 *  frees ptr and returns NULL; otherwise it returns a block of nsize bytes
 *  (moving ptr's osize bytes when ptr != NULL), or NULL if and only if it
 *  cannot.  It must never fail a shrink. */
typedef void *(*lode_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/** Log levels handed to lode_log_fn. */
enum { LODE_LOG_WARNING = 1, LODE_LOG_INFO = 2 };

/** Receives warnings (e.g. "replaced 3 invalid UTF-8 sequences") as one line
 *  without a trailing newline.  msg is borrowed for the call only. */
typedef void (*lode_log_fn)(void *ud, int level, const char *msg);

/** Safety limits.  Zero in a field means "use the default".  They guard
 *  against hostile input; raising them far above the defaults re-opens the
 *  attacks they stop (memory exhaustion, quadratic parse times). */
typedef struct lode_limits {
    size_t max_input_bytes;      /* bytes per document; default 256 MiB, at most INT_MAX-1 */
    unsigned max_depth;          /* element nesting; default 256 (libxml2 refuses XML deeper than 256) */
    unsigned max_attributes;     /* attributes per start tag; default 1024 */
    size_t max_entity_expansion; /* bytes produced by entity substitution; default 16 MiB,
                                    and never more than 10x the input size */
} lode_limits;

/** Sandbox for rule scripts one does not fully trust.  With enabled set,
 *  scripts see only an allow-listed environment: the base library without
 *  dofile/loadfile/print/collectgarbage, load of text chunks only, string
 *  (without string.dump), table, math, utf8, coroutine, os.time/os.clock/
 *  os.date, `lode` without lode.load, `require` of lode's own modules only;
 *  setmetatable refuses __gc (finalizers run outside the limits), and
 *  string.rep and table.move are bounded.  The limits below cannot be
 *  caught by pcall: once hit, every further instruction raises again until
 *  the document is abandoned.  Zero in a limit means the default. */
typedef struct lode_sandbox {
    int enabled;                /* 0: scripts run with the full standard library */
    size_t max_memory;          /* bytes of Lua memory per script; default 64 MiB */
    unsigned long long max_steps; /* Lua instructions per document; default 100,000,000 */
    unsigned long timeout_ms;   /* wall-clock time per document; default 5000 */
    int allow_plugins;          /* with enabled: 0 (the default) refuses lode_plugin_load
                                   and hides plugins' Lua modules from scripts; 1 allows
                                   both (plugins are native code: the host's decision) */
} lode_sandbox;

/** Engine options.  Initialise with lode_options_init() and change fields;
 *  a zeroed struct is also valid and means "all defaults". */
typedef struct lode_options {
    lode_alloc_fn alloc; /* NULL: the C library's realloc/free */
    void *alloc_ud;      /* handed to alloc */
    lode_log_fn log;     /* NULL: warnings are dropped */
    void *log_ud;        /* handed to log */
    lode_limits limits;
    lode_sandbox sandbox; /* off by default in this struct; see lode_sandbox */
    const char *module_path; /* ';'-separated folders searched by require in every
                                rule script of the engine (FOLDER/?.lua and
                                FOLDER/?/init.lua), after the script's own folder and
                                lode_rules_options.module_path; copied; NULL: none.
                                Not searched in the sandbox (no file access). */
    const char *plugin_path; /* ':'-separated folders of plugins (every *.so in them,
                                by name), loaded when first needed: when a format
                                name, a file's extension, a sink or a module that
                                require asks for is not among what is loaded (or
                                all at once by lode_plugin_load_path).  A plugin
                                that fails to load is skipped with a warning.
                                Copied; NULL: none.  Not in the sandbox unless
                                sandbox.allow_plugins. */
} lode_options;

/** Fills *opts with the defaults (system allocator, no log, default limits). */
LODE_API void lode_options_init(lode_options *opts);

/** Constructor.  Creates an engine; opts may be NULL for all defaults, and is
 *  copied.  Initialises libxml2 once per process (thread-safe).  Returns NULL
 *  only when the engine itself cannot be allocated.
 *  Free with lode_engine_free(). */
LODE_API lode_engine *lode_engine_new(const lode_options *opts);

/** Destructor.  Frees the engine.  All documents made by it must have been
 *  freed first.  lode_engine_free(NULL) is a no-op.  Does not call
 *  xmlCleanupParser(): the host may still use libxml2. */
LODE_API void lode_engine_free(lode_engine *engine);

/** Method of lode_engine.  Message for the last failed call on this engine,
 *  e.g. "doc.xml:3:14: Opening and ending tag mismatch: p line 3 and div".
 *  Borrowed; valid until the next call on the engine.  "" if none. */
LODE_API const char *lode_errmsg(const lode_engine *engine);

/** Method of lode_engine.  Status code of the last failed call, LODE_OK if
 *  none. */
LODE_API int lode_errcode(const lode_engine *engine);

/** Method of lode_engine.  Frees a block that lode allocated and handed to
 *  the caller (e.g. by lode_doc_write_buffer).  lode_free(e, NULL) is a no-op. */
LODE_API void lode_free(lode_engine *engine, void *ptr);

/* ------------------------------------------------------------------------ */
/* Formats                                                                   */
/* ------------------------------------------------------------------------ */

/** Capabilities of a format in the registry. */
enum { LODE_FORMAT_READ = 1, LODE_FORMAT_WRITE = 2 };

/** Method of lode_engine.  Name of the i-th registered format ("xml", "html",
 *  "text", "markdown", "json" are built in), or NULL past the last one.
 *  If caps is not NULL it receives the LODE_FORMAT_* bits.  Borrowed; valid
 *  while the engine lives. */
LODE_API const char *lode_format_at(const lode_engine *engine, size_t i, unsigned *caps);

/** Method of lode_engine.  Chooses the reader for a document: by the file
 *  name's extension (.xml .html .htm .xhtml .txt .text .json ...; name may be
 *  NULL), else by sniffing the first bytes of data (may be NULL).  Returns the
 *  format name, or NULL with LODE_EFORMAT when nothing fits.  Borrowed. */
LODE_API const char *lode_format_detect(lode_engine *engine, const char *name,
                                        const void *data, size_t len);

/* ------------------------------------------------------------------------ */
/* Documents                                                                 */
/* ------------------------------------------------------------------------ */

/** A document: a libxml2 tree plus its source name and format. */
typedef struct lode_doc lode_doc;

/* libxml2's document type, declared here so that lode.h needs no libxml2
 * header; include <libxml/tree.h> to use it. */
struct _xmlDoc;

/** Parse flags (lode_parse_options.flags). */
enum {
    /** text: replace each invalid UTF-8 sequence (maximal subpart) with
     *  U+FFFD and log how many were replaced, instead of failing. */
    LODE_PARSE_REPAIR = 1u << 0,
    /** xml: substitute internal entities (&name; declared in the document's
     *  internal subset) with their text, within max_entity_expansion.
     *  External entities and DTDs are never loaded. */
    LODE_PARSE_ENTITIES = 1u << 1
};

/** How to parse.  A zeroed struct (or NULL) means: detect the format, sniff
 *  the encoding, no flags. */
typedef struct lode_parse_options {
    const char *format;   /* "xml", "html", "text", "json"; NULL: lode_format_detect */
    const char *encoding; /* html: force this charset (e.g. "windows-1252");
                             NULL: BOM, then <meta charset>, then UTF-8 if valid,
                             else windows-1252 */
    unsigned flags;       /* LODE_PARSE_* bits */
} lode_parse_options;

/** Constructor.  Parses len bytes at data into a new document.  name is the
 *  display name used in messages and kept as the document's source name (may
 *  be NULL: "<memory>").  data is borrowed for the call only.
 *  On success stores the document in *out (free with lode_doc_free) and
 *  returns LODE_OK; on failure stores NULL and returns a status whose message
 *  names the source and, where known, line:column or byte offset. */
LODE_API int lode_doc_parse(lode_engine *engine, const void *data, size_t len,
                            const char *name, const lode_parse_options *opts,
                            lode_doc **out);

/** Constructor.  Reads the file at path (a regular file, at most
 *  max_input_bytes; never a URL) and parses it as lode_doc_parse() does,
 *  with path as the source name.  A file that starts with the gzip magic
 *  bytes (1f 8b) is decompressed first, whatever its name, and the limit
 *  max_input_bytes then counts the decompressed bytes: more gives
 *  LODE_ELIMIT (so a gzip bomb is refused once it passes the limit).
 *  Corrupt or truncated gzip data gives LODE_EPARSE with "path: corrupt gzip
 *  data at byte N: ...".  The format is detected from the name with a
 *  trailing ".gz" looked through ("a.xml.gz" is XML), else sniffed from the
 *  decompressed bytes. */
LODE_API int lode_doc_load(lode_engine *engine, const char *path,
                           const lode_parse_options *opts, lode_doc **out);

/** Constructor.  Reads fp to its end (at most max_input_bytes) and parses it.
 *  fp is borrowed and not closed.  name as in lode_doc_parse().  gzip data
 *  is decompressed as in lode_doc_load(). */
LODE_API int lode_doc_read_file(lode_engine *engine, FILE *fp, const char *name,
                                const lode_parse_options *opts, lode_doc **out);

/** Constructor.  Wraps an existing libxml2 document.  Takes ownership of
 *  xml: it is freed by lode_doc_free() (and freed at once on failure).
 *  format is the format to report ("xml" or "html"; NULL: "html" for an HTML
 *  document, else "xml"); name may be NULL. */
LODE_API int lode_doc_adopt(lode_engine *engine, struct _xmlDoc *xml,
                            const char *name, const char *format, lode_doc **out);

/** Destructor.  Releases the document: the tree is freed at once unless a
 *  Lua rule script still holds nodes of it, in which case it is freed when
 *  the last of them is collected (so no script can reach freed memory).
 *  Either way the caller must not use doc afterwards.  No-op for NULL. */
LODE_API void lode_doc_free(lode_doc *doc);

/** Method of lode_doc.  The libxml2 tree.  Borrowed; valid until doc is
 *  freed.  The caller may read and change it; lode_doc_free frees it. */
LODE_API struct _xmlDoc *lode_doc_xml(lode_doc *doc);

/** Method of lode_doc.  Source name given at parse time.  Borrowed. */
LODE_API const char *lode_doc_name(const lode_doc *doc);

/** Method of lode_doc.  Name of the format the document was read from
 *  ("xml", "html", "text", "json").  Borrowed, static. */
LODE_API const char *lode_doc_format(const lode_doc *doc);

/** Method of lode_doc.  Sets the document's metadata from a JSON object of
 *  len bytes at json (e.g. the extra fields of a JSON Lines input line,
 *  {"lang":"de","source":"dpa"}); replaces any earlier one.  json is
 *  borrowed for the call only (the object is parsed and kept with the
 *  document, freed by lode_doc_free).  json NULL with len 0 removes the
 *  metadata.  Rule scripts read it with doc:meta(name), before the
 *  document's own head/meta elements (docs/lua-api.md).  Returns LODE_OK;
 *  LODE_EPARSE if json is not valid JSON (duplicate keys included) or not
 *  an object, the earlier metadata then kept. */
LODE_API int lode_doc_set_meta(lode_engine *engine, lode_doc *doc, const char *json, size_t len);

/** Write flags (lode_write_options.flags). */
enum {
    LODE_WRITE_INDENT = 1u << 0, /* xml, json: pretty-print with indentation (html output
                                    always has line breaks after block elements) */
    LODE_WRITE_NOSYNC = 1u << 1  /* lode_doc_save: no fsync before the rename.  The file is
                                    still whole or absent for readers and if the process
                                    dies; surviving a power loss is then the caller's
                                    (e.g. one syncfs after many files, as lode run does) */
};

/** How to write.  format is required: "xml", "html", "text", "markdown",
 *  "json". */
typedef struct lode_write_options {
    const char *format;
    unsigned flags; /* LODE_WRITE_* bits */
} lode_write_options;

/** Method of lode_doc.  Serialises doc into a new buffer of *len bytes
 *  (NUL-terminated, the NUL not counted).  Returns a new buffer in *out; the
 *  caller frees it with lode_free(engine, *out). */
LODE_API int lode_doc_write_buffer(lode_engine *engine, const lode_doc *doc,
                                   const lode_write_options *opts, char **out,
                                   size_t *len);

/** Method of lode_doc.  Serialises doc to fp (borrowed, not closed).  A write
 *  error gives LODE_EIO.  xml, html, json and plugins' formats are written in
 *  64 KiB pieces as they are serialised, so after a failure fp may hold the
 *  first part of the document; text and markdown are written whole. */
LODE_API int lode_doc_write_file(lode_engine *engine, const lode_doc *doc,
                                 const lode_write_options *opts, FILE *fp);

/** Method of lode_doc.  Serialises doc to the file at path, atomically: the
 *  output goes to a temporary file in the same folder that is renamed over
 *  path only when complete, so a failure leaves path untouched and no
 *  temporary file behind. */
LODE_API int lode_doc_save(lode_engine *engine, const lode_doc *doc,
                           const lode_write_options *opts, const char *path);

/** Streams one XML file as many documents: every element called element
 *  (its local name, e.g. "page" in a Wikipedia dump, "PubmedArticle" in a
 *  PubMed set) becomes a document of its own, read with libxml2's
 *  streaming reader, so memory does not grow with the file.  Hardened like
 *  the XML reader (no network, no DTD, no entity substitution, NUL bytes
 *  refused); gzip-compressed files are inflated as they are read. */
typedef struct lode_split lode_split;

/** Constructor.  Opens the file at path ("-": standard input).  LODE_EIO if
 *  it cannot be opened.  Free with lode_split_free(). */
LODE_API int lode_split_open(lode_engine *engine, const char *path, const char *element,
                             lode_split **out);

/** Method of lode_split.  The next element as a new document (free with
 *  lode_doc_free), named "path:LINE" after the element's source line; *out
 *  is NULL after the last one.  A malformed file gives LODE_EPARSE with
 *  path:line:column once the reader reaches the error; the elements before
 *  it were handed out, except those ending in the same 512-byte chunk as the
 *  error (libxml2's reader parses ahead by that much).  The split is then
 *  finished. */
LODE_API int lode_split_next(lode_split *split, lode_doc **out);

/** Destructor.  No-op for NULL. */
LODE_API void lode_split_free(lode_split *split);

/* ------------------------------------------------------------------------ */
/* Rules: Lua rule scripts                                                   */
/* ------------------------------------------------------------------------ */

/** A loaded rule script with its own Lua state.  A script returns a table
 *  whose keys are CSS selectors mapped to handlers function(node, ctx) (or
 *  {enter = fn, leave = fn}), plus optional phases begin(ctx),
 *  document(doc, ctx) and finish(ctx); the array part may hold
 *  {selector, handler} pairs to fix the order.  See docs/lua-api.md. */
typedef struct lode_rules lode_rules;

/** Receives one record emitted by a script (ctx:emit), as a JSON object of
 *  len bytes (no newline; keys sorted).  json is borrowed for the call only.
 *  Records of a document are delivered only after all its handlers
 *  succeeded, so a failed document delivers none.  Return 0 to go on; a
 *  non-zero return makes lode_rules_run fail with LODE_ERROR. */
typedef int (*lode_record_fn)(void *ud, const lode_doc *doc, const char *json, size_t len);

/* Lua's state type, declared here so that lode.h needs no Lua header;
 * include <lua.h> and <lauxlib.h> to write a host function. */
struct lua_State;

/** A host function, called from scripts as host.NAME(...).  It follows the
 *  Lua C API's convention: the arguments are on L's stack (index 1 up), it
 *  pushes its results and returns how many; it reports errors with
 *  luaL_error (never by longjmp-ing past C frames of the host that hold
 *  resources: keep the function short, or use lua_pcall inside).  ud is the
 *  pointer given at registration.  Host functions are available in the
 *  sandbox too: registering one is the host's explicit decision. */
typedef int (*lode_host_fn)(struct lua_State *L, void *ud);

/** One entry of lode_rules_options.host_functions. */
typedef struct lode_host_function {
    const char *name; /* the key in the global table `host`; NULL ends the array */
    lode_host_fn fn;
    void *ud;
} lode_host_function;

/** One entry of lode_rules_options.host_modules: a Lua module the host
 *  provides, which scripts load with require(name) -- found before any
 *  folder, and also in the sandbox (providing it is the host's decision).
 *  Give exactly one of: Lua source (len bytes, text only, copied at load
 *  time; run like a module file, with name as its argument), or a C opener
 *  open(L, ud) that pushes the module's value (e.g. a table of functions
 *  made with luaL_newlib) and returns 1. */
typedef struct lode_host_module {
    const char *name;   /* e.g. "cms.people"; NULL ends the array */
    const char *source; /* Lua source, or NULL */
    size_t len;         /* bytes of source */
    lode_host_fn open;  /* C opener, or NULL */
    void *ud;           /* handed to open */
} lode_host_module;

/** How to load rules.  A zeroed struct (or NULL) means: no extra module
 *  folders, records dropped, no host functions or modules. */
typedef struct lode_rules_options {
    const char *module_path;  /* ';'-separated folders searched by require
                                 (FOLDER/?.lua, FOLDER/?/init.lua), may be NULL */
    lode_record_fn on_record; /* may be NULL */
    void *record_ud;          /* handed to on_record */
    const lode_host_function *host_functions; /* array ended by a NULL name, or NULL;
                                                 borrowed for the load call only */
    const lode_host_module *host_modules;     /* array ended by a NULL name, or NULL;
                                                 borrowed for the load call only */
} lode_rules_options;

/** Kinds of a record field's value (lode_field.type). */
enum { LODE_JSON_NULL, LODE_JSON_BOOL, LODE_JSON_NUMBER, LODE_JSON_STRING, LODE_JSON_ARRAY, LODE_JSON_OBJECT };

/** One top-level field of a record, as lode_record_next finds it.  key and
 *  value point into the record's JSON text (borrowed: valid while it is):
 *  key is the key's JSON string body without quotes; value is the raw JSON
 *  of the value (for strings with their quotes).  Use lode_json_decode to
 *  turn a string body into text. */
typedef struct lode_field {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
    int type; /* LODE_JSON_* */
} lode_field;

/** Iterates the top-level fields of a record (the JSON object handed to a
 *  lode_record_fn), in order (keys sorted).  Set *pos to 0 before the first
 *  call; returns 1 with *field filled, 0 after the last field (or for text
 *  that is not a JSON object). */
LODE_API int lode_record_next(const char *json, size_t len, size_t *pos, lode_field *field);

/** Decodes the body of a JSON string (without its quotes; escapes \n \t
 *  \uXXXX ... resolved) into out, which must have room for len bytes (a
 *  decoded string is never longer); returns the decoded length.  For a
 *  string value of a lode_field, pass value + 1 and value_len - 2. */
LODE_API size_t lode_json_decode(const char *body, size_t len, char *out);

/** Constructor.  Loads and compiles the rule script at path (text chunks
 *  only, never bytecode), runs it, and compiles every selector of the table
 *  it returns.  A syntax error, a script error or a bad selector gives
 *  LODE_ESCRIPT with "path:line: message".  The folder of path is searched
 *  by require before module_path.  Free with lode_rules_free(). */
LODE_API int lode_rules_load(lode_engine *engine, const char *path,
                             const lode_rules_options *opts, lode_rules **out);

/** Constructor.  As lode_rules_load, from len bytes of Lua source at src;
 *  name is used in messages (e.g. "rules.lua"). */
LODE_API int lode_rules_load_string(lode_engine *engine, const char *src, size_t len,
                                    const char *name, const lode_rules_options *opts,
                                    lode_rules **out);

/** Method of lode_rules.  Runs the script on doc: begin(ctx) before the
 *  first document, then one walk of the tree in document order calling the
 *  handlers of every matching rule (in rule order), then document(doc, ctx).
 *  Handlers may edit the tree; doc then holds the edited tree.  A Lua error
 *  gives LODE_ESCRIPT with the script's file:line, the document's name, the
 *  node's source line and a traceback; the rules stay usable for the next
 *  document.  doc is borrowed (the script may keep nodes of it alive after
 *  the call; lode_doc_free is still safe).  A Lua error outside lode's
 *  protected calls (a bug in lode) never aborts the host: it gives
 *  LODE_ERROR ("internal error"), and the rules can then only be freed. */
LODE_API int lode_rules_run(lode_rules *rules, lode_doc *doc);

/** Limits of lode_rules_run_isolated.  Zero in a field means the default. */
typedef struct lode_isolate {
    unsigned long timeout_ms;  /* wall-clock time for one document; default 60,000.
                                  The child's CPU time is limited too, to this
                                  rounded up to seconds, plus one second */
    size_t max_memory;         /* address space the child may map beyond what the
                                  process maps when it starts; default 2 GiB */
} lode_isolate;

/** Method of lode_rules.  As lode_rules_run, but the script runs on doc in a
 *  child process (fork) under opts' limits (NULL: the defaults), for what
 *  the sandbox cannot stop: a loop inside a C function, a crash or a memory
 *  bomb in native code (a plugin, libxml2, Lua itself).  A child that
 *  crashes, is killed or outlives the time limit gives LODE_ELIMIT with
 *  "NAME: the process for this document ..." saying what happened; the
 *  rules stay usable.  Otherwise the result is lode_rules_run's: the same
 *  return code and message, the records handed to on_record in the calling
 *  thread, in order, after the child ended; ctx.report's additions merged
 *  into lode_rules_report; warnings sent to the engine's log callback.
 *
 *  What differs from lode_rules_run: begin(ctx) runs in this process, once,
 *  before the first document; every document's child starts from the state
 *  it left, and what a handler changes in Lua variables or in the tree is
 *  gone when the child ends (doc is not edited). Inside handlers,
 *  ctx.report holds only the current document's additions (finish sees
 *  them all).  A fork costs a few milliseconds.
 *
 *  Residual risks, which the host takes on by calling it: the child is a
 *  copy of the whole host process with only the calling thread, so a lock
 *  another thread held at the fork stays held in the child (the C
 *  library's malloc and stdio are safe: glibc resets them; a custom
 *  lode_options.alloc must be fork-safe too); the child inherits the host's
 *  open files (it only writes to its pipe, and to what the script writes);
 *  a host that ignores SIGCHLD gets no exit status, so a crash then reads
 *  as an incomplete result.  In the child, every signal the process
 *  handles is set back to its default action, so a host's handler never
 *  runs in the copy (a SIGINT ends the child; ignored signals stay
 *  ignored). */
LODE_API int lode_rules_run_isolated(lode_rules *rules, lode_doc *doc, const lode_isolate *opts);

/** Method of lode_rules.  Runs finish(ctx) once (if the script has one).
 *  After it, lode_rules_run refuses documents with LODE_EMISUSE. */
LODE_API int lode_rules_finish(lode_rules *rules);

/** Destructor.  Closes the Lua state and frees the rules.  No-op for NULL. */
LODE_API void lode_rules_free(lode_rules *rules);

/** Method of lode_rules.  The engine the rules were loaded into (where
 *  their errors and those of their report are set).  Borrowed. */
LODE_API lode_engine *lode_rules_engine(const lode_rules *rules);

/** Method of lode_rules.  Number of rules (selector/handler pairs). */
LODE_API size_t lode_rules_count(const lode_rules *rules);

/** Method of lode_rules.  The selector source of rule i (0-based, in the
 *  order rules run), or NULL past the end.  Borrowed; valid until the rules
 *  are freed. */
LODE_API const char *lode_rules_selector(const lode_rules *rules, size_t i);

/* ------------------------------------------------------------------------ */
/* Reports: mergeable aggregates (ctx.report)                                */
/* ------------------------------------------------------------------------ */

/** A report: named aggregators (count, top, sum, stats, histogram,
 *  distinct) that scripts fill through ctx.report and that merge exactly
 *  across rule instances, threads, processes and machines.  See
 *  docs/reports.md for the kinds, the output formats and the versioned
 *  partial format.  A report belongs to one engine and, like it, to one
 *  thread at a time. */
typedef struct lode_report lode_report;

/** Constructor.  An empty report whose memory and errors belong to engine.
 *  Free with lode_report_free(). */
LODE_API int lode_report_new(lode_engine *engine, lode_report **out);

/** Destructor.  No-op for NULL.  Do not free the report of a lode_rules
 *  (lode_rules_report): it is freed with the rules. */
LODE_API void lode_report_free(lode_report *report);

/** Method of lode_rules.  The report the script's ctx.report fills.
 *  Borrowed: valid until the rules are freed.  Merge other reports into it
 *  before lode_rules_finish so that finish(ctx) sees the whole run. */
LODE_API lode_report *lode_rules_report(lode_rules *rules);

/** Method of lode_report.  Adds every aggregator of from into into (from is
 *  not changed; the two may belong to different engines).  Merging is
 *  associative and commutative.  An aggregator name used with two kinds, or
 *  histograms with different bins, give LODE_ERROR; into may then hold part
 *  of from.  Errors are set on into's engine. */
LODE_API int lode_report_merge(lode_report *into, const lode_report *from);

/** Method of lode_report.  Merges len bytes of partial reports (the
 *  "partial" output format: one JSON object a line, blank lines skipped)
 *  into into.  name is used in messages ("name:LINE: ...").  A malformed or
 *  unknown-version partial gives LODE_EPARSE. */
LODE_API int lode_report_read(lode_report *into, const void *data, size_t len, const char *name);

/** Method of lode_report.  Renders the report as format: "json", "csv",
 *  "txt" (aligned tables), "html" (a self-contained page with SVG charts)
 *  or "partial" (the mergeable state, for lode_report_read).  title (may be
 *  NULL) names the report, e.g. the script.  Returns a new NUL-terminated
 *  buffer in *out (free with lode_free(engine, *out)) of *len bytes. */
LODE_API int lode_report_write_buffer(const lode_report *report, const char *format,
                                      const char *title, char **out, size_t *len);

/** Method of lode_report.  As lode_report_write_buffer, to the file at
 *  path, atomically (temporary file, then rename).  format NULL: from the
 *  extension of path (.json .csv .txt .html). */
LODE_API int lode_report_save(const lode_report *report, const char *format,
                              const char *title, const char *path);

/* ------------------------------------------------------------------------ */
/* Plugins: readers, writers, record sinks and Lua modules in shared objects */
/* ------------------------------------------------------------------------ */

/* A plugin is a shared object that declares itself with LODE_PLUGIN_DECLARE
 * and exports
 *
 *     int lode_plugin_init(lode_registry *reg, char **errmsg);
 *
 * lode_plugin_load() opens it, checks the declared ABI against its own
 * before running any of the plugin's code, then calls lode_plugin_init once
 * per engine.  Through reg the plugin registers what it provides.  A plugin
 * needs no symbol of liblode: everything it may call is in the registry
 * (so it works in hosts that link lode statically).  See docs/plugins.md. */

/** The plugin ABI of this header.  It changes only if a struct below has to
 *  change incompatibly, which the rules below exist to avoid: lode_registry
 *  and every struct a plugin fills start with their size and are only ever
 *  appended to, so a plugin built against an older lode.h keeps working
 *  with a newer lode (which reads only the fields the plugin's size covers)
 *  and a plugin built against a newer one checks reg->size before it uses a
 *  newer field (LODE_REGISTRY_HAS).  lode refuses a plugin whose declared
 *  ABI differs from its own, naming the plugin and both versions. */
#define LODE_PLUGIN_ABI 1

#if defined(__GNUC__)
#define LODE_PLUGIN_EXPORT __attribute__((visibility("default")))
#define LODE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define LODE_PLUGIN_EXPORT
#define LODE_PRINTF(fmt, args)
#endif

/** What a plugin says about itself: the exported constant `lode_plugin`,
 *  read by the loader before any of the plugin's code runs.  Define it with
 *  LODE_PLUGIN_DECLARE. */
typedef struct lode_plugin_info {
    unsigned abi;        /* LODE_PLUGIN_ABI the plugin was built with */
    size_t size;         /* sizeof(lode_plugin_info) at build time */
    const char *name;    /* short name, e.g. "markdown"; [a-z0-9_-]+ */
    const char *version; /* the plugin's own version, e.g. "1.0.0" */
    const char *summary; /* one line for `lode plugins` */
} lode_plugin_info;

/** Declares the plugin; put it once in the plugin's source, at file scope. */
#define LODE_PLUGIN_DECLARE(name, version, summary)                                          \
    LODE_PLUGIN_EXPORT extern const lode_plugin_info lode_plugin;                             \
    const lode_plugin_info lode_plugin = {LODE_PLUGIN_ABI, sizeof(lode_plugin_info), (name), \
                                          (version), (summary)}

/** Receives output bytes from a plugin writer: appends len bytes at data.
 *  Returns 0, or non-zero when the output failed (the writer then stops and
 *  returns a status set with api->error). */
typedef int (*lode_emit_fn)(void *emit_ud, const void *data, size_t len);

/** A reader: bytes in, a libxml2 tree out, in the HTML vocabulary of
 *  docs/tree.md (html/head/body, h1-h6, p, ul/ol/li, table, a, em, ...)
 *  when the format is a document format.  Registered with add_reader; the
 *  struct is copied, the strings and the extension array are borrowed and
 *  must live as long as the plugin is loaded (static data). */
typedef struct lode_reader {
    size_t size;                   /* sizeof(lode_reader) */
    const char *name;              /* format name for --from and lode_parse_options.format */
    const char *summary;           /* one line, may be NULL */
    const char *const *extensions; /* ".md", ... lower case with the dot, NULL-ended; may be NULL */
    /* Returns non-zero if len bytes at data (the first up to 4 KiB of the
     * input) look like this format; tried after the built-in formats'
     * extensions and before their sniffers.  May be NULL: never sniffed. */
    int (*sniff)(void *ud, const void *data, size_t len);
    /* Parses len bytes at data (borrowed for the call; name is the display
     * name for messages).  On success stores a new tree in *out and returns
     * LODE_OK; on failure returns api->error(engine, LODE_E..., "name:line:
     * what") and leaves *out NULL.  Must honour engine limits
     * (api->limits). */
    int (*read)(void *ud, lode_engine *engine, const char *name, const void *data, size_t len,
                const lode_parse_options *opts, struct _xmlDoc **out);
    void *ud;                      /* handed to sniff and read */
} lode_reader;

/** A writer: a tree in, bytes out through emit.  Copied like lode_reader. */
typedef struct lode_writer {
    size_t size;                   /* sizeof(lode_writer) */
    const char *name;              /* format name for -t and lode_write_options.format */
    const char *summary;           /* one line, may be NULL */
    const char *const *extensions; /* output extensions, informative; may be NULL */
    /* Serialises doc (borrowed, not to be changed) by calling emit; returns
     * LODE_OK or a status set with api->error. */
    int (*write)(void *ud, lode_engine *engine, const struct _xmlDoc *doc,
                 const lode_write_options *opts, lode_emit_fn emit, void *emit_ud);
    void *ud;
} lode_writer;

/** A record sink: where `lode run` (or a host, through lode_sink_open)
 *  sends the records scripts emit.  Chosen by the extension of the output
 *  path (`-o out.sqlite`) or by name (`--sink sqlite`).  Copied like
 *  lode_reader.  One sink instance is used by one thread at a time;
 *  records arrive in the run's order. */
typedef struct lode_sink_class {
    size_t size;                   /* sizeof(lode_sink_class) */
    const char *name;              /* for --sink NAME */
    const char *summary;           /* one line, may be NULL */
    const char *const *extensions; /* ".sqlite", ... lower case with the dot, NULL-ended */
    /* Opens an instance writing to path.  label names the records' source
     * (the rule script's file name without folder and .lua, e.g.
     * "news-quotes"), a default for a table or collection name.  Stores the
     * instance's state in *state.  Returns LODE_OK or a status set with
     * api->error. */
    int (*open)(void *ud, lode_engine *engine, const char *path, const char *label, void **state);
    /* Takes one record: a JSON object of len bytes (no newline), borrowed
     * for the call.  lode_record_next walks its fields. */
    int (*write)(void *state, lode_engine *engine, const char *json, size_t len);
    /* Ends the instance and frees state.  commit != 0: the run succeeded,
     * make the output durable and visible; commit == 0: the run failed or
     * was interrupted, leave no half output (remove what this instance
     * created, or roll back).  Called exactly once per successful open. */
    int (*close)(void *state, lode_engine *engine, int commit);
    void *ud;
} lode_sink_class;

/** lode's services to plugins: one static table per process, so a plugin
 *  keeps the pointer (reg->api) for its callbacks.  Starts with its size
 *  and is only ever appended to (LODE_API_HAS). */
typedef struct lode_api {
    size_t size; /* sizeof(lode_api) of the loading lode */
    /* Sets the engine's error (printf-style; start with the source name)
     * and returns code, as in `return api->error(e, LODE_EPARSE, ...)`. */
    int (*error)(lode_engine *engine, int code, const char *fmt, ...) LODE_PRINTF(3, 4);
    /* Sends a warning line to the host's log (printf-style). */
    void (*warn)(lode_engine *engine, const char *fmt, ...) LODE_PRINTF(2, 3);
    /* The engine's limits (max_input_bytes, max_depth, ...). */
    const lode_limits *(*limits)(const lode_engine *engine);
    /* Field iteration and string decoding of records: lode_record_next and
     * lode_json_decode. */
    int (*record_next)(const char *json, size_t len, size_t *pos, lode_field *field);
    size_t (*json_decode)(const char *body, size_t len, char *out);
} lode_api;

/** Handed to lode_plugin_init, valid during that call only.  Starts with
 *  the ABI and its own size and is only ever appended to. */
typedef struct lode_registry lode_registry;
struct lode_registry {
    unsigned abi;        /* LODE_PLUGIN_ABI of the loading lode */
    size_t size;         /* sizeof(lode_registry) of the loading lode */
    lode_engine *engine; /* the engine loading the plugin */
    void *internal;      /* lode's; do not touch */
    const lode_api *api; /* services for the plugin's callbacks; keep this pointer */

    /* Registration: LODE_OK, or a status (a format name already has a
     * reader/writer, a sink or module name is taken, the struct is too
     * small, out of memory) with lode_errmsg(reg->engine) set; the load
     * then fails whatever lode_plugin_init returns. */
    int (*add_reader)(lode_registry *reg, const lode_reader *reader);
    int (*add_writer)(lode_registry *reg, const lode_writer *writer);
    int (*add_sink)(lode_registry *reg, const lode_sink_class *sink);
    /* A Lua module scripts load with require(module->name): by convention
     * "lode.PLUGINNAME" or "lode.PLUGINNAME.PART".  Same shape and rules as
     * a host module; hidden in the sandbox unless sandbox.allow_plugins. */
    int (*add_module)(lode_registry *reg, const lode_host_module *module);
};

/** True if reg (of the loading lode) has the member field, or api has:
 *  check before using a member added after the first version. */
#define LODE_REGISTRY_HAS(reg, field) \
    ((reg)->size >= offsetof(lode_registry, field) + sizeof((reg)->field))
#define LODE_API_HAS(api, field) ((api)->size >= offsetof(lode_api, field) + sizeof((api)->field))

/** The plugin's entry point (documented here; defined by the plugin).
 *  Registers what the plugin provides; returns 0, or non-zero with an
 *  optional message in *errmsg allocated with malloc (lode frees it). */
typedef int (*lode_plugin_init_fn)(lode_registry *reg, char **errmsg);

/** Method of lode_engine.  Loads the plugin at path (a shared object; a
 *  path without '/' is searched by the dynamic linker's rules, so give
 *  "./x.so" for the current folder) into engine: its readers and writers
 *  join the format registry (by name, extension and sniffing), its sinks
 *  lode_sink_open's choice and its modules every rule script's require.
 *  Loading the same plugin (by name) twice into one engine is a no-op.
 *  Refused with LODE_ESANDBOX in a sandboxed engine unless
 *  sandbox.allow_plugins.  Failures (LODE_EIO: cannot be opened; LODE_ERROR:
 *  not a lode plugin, another ABI, lode_plugin_init failed or registered
 *  a clashing name) leave the engine as it was, and the message names the
 *  path, e.g. "x.so: plugin 'csv' was built for plugin ABI 0; this lode
 *  has ABI 1: rebuild it against this lode.h".  A loaded plugin stays
 *  mapped in the process (it may have registered state with libraries it
 *  uses); rules using its modules must be freed before the engine. */
LODE_API int lode_plugin_load(lode_engine *engine, const char *path);

/** Method of lode_engine.  Loads every plugin of lode_options.plugin_path
 *  now (those already loaded are skipped); a plugin that fails is skipped
 *  with a warning to the log.  Returns LODE_OK (also with no plugin path),
 *  LODE_ESANDBOX in a sandboxed engine without sandbox.allow_plugins. */
LODE_API int lode_plugin_load_path(lode_engine *engine);

/** One loaded plugin, as lode_plugin_at describes it.  Borrowed strings,
 *  valid while the engine lives. */
typedef struct lode_plugin_desc {
    const char *name;
    const char *version;
    const char *summary;
    const char *path;     /* as given to lode_plugin_load */
    const char *provides; /* one line per thing registered, e.g.
                             "reader markdown (.md .markdown)\nwriter gfm\n" */
} lode_plugin_desc;

/** Method of lode_engine.  Describes the i-th loaded plugin (in load order)
 *  into *desc and returns 1, or returns 0 past the last one. */
LODE_API int lode_plugin_at(const lode_engine *engine, size_t i, lode_plugin_desc *desc);

/** An open record sink (see lode_sink_class). */
typedef struct lode_sink lode_sink;

/** Constructor.  Opens a record sink of a plugin for path: the sink named
 *  name, or (name NULL) the one whose extension path has.  label as in
 *  lode_sink_class.open.  LODE_EFORMAT when no sink fits (the built-in
 *  JSON Lines/CSV/TSV outputs of `lode run` are not sinks of the library).
 *  Close with lode_sink_close(). */
LODE_API int lode_sink_open(lode_engine *engine, const char *name, const char *path,
                            const char *label, lode_sink **out);

/** Method of lode_engine.  The name of the sink that lode_sink_open would
 *  choose for path by its extension, or NULL.  Borrowed. */
LODE_API const char *lode_sink_detect(lode_engine *engine, const char *path);

/** Method of lode_sink.  Sends one record (a JSON object of len bytes, no
 *  newline; borrowed for the call). */
LODE_API int lode_sink_write(lode_sink *sink, const char *json, size_t len);

/** Destructor.  Ends the sink: commit != 0 makes the output durable and
 *  visible, commit == 0 leaves no half output.  Returns the sink's status
 *  (a failed commit is an error: the output is then not complete).  Frees
 *  sink; no-op (LODE_OK) for NULL. */
LODE_API int lode_sink_close(lode_sink *sink, int commit);

#ifdef __cplusplus
}
#endif

#endif /* LODE_H */

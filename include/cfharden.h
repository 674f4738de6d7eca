/* SPDX-License-Identifier: MIT */
/*
 * cfn-harden: a source-to-source rewriter that hardens AWS CloudFormation
 * templates. This is the library's public interface.
 *
 * Ownership: arguments are borrowed. A function whose name ends in _new()
 * or _load() returns an object the caller frees with the matching _free();
 * every char * returned by a function below is the caller's to free(), and
 * every json_t * is a new reference, unless its comment says otherwise.
 */
#ifndef CFHARDEN_H
#define CFHARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CFH_VERSION "0.1.0"

/* The largest template read, in bytes: CloudFormation takes one megabyte
 * (from S3), and generated templates of 40 MB are hardened in tests. */
#define CFH_MAX_INPUT (256 << 20)

/* Exit codes of the command-line tool, also used by the library to say
 * which kind of failure happened. */
enum cfh_exit {
	CFH_EXIT_OK = 0,	/* done; with --check: nothing to change */
	CFH_EXIT_CHANGES = 1,	/* --check: some pass would change the template */
	CFH_EXIT_USAGE = 2,	/* bad command line */
	CFH_EXIT_INPUT = 3,	/* the template is not valid input */
	CFH_EXIT_IO = 4,	/* a file could not be read or written */
	CFH_EXIT_INTERNAL = 5,	/* out of memory or a bug */
};

enum cfh_severity {
	CFH_SEV_CRITICAL,
	CFH_SEV_HIGH,
	CFH_SEV_MEDIUM,
	CFH_SEV_LOW,
	CFH_SEV_COUNT,
};

const char *cfh_severity_name(enum cfh_severity sev);

/* One diagnostic, ready for "file:line:col: error: msg". */
struct cfh_diag {
	int line;		/* 1-based; 0 when unknown */
	int col;		/* 1-based; 0 when unknown */
	enum cfh_exit code;
	char msg[256];
};

struct cfh_template;

/**
 * cfh_template_load() - parse a template
 * @src: the bytes; copied
 * @len: their length
 * @name: the name used in diagnostics
 * @diag: filled in on failure
 *
 * Accepts JSON and YAML (short-form tags included). Refuses, with a
 * position: syntax errors, invalid UTF-8, UTF-16 or UTF-32 text, a CR
 * without LF, binary data, an empty file, a root that is not a mapping,
 * Resources missing or not a mapping, duplicate keys, a block value (or
 * item) on its own line no more indented than its key (or '-'), nesting
 * deeper than CFH_MAX_DEPTH and alias expansion beyond CFH_MAX_EXPANSION
 * nodes.
 * Returns: the template (free with cfh_template_free()), or NULL.
 */
struct cfh_template *cfh_template_load(const char *src, size_t len,
				       const char *name,
				       struct cfh_diag *diag);

#define CFH_MAX_DEPTH 256
#define CFH_MAX_EXPANSION 1000000

void cfh_template_free(struct cfh_template *t);

/* True if the template is JSON (else YAML). */
bool cfh_template_is_json(const struct cfh_template *t);

/**
 * cfh_template_print() - the template as text
 * @lenp: receives the length
 *
 * Untouched text is copied byte for byte; only what passes changed is
 * rendered anew, in the file's own conventions.
 * Returns: the text (caller frees), or NULL when out of memory.
 */
char *cfh_template_print(struct cfh_template *t, size_t *lenp);

enum cfh_format {
	CFH_FORMAT_JSON,
	CFH_FORMAT_YAML,
};

/**
 * cfh_template_convert() - a fresh, canonical rendering in another format
 *
 * JSON gets long-form intrinsics, YAML short-form tags. Comments are lost.
 * Returns: the text (caller frees), or NULL when out of memory.
 */
char *cfh_template_convert(struct cfh_template *t, enum cfh_format fmt,
			   size_t *lenp);

/**
 * cfh_template_convertible() - can cfh_template_convert() write @t?
 *
 * A YAML tag that is no CloudFormation function (!Foo) has no long form:
 * converted, it would become a key named "!Foo". Its position and the
 * reason go to @diag (code CFH_EXIT_INPUT).
 * Returns: 0 if every tag has a long form, -1 otherwise.
 */
int cfh_template_convertible(const struct cfh_template *t,
			     struct cfh_diag *diag);

/* Passes. */
struct cfh_pass;

size_t cfh_pass_count(void);
const struct cfh_pass *cfh_pass_at(size_t i);
const struct cfh_pass *cfh_pass_find(const char *id);
const char *cfh_pass_id(const struct cfh_pass *p);
const char *cfh_pass_title(const struct cfh_pass *p);
enum cfh_severity cfh_pass_severity(const struct cfh_pass *p);
const char *cfh_pass_fixes(const struct cfh_pass *p);	/* "S004-01 S001-06" */
const char *cfh_pass_rationale(const struct cfh_pass *p);
const char *cfh_pass_example(const struct cfh_pass *p);

struct cfh_run_opts {
	const char *only;	/* comma-separated pass ids, or NULL for all */
	const char *skip;	/* comma-separated pass ids, or NULL */
	bool no_replace;	/* skip changes that replace a deployed resource */
	/* Settings, "pass.key=value" (transforms/options.def), each checked
	 * with cfh_setting_check(); a later one overrides an earlier one. */
	const char *const *settings;
	size_t nsettings;
};

/**
 * cfh_setting_check() - validate one "pass.key=value" setting
 * @err: receives a one-line message when it is not valid
 * Returns: 0 if the key exists and the value fits its type, else -1.
 */
int cfh_setting_check(const char *setting, char *err, size_t errlen);

/* Run options, parsed and checked once for any number of runs. */
struct cfh_opts;

/**
 * cfh_opts_new() - parse and check run options
 * @o: what the user asked for; its strings must outlive the result
 * @diag: filled in on failure (CFH_EXIT_USAGE: an unknown pass id, a bad
 *        setting; CFH_EXIT_INTERNAL: out of memory)
 * Returns: the parsed options (free with cfh_opts_free()), or NULL.
 */
struct cfh_opts *cfh_opts_new(const struct cfh_run_opts *o,
			      struct cfh_diag *diag);
void cfh_opts_free(struct cfh_opts *o);

/* One hardening of one template: the template, the options and the change
 * log. */
struct cfh_run;

/**
 * cfh_run_new() - a run over @t
 * @t: the template; borrowed, it must outlive the run
 * @o: parsed options, borrowed; NULL for every pass with default settings
 * Returns: the run (free with cfh_run_free()), or NULL when out of memory.
 */
struct cfh_run *cfh_run_new(struct cfh_template *t, const struct cfh_opts *o);
void cfh_run_free(struct cfh_run *r);

/* The template a run works on (borrowed). */
struct cfh_template *cfh_run_template(const struct cfh_run *r);

/**
 * cfh_run_harden() - run the selected passes in registry order
 * @diag: filled in on failure
 *
 * Returns: 0, or -1 (out of memory, a pass failed); the changes made
 * before a failure stay recorded.
 */
int cfh_run_harden(struct cfh_run *r, struct cfh_diag *diag);

/* Change records, in the order the passes made them. */
enum cfh_op {
	CFH_OP_ADD,
	CFH_OP_REPLACE,
	CFH_OP_REMOVE,
	CFH_OP_ADVISORY,	/* found, not changed: needs a human decision */
};

struct cfh_change {
	const char *pass;	/* pass id (static) */
	enum cfh_severity severity;
	enum cfh_op op;
	char *path;		/* JSON Pointer into the output */
	char *resource;		/* logical ID, or NULL */
	json_t *old_value;	/* NULL for add and advisory */
	json_t *new_value;	/* NULL for remove and advisory */
	char *reason;		/* one line */
	bool replaces;		/* changing it replaces the deployed resource */
	json_t *replaced;	/* when it replaces: every resource replaced
				 * with it, as chains (src/replace.h) */
	int line, col;		/* where in the input (nearest original node) */
};

size_t cfh_run_change_count(const struct cfh_run *r);
const struct cfh_change *cfh_run_change_at(const struct cfh_run *r, size_t i);

/* Reports. A finding is what one pass did to one resource (or to one
 * entry of another section); it is made of one or more records. */
enum cfh_report_format {
	CFH_REPORT_JSON,	/* every record, with a summary */
	CFH_REPORT_MD,		/* the seed analyses' format */
	CFH_REPORT_SARIF,	/* SARIF 2.1.0, one result per finding, its
				 * part of the diff as its fix */
	CFH_REPORT_JSON_PATCH,	/* RFC 6902: input data -> output data */
	CFH_REPORT_DIFF,	/* unified diff of input and output text */
	CFH_REPORT_JUNIT,	/* JUnit XML, a testsuite per template and a
				 * testcase per finding */
};

/**
 * cfh_report() - render the change records
 * @input_name: the template's name as the user gave it
 * Returns: the report text (caller frees), or NULL when out of memory.
 */
char *cfh_report(struct cfh_run *r, enum cfh_report_format fmt,
		 const char *input_name);

/* Files. */

/**
 * cfh_read_file() - read a whole file, or standard input for "-"
 * @lenp: receives the length
 * @diag: filled in on failure (CFH_EXIT_IO)
 * Returns: the bytes, NUL-terminated (caller frees), or NULL.
 */
char *cfh_read_file(const char *path, size_t *lenp, struct cfh_diag *diag);

/**
 * cfh_write_file() - replace a file atomically
 *
 * Writes a temporary file in the same directory, flushes it to disk and
 * renames it over @path, keeping the old file's mode; a crash at any
 * moment leaves either the old file or the new one, never a mix.
 * Returns: 0, or -1 with @diag filled in (CFH_EXIT_IO).
 */
int cfh_write_file(const char *path, const char *data, size_t len,
		   struct cfh_diag *diag);

/**
 * cfh_replace_file() - cfh_write_file() for a file the program owns
 *
 * The same, except that whatever is at @path (a symbolic link, a FIFO) is
 * replaced by the rename, never followed or written through: for the
 * files of the trees --out-dir and --pairs-dir build.
 * Returns: 0, or -1 with @diag filled in (CFH_EXIT_IO).
 */
int cfh_replace_file(const char *path, const char *data, size_t len,
		     struct cfh_diag *diag);

/*
 * Several files that are written together or not at all (a template and
 * its reports): each is staged as a complete temporary file beside its
 * path, and only when every one is staged are they renamed into place.
 * A file that cannot be written leaves the others as they were, files
 * that existed before included. A device or FIFO cannot be staged: it is
 * written at commit, from @data, which must live until then.
 */
struct cfh_staged {
	char *path;		/* owned */
	char *tmp;		/* the staged file, or NULL for a device */
	const char *data;	/* a device's bytes (borrowed) */
	size_t len;
	FILE *f;		/* cfh_stage_stream(): where the bytes go
				 * (for a device, a scratch file) */
	int err;		/* the first write error's errno, or 0 */
	bool nosync;		/* not flushed on its own (cfh_replace_stream()) */
};

int cfh_stage_file(struct cfh_staged *s, const char *path, const char *data,
		   size_t len, struct cfh_diag *diag);
int cfh_commit_file(struct cfh_staged *s, struct cfh_diag *diag);
/* Remove what was staged and not committed; free @s's strings. */
void cfh_abort_file(struct cfh_staged *s);

/**
 * cfh_stage_stream() - stage a file that is written a piece at a time
 *
 * As cfh_stage_file(), except that the bytes are written by the caller
 * through @s->f as they come (a batch's reports, template by template),
 * so that they need not all be in memory. Then cfh_stage_close(), then
 * cfh_commit_file() (or cfh_abort_file() at any point). A device or FIFO
 * is written at commit, from a scratch file.
 * Returns: 0, or -1 with @diag filled in (CFH_EXIT_IO).
 */
int cfh_stage_stream(struct cfh_staged *s, const char *path,
		     struct cfh_diag *diag);
/* cfh_stage_stream() for a file of the trees --pairs-dir builds: what is
 * at @path is replaced, never followed, and the file is not flushed on
 * its own (cfh_write_file_nosync()). */
int cfh_replace_stream(struct cfh_staged *s, const char *path,
		       struct cfh_diag *diag);
/* Flush what was written through @s->f to the disk and close it.
 * Returns: 0, or -1 with @diag filled in (the first write error). */
int cfh_stage_close(struct cfh_staged *s, struct cfh_diag *diag);

/**
 * cfh_scratch_file() - an anonymous temporary file
 * @near: a path whose directory holds it (on the disk the result goes
 *	to), or NULL or "-" for the system's temporary directory
 *
 * Removed from its directory at once: nothing is left behind whatever
 * ends the process. Returns: the file, open for reading and writing, or
 * NULL with errno set.
 */
FILE *cfh_scratch_file(const char *near);

/**
 * cfh_write_file_nosync() - cfh_replace_file() without the flush to disk
 *
 * Still atomic against the process ending (a complete temporary file is
 * renamed), but a power loss soon after may leave the file empty: only
 * for outputs the next run writes again (--out-dir, --pairs-dir), whose
 * run ends with cfh_sync_tree().
 */
int cfh_write_file_nosync(const char *path, const char *data, size_t len,
			  struct cfh_diag *diag);

/* Flush the file system that holds @dir (syncfs(2)): once for a whole
 * tree of outputs instead of once per file. Returns: 0 or -1. */
int cfh_sync_tree(const char *dir);

/*
 * A staged file is named ".cfn-harden.<pid>.XXXXXX". Before the first file
 * a process stages in a directory, the directory is swept of those a run
 * that was killed left: names whose pid is no live process, and
 * old-style ".cfn-harden.XXXXXX" names not written for ten minutes.
 */

/**
 * cfh_signals_start() - remove staged files when the process is stopped
 *
 * Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every
 * thread it creates later: call it first in main(), before any other
 * thread exists. A thread of its own then waits for them, removes every
 * staged file not yet committed, and ends the process by the same signal
 * (exit status 128+signo). A signal ignored at start stays ignored (nohup).
 * Also ignores SIGXFSZ, so that a write past `ulimit -f` fails with EFBIG
 * and is reported like any other I/O error.
 * Returns: 0, or -1 when the thread cannot be created.
 */
int cfh_signals_start(void);

/**
 * cfh_signals_stop() - end what cfh_signals_start() and staging set up
 *
 * Stops the signal thread and frees the registry of staged files and the
 * set of swept directories. Call it last, when no file is staged; safe
 * without cfh_signals_start().
 */
void cfh_signals_stop(void);

/* The command-line tool, for src/main.c. */
struct cfh_report_req {
	enum cfh_report_format fmt;
	const char *path;
};

struct cfh_cli {
	const char *const *inputs;	/* templates ("-": standard input),
					 * or trees with @recursive */
	size_t ninputs;
	const char *output;	/* NULL: standard output */
	const struct cfh_report_req *reports;
	size_t nreports;
	const char *to;		/* "json", "yaml" or NULL */
	const char *config;	/* NULL: the nearest .cfn-harden.yaml */
	const char *out_dir;	/* mirror the inputs' tree here */
	const char *pairs_dir;	/* training pairs here */
	bool check, diff, recursive, in_place;
	bool quiet;		/* errors only on stderr */
	/* The --check gate: a change counts when its severity is at least
	 * @min_severity and its finding (template, pass, resource) is not
	 * in the @baseline file; @write_baseline writes the findings. */
	enum cfh_severity min_severity;
	const char *baseline, *write_baseline;
	int jobs;		/* parallel workers; 0: one per core */
	struct cfh_run_opts run;
};

/**
 * cfh_cli_run() - load, harden, write the templates and the reports
 *
 * One template: its output goes to standard output or --output. Several,
 * or trees (-r): a batch, run by parallel workers, whose outputs go to
 * --out-dir, back in place, or nowhere (--check, --diff), with a summary
 * at the end. Output bytes never depend on the number of workers.
 * Returns: an exit code (enum cfh_exit); diagnostics went to stderr.
 */
int cfh_cli_run(const struct cfh_cli *cli);

/* Print the registry (--list-passes) or one pass (--explain). */
int cfh_cli_list_passes(void);
int cfh_cli_explain(const char *id);
int cfh_cli_list_settings(void);

#endif

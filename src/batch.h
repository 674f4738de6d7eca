/* SPDX-License-Identifier: MIT */
/*
 * Private to the command's runner: the jobs and run state that batch.c
 * (finding templates, one template's job, workers, the entry point) and
 * batch_out.c (writing files and pairs, reports, the summary) share.
 *
 * Ownership: a struct run lives on cfh_cli_run()'s stack and owns its
 * jobs and configurations; a job owns every string, array and JSON value
 * it points to (released in batch.c's release()), except @conf, which the
 * run owns. The command line (@cli) is borrowed. Strings from dupf() and
 * diag_line() are the caller's to free.
 */
#ifndef CFH_BATCH_H
#define CFH_BATCH_H

/* dupf() needs vasprintf(), which glibc declares only for _GNU_SOURCE, and
 * that must be defined before the first header of the file. */
#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before including any header"
#endif

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cfharden.h"
#include "config.h"
#include "engine.h"

enum outcome {
	OUT_UNCHANGED,
	OUT_HARDENED,
	OUT_SKIPPED,		/* not a template, or excluded */
	OUT_FAILED,
};

/* A configuration and the run options it gives with the command line. */
struct conf {
	struct cfh_config *c;
	struct cfh_run_opts opts;
	struct cfh_opts *parsed;	/* NULL when @opts are not valid: */
	struct cfh_diag bad;		/* why, said for each template */
};

struct job {
	char *path;		/* as the user named it, or root/rel */
	char *rel;		/* under its root: what --out-dir mirrors */
	bool found;		/* found by walking: skipped unless a template */
	bool excluded;		/* skipped by its configuration's exclude */
	const struct conf *conf;
	/* results */
	enum outcome outcome;
	int code;
	char *error;		/* one line, ready to print */
	char *note;		/* one line for stderr that is no error */
	size_t changes, advisories;
	size_t gate;		/* --check: changes that fail the gate */
	json_t *findings;	/* --write-baseline: its findings, in order */
	size_t *by_pass;
	char *out;		/* single mode: the template for stdout */
	size_t outlen;
	char **text;		/* per report: md, diff, json-patch text */
	json_t **json;		/* per report: JSON report or SARIF results */
	char *diff;		/* --diff */
	char *replaced;		/* one line for stderr: what a deploy of the
				 * output would replace, or NULL */
	json_t *pair;		/* --pairs-dir: the pairs.jsonl line */
};

/*
 * A report of a batch, written as the jobs finish, in job order, into its
 * staged file (batch_out.c): only the report's framing and the small
 * state below stay in memory, not every template's part. A SARIF run's
 * results wait in a scratch file until it is known whether the log is
 * split into several runs, which only the count of results decides.
 */
struct rstream {
	struct cfh_staged st;	/* the report file; for "-", a scratch
				 * file in st.f, copied to stdout at the end */
	bool open;		/* st is staged (or st.f is the scratch) */
	bool oom;
	struct cfh_diag d;	/* why the file cannot be written */
	bool failed;
	size_t count;		/* JSON: templates; SARIF: results of the
				 * current run */
	/* SARIF */
	FILE *part;		/* the current run's results, as text */
	size_t total;		/* results so far */
	size_t parts;		/* parts numbered (automationDetails) */
	size_t runs;		/* runs written */
	json_t *group;		/* results of one template, not yet placed:
				 * a run holds whole templates */
	char *group_uri;
};

/* A directory of the command line, and the jobs its walk found:
 * @first to @end (exclusive) in the run's jobs. */
struct walked {
	const char *dir;	/* borrowed from the command line */
	size_t first, end;
};

/* The whole command: its jobs in the order given or found, and the queue
 * the workers take them from. */
struct run {
	const struct cfh_cli *cli;
	struct job *jobs;
	size_t njobs, cap;
	struct conf *confs;
	size_t nconfs;
	bool batch;
	size_t skipped_found;	/* non-template files seen while walking */
	json_t *baseline;	/* --baseline: finding keys, as a set */
	struct walked *walked;	/* one per directory argument */
	size_t nwalked;
	struct rstream *streams;	/* one per report, in a batch */
	bool streaming;		/* a batch with reports or --pairs-dir:
				 * jobs' parts are written in job order */
	/* pairs.jsonl of a batch, staged when the first job with a pair
	 * is written (its directory exists by then) */
	struct cfh_staged pairs;
	bool pairs_open, pairs_failed;
	/* the queue */
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	size_t next, done;
	/* Reports stream in job order: a job finished out of order waits
	 * in its struct job until those before it are written. Workers
	 * take no job more than @window past @emitted, which bounds that
	 * reorder buffer (emit_cond wakes them). */
	bool *finished;
	size_t emitted, window;
	bool emitting;
	pthread_cond_t emit_cond;
};

static inline char *dupf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* @s with every control character (a newline in a file name) shown as
 * '?': an error is one line, whatever the names in it. Returns @s. */
static inline char *one_line(char *s)
{
	char *p;

	for (p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

static inline char *diag_line(const char *file, const struct cfh_diag *d)
{
	if (d->line > 0)
		return one_line(dupf("%s:%d:%d: error: %s", file, d->line,
				     d->col, d->msg));
	return one_line(dupf("%s: error: %s", file, d->msg));
}

/* Writing (batch_out.c). Each returns 0, or -1 with the job's error and
 * code set. */

/* The output path of a template, @rel under @dir with --to's extension:
 * a string the caller frees, or NULL when out of memory. */
char *cfh_batch_out_name(const struct cfh_cli *cli, const char *dir,
			 const char *rel);
/* A job's file. @root: NULL for a path the user named (it must exist and
 * is written as cfh_write_file() does), or the --out-dir or --pairs-dir
 * @path is under: missing directories below it are made, and a symbolic
 * link among them, or at @path itself, is never written through. */
int cfh_batch_write_job_file(struct job *j, const char *root,
			     const char *path, const char *data, size_t len);
/* The job's --pairs-dir files, and its pairs.jsonl line in @j->pair. */
int cfh_batch_write_pair(struct run *r, struct job *j, struct cfh_run *hr,
			 const char *src, size_t len, const char *out,
			 size_t outlen);
/* The job's reports, rendered into @j->text and @j->json (-1 when out of
 * memory, with no error set: the caller says so). */
int cfh_batch_render_reports(struct run *r, struct job *j, struct cfh_run *t);

/* Before the workers, in a batch: stage each report file and write its
 * head. A file that cannot be staged is said at the end, as one that
 * cannot be written. Returns: 0, or -1 when out of memory. */
int cfh_batch_open_reports(struct run *r);

/* A job's part of each report, written after the parts of the jobs before
 * it, and freed: called once per job, in job order. */
void cfh_batch_emit(struct run *r, struct job *j);

/* Remove whatever report a batch has not put in place, and free them. */
void cfh_batch_close_reports(struct run *r);

/* Before the workers: two jobs that would write the same --out-dir file
 * or --pairs-dir directory (a.yaml and a.json under --to json; "a b.yaml"
 * and "a_b.yaml", whose pair ids are one) are a configuration error, each
 * said on one line, found before anything is written: which one survived
 * would depend on -j. Returns: 0, CFH_EXIT_USAGE, or CFH_EXIT_INTERNAL
 * (said) when out of memory. */
int cfh_batch_check_dests(struct run *r);

/* Load --baseline into r->baseline. Returns: 0, or an exit code (a file
 * that is not a baseline is a configuration error, 2), said on stderr. */
int cfh_batch_read_baseline(struct run *r);

/* After the workers: print outputs and errors, write the reports, the
 * pairs and a single template's output, print the summary.
 * Returns: the command's exit code. */
int cfh_batch_finish(struct run *r);

#endif

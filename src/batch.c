/* SPDX-License-Identifier: MIT */
/*
 * What the command does, behind src/main.c's option parsing: find the
 * templates, harden each one (in parallel for a batch), write outputs and
 * reports, and turn failures into one line on stderr and an exit code.
 *
 * Every template is a job. Workers take jobs in order and keep everything
 * a job produced in the job; the reports of a batch are appended to their
 * staged files as jobs finish, strictly in job order (emit_ready()), and
 * the main thread then prints and writes the summary in job order, so no
 * output byte depends on the number of workers or on scheduling. A job
 * writes its own files, each atomically (a complete staged file renamed
 * into place), after it rendered everything: bad input never leaves a
 * partial file, and a run killed at any moment leaves every file either
 * as it was or complete.
 *
 * What a job writes, the reports and the summary are in batch_out.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "config.h"
#include "engine.h"
#include "report.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* ---- finding templates ---- */

static bool template_ext(const char *name)
{
	return ends_with(name, ".json") || ends_with(name, ".yaml") ||
	       ends_with(name, ".yml") || ends_with(name, ".template");
}

/*
 * A template by content: AWSTemplateFormatVersion anywhere, or a Resources
 * key at the start of a line (YAML) or quoted (JSON). A file that says it
 * is a template but does not load is a failure, not a skip.
 */
static bool looks_like_template(const char *s)
{
	const char *p;

	if (strstr(s, "AWSTemplateFormatVersion") || strstr(s, "\"Resources\""))
		return true;
	for (p = s; (p = strstr(p, "Resources")); p++)
		if ((p == s || p[-1] == '\n') &&
		    p[9 + strspn(p + 9, " \t")] == ':')
			return true;
	return false;
}

static int add_job(struct run *r, const char *path, const char *rel,
		   bool found)
{
	struct job *j;

	if (r->njobs == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct job *v = realloc(r->jobs, cap * sizeof(*v));

		if (!v)
			return -1;
		r->jobs = v;
		r->cap = cap;
	}
	j = &r->jobs[r->njobs];
	memset(j, 0, sizeof(*j));
	j->path = strdup(path);
	j->rel = strdup(rel);
	j->found = found;
	if (!j->path || !j->rel) {
		free(j->path);
		free(j->rel);
		return -1;
	}
	r->njobs++;
	return 0;
}

/*
 * A directory or an entry the walk could not read: a job that failed
 * already (exit 4, one line, counted in the summary), so that the rest
 * of the tree is still hardened and nothing is skipped in silence (a path
 * past PATH_MAX, a directory without permission).
 */
static int add_unreadable(struct run *r, const char *path, const char *rel,
			  const char *what, int err)
{
	struct job *j;

	if (add_job(r, path, rel, true))
		return -1;
	j = &r->jobs[r->njobs - 1];
	j->outcome = OUT_FAILED;
	j->code = CFH_EXIT_IO;
	j->error = one_line(dupf("%s: error: cannot read the %s: %s", path,
				 what, strerror(err)));
	return j->error ? 0 : -1;
}

/* Is the directory @st the one at @path (by device and inode)? */
static bool same_dir(const struct stat *st, const char *path)
{
	struct stat o;

	return path && !stat(path, &o) && S_ISDIR(o.st_mode) &&
	       o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

/* Depth first, names sorted: the same tree gives the same job order.
 * Hidden directories (.git) are not entered; symbolic links are not
 * followed, so a link cycle cannot loop. Returns 0, or -1 when out of
 * memory. */
static int walk(struct run *r, const char *root, const char *rel)
{
	struct dirent **names = NULL;
	char *dir = *rel ? dupf("%s/%s", root, rel) : strdup(root);
	int n, i, rc = 0;

	if (!dir)
		return -1;
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		rc = add_unreadable(r, dir, rel, "directory", errno);
		free(dir);
		return rc;
	}
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *p = NULL, *sub = NULL;
		struct stat st;

		if (name[0] == '.' || rc)
			goto next;
		p = dupf("%s/%s", dir, name);
		sub = *rel ? dupf("%s/%s", rel, name) : strdup(name);
		if (!p || !sub) {
			rc = -1;
			goto next;
		}
		if (lstat(p, &st)) {
			rc = add_unreadable(r, p, sub, "directory entry",
					    errno);
			goto next;
		}
		/* The run's own --out-dir or --pairs-dir inside the tree
		 * holds its outputs, not templates to harden. */
		if (S_ISDIR(st.st_mode) && (same_dir(&st, r->cli->out_dir) ||
					    same_dir(&st, r->cli->pairs_dir)))
			goto next;
		if (S_ISDIR(st.st_mode))
			rc = walk(r, root, sub);
		else if (S_ISREG(st.st_mode) && template_ext(name))
			rc = add_job(r, p, sub, true);
		else if (S_ISREG(st.st_mode))
			r->skipped_found++;
next:
		free(p);
		free(sub);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

/* The configuration of a template: --config, or the nearest file, each
 * loaded once. Returns NULL and prints why when a file is bad. */
static const struct conf *conf_for(struct run *r, const char *path, int *rc)
{
	char *found = r->cli->config ? strdup(r->cli->config)
				     : cfh_config_find(path);
	struct cfh_config *c = NULL;
	struct cfh_diag d;
	struct conf *v;
	size_t i;

	for (i = 0; i < r->nconfs; i++) {
		const char *have = r->confs[i].c ? r->confs[i].c->path : NULL;

		if ((!have && !found) || (have && found && !strcmp(have, found))) {
			free(found);
			return &r->confs[i];
		}
	}
	if (found) {
		c = cfh_config_load(found, &d);
		if (!c) {
			char *line = diag_line(found, &d);

			fprintf(stderr, "%s\n", line ? line : d.msg);
			free(line);
			free(found);
			*rc = d.code ? (int)d.code : CFH_EXIT_INTERNAL;
			return NULL;
		}
	}
	free(found);
	v = realloc(r->confs, (r->nconfs + 1) * sizeof(*v));
	if (!v) {
		cfh_config_free(c);
		*rc = CFH_EXIT_INTERNAL;
		return NULL;
	}
	r->confs = v;
	v[r->nconfs].c = c;
	if (cfh_config_run(c, &r->cli->run, &v[r->nconfs].opts)) {
		cfh_config_free(c);
		*rc = CFH_EXIT_INTERNAL;
		return NULL;
	}
	/* Parsed and checked once for all the templates under it. */
	v[r->nconfs].parsed = cfh_opts_new(&v[r->nconfs].opts,
					   &v[r->nconfs].bad);
	return &r->confs[r->nconfs++];
}

/* ---- one template ---- */

/*
 * What a deploy of the output would replace, said on stderr as well as in
 * the reports: it is what a reviewer must not miss. Only a new stack's
 * run replaces anything (a deployed stack's declines it).
 */
static int replaced_line(struct job *j, const struct cfh_run *hr,
			 const char *name)
{
	json_t *list = cfh_report_replaced(hr), *x;
	struct cfh_buf b;
	size_t i;

	if (!list)
		return -1;
	if (!json_array_size(list)) {
		json_decref(list);
		return 0;
	}
	cfh_buf_init(&b);
	cfh_buf_addf(&b, "%s: note: a deploy over an earlier version replaces "
		     "%zu resource%s: ",
		     name, json_array_size(list),
		     json_array_size(list) == 1 ? "" : "s");
	json_array_foreach(list, i, x)
		cfh_buf_addf(&b, "%s%s", i ? "; " : "",
			     json_string_value(json_object_get(x, "because")));
	json_decref(list);
	j->replaced = cfh_buf_steal(&b, NULL);
	return j->replaced ? 0 : -1;
}

/* A finding, as a baseline names it: the template as the command line
 * or the walk named it, the pass and the resource (none: ""). */
static char *finding_key(const struct job *j, const struct cfh_change *c)
{
	return dupf("%s\t%s\t%s", j->path, c->pass,
		    c->resource ? c->resource : "");
}

/* Count change @c for the --check gate, and note its finding for
 * --write-baseline. Several edits of one finding are one finding. */
static int gate_finding(struct run *r, struct job *j,
			const struct cfh_change *c)
{
	const struct cfh_cli *cli = r->cli;
	char *key;
	int rc = 0;

	if ((int)c->severity > (int)cli->min_severity)
		return 0;
	if (!r->baseline && !cli->write_baseline) {
		j->gate++;
		return 0;
	}
	key = finding_key(j, c);
	if (!key)
		return -1;
	/* What a run writes to its baseline, it accepts. */
	if (!cli->write_baseline &&
	    (!r->baseline || !json_object_get(r->baseline, key)))
		j->gate++;
	if (cli->write_baseline) {
		if (!j->findings)
			j->findings = json_object();
		rc = !j->findings ||
		     json_object_set_new(j->findings, key, json_pack(
			     "{s:s, s:s, s:s}", "template", j->path, "pass",
			     c->pass, "resource", c->resource ? c->resource
							      : ""));
	}
	free(key);
	return rc ? -1 : 0;
}

static void harden_job(struct run *r, struct job *j)
{
	const struct cfh_cli *cli = r->cli;
	const char *name = strcmp(j->path, "-") ? j->path : "<stdin>";
	struct cfh_template *t = NULL;
	struct cfh_run *hr = NULL;
	struct cfh_diag d;
	char *src = NULL, *out = NULL, *dest = NULL;
	const char *in = NULL;	/* the input's bytes, once loaded */
	size_t len, outlen = 0, i;

	j->outcome = OUT_FAILED;
	j->code = CFH_EXIT_INTERNAL;
	src = cfh_read_file(j->path, &len, &d);
	if (!src) {
		j->code = d.code;
		j->error = diag_line(name, &d);
		goto out;
	}
	if (j->found && !looks_like_template(src)) {
		j->outcome = OUT_SKIPPED;
		j->code = 0;
		goto out;
	}
	if (!j->conf->parsed) {
		d = j->conf->bad;
		j->code = d.code ? (int)d.code : CFH_EXIT_INTERNAL;
		j->error = diag_line("cfn-harden", &d);
		goto out;
	}
	t = cfh_template_load(src, len, name, &d);
	/* The template keeps its own copy of the bytes: one is enough. */
	if (t) {
		free(src);
		src = NULL;
		in = t->src;
	}
	if (t && !(hr = cfh_run_new(t, j->conf->parsed))) {
		d.code = CFH_EXIT_INTERNAL;
		snprintf(d.msg, sizeof(d.msg), "out of memory");
	}
	if (!hr || cfh_run_harden(hr, &d)) {
		j->code = d.code ? (int)d.code : CFH_EXIT_INTERNAL;
		j->error = diag_line(d.code == CFH_EXIT_USAGE ? "cfn-harden"
							      : name,
				     &d);
		goto out;
	}
	for (i = 0; i < cfh_run_change_count(hr); i++) {
		const struct cfh_change *c = cfh_run_change_at(hr, i);
		size_t k;

		if (c->op == CFH_OP_ADVISORY) {
			j->advisories++;
			continue;
		}
		j->changes++;
		if (gate_finding(r, j, c))
			goto oom;
		for (k = 0; k < cfh_pass_count(); k++)
			if (!strcmp(cfh_pass_at(k)->id, c->pass))
				j->by_pass[k]++;
	}
	if (replaced_line(j, hr, name))
		goto oom;
	/* A tag with no long form cannot be written in another format. */
	if (cli->to && cfh_template_convertible(t, &d)) {
		j->code = d.code;
		j->error = diag_line(name, &d);
		goto out;
	}
	if (cli->to)
		out = cfh_template_convert(t, strcmp(cli->to, "json")
						      ? CFH_FORMAT_YAML
						      : CFH_FORMAT_JSON,
					   &outlen);
	else
		out = cfh_template_print(t, &outlen);
	/* The reports place their fixes in this very text: printed once. */
	if (out && !cli->to) {
		hr->printed = out;
		hr->printed_len = outlen;
	}
	if (!out || cfh_batch_render_reports(r, j, hr))
		goto oom;
	hr->printed = NULL;
	if (cli->diff) {
		j->diff = cfh_diff(in, len, out, outlen, j->path);
		if (!j->diff)
			goto oom;
	}
	/* Everything is rendered: only now touch the file system. */
	if (cli->check || cli->diff) {
		/* nothing to write */
	} else if (cli->out_dir) {
		dest = cfh_batch_out_name(cli, cli->out_dir, j->rel);
		if (!dest ||
		    cfh_batch_write_job_file(j, cli->out_dir, dest, out,
					     outlen))
			goto fail;
	} else if (cli->in_place) {
		if ((outlen != len || memcmp(out, in, len)) &&
		    cfh_batch_write_job_file(j, NULL, j->path, out, outlen))
			goto fail;
	} else if (!r->batch && !cli->pairs_dir) {
		/* Written by cfh_batch_finish(), after the reports. */
		j->out = out;
		j->outlen = outlen;
		out = NULL;
	}
	if (cli->pairs_dir &&
	    cfh_batch_write_pair(r, j, hr, in, len, out, outlen))
		goto fail;
	j->outcome = j->changes ? OUT_HARDENED : OUT_UNCHANGED;
	j->code = 0;
	goto out;
oom:
	j->error = one_line(dupf("%s: error: out of memory", name));
fail:
	j->outcome = OUT_FAILED;
	if (!j->code)
		j->code = CFH_EXIT_INTERNAL;
out:
	free(dest);
	free(out);
	cfh_run_free(hr);
	cfh_template_free(t);
	free(src);
}

/* ---- workers ---- */

/*
 * With r->lock held: write the reports' parts of every finished job at
 * the head of the order. One worker at a time writes (@emitting); one
 * that finishes a job meanwhile leaves it to that one, which looks again
 * before it stops. The lock is let go while a job is written.
 */
static void emit_ready(struct run *r)
{
	if (r->emitting)
		return;
	r->emitting = true;
	while (r->emitted < r->njobs && r->finished[r->emitted]) {
		struct job *j = &r->jobs[r->emitted];

		pthread_mutex_unlock(&r->lock);
		cfh_batch_emit(r, j);
		pthread_mutex_lock(&r->lock);
		r->emitted++;
		pthread_cond_broadcast(&r->emit_cond);
	}
	r->emitting = false;
}

static void *worker(void *arg)
{
	struct run *r = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		/* Not too far ahead of the reports: what a finished job
		 * holds until it is written is bounded by the window. */
		while (r->streaming && r->next < r->njobs &&
		       r->next >= r->emitted + r->window)
			pthread_cond_wait(&r->emit_cond, &r->lock);
		i = r->next < r->njobs ? r->next++ : r->njobs;
		pthread_mutex_unlock(&r->lock);
		if (i == r->njobs)
			return NULL;
		/* Settled already: excluded by its configuration, or a
		 * directory that could not be read. */
		if (r->jobs[i].outcome != OUT_SKIPPED &&
		    r->jobs[i].outcome != OUT_FAILED)
			harden_job(r, &r->jobs[i]);
		pthread_mutex_lock(&r->lock);
		r->done++;
		pthread_cond_signal(&r->done_cond);
		if (r->streaming) {
			r->finished[i] = true;
			emit_ready(r);
		}
		pthread_mutex_unlock(&r->lock);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* done/total, rate and ETA on one line, redrawn; only on a terminal. */
static void progress(struct run *r, double start, bool final)
{
	double el = now() - start, rate = el > 0 ? (double)r->done / el : 0;

	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[K%zu/%zu templates, %.0f/s", r->done, r->njobs,
		rate);
	if (rate > 0 && r->done < r->njobs)
		fprintf(stderr, ", ETA %.0fs",
			(double)(r->njobs - r->done) / rate);
	fflush(stderr);
}

static int run_jobs(struct run *r)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = r->cli->jobs > 0 ? (size_t)r->cli->jobs
				    : cores > 0 ? (size_t)cores : 1, i;
	bool tty = r->batch && !r->cli->quiet && isatty(STDERR_FILENO);
	pthread_t *th;
	double start = now(), shown = 0;

	if (n > r->njobs)
		n = r->njobs;
	/* Twice the workers: a slow template holds back the reports of at
	 * most this many that finished after it. */
	r->window = 2 * (n ? n : 1);
	if (n <= 1 && !tty) {
		worker(r);
		return 0;
	}
	th = calloc(n, sizeof(*th));
	if (!th)
		return -1;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, worker, r))
			break;
	if (!i) {
		free(th);
		worker(r);
		return 0;
	}
	n = i;
	pthread_mutex_lock(&r->lock);
	while (r->done < r->njobs) {
		struct timespec ts;

		/* Redrawn five times a second, not once per template. */
		if (tty && now() - shown >= 0.2) {
			shown = now();
			progress(r, start, false);
		}
		if (tty) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&r->done_cond, &r->lock, &ts);
		} else {
			pthread_cond_wait(&r->done_cond, &r->lock);
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (tty)
		progress(r, start, true);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
	return 0;
}

/* ---- entry ---- */

static int usage(const char *msg)
{
	fprintf(stderr, "cfn-harden: error: %s\n", msg);
	return CFH_EXIT_USAGE;
}

/* The command line's options, checked once before any file is read: a
 * typo in --only is an error, not a silent no-op per template. */
static int check_options(const struct cfh_cli *cli)
{
	struct cfh_diag d;
	struct cfh_opts *o = cfh_opts_new(&cli->run, &d);

	if (o) {
		cfh_opts_free(o);
		return 0;
	}
	fprintf(stderr, "cfn-harden: error: %s\n", d.msg);
	return d.code;
}

/*
 * A template named on the command line that its configuration excludes:
 * the exclusion holds (a pre-commit hook names every file it sees), and
 * stderr says so. A lone template written to standard output or -o is
 * written unchanged, so that a pipeline gets the template, not nothing.
 */
static int keep_excluded(struct run *r, struct job *j)
{
	const struct cfh_cli *cli = r->cli;
	struct cfh_diag d;

	j->note = one_line(dupf("%s: note: excluded by its configuration "
				"(.cfn-harden.yaml): not hardened",
				strcmp(j->path, "-") ? j->path : "<stdin>"));
	if (!j->note)
		return -1;
	/* r->batch is not known yet: collect() is still at work. */
	if (cli->recursive || cli->ninputs > 1 || cli->check || cli->diff ||
	    cli->in_place || cli->out_dir || cli->pairs_dir)
		return 0;
	j->out = cfh_read_file(j->path, &j->outlen, &d);
	if (!j->out) {
		j->outcome = OUT_FAILED;
		j->code = d.code;
		j->error = diag_line(j->path, &d);
	}
	return 0;
}

static int collect(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	size_t i;
	int rc = 0;

	r->walked = calloc(cli->ninputs, sizeof(*r->walked));
	if (!r->walked)
		return CFH_EXIT_INTERNAL;
	for (i = 0; i < cli->ninputs && !rc; i++) {
		const char *in = cli->inputs[i];
		struct stat st;

		if (strcmp(in, "-") && !stat(in, &st) && S_ISDIR(st.st_mode)) {
			struct walked *w = &r->walked[r->nwalked++];

			if (!cli->recursive) {
				fprintf(stderr, "%s: error: is a directory "
						"(use -r to harden a tree)\n",
					in);
				return CFH_EXIT_USAGE;
			}
			w->dir = in;
			w->first = r->njobs;
			rc = walk(r, in, "");
			w->end = r->njobs;
		} else {
			const char *base = strrchr(in, '/');

			/* Under -r a file named is one found: skipped unless
			 * it is a template (a pre-commit hook names every
			 * YAML file of a change). */
			rc = add_job(r, in, base ? base + 1 : in,
				     cli->recursive && strcmp(in, "-"));
		}
	}
	if (rc)
		return CFH_EXIT_INTERNAL;
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		/* An unreadable directory has no configuration to find. */
		if (j->outcome == OUT_FAILED)
			goto alloc;
		if (!strcmp(j->path, "-")) {
			j->conf = conf_for(r, "./-", &rc);
		} else {
			j->conf = conf_for(r, j->path, &rc);
		}
		if (!j->conf)
			return rc;
		if (j->conf->c && cfh_config_excludes(j->conf->c, j->path)) {
			j->outcome = OUT_SKIPPED;
			j->excluded = true;
			/* Named on the command line, it is no silent skip. */
			if (!j->found && keep_excluded(r, j))
				return CFH_EXIT_INTERNAL;
		}
alloc:
		j->by_pass = calloc(cfh_pass_count(), sizeof(*j->by_pass));
		j->text = calloc(cli->nreports + 1, sizeof(*j->text));
		j->json = calloc(cli->nreports + 1, sizeof(*j->json));
		if (!j->by_pass || !j->text || !j->json)
			return CFH_EXIT_INTERNAL;
	}
	return 0;
}

static void release(struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		for (k = 0; k < r->cli->nreports; k++) {
			if (j->text)
				free(j->text[k]);
			if (j->json)
				json_decref(j->json[k]);
		}
		free(j->text);
		free(j->json);
		free(j->by_pass);
		free(j->error);
		free(j->note);
		json_decref(j->findings);
		free(j->out);
		free(j->diff);
		free(j->replaced);
		json_decref(j->pair);
		free(j->path);
		free(j->rel);
	}
	for (i = 0; i < r->nconfs; i++) {
		cfh_config_free(r->confs[i].c);
		cfh_opts_free(r->confs[i].parsed);
	}
	cfh_batch_close_reports(r);
	free(r->finished);
	free(r->confs);
	free(r->jobs);
	free(r->walked);
	json_decref(r->baseline);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->done_cond);
	pthread_cond_destroy(&r->emit_cond);
}

int cfh_cli_run(const struct cfh_cli *cli)
{
	struct run r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.cli = cli;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.done_cond, NULL);
	pthread_cond_init(&r.emit_cond, NULL);
	rc = check_options(cli);
	if (!rc)
		rc = collect(&r);
	if (rc)
		goto out;
	r.batch = cli->recursive || cli->ninputs > 1;
	if (r.batch && cli->output) {
		rc = usage("--output takes one template; use --out-dir for "
			   "several");
		goto out;
	}
	if (r.batch && !cli->check && !cli->diff && !cli->in_place &&
	    !cli->out_dir && !cli->pairs_dir && !cli->nreports) {
		rc = usage("several templates need --out-dir, --in-place, "
			   "--check, --diff, --pairs-dir or --report");
		goto out;
	}
	for (i = 0; i < cli->nreports; i++)
		if (r.batch && cli->reports[i].fmt == CFH_REPORT_JSON_PATCH) {
			rc = usage("a JSON Patch report takes one template");
			goto out;
		}
	rc = cfh_batch_check_dests(&r);
	if (!rc && cli->baseline)
		rc = cfh_batch_read_baseline(&r);
	if (rc)
		goto out;
	/* A batch streams its reports and pairs.jsonl: the file of each
	 * report is staged now and written as the templates finish. */
	r.streaming = r.batch && (cli->nreports || cli->pairs_dir);
	if (r.streaming &&
	    (!(r.finished = calloc(r.njobs + 1, sizeof(*r.finished))) ||
	     cfh_batch_open_reports(&r))) {
		fprintf(stderr, "cfn-harden: error: out of memory\n");
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	if (run_jobs(&r)) {
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	rc = cfh_batch_finish(&r);
out:
	release(&r);
	return rc;
}

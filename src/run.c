/* SPDX-License-Identifier: MIT */
/*
 * What the command does, behind src/main.c's option parsing: find the
 * templates, harden each one (in parallel for a batch), write outputs and
 * reports, and turn failures into one line on stderr and an exit code.
 *
 * Every template is a job. Workers take jobs in order and keep everything
 * a job produced in the job; the main thread then prints, assembles the
 * reports and the summary in job order, so no output byte depends on the
 * number of workers or on scheduling. A job writes its own files, each
 * atomically (cfh_write_file), after it rendered everything: bad input
 * never leaves a partial file, and a run killed at any moment leaves every
 * file either as it was or complete.
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

#include "config.h"
#include "engine.h"
#include "report.h"

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
};

struct job {
	char *path;		/* as the user named it, or root/rel */
	char *rel;		/* under its root: what --out-dir mirrors */
	bool found;		/* found by walking: skipped unless a template */
	const struct conf *conf;
	/* results */
	enum outcome outcome;
	int code;
	char *error;		/* one line, ready to print */
	size_t changes, advisories;
	size_t *by_pass;
	char *out;		/* single mode: the template for stdout */
	size_t outlen;
	char **text;		/* per report: md, diff, json-patch text */
	json_t **json;		/* per report: JSON report or SARIF results */
	char *diff;		/* --diff */
	json_t *pair;		/* --pairs-dir: the pairs.jsonl line */
};

struct run {
	const struct cfh_cli *cli;
	struct job *jobs;
	size_t njobs, cap;
	struct conf *confs;
	size_t nconfs;
	bool batch;
	size_t skipped_found;	/* non-template files seen while walking */
	/* the queue */
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	size_t next, done;
};

static char *dupf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *diag_line(const char *file, const struct cfh_diag *d)
{
	if (d->line > 0)
		return dupf("%s:%d:%d: error: %s", file, d->line, d->col,
			    d->msg);
	return dupf("%s: error: %s", file, d->msg);
}

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

/* Depth first, names sorted: the same tree gives the same job order.
 * Hidden directories (.git) are not entered; symbolic links are not
 * followed, so a link cycle cannot loop. */
static int walk(struct run *r, const char *root, const char *rel)
{
	struct dirent **names = NULL;
	char *dir = *rel ? dupf("%s/%s", root, rel) : strdup(root);
	int n, i, rc = 0;

	if (!dir)
		return -1;
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: error: cannot read the directory: %s\n",
			dir, strerror(errno));
		free(dir);
		return -2;
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
		if (lstat(p, &st))
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
	return &r->confs[r->nconfs++];
}

/* ---- one template ---- */

/* mkdir -p of the directory part of @path. */
static int make_parents(char *path)
{
	char *s;

	for (s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0777) && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* The file name an output gets: the input's, with the extension of
 * --to's format when it changes. */
static char *out_name(const struct cfh_cli *cli, const char *dir,
		      const char *rel)
{
	const char *dot = strrchr(rel, '.');
	const char *slash = strrchr(rel, '/');

	if (!cli->to || !dot || (slash && dot < slash))
		return dupf("%s/%s", dir, rel);
	return dupf("%s/%.*s.%s", dir, (int)(dot - rel), rel, cli->to);
}

/* @mkdirs: create missing directories, for the trees --out-dir and
 * --pairs-dir build; a path the user named must exist. */
static int write_job_file(struct job *j, const char *path, const char *data,
			  size_t len, bool mkdirs)
{
	struct cfh_diag d;
	char *p = strdup(path);

	if (!p || (mkdirs && make_parents(p))) {
		j->error = dupf("%s: error: cannot create the directory of "
				"'%s': %s", j->path, path, strerror(errno));
		j->code = CFH_EXIT_IO;
		free(p);
		return -1;
	}
	free(p);
	if (cfh_write_file(path, data, len, &d)) {
		j->error = diag_line(path, &d);
		j->code = CFH_EXIT_IO;
		return -1;
	}
	return 0;
}

/* A name for the job's pair directory: its path under the root, with
 * every character that is not a letter, digit, '-', '_' or '.' as '_'. */
static char *pair_id(const struct job *j)
{
	char *id = strdup(j->rel), *s;

	for (s = id; s && *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			*s = '_';
	return id;
}

static int write_pair(struct run *r, struct job *j, struct cfh_template *t,
		      const char *src, size_t len, const char *out,
		      size_t outlen)
{
	const struct cfh_cli *cli = r->cli;
	const char *ext = cli->to ? cli->to : t->conv.json ? "json" : "yaml";
	char *id = pair_id(j), *md = NULL, *a = NULL, *b = NULL, *c = NULL;
	json_t *findings = json_array();
	size_t i;
	int rc = -1;

	if (!id || !findings)
		goto out;
	md = cfh_report(t, CFH_REPORT_MD, j->rel);
	a = dupf("%s/%s/MODEL_RESPONSE.%s", cli->pairs_dir, id,
		 t->conv.json ? "json" : "yaml");
	b = dupf("%s/%s/IDEAL_RESPONSE.%s", cli->pairs_dir, id, ext);
	c = dupf("%s/%s/MODEL_FAILURES.md", cli->pairs_dir, id);
	if (!md || !a || !b || !c)
		goto out;
	if (write_job_file(j, a, src, len, true) ||
	    write_job_file(j, b, out, outlen, true) ||
	    write_job_file(j, c, md, strlen(md), true))
		goto out;
	for (i = 0; i < cfh_template_change_count(t); i++) {
		const struct cfh_change *ch = cfh_template_change_at(t, i);

		json_array_append_new(
			findings,
			json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:b}", "pass",
				  ch->pass, "severity",
				  cfh_severity_name(ch->severity), "op",
				  ch->op == CFH_OP_ADVISORY ? "advisory"
							    : "change",
				  "resource", ch->resource, "path", ch->path,
				  "reason", ch->reason, "replaces",
				  ch->replaces));
	}
	j->pair = json_pack("{s:s, s:s, s:s, s:s%, s:s%, s:O}", "id", id,
			    "source", j->path, "format",
			    t->conv.json ? "json" : "yaml", "before", src, len,
			    "after", out, outlen, "findings", findings);
	rc = j->pair ? 0 : -1;
out:
	json_decref(findings);
	free(id);
	free(md);
	free(a);
	free(b);
	free(c);
	return rc;
}

static int render_reports(struct run *r, struct job *j, struct cfh_template *t)
{
	const struct cfh_cli *cli = r->cli;
	size_t i;

	for (i = 0; i < cli->nreports; i++) {
		switch (cli->reports[i].fmt) {
		case CFH_REPORT_JSON:
			j->json[i] = cfh_report_value(t, j->path);
			if (!j->json[i])
				return -1;
			break;
		case CFH_REPORT_SARIF:
			j->json[i] = cfh_sarif_results(t, j->path);
			if (!j->json[i])
				return -1;
			break;
		default:
			j->text[i] = cfh_report(t, cli->reports[i].fmt, j->path);
			if (!j->text[i])
				return -1;
		}
	}
	return 0;
}

static void harden_job(struct run *r, struct job *j)
{
	const struct cfh_cli *cli = r->cli;
	const char *name = strcmp(j->path, "-") ? j->path : "<stdin>";
	struct cfh_template *t = NULL;
	struct cfh_diag d;
	char *src = NULL, *out = NULL, *dest = NULL;
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
	t = cfh_template_load(src, len, name, &d);
	if (!t || cfh_template_harden(t, &j->conf->opts, &d)) {
		j->code = d.code ? (int)d.code : CFH_EXIT_INTERNAL;
		j->error = diag_line(d.code == CFH_EXIT_USAGE ? "cfn-harden"
							      : name,
				     &d);
		goto out;
	}
	for (i = 0; i < cfh_template_change_count(t); i++) {
		const struct cfh_change *c = cfh_template_change_at(t, i);
		size_t k;

		if (c->op == CFH_OP_ADVISORY) {
			j->advisories++;
			continue;
		}
		j->changes++;
		for (k = 0; k < cfh_pass_count(); k++)
			if (!strcmp(cfh_pass_at(k)->id, c->pass))
				j->by_pass[k]++;
	}
	if (cli->to)
		out = cfh_template_convert(t, strcmp(cli->to, "json")
						      ? CFH_FORMAT_YAML
						      : CFH_FORMAT_JSON,
					   &outlen);
	else
		out = cfh_template_print(t, &outlen);
	if (!out || render_reports(r, j, t))
		goto oom;
	if (cli->diff) {
		j->diff = cfh_diff(src, len, out, outlen, j->path);
		if (!j->diff)
			goto oom;
	}
	/* Everything is rendered: only now touch the file system. */
	if (cli->check || cli->diff) {
		/* nothing to write */
	} else if (cli->out_dir) {
		dest = out_name(cli, cli->out_dir, j->rel);
		if (!dest || write_job_file(j, dest, out, outlen, true))
			goto fail;
	} else if (cli->in_place) {
		if ((outlen != len || memcmp(out, src, len)) &&
		    write_job_file(j, j->path, out, outlen, false))
			goto fail;
	} else if (!r->batch && !cli->pairs_dir) {
		/* Written by finish(), after the reports. */
		j->out = out;
		j->outlen = outlen;
		out = NULL;
	}
	if (cli->pairs_dir && write_pair(r, j, t, src, len, out, outlen))
		goto fail;
	j->outcome = j->changes ? OUT_HARDENED : OUT_UNCHANGED;
	j->code = 0;
	goto out;
oom:
	j->error = dupf("%s: error: out of memory", name);
fail:
	j->outcome = OUT_FAILED;
	if (!j->code)
		j->code = CFH_EXIT_INTERNAL;
out:
	free(dest);
	free(out);
	cfh_template_free(t);
	free(src);
}

/* ---- workers ---- */

static void *worker(void *arg)
{
	struct run *r = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		i = r->next < r->njobs ? r->next++ : r->njobs;
		pthread_mutex_unlock(&r->lock);
		if (i == r->njobs)
			return NULL;
		/* Skipped already: excluded by its configuration. */
		if (r->jobs[i].outcome != OUT_SKIPPED)
			harden_job(r, &r->jobs[i]);
		pthread_mutex_lock(&r->lock);
		r->done++;
		pthread_cond_signal(&r->done_cond);
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
	bool tty = r->batch && isatty(STDERR_FILENO);
	pthread_t *th;
	double start = now(), shown = 0;

	if (n > r->njobs)
		n = r->njobs;
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

/* ---- reports and summary ---- */

static char *join_reports(struct run *r, size_t k)
{
	enum cfh_report_format fmt = r->cli->reports[k].fmt;
	json_t *all;
	struct cfh_buf b;
	size_t i;

	if (fmt == CFH_REPORT_JSON && !r->batch)
		return r->njobs && r->jobs[0].json[k]
			       ? cfh_json_dump_take(json_incref(r->jobs[0].json[k]))
			       : NULL;
	if (fmt == CFH_REPORT_JSON || fmt == CFH_REPORT_SARIF) {
		all = json_array();
		for (i = 0; all && i < r->njobs; i++) {
			json_t *v = r->jobs[i].json[k];

			if (!v)
				continue;
			if (fmt == CFH_REPORT_SARIF)
				json_array_extend(all, v);
			else
				json_array_append(all, v);
		}
		if (fmt == CFH_REPORT_SARIF)
			return cfh_json_dump_take(cfh_sarif_log_take(all));
		return cfh_json_dump_take(json_pack(
			"{s:s, s:s, s:o}", "tool", "cfn-harden", "version",
			CFH_VERSION, "templates", all));
	}
	cfh_buf_init(&b);
	cfh_buf_adds(&b, "");
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].text[k])
			cfh_buf_adds(&b, r->jobs[i].text[k]);
	return cfh_buf_steal(&b, NULL);
}

static void summary(struct run *r)
{
	size_t count[4] = { 0 }, i, k, total;

	for (i = 0; i < r->njobs; i++)
		count[r->jobs[i].outcome]++;
	fprintf(stderr,
		"\n%-10s %8s\n%-10s %8zu\n%-10s %8zu\n%-10s %8zu\n%-10s %8zu\n",
		"templates", "count", "hardened", count[OUT_HARDENED],
		"unchanged", count[OUT_UNCHANGED], "skipped",
		count[OUT_SKIPPED] + r->skipped_found, "failed",
		count[OUT_FAILED]);
	fprintf(stderr, "\n%-18s %8s\n", "pass", "changes");
	for (k = 0; k < cfh_pass_count(); k++) {
		for (total = 0, i = 0; i < r->njobs; i++)
			total += r->jobs[i].by_pass ? r->jobs[i].by_pass[k] : 0;
		if (total)
			fprintf(stderr, "%-18s %8zu\n", cfh_pass_at(k)->id,
				total);
	}
}

static bool to_stdout(const struct cfh_cli *cli)
{
	return !cli->output || !strcmp(cli->output, "-");
}

static int finish(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	int rc = 0;
	size_t i, would = 0;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->error)
			fprintf(stderr, "%s\n", j->error);
		if (j->outcome == OUT_FAILED && !rc)
			rc = j->code ? j->code : CFH_EXIT_INTERNAL;
		if (j->out && to_stdout(cli) &&
		    (fwrite(j->out, 1, j->outlen, stdout) != j->outlen ||
		     fflush(stdout))) {
			fprintf(stderr, "cfn-harden: error: cannot write the "
					"output\n");
			rc = CFH_EXIT_IO;
		}
		if (j->diff)
			fputs(j->diff, stdout);
		if (cli->check && j->changes) {
			would++;
			if (r->batch)
				printf("%s: %zu change%s needed\n", j->path,
				       j->changes, j->changes == 1 ? "" : "s");
			else
				fprintf(stderr, "%s: %zu change%s needed\n",
					strcmp(j->path, "-") ? j->path
							     : "<stdin>",
					j->changes, j->changes == 1 ? "" : "s");
		}
	}
	/* Reports cover the templates that worked; none is written when the
	 * only template failed. */
	for (i = 0; i < cli->nreports && (r->batch || !rc); i++) {
		char *text = join_reports(r, i);
		struct cfh_diag d;

		if (!text) {
			fprintf(stderr, "cfn-harden: error: out of memory\n");
			rc = CFH_EXIT_INTERNAL;
			break;
		}
		if (!strcmp(cli->reports[i].path, "-"))
			fputs(text, stdout);
		else if (cfh_write_file(cli->reports[i].path, text,
					strlen(text), &d)) {
			char *line = diag_line(cli->reports[i].path, &d);

			fprintf(stderr, "%s\n", line ? line : d.msg);
			free(line);
			rc = CFH_EXIT_IO;
		}
		free(text);
	}
	if (cli->pairs_dir && (r->batch || !rc)) {
		struct cfh_buf b;
		char *path = dupf("%s/pairs.jsonl", cli->pairs_dir), *text;
		struct cfh_diag d;

		cfh_buf_init(&b);
		cfh_buf_adds(&b, "");
		for (i = 0; i < r->njobs; i++) {
			char *line;

			if (!r->jobs[i].pair)
				continue;
			line = json_dumps(r->jobs[i].pair, JSON_COMPACT);
			if (line)
				cfh_buf_addf(&b, "%s\n", line);
			free(line);
		}
		text = cfh_buf_steal(&b, NULL);
		if (!path || !text ||
		    cfh_write_file(path, text, strlen(text), &d)) {
			fprintf(stderr, "%s: error: cannot write the pairs\n",
				cli->pairs_dir);
			rc = CFH_EXIT_IO;
		}
		free(path);
		free(text);
	}
	/* One template's output file comes last: a report that cannot be
	 * written leaves no output behind, and the reports of an output that
	 * cannot be written are taken back. */
	if (!r->batch && !rc && r->njobs && r->jobs[0].out && !to_stdout(cli)) {
		struct job *j = &r->jobs[0];

		if (write_job_file(j, cli->output, j->out, j->outlen, false)) {
			fprintf(stderr, "%s\n", j->error);
			rc = j->code;
			for (i = 0; i < cli->nreports; i++)
				if (strcmp(cli->reports[i].path, "-"))
					unlink(cli->reports[i].path);
		}
	}
	if (r->batch)
		summary(r);
	if (!rc && cli->check && would)
		rc = CFH_EXIT_CHANGES;
	return rc;
}

/* ---- entry ---- */

static int usage(const char *msg)
{
	fprintf(stderr, "cfn-harden: error: %s\n", msg);
	return CFH_EXIT_USAGE;
}

static int check_passes(const char *list)
{
	char id[64];

	while (list && *list) {
		size_t n = strcspn(list, ",");

		snprintf(id, sizeof(id), "%.*s", (int)n, list);
		if (!cfh_pass_find(id)) {
			fprintf(stderr, "cfn-harden: error: unknown pass '%s' "
					"(see --list-passes)\n", id);
			return CFH_EXIT_USAGE;
		}
		list += n + (list[n] == ',');
	}
	return 0;
}

static int collect(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	size_t i;
	int rc = 0;

	for (i = 0; i < cli->ninputs && !rc; i++) {
		const char *in = cli->inputs[i];
		struct stat st;

		if (strcmp(in, "-") && !stat(in, &st) && S_ISDIR(st.st_mode)) {
			if (!cli->recursive) {
				fprintf(stderr, "%s: error: is a directory "
						"(use -r to harden a tree)\n",
					in);
				return CFH_EXIT_USAGE;
			}
			rc = walk(r, in, "");
			if (rc == -2)
				return CFH_EXIT_IO;
		} else {
			const char *base = strrchr(in, '/');

			rc = add_job(r, in, base ? base + 1 : in, false);
		}
	}
	if (rc)
		return CFH_EXIT_INTERNAL;
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (!strcmp(j->path, "-")) {
			j->conf = conf_for(r, "./-", &rc);
		} else {
			j->conf = conf_for(r, j->path, &rc);
		}
		if (!j->conf)
			return rc;
		if (j->conf->c && cfh_config_excludes(j->conf->c, j->path))
			j->outcome = OUT_SKIPPED;
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
		free(j->out);
		free(j->diff);
		json_decref(j->pair);
		free(j->path);
		free(j->rel);
	}
	for (i = 0; i < r->nconfs; i++)
		cfh_config_free(r->confs[i].c);
	free(r->confs);
	free(r->jobs);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->done_cond);
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
	rc = check_passes(cli->run.only);
	if (!rc)
		rc = check_passes(cli->run.skip);
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
	if (run_jobs(&r)) {
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	rc = finish(&r);
out:
	release(&r);
	return rc;
}

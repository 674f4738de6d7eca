/* SPDX-License-Identifier: MIT */
/*
 * What the command writes: a job's output file and --pairs-dir files
 * (written by the job itself, each atomically, once everything is
 * rendered), its reports (a batch's streamed into their staged files as
 * the jobs finish, in job order), and after the workers, in job order,
 * the outputs on stdout, the reports' ends, pairs.jsonl and the summary.
 *
 * Separate from batch.c, which decides what to harden and runs the jobs,
 * so that the file formats and the rules for when a file is written (or
 * taken back) can be read in one place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "report.h"

/* ---- writing files ---- */

/*
 * mkdir -p of the directory part of @path, which is @rootlen bytes of a
 * root the user named, then a path below it. The root and the directories
 * above it are the user's, links included. Below it, the program builds
 * the tree, and a directory that is a symbolic link (out/sub ->
 * /elsewhere) would take its writes outside: it is refused, with
 * @*bad_end set to the end of the link's path in @path and errno ELOOP.
 * (A link swapped in after this check is not caught: the directories are
 * not held open.)
 */
static int make_parents(char *path, size_t rootlen, char **bad_end)
{
	struct stat st;
	char *s;

	*bad_end = NULL;
	for (s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		if (s[-1] == '/')
			continue;
		*s = '\0';
		if (!mkdir(path, 0777) ||
		    (errno == EEXIST && (size_t)(s - path) <= rootlen)) {
			/* made, or there: the root's are the user's */
		} else if (errno != EEXIST || lstat(path, &st)) {
			*s = '/';
			return -1;
		} else if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
			*s = '/';
			*bad_end = s;
			errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* The file name an output gets: the input's, with the extension of
 * --to's format when it changes. */
char *cfh_batch_out_name(const struct cfh_cli *cli, const char *dir,
			 const char *rel)
{
	const char *dot = strrchr(rel, '.');
	const char *slash = strrchr(rel, '/');

	if (!cli->to || !dot || (slash && dot < slash))
		return dupf("%s/%s", dir, rel);
	return dupf("%s/%.*s.%s", dir, (int)(dot - rel), rel, cli->to);
}

int cfh_batch_write_job_file(struct job *j, const char *root,
			     const char *path, const char *data, size_t len)
{
	struct cfh_diag d;
	char *p = strdup(path), *bad = NULL;
	int rc;

	if (!p || (root && make_parents(p, strlen(root), &bad))) {
		if (bad)
			j->error = one_line(dupf(
				"%s: error: cannot write '%s': '%.*s' is %s",
				j->path, path, (int)(bad - p), p,
				errno == ELOOP ? "a symbolic link, not followed "
						 "below the output directory"
					       : "not a directory"));
		else
			j->error = one_line(dupf("%s: error: cannot create "
						 "the directory of '%s': %s",
						 j->path, path,
						 strerror(errno)));
		j->code = CFH_EXIT_IO;
		free(p);
		return -1;
	}
	free(p);
	/* A file of the tree is replaced, never written through: a link
	 * or a FIFO there is the tree's, not a destination the user chose.
	 * It is not flushed to the disk on its own: the tree is derived
	 * from inputs this run leaves as they were, a crash can only lose
	 * a file the next run writes again, and cfh_batch_finish() flushes
	 * the whole tree once (cfh_sync_tree()). A template rewritten in
	 * place is the user's only copy: flushed before its rename. */
	rc = root ? cfh_write_file_nosync(path, data, len, &d)
		  : cfh_write_file(path, data, len, &d);
	if (rc) {
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

/*
 * Say every pair of jobs that would write @dest (in @seen, a set of
 * destinations, each the index of its first job). Returns 1 for a
 * collision, 0 for none, -1 when out of memory.
 */
static int claim(json_t *seen, struct run *r, size_t i, const char *dest)
{
	json_t *first = json_object_get(seen, dest);
	char *line;

	if (!first)
		/* Keys are file names: not necessarily UTF-8. */
		return json_object_set_new_nocheck(seen, dest,
						   json_integer((json_int_t)i))
			       ? -1
			       : 0;
	line = one_line(dupf("cfn-harden: error: '%s' and '%s' would both "
			     "write %s",
			     r->jobs[json_integer_value(first)].path,
			     r->jobs[i].path, dest));
	if (!line)
		return -1;
	fprintf(stderr, "%s\n", line);
	free(line);
	return 1;
}

int cfh_batch_check_dests(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	bool outs = cli->out_dir && !cli->check && !cli->diff;
	json_t *out_seen = json_object(), *pair_seen = json_object();
	int rc = 0, c;
	size_t i;

	if (!out_seen || !pair_seen)
		goto oom;
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		char *dest = NULL, *id = NULL, *dir = NULL;

		/* Excluded, or a directory that could not be read: writes
		 * nothing. */
		if (j->outcome == OUT_SKIPPED || j->outcome == OUT_FAILED)
			continue;
		c = 0;
		if (outs) {
			dest = cfh_batch_out_name(cli, cli->out_dir, j->rel);
			c = dest ? claim(out_seen, r, i, dest) : -1;
		}
		if (c >= 0 && cli->pairs_dir) {
			int p;

			id = pair_id(j);
			dir = id ? dupf("%s/%s", cli->pairs_dir, id) : NULL;
			p = dir ? claim(pair_seen, r, i, dir) : -1;
			c = p < 0 ? p : c | p;
		}
		free(dest);
		free(id);
		free(dir);
		if (c < 0)
			goto oom;
		if (c)
			rc = CFH_EXIT_USAGE;
	}
	goto out;
oom:
	fprintf(stderr, "cfn-harden: error: out of memory\n");
	rc = CFH_EXIT_INTERNAL;
out:
	json_decref(out_seen);
	json_decref(pair_seen);
	return rc;
}

int cfh_batch_write_pair(struct run *r, struct job *j, struct cfh_run *hr,
			 const char *src, size_t len, const char *out,
			 size_t outlen)
{
	const struct cfh_template *t = cfh_run_template(hr);
	const struct cfh_cli *cli = r->cli;
	const char *ext = cli->to ? cli->to : t->conv.json ? "json" : "yaml";
	char *id = pair_id(j), *md = NULL, *a = NULL, *b = NULL, *c = NULL;
	json_t *findings = json_array();
	size_t i;
	int rc = -1;

	if (!id || !findings)
		goto out;
	md = cfh_report(hr, CFH_REPORT_MD, j->rel);
	a = dupf("%s/%s/MODEL_RESPONSE.%s", cli->pairs_dir, id,
		 t->conv.json ? "json" : "yaml");
	b = dupf("%s/%s/IDEAL_RESPONSE.%s", cli->pairs_dir, id, ext);
	c = dupf("%s/%s/MODEL_FAILURES.md", cli->pairs_dir, id);
	if (!md || !a || !b || !c)
		goto out;
	if (cfh_batch_write_job_file(j, cli->pairs_dir, a, src, len) ||
	    cfh_batch_write_job_file(j, cli->pairs_dir, b, out, outlen) ||
	    cfh_batch_write_job_file(j, cli->pairs_dir, c, md, strlen(md)))
		goto out;
	for (i = 0; i < cfh_run_change_count(hr); i++) {
		const struct cfh_change *ch = cfh_run_change_at(hr, i);

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

int cfh_batch_render_reports(struct run *r, struct job *j, struct cfh_run *t)
{
	const struct cfh_cli *cli = r->cli;
	size_t i;

	for (i = 0; i < cli->nreports; i++) {
		switch (cli->reports[i].fmt) {
		case CFH_REPORT_JSON:
			j->json[i] = cfh_report_value(t, j->path);
			if (!j->json[i])
				return -1;
			/* A batch's is dumped here, where workers run in
			 * parallel, for its place in the document: the
			 * writer of the reports only copies text. */
			if (r->batch) {
				j->text[i] = cfh_json_dump_at(j->json[i], 2);
				json_decref(j->json[i]);
				j->json[i] = NULL;
				if (!j->text[i])
					return -1;
			}
			break;
		case CFH_REPORT_SARIF:
			/* A batch's go to text here, in the workers, for
			 * their place in the log. */
			j->json[i] = r->batch ? cfh_sarif_texts(t, j->path)
					      : cfh_sarif_results(t, j->path);
			if (!j->json[i])
				return -1;
			break;
		case CFH_REPORT_JUNIT:
			/* One testsuite; join_reports() writes the
			 * document around them. */
			j->text[i] = cfh_junit_suite(t, j->path);
			if (!j->text[i])
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

/* ---- reports and summary ---- */

/* The report of a single template: the whole of it, at once. */
static char *join_reports(struct run *r, size_t k)
{
	enum cfh_report_format fmt = r->cli->reports[k].fmt;
	struct job *j = r->njobs ? &r->jobs[0] : NULL;

	if (fmt == CFH_REPORT_JSON)
		return j && j->json[k] ? cfh_json_dump_take(json_incref(j->json[k]))
				       : NULL;
	if (fmt == CFH_REPORT_SARIF)
		return cfh_json_dump_take(cfh_sarif_log_take(
			j && j->json[k] ? json_incref(j->json[k])
					: json_array()));
	if (fmt == CFH_REPORT_JUNIT)
		return dupf("%s%s%s", CFH_JUNIT_HEAD,
			    j && j->text[k] ? j->text[k] : "", CFH_JUNIT_TAIL);
	return strdup(j && j->text[k] ? j->text[k] : "");
}

/*
 * A batch's reports are written as the jobs finish (cfh_batch_emit()).
 * The JSON report and the SARIF log are single JSON documents: the text
 * of their frame (the document with an empty list where the templates'
 * parts go) is split at that list's '[', and each part, dumped by
 * jansson on its own, goes between, with the commas and the indentation
 * json_dumps() would have given it in the whole: the file is the same,
 * byte for byte, as a dump of the document held whole.
 */

/* @v's text at @depth (taken), split after the '[' of its last list,
 * which the frame leaves empty: *@tail starts at its ']'. */
static int frame(json_t *v, unsigned depth, char **head, const char **tail)
{
	char *s = v ? cfh_json_dump_at(v, depth) : NULL, *open;

	json_decref(v);
	open = s ? strrchr(s, '[') : NULL;
	if (!open || open[1] != ']') {
		free(s);
		return -1;
	}
	*head = s;
	*tail = open + 1;
	return 0;
}

static void put(struct rstream *rs, FILE *f, const char *s, size_t len)
{
	if (len && fwrite(s, 1, len, f) != len && !rs->st.err)
		rs->st.err = errno ? errno : EIO;
}

static void puts_(struct rstream *rs, FILE *f, const char *s)
{
	put(rs, f, s, strlen(s));
}

/* One element of a list, after @n others, at @depth (the element's):
 * its text as cfh_json_dump_at() gives it for that depth. */
static void put_text(struct rstream *rs, FILE *f, size_t n, const char *text,
		     unsigned depth)
{
	static const char pad[] = "          ";

	puts_(rs, f, n ? ",\n" : "\n");
	put(rs, f, pad, 2 * depth < sizeof(pad) ? 2 * depth : sizeof(pad) - 1);
	puts_(rs, f, text);
}

/* The end of a list of @n elements whose ']' is at @depth, and the rest
 * of its frame (@head is freed). */
static void put_tail(struct rstream *rs, FILE *f, size_t n, unsigned depth,
		     char *head, const char *tail)
{
	if (n)
		fprintf(f, "\n%*s", (int)(2 * depth), "");
	puts_(rs, f, tail);
	free(head);
}

/* The SARIF run of the results in rs->part, with @category (NULL for
 * none): runs are at depth 2 of the log, their results at depth 4. */
static int sarif_close_run(struct rstream *rs, const char *category)
{
	FILE *f = rs->st.f;
	char chunk[65536], *head;
	const char *tail;
	size_t n;

	if (frame(cfh_sarif_run_empty(category), 2, &head, &tail))
		return -1;
	puts_(rs, f, rs->runs++ ? ",\n    " : "\n    ");
	put(rs, f, head, (size_t)(tail - head));
	if (fflush(rs->part) || fseek(rs->part, 0, SEEK_SET)) {
		rs->st.err = errno ? errno : EIO;
	} else {
		while ((n = fread(chunk, 1, sizeof(chunk), rs->part)) > 0)
			put(rs, f, chunk, n);
		if (ferror(rs->part) && !rs->st.err)
			rs->st.err = errno ? errno : EIO;
	}
	/* Emptied for the next run. */
	if (fseek(rs->part, 0, SEEK_SET) || ftruncate(fileno(rs->part), 0))
		rs->st.err = errno ? errno : EIO;
	put_tail(rs, f, rs->count, 3, head, tail);
	rs->count = 0;
	return 0;
}

/*
 * Place the results of one template (rs->group) in the current run, or,
 * past CFH_SARIF_RUN_RESULTS, in a new one: cfh_sarif_log_take()'s rule
 * for splitting a log, which never splits a template.
 */
static int sarif_place_group(struct rstream *rs)
{
	size_t n = json_array_size(rs->group), i;
	char cat[48];

	if (!n)
		return 0;
	if (rs->count && rs->count + n > CFH_SARIF_RUN_RESULTS &&
	    rs->parts + 1 < CFH_SARIF_RUNS) {
		snprintf(cat, sizeof(cat), "cfn-harden/part-%zu/", ++rs->parts);
		if (sarif_close_run(rs, cat))
			return -1;
	}
	for (i = 0; i < n; i++)
		put_text(rs, rs->part, rs->count++,
			 json_string_value(json_array_get(
				 json_array_get(rs->group, i), 1)),
			 4);
	rs->total += n;
	json_array_clear(rs->group);
	free(rs->group_uri);
	rs->group_uri = NULL;
	return 0;
}

/* A template's results (sarif_texts()): grouped by their artifact as
 * cfh_sarif_log_take() groups them (a template named twice in a row is
 * one group). */
static int sarif_add(struct rstream *rs, const json_t *results)
{
	const char *uri;
	json_t *res;
	size_t i;

	json_array_foreach(results, i, res) {
		uri = json_string_value(json_array_get(res, 0));
		if (json_array_size(rs->group) &&
		    (!rs->group_uri || !uri || strcmp(uri, rs->group_uri)) &&
		    sarif_place_group(rs))
			return -1;
		if (json_array_append(rs->group, res))
			return -1;
		if (json_array_size(rs->group) == 1 && uri &&
		    !(rs->group_uri = strdup(uri)))
			return -1;
	}
	return 0;
}

int cfh_batch_open_reports(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	size_t k;

	if (!cli->nreports)
		return 0;
	r->streams = calloc(cli->nreports, sizeof(*r->streams));
	if (!r->streams)
		return -1;
	for (k = 0; k < cli->nreports; k++) {
		struct rstream *rs = &r->streams[k];
		const char *path = cli->reports[k].path;
		enum cfh_report_format fmt = cli->reports[k].fmt;
		char *head;
		const char *tail;

		if (!strcmp(path, "-")) {
			/* Standard output gets the report after the
			 * templates' lines, as a whole. */
			rs->st.f = cfh_scratch_file(NULL);
			if (!rs->st.f)
				return -1;
		} else if (cfh_stage_stream(&rs->st, path, &rs->d)) {
			rs->failed = true;
			continue;
		}
		rs->open = true;
		if (fmt == CFH_REPORT_JSON) {
			if (frame(json_pack("{s:s, s:s, s:[]}", "tool",
					    "cfn-harden", "version", CFH_VERSION,
					    "templates"),
				  0, &head, &tail))
				return -1;
			put(rs, rs->st.f, head, (size_t)(tail - head));
			free(head);
		} else if (fmt == CFH_REPORT_SARIF) {
			if (frame(cfh_sarif_log_empty(), 0, &head, &tail))
				return -1;
			put(rs, rs->st.f, head, (size_t)(tail - head));
			free(head);
			rs->part = cfh_scratch_file(path);
			rs->group = json_array();
			if (!rs->part || !rs->group)
				return -1;
		} else if (fmt == CFH_REPORT_JUNIT) {
			puts_(rs, rs->st.f, CFH_JUNIT_HEAD);
		}
	}
	return 0;
}

/* The job's line of pairs.jsonl, in a batch. */
static void emit_pair(struct run *r, struct job *j)
{
	char *path, *line;

	if (!r->pairs_open && !r->pairs_failed) {
		struct cfh_diag d;

		path = dupf("%s/pairs.jsonl", r->cli->pairs_dir);
		if (!path || cfh_replace_stream(&r->pairs, path, &d))
			r->pairs_failed = true;
		else
			r->pairs_open = true;
		free(path);
	}
	line = r->pairs_open ? json_dumps(j->pair, JSON_COMPACT) : NULL;
	if (line && fprintf(r->pairs.f, "%s\n", line) < 0 && !r->pairs.err)
		r->pairs.err = errno ? errno : EIO;
	free(line);
	json_decref(j->pair);
	j->pair = NULL;
}

void cfh_batch_emit(struct run *r, struct job *j)
{
	const struct cfh_cli *cli = r->cli;
	size_t k;

	if (j->pair)
		emit_pair(r, j);
	for (k = 0; r->streams && k < cli->nreports; k++) {
		struct rstream *rs = &r->streams[k];
		json_t *v = j->json[k];
		int rc = 0;

		if (rs->open && !rs->oom) {
			if (cli->reports[k].fmt == CFH_REPORT_JSON &&
			    j->text[k])
				put_text(rs, rs->st.f, rs->count++, j->text[k],
					 2);
			else if (cli->reports[k].fmt == CFH_REPORT_SARIF && v)
				rc = sarif_add(rs, v);
			else if (j->text[k])
				puts_(rs, rs->st.f, j->text[k]);
			if (rc)
				rs->oom = true;
		}
		json_decref(v);
		j->json[k] = NULL;
		free(j->text[k]);
		j->text[k] = NULL;
	}
}

/* The end of report @k. Returns: 0, or -1 when out of memory. */
static int close_report(struct run *r, size_t k)
{
	struct rstream *rs = &r->streams[k];
	FILE *f = rs->st.f;
	char *head;
	const char *tail;
	char cat[48];

	if (rs->oom)
		return -1;
	switch (r->cli->reports[k].fmt) {
	case CFH_REPORT_JSON:
		if (frame(json_pack("{s:s, s:s, s:[]}", "tool", "cfn-harden",
				    "version", CFH_VERSION, "templates"),
			  0, &head, &tail))
			return -1;
		put_tail(rs, f, rs->count, 1, head, tail);
		puts_(rs, f, "\n");
		break;
	case CFH_REPORT_SARIF:
		if (sarif_place_group(rs))
			return -1;
		if (rs->total > CFH_SARIF_RUN_RESULTS)
			snprintf(cat, sizeof(cat), "cfn-harden/part-%zu/",
				 ++rs->parts);
		if (sarif_close_run(rs, rs->total > CFH_SARIF_RUN_RESULTS
						? cat
						: NULL) ||
		    frame(cfh_sarif_log_empty(), 0, &head, &tail))
			return -1;
		put_tail(rs, f, rs->runs, 1, head, tail);
		puts_(rs, f, "\n");
		break;
	case CFH_REPORT_JUNIT:
		puts_(rs, f, CFH_JUNIT_TAIL);
		break;
	default:
		break;
	}
	return 0;
}

/* Copy report @k's scratch file to standard output. */
static int copy_out(struct rstream *rs)
{
	char chunk[65536];
	size_t n;

	if (fflush(rs->st.f) || fseek(rs->st.f, 0, SEEK_SET))
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), rs->st.f)) > 0)
		if (fwrite(chunk, 1, n, stdout) != n)
			return -1;
	return ferror(rs->st.f) ? -1 : 0;
}

/* Write the end of every report of a batch and put each file in place.
 * Returns: 0 or an exit code. */
static int finish_reports(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	int rc = 0;
	size_t k;

	for (k = 0; k < cli->nreports; k++) {
		struct rstream *rs = &r->streams[k];
		struct cfh_diag d = rs->d;

		if (!rs->failed && close_report(r, k)) {
			fprintf(stderr, "cfn-harden: error: out of memory\n");
			rc = CFH_EXIT_INTERNAL;
			break;
		}
		if (!strcmp(cli->reports[k].path, "-"))
			copy_out(rs);
		else if (rs->failed || cfh_stage_close(&rs->st, &d) ||
			 cfh_commit_file(&rs->st, &d)) {
			char *line = diag_line(cli->reports[k].path, &d);

			fprintf(stderr, "%s\n", line ? line : d.msg);
			free(line);
			rc = CFH_EXIT_IO;
		}
	}
	return rc;
}

void cfh_batch_close_reports(struct run *r)
{
	size_t k;

	for (k = 0; r->streams && k < r->cli->nreports; k++) {
		struct rstream *rs = &r->streams[k];

		cfh_abort_file(&rs->st);
		if (rs->part)
			fclose(rs->part);
		json_decref(rs->group);
		free(rs->group_uri);
	}
	free(r->streams);
	r->streams = NULL;
	cfh_abort_file(&r->pairs);
}

/*
 * The baseline file: {"tool", "version", "findings": [{"template", "pass",
 * "resource"}, ...]}, in job order. A finding is one pass on one resource
 * of one template, as the Markdown report counts them; the --check gate
 * of a later run ignores the ones listed, so that only new ones fail it.
 */
static int write_baseline(struct run *r)
{
	json_t *doc = json_pack("{s:s, s:s, s:[]}", "tool", "cfn-harden",
				"version", CFH_VERSION, "findings");
	json_t *list = json_object_get(doc, "findings"), *v;
	const char *key;
	struct cfh_diag d;
	char *text = NULL;
	size_t i;
	int rc = -1;

	if (!doc)
		goto out;
	for (i = 0; i < r->njobs; i++)
		json_object_foreach(r->jobs[i].findings, key, v)
			if (json_array_append(list, v))
				goto out;
	text = json_dumps(doc, JSON_INDENT(2));
	if (!text)
		goto out;
	rc = cfh_write_file(r->cli->write_baseline, text, strlen(text), &d);
	if (rc) {
		char *line = diag_line(r->cli->write_baseline, &d);

		fprintf(stderr, "%s\n", line ? line : d.msg);
		free(line);
	}
out:
	if (rc && !text)
		fprintf(stderr, "cfn-harden: error: out of memory\n");
	free(text);
	json_decref(doc);
	return rc;
}

int cfh_batch_read_baseline(struct run *r)
{
	const char *path = r->cli->baseline;
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err), *list, *f;
	size_t i;
	int rc = CFH_EXIT_USAGE;

	r->baseline = json_object();
	list = json_object_get(doc, "findings");
	if (!r->baseline || !doc || !json_is_array(list)) {
		char *line = one_line(dupf(
			"%s:%d:%d: error: not a baseline (%s)", path,
			err.line > 0 ? err.line : 1,
			err.column > 0 ? err.column : 1,
			doc ? "no \"findings\" list" : err.text));

		fprintf(stderr, "%s\n", line ? line : "out of memory");
		free(line);
		goto out;
	}
	json_array_foreach(list, i, f) {
		const char *t = json_string_value(json_object_get(f, "template"));
		const char *p = json_string_value(json_object_get(f, "pass"));
		const char *res = json_string_value(json_object_get(f, "resource"));
		char *key;

		if (!t || !p || !res)
			continue;
		key = dupf("%s\t%s\t%s", t, p, res);
		if (!key || json_object_set_new(r->baseline, key, json_true())) {
			free(key);
			rc = CFH_EXIT_INTERNAL;
			goto out;
		}
		free(key);
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
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

/*
 * A directory of the command line under which no template was found (an
 * empty tree, a wrong path, files that only look like templates) is said
 * on stderr; under --check it is an error, as "nothing to change" would
 * be a pass on nothing. A template excluded by the configuration counts
 * as found. Returns: whether there was one.
 */
static bool none_found(struct run *r)
{
	bool any = false;
	size_t i, k;

	for (i = 0; i < r->nwalked; i++) {
		const struct walked *w = &r->walked[i];
		char *line;

		for (k = w->first; k < w->end; k++)
			if (r->jobs[k].outcome != OUT_SKIPPED ||
			    r->jobs[k].excluded)
				break;
		if (k < w->end)
			continue;
		any = true;
		line = one_line(dupf("%s: %s: no template found under the "
				     "directory",
				     w->dir, r->cli->check ? "error"
							   : "warning"));
		fprintf(stderr, "%s\n", line ? line : "out of memory");
		free(line);
	}
	return any;
}

static bool to_stdout(const struct cfh_cli *cli)
{
	return !cli->output || !strcmp(cli->output, "-");
}

/*
 * One template: its output file and its report files are staged, then
 * renamed into place only when every one is complete, so that a file
 * that cannot be written leaves all of them as they were (a report of
 * an earlier run included). Reports to "-" go to standard output.
 */
static int write_together(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	struct job *j = r->njobs ? &r->jobs[0] : NULL;
	struct cfh_staged *st = calloc(cli->nreports + 1, sizeof(*st));
	char **texts = calloc(cli->nreports + 1, sizeof(*texts));
	size_t i, n = 0;
	struct cfh_diag d;
	const char *failed = NULL;
	int rc = 0;

	if (!st || !texts) {
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	for (i = 0; i < cli->nreports && !failed && !rc; i++) {
		texts[i] = join_reports(r, i);
		if (!texts[i])
			rc = CFH_EXIT_INTERNAL;
		else if (strcmp(cli->reports[i].path, "-") &&
			 cfh_stage_file(&st[n++], cli->reports[i].path,
					texts[i], strlen(texts[i]), &d))
			failed = cli->reports[i].path;
	}
	if (!failed && !rc && j && j->out && !to_stdout(cli) &&
	    cfh_stage_file(&st[n++], cli->output, j->out, j->outlen, &d))
		failed = cli->output;
	for (i = 0; i < n && !failed && !rc; i++)
		if (cfh_commit_file(&st[i], &d))
			failed = "cfn-harden";	/* d names the file */
	if (failed) {
		char *line = diag_line(failed, &d);

		fprintf(stderr, "%s\n", line ? line : d.msg);
		free(line);
		rc = CFH_EXIT_IO;
	}
	if (rc == CFH_EXIT_INTERNAL)
		fprintf(stderr, "cfn-harden: error: out of memory\n");
	/* Reports to standard output, once the files are in place. */
	for (i = 0; i < cli->nreports && !rc; i++)
		if (!strcmp(cli->reports[i].path, "-"))
			fputs(texts[i], stdout);
out:
	for (i = 0; st && i <= cli->nreports; i++)
		cfh_abort_file(&st[i]);
	for (i = 0; texts && i <= cli->nreports; i++)
		free(texts[i]);
	free(st);
	free(texts);
	return rc;
}

int cfh_batch_finish(struct run *r)
{
	const struct cfh_cli *cli = r->cli;
	int rc = 0;
	size_t i, would = 0;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->error)
			fprintf(stderr, "%s\n", j->error);
		if (j->note && !cli->quiet)
			fprintf(stderr, "%s\n", j->note);
		if (j->replaced && !cli->quiet)
			fprintf(stderr, "%s\n", j->replaced);
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
		/* The gate counts the changes --min-severity and
		 * --baseline leave (all of them by default). */
		if (cli->check && j->gate) {
			would++;
			if (cli->quiet)
				;
			else if (r->batch)
				printf("%s: %zu change%s needed\n", j->path,
				       j->gate, j->gate == 1 ? "" : "s");
			else
				fprintf(stderr, "%s: %zu change%s needed\n",
					strcmp(j->path, "-") ? j->path
							     : "<stdin>",
					j->gate, j->gate == 1 ? "" : "s");
		}
	}
	/* Reports cover the templates that worked; none is written when the
	 * only template failed. With one template, its output file and its
	 * reports are written together or not at all (write_together()). */
	if (!r->batch && !rc)
		rc = write_together(r);
	if (r->batch && r->streams) {
		int frc = finish_reports(r);

		if (frc)
			rc = frc;
	}
	if (r->pairs_open || r->pairs_failed) {
		/* A batch's, written as its jobs finished. */
		struct cfh_diag d;

		if (r->pairs_failed || cfh_stage_close(&r->pairs, &d) ||
		    cfh_commit_file(&r->pairs, &d)) {
			fprintf(stderr, "%s: error: cannot write the pairs\n",
				cli->pairs_dir);
			rc = CFH_EXIT_IO;
		}
	} else if (cli->pairs_dir && (r->batch || !rc)) {
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
		    cfh_replace_file(path, text, strlen(text), &d)) {
			fprintf(stderr, "%s: error: cannot write the pairs\n",
				cli->pairs_dir);
			rc = CFH_EXIT_IO;
		}
		free(path);
		free(text);
	}
	/* The output trees' files, written without a flush each, are on
	 * the disk before the command says it is done. */
	for (i = 0; i < 2; i++) {
		const char *dir = i ? cli->pairs_dir : cli->check || cli->diff
							  ? NULL
							  : cli->out_dir;

		if (dir && cfh_sync_tree(dir) && errno != ENOENT) {
			char *line = one_line(dupf("%s: error: cannot flush the "
						   "outputs to the disk: %s",
						   dir, strerror(errno)));

			fprintf(stderr, "%s\n", line ? line : "out of memory");
			free(line);
			rc = CFH_EXIT_IO;
		}
	}
	if (cli->write_baseline && write_baseline(r))
		rc = CFH_EXIT_IO;
	if (none_found(r) && cli->check && (!rc || rc == CFH_EXIT_CHANGES))
		rc = CFH_EXIT_USAGE;
	if (r->batch && !cli->quiet)
		summary(r);
	if (!rc && cli->check && would)
		rc = CFH_EXIT_CHANGES;
	return rc;
}

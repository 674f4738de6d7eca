/* SPDX-License-Identifier: MIT */
/*
 * corpus-check: the model's promises, checked on real templates.
 *
 *   corpus-check [--bench] [--sample DIR N] < list-of-files
 *
 * For every file: it loads, or is refused with a position; with every
 * collection marked dirty, the reprinter still gives back the input byte
 * for byte (identity through the entry-by-entry path, not the shortcut);
 * with every scalar value replaced by a new node of the same value, the
 * output reads back as the same template (spans, quoting, tags, block
 * scalars); the registered passes run without failing and their output
 * loads again and hardening it again changes nothing (idempotence).
 *
 * With --sample, the hardened output of every Nth loaded template that
 * changed is written to DIR with a manifest of input/output pairs, for
 * tests/lint-outputs.sh to check with cfn-lint.
 *
 * Prints one line per problem and a summary; exits 1 on any problem other
 * than a refusal (refusals are checked against a list by the caller).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edit.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void mark_all(struct cfh_node *n)
{
	size_t i;

	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	n->flags |= CFH_NF_DIRTY;
	for (i = 0; i < n->n; i++)
		mark_all(n->ent[i].value);
}

/* Collect scalar values first: replacing while walking would visit the
 * new nodes. */
static void collect(struct cfh_node *n, struct cfh_node ***v, size_t *nv,
		    size_t *cap)
{
	size_t i;

	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	for (i = 0; i < n->n; i++) {
		struct cfh_node *c = n->ent[i].value;

		if (c->kind == CFH_SCALAR) {
			if (*nv == *cap) {
				*cap = *cap ? *cap * 2 : 256;
				*v = realloc(*v, *cap * sizeof(**v));
				if (!*v)
					abort();
			}
			(*v)[(*nv)++] = c;
		} else {
			collect(c, v, nv, cap);
		}
	}
}

static bool same_template(const char *a, size_t alen, const char *b,
			  size_t blen, const char *name)
{
	struct cfh_diag d;
	struct cfh_template *x = cfh_template_load(a, alen, name, &d);
	struct cfh_template *y = cfh_template_load(b, blen, name, &d);
	json_t *jx = x ? cfh_node_to_json(x->root) : NULL;
	json_t *jy = y ? cfh_node_to_json(y->root) : NULL;
	bool eq = jx && jy && json_equal(jx, jy);

	if (!y)
		printf("  output does not load: %d:%d: %s\n", d.line, d.col,
		       d.msg);
	json_decref(jx);
	json_decref(jy);
	cfh_template_free(x);
	cfh_template_free(y);
	return eq;
}

struct totals {
	size_t files, loaded, refused, identity, rerender, hardened, idem;
	size_t changes, changed, sampled;
	double t_load, t_pass, t_print;
	const char *sample_dir;
	size_t every;
	FILE *manifest;
};

/* Keep the output for cfn-lint, named after its input's place in the list. */
static void sample(struct totals *tot, const char *path, const char *out,
		   size_t len)
{
	const char *base = strrchr(path, '/');
	const char *ext = strrchr(path, '.');
	char name[4096];
	FILE *f;

	if (!tot->manifest || tot->changed % tot->every)
		return;
	snprintf(name, sizeof(name), "%s/%05zu-%.40s%s", tot->sample_dir,
		 tot->changed, base ? base + 1 : path, ext ? ext : "");
	f = fopen(name, "wb");
	if (!f)
		return;
	fwrite(out, 1, len, f);
	fclose(f);
	fprintf(tot->manifest, "%s\t%s\n", path, name);
	tot->sampled++;
}

/* Harden @t with every pass and default settings; the run is @*rp's to
 * free (cfh_run_free() takes NULL). */
static int harden(struct cfh_template *t, struct cfh_run **rp,
		  struct cfh_diag *d)
{
	cfh_run_free(*rp);
	*rp = cfh_run_new(t, NULL);
	if (!*rp) {
		snprintf(d->msg, sizeof(d->msg), "out of memory");
		return -1;
	}
	return cfh_run_harden(*rp, d);
}

static bool check_file(const char *path, struct totals *tot, bool bench)
{
	struct cfh_run *r = NULL;
	struct cfh_template *t;
	struct cfh_diag d;
	struct cfh_node **v = NULL;
	size_t len, olen, nv = 0, cap = 0, i;
	char *src, *out = NULL, *out2 = NULL;
	bool ok = true;
	double t0;

	tot->files++;
	src = cfh_read_file(path, &len, &d);
	if (!src) {
		printf("unreadable: %s: %s\n", path, d.msg);
		return false;
	}
	t0 = now();
	t = cfh_template_load(src, len, path, &d);
	tot->t_load += now() - t0;
	if (!t) {
		printf("refused: %s:%d:%d: %s\n", path, d.line, d.col, d.msg);
		tot->refused++;
		free(src);
		return true;
	}
	tot->loaded++;
	if (bench) {
		/* The real path: passes, then the reprint. */
		t0 = now();
		if (harden(t, &r, &d))
			ok = false;
		tot->t_pass += now() - t0;
		t0 = now();
		out = cfh_template_print(t, &olen);
		tot->t_print += now() - t0;
		goto out;
	}

	mark_all(t->root);
	out = cfh_template_print(t, &olen);
	if (out && olen == len && !memcmp(out, src, len))
		tot->identity++;
	else {
		printf("identity: %s\n", path);
		ok = false;
	}
	free(out);
	out = NULL;
	cfh_template_free(t);

	t = cfh_template_load(src, len, path, &d);
	collect(t->root, &v, &nv, &cap);
	cfh_run_free(r);
	r = cfh_run_new(t, NULL);
	for (i = 0; r && i < nv; i++)
		if (cfh_edit_replace_take(r, v[i], cfh_node_to_json(v[i]),
					  "rerender", NULL))
			break;
	out = cfh_template_print(t, &olen);
	if (i == nv && out && same_template(src, len, out, olen, path))
		tot->rerender++;
	else {
		printf("rerender: %s\n", path);
		ok = false;
	}
	free(out);
	out = NULL;
	cfh_run_free(r);
	r = NULL;
	cfh_template_free(t);

	t = cfh_template_load(src, len, path, &d);
	if (harden(t, &r, &d)) {
		printf("harden: %s: %s\n", path, d.msg);
		ok = false;
		goto out;
	}
	tot->changes += cfh_run_change_count(r);
	out = cfh_template_print(t, &olen);
	if (out && (olen != len || memcmp(out, src, len))) {
		sample(tot, path, out, olen);
		tot->changed++;
	}
	if (!out || !same_template(out, olen, out, olen, path)) {
		printf("harden output does not load: %s\n", path);
		ok = false;
		goto out;
	}
	tot->hardened++;
	cfh_run_free(r);
	r = NULL;
	cfh_template_free(t);
	t = cfh_template_load(out, olen, path, &d);
	if (t && !harden(t, &r, &d) &&
	    (out2 = cfh_template_print(t, &len)) && len == olen &&
	    !memcmp(out, out2, len))
		tot->idem++;
	else {
		printf("idempotence: %s\n", path);
		ok = false;
	}
out:
	free(v);
	free(out);
	free(out2);
	cfh_run_free(r);
	cfh_template_free(t);
	free(src);
	return ok;
}

int main(int argc, char **argv)
{
	struct totals tot = { 0 };
	char line[4096];
	bool bench = argc > 1 && !strcmp(argv[1], "--bench");
	bool ok = true;
	char mpath[4096];

	if (argc == 4 && !strcmp(argv[1], "--sample")) {
		tot.sample_dir = argv[2];
		tot.every = strtoul(argv[3], NULL, 10);
		if (!tot.every)
			tot.every = 1;
		snprintf(mpath, sizeof(mpath), "%s/manifest", argv[2]);
		tot.manifest = fopen(mpath, "w");
		if (!tot.manifest) {
			perror(mpath);
			return 1;
		}
	}

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && !check_file(line, &tot, bench))
			ok = false;
	}
	if (bench) {
		printf("load %.3f s, passes %.3f s, reprint %.3f s, %zu files\n",
		       tot.t_load, tot.t_pass, tot.t_print, tot.files);
		return 0;
	}
	if (tot.manifest)
		fclose(tot.manifest);
	printf("corpus: %zu files, %zu loaded, %zu refused; identity %zu/%zu, "
	       "rerender %zu/%zu, hardened %zu/%zu (%zu changes in %zu "
	       "templates, %zu kept for cfn-lint), idempotent %zu/%zu\n",
	       tot.files, tot.loaded, tot.refused, tot.identity, tot.loaded,
	       tot.rerender, tot.loaded, tot.hardened, tot.loaded, tot.changes,
	       tot.changed, tot.sampled, tot.idem, tot.loaded);
	return ok ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * .cfn-harden.yaml: what a repository decides once for all its templates.
 *
 *   only: [encryption, iam]        # or skip: [tags]
 *   profile: dev
 *   mode: new-stack
 *   no-replace: true
 *   settings:
 *     logs: {retention-days: 90}
 *   exclude: [generated.yaml, "vendor*"]
 *
 * The command line wins over the file: its --only replaces the file's, its
 * --skip adds to the file's, its settings come after the file's (the last
 * one of a key wins).
 *
 * Ownership: a config owns its strings; cfh_config_free() releases them.
 * cfh_config_run() fills a struct cfh_run_opts whose strings point into the
 * config and the command line: it lives as long as both.
 */
#ifndef CFH_CONFIG_H
#define CFH_CONFIG_H

#include "model.h"

#define CFH_CONFIG_NAME ".cfn-harden.yaml"

struct cfh_config {
	char *path;
	char *dir;		/* the file's directory: exclude globs start here */
	char *only, *skip;	/* comma-separated pass ids, or NULL */
	bool no_replace;
	char **settings;	/* "pass.key=value" */
	size_t nsettings;
	char **exclude;
	size_t nexclude;
	/* Merged with a command line by cfh_config_run(). */
	const char **merged;
	char *merged_skip;
};

/**
 * cfh_config_load() - read and check a configuration file
 * @diag: filled in on failure: unknown keys, bad values, unknown passes
 *        and bad YAML get the line and column of the offending node
 *        (CFH_EXIT_USAGE); a file that cannot be read, CFH_EXIT_IO
 * Returns: the config (free with cfh_config_free()), or NULL.
 */
struct cfh_config *cfh_config_load(const char *path, struct cfh_diag *diag);
void cfh_config_free(struct cfh_config *c);

/* The nearest .cfn-harden.yaml in the directory of @template or above it,
 * or NULL (caller frees). */
char *cfh_config_find(const char *template);

/* True if @path matches one of the exclude globs: tried against the path
 * relative to the config's directory, and against its base name; `*`
 * matches across `/`. */
bool cfh_config_excludes(const struct cfh_config *c, const char *path);

/**
 * cfh_config_run() - the run options of @cli under @c
 * @c: the config, or NULL
 * Returns: 0, or -1 when out of memory.
 */
int cfh_config_run(struct cfh_config *c, const struct cfh_run_opts *cli,
		   struct cfh_run_opts *out);

#endif

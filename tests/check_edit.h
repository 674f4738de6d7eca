/* SPDX-License-Identifier: MIT */
/*
 * The fixture of check_edit.c that check_reprint.c shares: the reprinter
 * is tested on the results of edits, which record into a run.
 *
 * Ownership: load() returns a template the test frees with drop(), which
 * also frees the run that run() made for it (at most 8 templates per
 * test). at() returns a node borrowed from its template; print() returns
 * text the caller frees. Each fails the test rather than return NULL.
 */
#ifndef CFH_CHECK_EDIT_H
#define CFH_CHECK_EDIT_H

#include <stddef.h>

#include "engine.h"

struct cfh_template *load(const char *src);
struct cfh_run *run(struct cfh_template *t);
void drop(struct cfh_template *t);
struct cfh_node *at(const struct cfh_template *t, const char *ptr);
char *print(struct cfh_template *t, size_t *lenp);

/* A YAML template of three resources, of which tests edit the bucket. */
extern const char yaml_src[];

#endif

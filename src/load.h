/* SPDX-License-Identifier: MIT */
/*
 * Private to the loader: the state load.c keeps while it builds the model
 * from libfyaml's events, shared with load_guard.c, which holds the checks
 * and work-arounds around libfyaml.
 *
 * Ownership: a struct loader lives on cfh_load()'s stack and owns only its
 * stack and anchors arrays (malloc'd, freed by cfh_load()). Nodes belong to
 * the template's arena; the template and the diagnostic are borrowed from
 * cfh_load()'s caller. A patched parser buffer belongs to cfh_load().
 */
#ifndef CFH_LOAD_H
#define CFH_LOAD_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct frame {
	struct cfh_node *node;
	struct cfh_node *key;	/* mapping: key waiting for its value */
	size_t key_start;
};

struct loader {
	struct cfh_template *t;
	struct cfh_diag *diag;
	struct frame *stack;
	size_t depth, cap;
	size_t last_end;	/* end of the last token consumed */
	struct cfh_node **anchors;	/* anchored nodes, in document order */
	size_t nanchors, capanchors;
	size_t quirk;		/* where a libfyaml work-around may help */
	bool parse_error;	/* the last failure came from libfyaml */
	bool joined;		/* a work-around joined two lines */
	const char *pbuf;	/* what the parser reads: the source, patched */
};

/* Record the first error, at byte @pos of the source (load.c).
 * Returns: -1, so that callers can return it. */
int cfh_load_fail_at(struct loader *ld, size_t pos, enum cfh_exit code,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Refusals and work-arounds (load_guard.c); each returns 0, or -1 having
 * recorded the error with cfh_load_fail_at(). */

/* Before parsing: UTF-16/32, NUL bytes, an empty file, invalid UTF-8, a
 * CR without LF. */
int cfh_load_precheck(struct loader *ld);

/* While building: a value (or an item) on a line after its key (or its
 * '-') must be indented more than it, and a mapping's keys must be
 * unique. */
int cfh_load_check_value_indent(struct loader *ld, const struct cfh_node *map,
				const struct cfh_node *key,
				const struct cfh_node *v);
int cfh_load_check_item_indent(struct loader *ld, const struct cfh_node *seq,
			       size_t dash, const struct cfh_node *v);
int cfh_load_check_duplicates(struct loader *ld, const struct cfh_node *map);

/* libfyaml's first collected error (@d may be NULL) as the diagnostic,
 * unless one is recorded already. */
void cfh_load_record_error(struct loader *ld, struct fy_diag *d);

/* Patch @buf, the parser's copy of the source, for a layout libfyaml
 * misreads: join the line holding @pos to the one before, or fix the
 * layout above the error at @line. Returns: true if @buf changed. */
bool cfh_load_patch_join(struct loader *ld, char *buf, size_t pos);
bool cfh_load_patch_for_error(struct loader *ld, char *buf, int line);

/* After a join: count line numbers again from the original bytes. */
void cfh_load_fix_lines(const char *s, struct cfh_node *n, size_t *pos,
			int *line, int depth);

#endif

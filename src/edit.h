/* SPDX-License-Identifier: MIT */
/*
 * The edit API: the only way passes change a template. Every edit marks
 * what it touched for the reprinter and appends a change record (pass,
 * JSON Pointer, operation, old and new value, reason, whether it replaces
 * a deployed resource).
 *
 * Ownership: functions ending in _take take over the json_t they are given
 * (even when they fail), as jansson's *_new functions do. Nodes returned
 * through @out belong to the template.
 *
 * Returns: 0 when the edit was made or deliberately not made (a change
 * that would replace a deployed resource under --no-replace, or a key or
 * item to add where the template has an intrinsic function or a scalar
 * instead of the mapping or list expected, is recorded as an advisory
 * instead, and *@out is set to NULL; an edit inside a resource the
 * running pass is suppressed for is not made at all); -1 on error (out of
 * memory, a NULL node, the root, ...).
 */
#ifndef CFH_EDIT_H
#define CFH_EDIT_H

#include "engine.h"

/* Add @key to @map, or replace its value if present. */
int cfh_edit_set_take(struct cfh_run *r, struct cfh_node *map,
		      const char *key, json_t *value, const char *reason,
		      struct cfh_node **out);

/* Add @key after the entry @after (at the end when NULL or absent). */
int cfh_edit_insert_take(struct cfh_run *r, struct cfh_node *map,
			 const char *after, const char *key, json_t *value,
			 const char *reason, struct cfh_node **out);

/* Replace the value @old (any non-root node) with @value. */
int cfh_edit_replace_take(struct cfh_run *r, struct cfh_node *old,
			  json_t *value, const char *reason,
			  struct cfh_node **out);

/* Append @value to the sequence @seq. */
int cfh_edit_append_take(struct cfh_run *r, struct cfh_node *seq,
			 json_t *value, const char *reason,
			 struct cfh_node **out);

/* Insert @value right after @item, an item of a sequence: its siblings
 * stay as they are written. */
int cfh_edit_insert_after_take(struct cfh_run *r, struct cfh_node *item,
			       json_t *value, const char *reason,
			       struct cfh_node **out);

/* Remove @key from @map; a missing key is not an error. */
int cfh_edit_remove(struct cfh_run *r, struct cfh_node *map,
		    const char *key, const char *reason);

/* Remove the node @n from its parent collection. */
int cfh_edit_remove_node(struct cfh_run *r, struct cfh_node *n,
			 const char *reason);

/* Add a resource at the end of Resources (or after @after). */
int cfh_edit_add_resource_take(struct cfh_run *r, const char *id,
			       const char *after, json_t *resource,
			       const char *reason, struct cfh_node **out);

/* Add a top-level section (Outputs, Parameters, ...) if it is missing, in
 * CloudFormation's customary order, or fill it when it is empty (null);
 * return it either way. Another kind of value is returned as it is:
 * callers check that it is a mapping. */
struct cfh_node *cfh_edit_section(struct cfh_run *r, const char *name);

/* Record a finding that needs a human decision; nothing changes. */
int cfh_advise(struct cfh_run *r, const struct cfh_node *at,
	       const char *reason);

/* True if changing @prop (a path under Properties, "A" or "A/B") of
 * resource @res replaces the deployed resource (createOnly). */
bool cfh_prop_replaces(const struct cfh_node *res, const char *prop);

#endif

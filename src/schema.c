/* SPDX-License-Identifier: MIT */
/*
 * Look-ups over the generated resource-type table (schema_table.c).  The
 * table is sorted by name in strcmp() order, which the generator guarantees
 * and tests/check_schema.c verifies, so a binary search finds a type.
 *
 * The table holds no pointers, only offsets: strings are offsets into one
 * pool of NUL-terminated strings, and a list is a run of such offsets in
 * one item array.  So it needs no relocation at start-up (see schema.h).
 */
#include <string.h>

#include "schema.h"

/* Defined in the generated schema_table.c. */
extern const char cfh_rtype_pool[];
extern const uint32_t cfh_rtype_items[];
extern const struct cfh_rtype cfh_rtype_table[];
extern const size_t cfh_rtype_table_len;

static const char *str_at(uint32_t off)
{
	return off == CFH_RTYPE_NOSTR ? NULL : cfh_rtype_pool + off;
}

const struct cfh_rtype *cfh_rtype_find(const char *name)
{
	size_t lo = 0, hi = cfh_rtype_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cfh_rtype *t = &cfh_rtype_table[mid];
		int c = strcmp(name, cfh_rtype_pool + t->name_off);

		if (c == 0)
			return t;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *cfh_rtype_name(const struct cfh_rtype *t)
{
	return t ? str_at(t->name_off) : NULL;
}

const char *cfh_rtype_tag_prop(const struct cfh_rtype *t)
{
	return t ? str_at(t->tag_prop_off) : NULL;
}

const char *cfh_rtype_attr_prefix(const struct cfh_rtype *t)
{
	return t ? str_at(t->attr_prefix_off) : NULL;
}

const char *cfh_rtype_item(const struct cfh_rtype *t, enum cfh_rlist list,
			   size_t i)
{
	if (!t || (unsigned)list >= CFH_RLIST_COUNT || i >= t->list_len[list])
		return NULL;
	return cfh_rtype_pool + cfh_rtype_items[t->list_off[list] + i];
}

/* Whether a sorted list holds s; the scan stops at the first greater item. */
static bool sorted_has(const struct cfh_rtype *t, enum cfh_rlist list,
		       const char *s)
{
	const char *item;
	size_t i;

	for (i = 0; (item = cfh_rtype_item(t, list, i)); i++) {
		int c = strcmp(item, s);

		if (c == 0)
			return true;
		if (c > 0)
			break;
	}
	return false;
}

bool cfh_rtype_has_prop(const struct cfh_rtype *t, const char *prop)
{
	return t && sorted_has(t, CFH_RLIST_PROPS, prop);
}

bool cfh_rtype_has_attr(const struct cfh_rtype *t, const char *attr)
{
	const char *prefix = cfh_rtype_attr_prefix(t);

	if (!t)
		return false;
	if (prefix && strncmp(attr, prefix, strlen(prefix)) == 0)
		return true;
	return sorted_has(t, CFH_RLIST_ATTRS, attr);
}

/*
 * Whether pattern (a create-only entry) is path or an ancestor of it, a
 * pattern segment "*" (an array index) matching any one path segment.  So
 * "A" covers "A/B", but "A/B" does not cover "A": changing another member
 * of A need not replace the resource.
 */
static bool covers(const char *pattern, const char *path)
{
	for (;;) {
		size_t plen = strcspn(pattern, "/");
		size_t slen = strcspn(path, "/");

		if (!(plen == 1 && pattern[0] == '*') &&
		    (plen != slen || strncmp(pattern, path, plen) != 0))
			return false;
		pattern += plen;
		path += slen;
		if (*pattern == '\0')
			return *path == '\0' || *path == '/';
		if (*path == '\0')
			return false;
		pattern++;
		path++;
	}
}

bool cfh_rtype_is_create_only(const struct cfh_rtype *t, const char *path)
{
	const char *p;
	size_t i;

	for (i = 0; (p = cfh_rtype_item(t, CFH_RLIST_CREATE_ONLY, i)); i++)
		if (covers(p, path))
			return true;
	return false;
}

size_t cfh_rtype_count(void)
{
	return cfh_rtype_table_len;
}

const struct cfh_rtype *cfh_rtype_at(size_t i)
{
	return i < cfh_rtype_table_len ? &cfh_rtype_table[i] : NULL;
}

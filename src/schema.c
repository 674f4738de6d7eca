/* SPDX-License-Identifier: MIT */
/*
 * Look-ups over the generated resource-type table (schema_table.c).  The
 * table is sorted by name in strcmp() order, which the generator guarantees
 * and tests/check_schema.c verifies, so a binary search finds a type.
 */
#include <string.h>

#include "schema.h"

/* Defined in the generated schema_table.c. */
extern const struct cfh_rtype cfh_rtype_table[];
extern const size_t cfh_rtype_table_len;

const struct cfh_rtype *cfh_rtype_find(const char *name)
{
	size_t lo = 0, hi = cfh_rtype_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, cfh_rtype_table[mid].name);

		if (c == 0)
			return &cfh_rtype_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool cfh_rtype_has_prop(const struct cfh_rtype *t, const char *prop)
{
	const char *const *p;

	if (!t)
		return false;
	/* props is sorted, so the scan can stop at the first greater name. */
	for (p = t->props; *p; p++) {
		int c = strcmp(*p, prop);

		if (c == 0)
			return true;
		if (c > 0)
			break;
	}
	return false;
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
	const char *const *p;

	if (!t)
		return false;
	for (p = t->create_only; *p; p++)
		if (covers(*p, path))
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

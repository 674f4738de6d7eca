/* SPDX-License-Identifier: MIT */
/*
 * Look-ups in the IAM action table (src/iam_table.h). The data is
 * generated (src/iam_table_data.c); this code is not.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iam_table.h"
#include "iam_table_data.h"

/*
 * The look-ups.  Everything in the table is lower case and sorted in
 * strcmp() order, and IAM compares actions without regard to case, so a
 * query is folded to lower case (ASCII only, whatever the locale) as it is
 * compared; nothing is copied.  A service is found by binary search, then
 * an action or a resource type by binary search within its service.
 */
#define IAM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char fold(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 'A' && u <= 'Z' ? (unsigned char)(u - 'A' + 'a') : u;
}

/*
 * strcmp(s, q) for a table string s and the first qn bytes of a query q
 * folded to lower case, so that a prefix of a query ("ecr" of
 * "ecr:BatchGetImage") is compared without copying it out.
 */
static int cmp_folded(const char *s, const char *q, size_t qn)
{
	size_t i;

	for (i = 0; i < qn; i++) {
		unsigned char a = (unsigned char)s[i], b = fold(q[i]);

		if (a != b)
			return a < b ? -1 : 1;
	}
	return s[qn] ? 1 : 0;
}

/* Whether table string s starts with the first qn bytes of q, folded. */
static bool has_prefix_folded(const char *s, const char *q, size_t qn)
{
	size_t i;

	for (i = 0; i < qn; i++)
		if ((unsigned char)s[i] != fold(q[i]))
			return false;
	return true;
}

/*
 * The first index in [lo, hi) of a run of @table sorted by name whose name
 * is not below q[0..qn): where q would be, and where the names that start
 * with q begin.  Every entry type here starts with its name_off, so one
 * function serves the three tables (a pointer to a struct is a pointer to
 * its first member).
 */
static size_t lower_bound(const void *table, size_t size, size_t lo,
			  size_t hi, const char *q, size_t qn)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint32_t *name_off =
			(const void *)((const char *)table + mid * size);

		if (cmp_folded(cfh_iamtab_pool + *name_off, q, qn) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct cfh_iam_svc *find_service(const char *q, size_t qn)
{
	size_t lo = lower_bound(cfh_iamtab_services, sizeof(cfh_iamtab_services[0]), 0,
				cfh_iamtab_nservices, q, qn);

	if (lo < cfh_iamtab_nservices &&
	    cmp_folded(cfh_iamtab_pool + cfh_iamtab_services[lo].name_off, q, qn) == 0)
		return &cfh_iamtab_services[lo];
	return NULL;
}

/* The action "service:action", and its service in *svc_out. */
static const struct cfh_iam_act *find_action(const char *action,
					     const struct cfh_iam_svc **svc_out)
{
	const struct cfh_iam_svc *svc;
	const char *colon;
	size_t lo, end, n;

	if (!action || !(colon = strchr(action, ':')))
		return NULL;
	svc = find_service(action, (size_t)(colon - action));
	if (!svc)
		return NULL;
	n = strlen(action);
	end = svc->act_off + svc->act_len;
	lo = lower_bound(cfh_iamtab_actions, sizeof(cfh_iamtab_actions[0]), svc->act_off, end,
			 action, n);
	if (lo == end ||
	    cmp_folded(cfh_iamtab_pool + cfh_iamtab_actions[lo].name_off, action, n))
		return NULL;
	if (svc_out)
		*svc_out = svc;
	return &cfh_iamtab_actions[lo];
}

static const struct cfh_iam_rtype *find_rtype(const struct cfh_iam_svc *svc,
					      const char *rtype)
{
	size_t lo, end, n;

	if (!svc || !rtype)
		return NULL;
	n = strlen(rtype);
	end = svc->rtype_off + svc->rtype_len;
	lo = lower_bound(cfh_iamtab_rtypes, sizeof(cfh_iamtab_rtypes[0]), svc->rtype_off, end,
			 rtype, n);
	if (lo == end || cmp_folded(cfh_iamtab_pool + cfh_iamtab_rtypes[lo].name_off, rtype, n))
		return NULL;
	return &cfh_iamtab_rtypes[lo];
}

bool cfh_iam_service_known(const char *prefix)
{
	return prefix && find_service(prefix, strlen(prefix)) != NULL;
}

enum cfh_iam_scope cfh_iam_action_scope(const char *action)
{
	const struct cfh_iam_act *a = find_action(action, NULL);

	if (!a)
		return CFH_IAM_SCOPE_UNKNOWN;
	return a->rlist_len ? CFH_IAM_SCOPE_RESOURCE : CFH_IAM_SCOPE_STAR_ONLY;
}

bool cfh_iam_action_takes(const char *action, const char *resource_type)
{
	const struct cfh_iam_svc *svc = NULL;
	const struct cfh_iam_act *a = find_action(action, &svc);
	const struct cfh_iam_rtype *r = find_rtype(svc, resource_type);
	size_t lo, hi;
	uint16_t want;

	if (!a || !r)
		return false;
	/* An action's run holds indices in ascending order. */
	want = (uint16_t)(r - cfh_iamtab_rtypes);
	lo = a->rlist_off;
	hi = lo + a->rlist_len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cfh_iamtab_rlist_items[mid] == want)
			return true;
		if (cfh_iamtab_rlist_items[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const char *cfh_iam_arn_format(const char *service, const char *resource_type,
			       size_t i)
{
	const struct cfh_iam_svc *svc =
		service ? find_service(service, strlen(service)) : NULL;
	const struct cfh_iam_rtype *r = find_rtype(svc, resource_type);

	if (!r || i >= r->arn_len)
		return NULL;
	return cfh_iamtab_pool + cfh_iamtab_arn_items[r->arn_off + i];
}

/*
 * IAM's wildcards over a whole "service:action": '*' any run of characters,
 * '?' any one, letters in any case.  The usual two-pointer match: on a
 * mismatch, the last '*' takes one more character; no recursion.
 */
static bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
		} else if (*p && (*p == '?' || fold(*p) == (unsigned char)*s)) {
			p++;
			s++;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/*
 * The actions @pattern matches, in table order, into @list when it is not
 * NULL; returns how many.  Only the part of the table that can match is
 * read: the pattern's literal prefix (up to its first wildcard) picks the
 * services that start with it, or, when it holds the ':', one service and
 * the run of its actions that start with it.
 */
static size_t expand_into(const char *pattern, const char **list)
{
	size_t lit = strcspn(pattern, "*?");
	const char *colon = memchr(pattern, ':', lit);
	size_t svc_lit = colon ? (size_t)(colon - pattern) : lit;
	size_t s, count = 0;

	s = lower_bound(cfh_iamtab_services, sizeof(cfh_iamtab_services[0]), 0,
			cfh_iamtab_nservices, pattern, svc_lit);
	for (; s < cfh_iamtab_nservices; s++) {
		const struct cfh_iam_svc *svc = &cfh_iamtab_services[s];
		const char *name = cfh_iamtab_pool + svc->name_off;
		size_t a, a_end = svc->act_off + svc->act_len;

		if (!has_prefix_folded(name, pattern, svc_lit) ||
		    (colon && name[svc_lit]))
			break;
		a = svc->act_off;
		if (colon)
			a = lower_bound(cfh_iamtab_actions, sizeof(cfh_iamtab_actions[0]), a,
					a_end, pattern, lit);
		for (; a < a_end; a++) {
			const char *act = cfh_iamtab_pool + cfh_iamtab_actions[a].name_off;

			if (colon && !has_prefix_folded(act, pattern, lit))
				break;
			if (!glob_match(pattern, act))
				continue;
			if (list)
				list[count] = act;
			count++;
		}
	}
	return count;
}

int cfh_iam_expand(const char *pattern, const char ***out, size_t *n)
{
	const char **list = NULL;
	size_t count;

	assert(out && n);
	*out = NULL;
	*n = 0;
	if (!pattern)
		return -1;
	if (!*pattern)
		return 0;
	count = expand_into(pattern, NULL);
	if (!count)
		return 0;
	list = malloc(count * sizeof(*list));
	if (!list)
		return -1;
	expand_into(pattern, list);
	*out = list;
	*n = count;
	return 0;
}

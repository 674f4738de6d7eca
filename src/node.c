/* SPDX-License-Identifier: MIT */
/*
 * Node queries, intrinsic functions, and conversion to and from jansson.
 *
 * CloudFormation spells every intrinsic two ways (!Ref X and {"Ref": "X"});
 * passes must not care which, so recognition lives here, once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"

static const struct {
	enum cfh_fn fn;
	const char *name;	/* long form */
	const char *tag;	/* short form */
} fns[] = {
	{ CFH_FN_REF, "Ref", "!Ref" },
	{ CFH_FN_GETATT, "Fn::GetAtt", "!GetAtt" },
	{ CFH_FN_SUB, "Fn::Sub", "!Sub" },
	{ CFH_FN_JOIN, "Fn::Join", "!Join" },
	{ CFH_FN_SELECT, "Fn::Select", "!Select" },
	{ CFH_FN_SPLIT, "Fn::Split", "!Split" },
	{ CFH_FN_IF, "Fn::If", "!If" },
	{ CFH_FN_EQUALS, "Fn::Equals", "!Equals" },
	{ CFH_FN_AND, "Fn::And", "!And" },
	{ CFH_FN_OR, "Fn::Or", "!Or" },
	{ CFH_FN_NOT, "Fn::Not", "!Not" },
	{ CFH_FN_FINDINMAP, "Fn::FindInMap", "!FindInMap" },
	{ CFH_FN_BASE64, "Fn::Base64", "!Base64" },
	{ CFH_FN_CIDR, "Fn::Cidr", "!Cidr" },
	{ CFH_FN_GETAZS, "Fn::GetAZs", "!GetAZs" },
	{ CFH_FN_IMPORTVALUE, "Fn::ImportValue", "!ImportValue" },
	{ CFH_FN_CONDITION, "Condition", "!Condition" },
	{ CFH_FN_TRANSFORM, "Fn::Transform", "!Transform" },
	{ CFH_FN_LENGTH, "Fn::Length", "!Length" },
	{ CFH_FN_TOJSONSTRING, "Fn::ToJsonString", "!ToJsonString" },
	{ CFH_FN_RULES, "Fn::Contains", "!Contains" },
	{ CFH_FN_RULES, "Fn::EachMemberEquals", "!EachMemberEquals" },
	{ CFH_FN_RULES, "Fn::EachMemberIn", "!EachMemberIn" },
	{ CFH_FN_RULES, "Fn::RefAll", "!RefAll" },
	{ CFH_FN_RULES, "Fn::ValueOf", "!ValueOf" },
	{ CFH_FN_RULES, "Fn::ValueOfAll", "!ValueOfAll" },
};

#define NFNS (sizeof(fns) / sizeof(*fns))

const char *cfh_fn_name(enum cfh_fn fn)
{
	size_t i;

	for (i = 0; i < NFNS; i++)
		if (fns[i].fn == fn)
			return fns[i].name;
	return fn == CFH_FN_FOREACH ? "Fn::ForEach" : NULL;
}

/* The short tag for a long-form name, or NULL. */
const char *cfh_fn_tag_for(const char *name)
{
	size_t i;

	for (i = 0; i < NFNS; i++)
		if (!strcmp(fns[i].name, name))
			return fns[i].tag;
	return NULL;
}

const struct cfh_node *cfh_node_deref(const struct cfh_node *n)
{
	/* Aliases cannot form cycles (the loader refuses them), but bound
	 * the walk anyway: a bug here must not hang the tool. */
	int guard = 64;

	while (n && n->kind == CFH_ALIAS && n->target && guard--)
		n = n->target;
	return n;
}

bool cfh_node_is_map(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	return n && n->kind == CFH_MAP;
}

bool cfh_node_is_seq(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	return n && n->kind == CFH_SEQ;
}

bool cfh_node_is_str(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	return n && n->kind == CFH_SCALAR && n->stype == CFH_T_STR &&
	       (!n->tag || !strcmp(n->tag, "!!str"));
}

const char *cfh_node_str(const struct cfh_node *n)
{
	n = cfh_node_deref(n);
	return n && n->kind == CFH_SCALAR ? n->text : NULL;
}

bool cfh_node_str_eq(const struct cfh_node *n, const char *s)
{
	const char *t = cfh_node_str(n);

	return t && !strcmp(t, s);
}

/* A key's first four bytes, never 0: keys of different tags differ,
 * and a lookup compares the text of those of the same tag only. */
static unsigned key_tag(const char *s)
{
	unsigned tag = 0;
	int i;

	for (i = 0; i < 4 && s[i]; i++)
		tag |= (unsigned)(unsigned char)s[i] << (8 * i);
	return tag ? tag : 1;
}

static unsigned entry_tag(struct cfh_entry *e)
{
	if (!e->ktag)
		e->ktag = key_tag(e->key->text);
	return e->ktag;
}

struct cfh_entry *cfh_map_entry(const struct cfh_node *map, const char *key)
{
	struct cfh_entry *e;
	unsigned tag;

	map = cfh_node_deref(map);
	if (!map || map->kind != CFH_MAP)
		return NULL;
	/* The most frequent query of all: the tags of the entries, side by
	 * side in the array, rule out most keys without a read of the key
	 * node. */
	tag = key_tag(key);
	cfh_for_each_entry(map, e)
		if (e->key && entry_tag(e) == tag && !strcmp(e->key->text, key))
			return e;
	return NULL;
}

struct cfh_node *cfh_map_get(const struct cfh_node *map, const char *key)
{
	struct cfh_entry *e = cfh_map_entry(map, key);

	return e ? e->value : NULL;
}

struct cfh_node *cfh_map_path(const struct cfh_node *map, ...)
{
	struct cfh_node *n = (struct cfh_node *)map;
	const char *key;
	va_list ap;

	va_start(ap, map);
	while (n && (key = va_arg(ap, const char *)))
		n = cfh_map_get(n, key);
	va_end(ap);
	return n;
}

size_t cfh_node_count(const struct cfh_node *n)
{
	struct cfh_entry *e;
	size_t c = 0;

	n = cfh_node_deref(n);
	if (!n || (n->kind != CFH_MAP && n->kind != CFH_SEQ))
		return 0;
	cfh_for_each_entry(n, e)
		c++;
	return c;
}

struct cfh_node *cfh_seq_at(const struct cfh_node *seq, size_t i)
{
	struct cfh_entry *e;

	seq = cfh_node_deref(seq);
	if (!seq || seq->kind != CFH_SEQ)
		return NULL;
	cfh_for_each_entry(seq, e)
		if (!i--)
			return e->value;
	return NULL;
}

bool cfh_node_fn(const struct cfh_node *n, struct cfh_fn_view *out)
{
	const struct cfh_entry *e = NULL, *it;
	size_t i, live = 0;
	const char *k;
	char c;

	memset(out, 0, sizeof(*out));
	n = cfh_node_deref(n);
	if (!n)
		return false;
	if (n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
		out->short_form = true;
		out->arg = n;
		out->fn = CFH_FN_UNKNOWN;
		out->name = n->tag + 1;
		for (i = 0; i < NFNS; i++)
			if (fns[i].tag[1] == n->tag[1] &&
			    !strcmp(fns[i].tag, n->tag)) {
				out->fn = fns[i].fn;
				out->name = fns[i].name;
				break;
			}
		return true;
	}
	if (n->kind != CFH_MAP)
		return false;
	/* One live entry, or no call: stop at the second. */
	cfh_for_each_entry(n, it) {
		e = it;
		if (++live > 1)
			return false;
	}
	if (live != 1 || !e->key)
		return false;
	/* Every long form is Ref, Condition or Fn::...: most one-key
	 * mappings are none of them, and the tag tells without a read of
	 * the key. */
	c = (char)entry_tag((struct cfh_entry *)e);
	if (c != 'R' && c != 'C' && c != 'F')
		return false;
	k = e->key->text;
	if (k[0] != 'R' && k[0] != 'C' && strncmp(k, "Fn::", 4))
		return false;
	if (!strncmp(k, "Fn::ForEach::", 13)) {
		out->fn = CFH_FN_FOREACH;
		out->name = e->key->text;
		out->arg = e->value;
		return true;
	}
	for (i = 0; i < NFNS; i++)
		if (fns[i].name[0] == k[0] && !strcmp(fns[i].name, k)) {
			out->fn = fns[i].fn;
			out->name = fns[i].name;
			out->arg = e->value;
			return true;
		}
	return false;
}

const char *cfh_node_ref(const struct cfh_node *n)
{
	struct cfh_fn_view v;

	if (!cfh_node_fn(n, &v) || v.fn != CFH_FN_REF)
		return NULL;
	return cfh_node_str(v.arg);
}

int cfh_node_getatt(struct cfh_template *t, const struct cfh_node *n,
		    const char **res, const char **attr)
{
	struct cfh_fn_view v;
	const struct cfh_node *a;
	const char *s, *dot;

	if (!cfh_node_fn(n, &v) || v.fn != CFH_FN_GETATT)
		return -1;
	a = cfh_node_deref(v.arg);
	if (a->kind == CFH_SCALAR) {
		s = a->text;
		dot = strchr(s, '.');
		if (!dot || dot == s || !dot[1])
			return -1;
		*res = cfh_arena_strndup(&t->arena, s, (size_t)(dot - s));
		*attr = dot + 1;
		return *res ? 0 : -1;
	}
	if (a->kind == CFH_SEQ && cfh_node_count(a) == 2 &&
	    cfh_node_is_str(cfh_seq_at(a, 0)) &&
	    cfh_node_is_str(cfh_seq_at(a, 1))) {
		*res = cfh_node_str(cfh_seq_at(a, 0));
		*attr = cfh_node_str(cfh_seq_at(a, 1));
		return 0;
	}
	return -1;
}

static json_t *scalar_to_json(const struct cfh_node *n)
{
	char *end;
	long long v;
	double d;

	switch (n->stype) {
	case CFH_T_NULL:
		return json_null();
	case CFH_T_BOOL:
		return json_boolean(n->text[0] == 't' || n->text[0] == 'T');
	case CFH_T_INT:
		errno = 0;
		v = strtoll(n->text, &end, 0);
		if (!errno && !*end && n->text[0] != '0')
			return json_integer(v);
		if (!errno && !*end && !strcmp(n->text, "0"))
			return json_integer(0);
		break;	/* octal-looking or huge: keep the text */
	case CFH_T_REAL:
		d = strtod(n->text, &end);
		if (!*end && d == d && d - d == 0)
			return json_real(d);
		break;
	default:
		break;
	}
	return json_stringn(n->text, n->len);
}

static json_t *wrap(const char *name, json_t *arg)
{
	json_t *o;

	if (!arg)
		return NULL;
	o = json_object();
	if (!o || json_object_set_new(o, name, arg)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *to_json_untagged(const struct cfh_node *n, int depth);

static json_t *to_json(const struct cfh_node *n, int depth)
{
	struct cfh_fn_view v;
	json_t *arg, *pair;
	const char *dot;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH + 8)
		return NULL;
	if (!cfh_node_fn(n, &v) || !v.short_form)
		return to_json_untagged(n, depth);
	if (v.fn == CFH_FN_GETATT && n->kind == CFH_SCALAR &&
	    (dot = strchr(n->text, '.'))) {
		pair = json_pack("[s%s]", n->text, (size_t)(dot - n->text),
				 dot + 1);
		return wrap(v.name, pair);
	}
	arg = to_json_untagged(n, depth);
	/* No long form exists: the tag stays visible as the key. Callers
	 * that write a template refuse it first (cfh_template_unknown_tag). */
	return wrap(v.fn == CFH_FN_UNKNOWN ? n->tag : v.name, arg);
}

static json_t *to_json_untagged(const struct cfh_node *n, int depth)
{
	const struct cfh_entry *e;
	json_t *j, *c;

	switch (n->kind) {
	case CFH_SCALAR:
		if (n->tag && strcmp(n->tag, "!!str"))
			return json_stringn(n->text, n->len);
		return scalar_to_json(n);
	case CFH_MAP:
		j = json_object();
		if (!j)
			return NULL;
		cfh_for_each_entry(n, e) {
			c = to_json(e->value, depth + 1);
			if (!c || json_object_set_new(j, e->key->text, c)) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case CFH_SEQ:
		j = json_array();
		if (!j)
			return NULL;
		cfh_for_each_entry(n, e) {
			c = to_json(e->value, depth + 1);
			if (!c || json_array_append_new(j, c)) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	default:
		return NULL;
	}
}

json_t *cfh_node_to_json(const struct cfh_node *n)
{
	return to_json(n, 0);
}

static struct cfh_node *new_node(struct cfh_template *t, enum cfh_kind kind)
{
	struct cfh_node *n = cfh_arena_alloc(&t->arena, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->flags = CFH_NF_NEW;
		n->weight = 1;
	}
	return n;
}

/* Set the slots of the nodes of @coll's entry @i. */
static void number_one(struct cfh_node *coll, size_t i)
{
	struct cfh_entry *e = &coll->ent[i];

	e->value->slot = (unsigned)i;
	if (e->orig)
		e->orig->slot = (unsigned)i;
	if (e->key)
		e->key->slot = (unsigned)i;
}

/* Room for @cap entries in the new collection @coll, when its size is
 * known before its entries are pushed: arrays that grow in the arena
 * leave each smaller one behind. */
static int reserve(struct cfh_template *t, struct cfh_node *coll, size_t cap)
{
	struct cfh_entry *e;

	if (cap <= coll->cap)
		return 0;
	e = cfh_arena_alloc(&t->arena, cap * sizeof(*e));
	if (!e)
		return -1;
	if (coll->n)
		memcpy(e, coll->ent, coll->n * sizeof(*e));
	coll->ent = e;
	coll->cap = cap;
	return 0;
}

/* Append an entry to a new collection (no source positions). */
int cfh_node_push(struct cfh_template *t, struct cfh_node *coll,
		  struct cfh_node *key, struct cfh_node *value)
{
	struct cfh_entry *e;

	if (coll->n == coll->cap) {
		size_t cap = coll->cap ? coll->cap * 2 : 4;

		e = cfh_arena_alloc(&t->arena, cap * sizeof(*e));
		if (!e)
			return -1;
		if (coll->n)
			memcpy(e, coll->ent, coll->n * sizeof(*e));
		coll->ent = e;
		coll->cap = cap;
	}
	e = &coll->ent[coll->n++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->value = value;
	e->flags = CFH_EF_NEW;
	if (key)
		key->parent = coll;
	value->parent = coll;
	if (coll->numbered == coll->n - 1)
		number_one(coll, coll->numbered++);
	return 0;
}

struct cfh_node *cfh_node_new_str(struct cfh_template *t, const char *s)
{
	struct cfh_node *n = new_node(t, CFH_SCALAR);

	if (!n)
		return NULL;
	n->len = strlen(s);
	n->text = cfh_arena_strndup(&t->arena, s, n->len);
	return n->text ? n : NULL;
}

static struct cfh_node *from_json(struct cfh_template *t, const json_t *j,
				  int depth)
{
	struct cfh_node *n, *k, *v;
	const char *key;
	json_t *val;
	size_t i;
	char num[64];

	if (depth > CFH_MAX_DEPTH)
		return NULL;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		n = new_node(t, CFH_MAP);
		if (!n || reserve(t, n, json_object_size(j)))
			return NULL;
		json_object_foreach((json_t *)j, key, val) {
			k = cfh_node_new_str(t, key);
			v = from_json(t, val, depth + 1);
			if (!k || !v || cfh_node_push(t, n, k, v))
				return NULL;
		}
		return n;
	case JSON_ARRAY:
		n = new_node(t, CFH_SEQ);
		if (!n || reserve(t, n, json_array_size(j)))
			return NULL;
		json_array_foreach(j, i, val) {
			v = from_json(t, val, depth + 1);
			if (!v || cfh_node_push(t, n, NULL, v))
				return NULL;
		}
		return n;
	case JSON_STRING:
		n = new_node(t, CFH_SCALAR);
		if (!n)
			return NULL;
		n->len = json_string_length(j);
		n->text = cfh_arena_strndup(&t->arena, json_string_value(j),
					    n->len);
		return n->text ? n : NULL;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(j));
		n = cfh_node_new_str(t, num);
		if (n)
			n->stype = CFH_T_INT;
		return n;
	case JSON_REAL:
		cfh_real_text(json_real_value(j), num, sizeof(num));
		/* 1.0 must stay a real: "swagger: 2.0" is not "swagger: 2". */
		if (!strpbrk(num, ".eEni"))
			strcat(num, ".0");
		n = cfh_node_new_str(t, num);
		if (n)
			n->stype = CFH_T_REAL;
		return n;
	case JSON_TRUE:
	case JSON_FALSE:
		n = cfh_node_new_str(t, json_is_true(j) ? "true" : "false");
		if (n)
			n->stype = CFH_T_BOOL;
		return n;
	case JSON_NULL:
		n = cfh_node_new_str(t, "null");
		if (n)
			n->stype = CFH_T_NULL;
		return n;
	}
	return NULL;
}

struct cfh_node *cfh_node_from_json(struct cfh_template *t, const json_t *j)
{
	return j ? from_json(t, j, 0) : NULL;
}

void cfh_node_moved(struct cfh_node *coll, size_t pos)
{
	if (pos < coll->numbered)
		coll->numbered = (unsigned)pos;
}

void cfh_node_number(struct cfh_node *coll)
{
	size_t i;

	for (i = coll->numbered; i < coll->n; i++)
		number_one(coll, i);
	coll->numbered = (unsigned)coll->n;
}

static bool holds(const struct cfh_entry *e, const struct cfh_node *n,
		  bool key)
{
	return key ? e->key == n : e->value == n || e->orig == n;
}

/* The entry of @p that holds @n: at its slot if the slot is numbered,
 * else among the entries not numbered yet, which are numbered on the
 * way. A node no entry holds leaves every entry numbered, so that the
 * next such question costs nothing. */
static struct cfh_entry *find_entry(struct cfh_node *p,
				    const struct cfh_node *n, bool key)
{
	size_t i;

	if (n->slot < p->numbered && holds(&p->ent[n->slot], n, key))
		return &p->ent[n->slot];
	for (i = p->numbered; i < p->n; i++) {
		number_one(p, i);
		p->numbered = (unsigned)(i + 1);
		if (holds(&p->ent[i], n, key))
			return &p->ent[i];
	}
	return NULL;
}

struct cfh_entry *cfh_node_entry(const struct cfh_node *n)
{
	return n->parent ? find_entry(n->parent, n, false) : NULL;
}

struct cfh_entry *cfh_node_key_entry(struct cfh_node *coll,
				     const struct cfh_node *key)
{
	return coll && key && key->parent == coll
		       ? find_entry(coll, key, true)
		       : NULL;
}

static void pointer_segment(struct cfh_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '~')
			cfh_buf_adds(b, "~0");
		else if (*s == '/')
			cfh_buf_adds(b, "~1");
		else
			cfh_buf_addc(b, *s);
	}
}

static void pointer_of(struct cfh_buf *b, const struct cfh_node *n)
{
	const struct cfh_entry *e, *it;
	size_t idx = 0;

	if (!n->parent)
		return;
	pointer_of(b, n->parent);
	e = cfh_node_entry(n);
	cfh_buf_addc(b, '/');
	if (!e)
		return;
	if (e->key) {
		pointer_segment(b, e->key->text);
		return;
	}
	cfh_for_each_entry(n->parent, it) {
		if (it == e)
			break;
		idx++;
	}
	cfh_buf_addf(b, "%zu", idx);
}

char *cfh_node_pointer(const struct cfh_node *n)
{
	struct cfh_buf b;

	cfh_buf_init(&b);
	pointer_of(&b, n);
	return cfh_buf_steal(&b, NULL);
}

struct cfh_node *cfh_template_section(const struct cfh_template *t,
				      const char *name)
{
	return cfh_map_get(t->root, name);
}

const char *cfh_resource_type(const struct cfh_node *res)
{
	const struct cfh_node *type = cfh_map_get(res, "Type");

	return cfh_node_is_str(type) ? cfh_node_str(type) : NULL;
}

const char *cfh_node_resource_id(const struct cfh_template *t,
				 const struct cfh_node *n)
{
	struct cfh_node *resources = cfh_template_section(t, "Resources");
	const struct cfh_entry *e;

	for (; n && n->parent; n = n->parent) {
		if (n->parent == resources) {
			e = cfh_node_entry(n);
			return e && e->key ? e->key->text : NULL;
		}
	}
	return NULL;
}

/* Decode one JSON Pointer segment (~1 is '/', ~0 is '~') into @out. */
static void pointer_decode(const char *s, size_t len, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '~' && i + 1 < len && (s[i + 1] == '0' ||
						   s[i + 1] == '1')) {
			out[k++] = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
}

struct cfh_node *cfh_node_at(const struct cfh_template *t, const char *ptr)
{
	struct cfh_node *n = t->root;
	char seg[1024];

	if (!ptr || (*ptr && *ptr != '/'))
		return NULL;
	while (n && *ptr == '/') {
		const char *end = strchr(ptr + 1, '/');
		size_t len = end ? (size_t)(end - ptr - 1) : strlen(ptr + 1);

		if (len >= sizeof(seg))
			return NULL;
		pointer_decode(ptr + 1, len, seg);
		n = (struct cfh_node *)cfh_node_deref(n);
		if (n->kind == CFH_MAP)
			n = cfh_map_get(n, seg);
		else if (n->kind == CFH_SEQ && seg[0] >= '0' && seg[0] <= '9')
			n = cfh_seq_at(n, strtoul(seg, NULL, 10));
		else
			n = NULL;
		ptr += len + 1;
	}
	return n;
}

bool cfh_is_dynamic(const struct cfh_node *n)
{
	struct cfh_fn_view fv;

	return cfh_node_fn(n, &fv);
}

bool cfh_props_dynamic(const struct cfh_node *res)
{
	const struct cfh_node *p = cfh_map_get(res, "Properties");

	/* An alias too: editing through it would change every other user of
	 * its anchor. */
	return p && (p->kind != CFH_MAP || cfh_is_dynamic(p));
}

/* The least precision of %g that reads @d back unchanged. */
static int real_precision(double d)
{
	char buf[40];
	int p;

	for (p = 1; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			return p;
	}
	return 17;
}

void cfh_real_text(double d, char *buf, size_t n)
{
	snprintf(buf, n, "%.*g", real_precision(d), d);
}

/*
 * A copy of @v with each real replaced by a marker string "\1<n>\2",
 * its text kept in @texts at n.
 */
static json_t *mark_reals(const json_t *v, json_t *texts, int depth)
{
	const char *k;
	json_t *e, *out;
	size_t i;
	char num[40], mark[32];

	if (depth > CFH_MAX_DEPTH)
		return NULL;
	if (json_is_real(v)) {
		cfh_real_text(json_real_value(v), num, sizeof(num));
		/* jansson writes 2.0 as a real; so must we. */
		if (!strpbrk(num, ".eEni"))
			strcat(num, ".0");
		snprintf(mark, sizeof(mark), "\1%zu\2", json_array_size(texts));
		return json_array_append_new(texts, json_string(num))
			       ? NULL
			       : json_string(mark);
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, k, e)
			if (!out || json_object_set_new(out, k,
						       mark_reals(e, texts,
								  depth + 1))) {
				json_decref(out);
				return NULL;
			}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e)
			if (!out || json_array_append_new(out,
							  mark_reals(e, texts,
								     depth + 1))) {
				json_decref(out);
				return NULL;
			}
		return out;
	}
	return json_incref((json_t *)v);
}

/* Does a string (key or value) of @v hold the marker byte \1? */
static bool holds_marker(const json_t *v, int depth)
{
	const char *k;
	json_t *e;
	size_t i;

	if (depth > CFH_MAX_DEPTH)
		return true;
	if (json_is_string(v))
		return memchr(json_string_value(v), '\1', json_string_length(v));
	json_object_foreach((json_t *)v, k, e)
		if (strchr(k, '\1') || holds_marker(e, depth + 1))
			return true;
	json_array_foreach(v, i, e)
		if (holds_marker(e, depth + 1))
			return true;
	return false;
}

/* Does @v hold a real (or nest too deep to tell)? */
static bool holds_real(const json_t *v, int depth)
{
	const char *k;
	json_t *e;
	size_t i;

	if (depth > CFH_MAX_DEPTH || json_is_real(v))
		return true;
	json_object_foreach((json_t *)v, k, e)
		if (holds_real(e, depth + 1))
			return true;
	json_array_foreach(v, i, e)
		if (holds_real(e, depth + 1))
			return true;
	return false;
}

/*
 * A JSON writer that gives, byte for byte, what jansson 2.14's
 * json_dumps() gives for the flags reports and outputs use (an indent,
 * JSON_COMPACT, JSON_ENCODE_ANY, JSON_PRESERVE_ORDER, which 2.14 always
 * does): the same separators, "\uXXXX" escapes and insertion order.
 * jansson's own spends most of a report's time in its loop check, which
 * formats every container's address with snprintf() and hashes it: our
 * values are trees built by us, so there is no loop to find. Anything
 * else (a real, a string that is not valid UTF-8, other flags, deep
 * nesting) is left to jansson: DUMP_FALLBACK.
 */
enum { DUMP_OK, DUMP_FALLBACK };

#define DUMP_KNOWN_FLAGS                                                    \
	(JSON_MAX_INDENT | JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)

/* Length of the valid UTF-8 sequence at @s (of @n bytes), 0 if invalid:
 * jansson's rules (no overlong form, surrogate or value past U+10FFFF),
 * so that what it would refuse goes to it. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0) {
		len = 2;
		v = s[0] & 0x1F;
	} else if (s[0] < 0xF0) {
		len = 3;
		v = s[0] & 0x0F;
	} else if (s[0] < 0xF5) {
		len = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
		return 0;
	*cp = v;
	return len;
}

/* Appends without the NUL cfh_buf_add() writes each time: dumps() ends
 * the text once. */
static inline void put(struct cfh_buf *b, const void *s, size_t n)
{
	if (b->data && b->cap - b->len > n) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
	} else {
		cfh_buf_add(b, s, n);
	}
}

static inline void putc_(struct cfh_buf *b, char c)
{
	if (b->data && b->cap - b->len > 1)
		b->data[b->len++] = c;
	else
		cfh_buf_addc(b, c);
}

static int dump_str(struct cfh_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str, *run = s;
	const unsigned char *end = s + n;
	uint32_t cp;
	size_t l;
	char seq[7];

	putc_(b, '"');
	while (s < end) {
		if (*s >= 0x20 && *s != '"' && *s != '\\' && *s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0x80) {
			l = utf8_len(s, (size_t)(end - s), &cp);
			if (!l)
				return DUMP_FALLBACK;
			s += l;
			continue;
		}
		put(b, run, (size_t)(s - run));
		switch (*s) {
		case '\\': put(b, "\\\\", 2); break;
		case '"': put(b, "\\\"", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default:
			memcpy(seq, "\\u00", 4);
			seq[4] = hex[*s >> 4];
			seq[5] = hex[*s & 0xF];
			put(b, seq, 6);
		}
		run = ++s;
	}
	put(b, run, (size_t)(s - run));
	putc_(b, '"');
	return DUMP_OK;
}

/* jansson's dump_indent(): a newline and @depth indents, or with no
 * indent the space after a comma (none when compact). */
static void dump_indent(struct cfh_buf *b, size_t flags, int depth, int space)
{
	size_t ind = flags & JSON_MAX_INDENT;

	if (ind) {
		putc_(b, '\n');
		cfh_buf_pad(b, ' ', ind * (size_t)depth);
	} else if (space && !(flags & JSON_COMPACT)) {
		putc_(b, ' ');
	}
}

static int dump_value(struct cfh_buf *b, const json_t *v, size_t flags,
		      int depth)
{
	char num[24], *p;
	unsigned long long u;
	json_int_t n;
	void *it, *next;
	size_t i, sz;

	if (depth > CFH_MAX_DEPTH)
		return DUMP_FALLBACK;
	switch (json_typeof(v)) {
	case JSON_NULL:
		put(b, "null", 4);
		return DUMP_OK;
	case JSON_TRUE:
		put(b, "true", 4);
		return DUMP_OK;
	case JSON_FALSE:
		put(b, "false", 5);
		return DUMP_OK;
	case JSON_INTEGER:
		n = json_integer_value(v);
		u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
		p = num + sizeof(num);
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (n < 0)
			*--p = '-';
		put(b, p, (size_t)(num + sizeof(num) - p));
		return DUMP_OK;
	case JSON_STRING:
		return dump_str(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		putc_(b, '[');
		sz = json_array_size(v);
		if (!sz) {
			putc_(b, ']');
			return DUMP_OK;
		}
		dump_indent(b, flags, depth + 1, 0);
		for (i = 0; i < sz; i++) {
			if (dump_value(b, json_array_get(v, i), flags,
				       depth + 1))
				return DUMP_FALLBACK;
			if (i + 1 < sz) {
				putc_(b, ',');
				dump_indent(b, flags, depth + 1, 1);
			} else {
				dump_indent(b, flags, depth, 0);
			}
		}
		putc_(b, ']');
		return DUMP_OK;
	case JSON_OBJECT:
		putc_(b, '{');
		it = json_object_iter((json_t *)v);
		if (!it) {
			putc_(b, '}');
			return DUMP_OK;
		}
		dump_indent(b, flags, depth + 1, 0);
		for (; it; it = next) {
			next = json_object_iter_next((json_t *)v, it);
			if (dump_str(b, json_object_iter_key(it),
				     json_object_iter_key_len(it)))
				return DUMP_FALLBACK;
			if (flags & JSON_COMPACT)
				putc_(b, ':');
			else
				put(b, ": ", 2);
			if (dump_value(b, json_object_iter_value(it), flags,
				       depth + 1))
				return DUMP_FALLBACK;
			if (next) {
				putc_(b, ',');
				dump_indent(b, flags, depth + 1, 1);
			} else {
				dump_indent(b, flags, depth, 0);
			}
		}
		putc_(b, '}');
		return DUMP_OK;
	default:
		/* A real: jansson's own digits. */
		return DUMP_FALLBACK;
	}
}

int cfh_json_put(struct cfh_buf *b, const json_t *v, int depth)
{
	return dump_value(b, v, JSON_INDENT(2), depth) == DUMP_OK ? 0 : -1;
}

int cfh_json_put_str(struct cfh_buf *b, const char *s, size_t len)
{
	return dump_str(b, s, len) == DUMP_OK ? 0 : -1;
}

/* json_dumps(@v, @flags), faster where dump_value() can: the caller frees
 * the text; NULL when jansson would give NULL or memory runs out. */
static char *dumps(const json_t *v, size_t flags)
{
	struct cfh_buf b;

	if (!v || (flags & ~(size_t)DUMP_KNOWN_FLAGS) ||
	    (!(flags & JSON_ENCODE_ANY) && !json_is_object(v) &&
	     !json_is_array(v)))
		return json_dumps(v, flags);
	cfh_buf_init(&b);
	if (dump_value(&b, v, flags, 0) != DUMP_OK) {
		cfh_buf_release(&b);
		return json_dumps(v, flags);
	}
	cfh_buf_add(&b, "", 0);
	return cfh_buf_steal(&b, NULL);
}

char *cfh_json_dumps(const json_t *v, size_t flags)
{
	static const char open[] = "\"\\u0001", close[] = "\\u0002\"";
	const size_t olen = sizeof(open) - 1, clen = sizeof(close) - 1;
	json_t *texts, *m;
	struct cfh_buf b;
	char *s, *p, *q, *end;
	unsigned long n;

	/* With no real in it, @v's text is the same whichever way below
	 * it would go: written at once, it saves the two walks. */
	if (v && ((flags & JSON_ENCODE_ANY) || json_is_object(v) ||
		  json_is_array(v)) && !(flags & ~(size_t)DUMP_KNOWN_FLAGS)) {
		cfh_buf_init(&b);
		if (dump_value(&b, v, flags, 0) == DUMP_OK) {
			cfh_buf_add(&b, "", 0);
			return cfh_buf_steal(&b, NULL);
		}
		cfh_buf_release(&b);
	}
	/* A template whose strings hold the marker byte keeps jansson's
	 * 17 digits: exact, if long. */
	if (holds_marker(v, 0))
		return dumps(v, flags);
	/* With no real, the copy below would be @v again: a report's
	 * values, most of the time. */
	if (!holds_real(v, 0))
		return dumps(v, flags);
	texts = json_array();
	m = texts ? mark_reals(v, texts, 0) : NULL;
	s = m ? dumps(m, flags) : NULL;
	json_decref(m);
	if (!s || !json_array_size(texts)) {
		json_decref(texts);
		return s;
	}
	/* Each marker is dumped as "\u0001<n>\u0002": the number's text
	 * goes in its place, quotes and all. */
	cfh_buf_init(&b);
	p = s;
	while ((q = strstr(p, open))) {
		n = strtoul(q + olen, &end, 10);
		if (n < json_array_size(texts) && !strncmp(end, close, clen)) {
			cfh_buf_add(&b, p, (size_t)(q - p));
			cfh_buf_adds(&b, json_string_value(json_array_get(texts,
									  n)));
			p = end + clen;
		} else {
			cfh_buf_add(&b, p, (size_t)(q + 1 - p));
			p = q + 1;
		}
	}
	cfh_buf_adds(&b, p);
	free(s);
	json_decref(texts);
	return cfh_buf_steal(&b, NULL);
}

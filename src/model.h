/* SPDX-License-Identifier: MIT */
/*
 * The template model: an ordered tree of nodes that remembers where each
 * node came from in the source bytes, so that the reprinter can copy
 * untouched text verbatim and re-render only what a pass changed.
 *
 * Ownership: every node, entry and string of a template lives in the
 * template's arena and is freed with the template (cfh_template_free()).
 * Pointers returned by the query functions are borrowed from the template.
 * Passes never write to nodes directly: they go through the edit API in
 * edit.h, which records every change.
 */
#ifndef CFH_MODEL_H
#define CFH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "cfharden.h"

enum cfh_kind {
	CFH_SCALAR,
	CFH_MAP,
	CFH_SEQ,
	CFH_ALIAS,
};

/* How a scalar or collection was (or will be) written. */
enum cfh_style {
	CFH_STYLE_ANY,		/* new node: the renderer chooses */
	CFH_STYLE_PLAIN,
	CFH_STYLE_SINGLE,
	CFH_STYLE_DOUBLE,
	CFH_STYLE_LITERAL,
	CFH_STYLE_FOLDED,
	CFH_STYLE_BLOCK,	/* collections */
	CFH_STYLE_FLOW,
};

/* What a scalar means. Quoted and block scalars are strings; plain ones
 * resolve by the YAML 1.2 core schema (which JSON literals also follow). */
enum cfh_stype {
	CFH_T_STR,
	CFH_T_INT,
	CFH_T_REAL,
	CFH_T_BOOL,
	CFH_T_NULL,
};

/* Node flags. */
#define CFH_NF_NEW	0x1u	/* made by a pass: no source text */
#define CFH_NF_DIRTY	0x2u	/* an entry below was added, removed or replaced */
#define CFH_NF_ALIASED	0x4u	/* an alias lies in the subtree */

/* Entry flags. */
#define CFH_EF_NEW	0x1u	/* added by a pass */
#define CFH_EF_REMOVED	0x2u	/* removed by a pass; kept so the reprinter
				 * knows which source bytes to drop */

struct cfh_node;

/*
 * A mapping pair or a sequence item (key == NULL). Entries stay in output
 * order; removed ones keep their place until the template is freed.
 */
struct cfh_entry {
	struct cfh_node *key;
	struct cfh_node *value;
	struct cfh_node *orig;	/* the loaded value, when value replaced it */
	size_t start;		/* source offset of the entry: the key, or the
				 * '-' of a block sequence item */
	unsigned flags;
	unsigned ktag;		/* the key's first four bytes, set on the
				 * first lookup (0: not yet), so that a
				 * lookup by key reads no key node that
				 * cannot match */
};

struct cfh_node {
	/* Bit-fields: a template has a node per scalar, key and
	 * collection, and their size is most of the tool's memory. */
	enum cfh_kind kind : 8;
	enum cfh_style style : 8;
	enum cfh_stype stype : 8;
	unsigned flags : 8;
	unsigned stamp;		/* the template's generation at the last edit
				 * in the subtree (0: none since loading), so
				 * that caches can tell what changed */
	struct cfh_node *parent;
	const char *tag;	/* "!Ref", "!!str" as written, or NULL */
	const char *anchor;	/* without '&', or NULL */
	/* Offsets and counts fit 32 bits: an input is at most
	 * CFH_MAX_INPUT bytes, an expansion CFH_MAX_EXPANSION nodes. */
	uint32_t start, end;	/* source span, tag and anchor included */
	uint32_t vstart;	/* where the node proper starts (after its tag) */
	int line, col;		/* 1-based position of start */
	/* Index of its entry in parent->ent (as a value, a loaded value or
	 * a key), so that cfh_node_entry() needs no scan; right for the
	 * entries of a collection below its @numbered, which edits that
	 * move entries lower and lookups raise again (cfh_node_moved()).
	 * (Here, not below: the 32-bit fields pair up without padding.) */
	unsigned slot;
	/* scalars */
	const char *text;	/* decoded value, NUL-terminated */
	size_t len;
	/* collections */
	struct cfh_entry *ent;
	uint32_t n, cap;
	/* aliases */
	struct cfh_node *target;
	uint32_t weight;	/* nodes in the subtree with aliases expanded */
	unsigned numbered;	/* collections: how many leading entries
				 * have their slots right */
};

/* Conventions of the source file, followed by everything the tool writes. */
struct cfh_conv {
	bool json;		/* the file is JSON */
	const char *nl;		/* "\n" or "\r\n" */
	/* YAML */
	int indent;		/* block indent step */
	bool seq_indented;	/* "key:\n  - x" rather than "key:\n- x" */
	char quote;		/* '\'' or '"' for strings that need quotes */
	bool short_tags;	/* !Ref rather than Ref: */
	/* JSON */
	char junit;		/* ' ' or '\t' */
	int jindent;		/* units per level; 0 when the file is one line */
	bool jspace;		/* a space after ':' and ',' on one-line objects */
};

struct cfh_template {
	char *name;		/* for diagnostics: path or "<stdin>" */
	char *src;		/* the source bytes, owned */
	size_t len;
	struct cfh_arena arena;
	struct cfh_node *root;
	struct cfh_conv conv;
	unsigned generation;	/* bumped by every edit; lets caches rebuild */
	struct cfh_graph *graph;	/* lazily built, see graph.h */
	bool graph_pinned;	/* keep the graph as it is despite edits, for
				 * the length of one pass (engine.c) */
	json_t *added;		/* resources added by passes: ID -> node, so
				 * lookups stay O(1) before the graph has them */
	unsigned graph_generation;
	bool odd_ids;		/* a pass added a resource whose ID holds '.'
				 * or '}' (see cfh_names_exact()) */
	/* The Resources mapping as of generation @resources_gen, for the
	 * walks that ask for it at every step (cfh_resources_end()). */
	struct cfh_node *resources;
	unsigned resources_gen;
	bool resources_ok;
};

/*
 * Iterate over the live entries of a collection. @e is a struct cfh_entry *.
 * Removed entries are skipped; the body sees the entries in output order.
 * An empty collection has no array at all (NULL), hence the first test:
 * NULL + 0 is undefined behaviour.
 */
#define cfh_for_each_entry(node, e)                                        \
	for ((e) = (node)->ent; (e) && (e) < (node)->ent + (node)->n; (e)++) \
		if (!((e)->flags & CFH_EF_REMOVED))

/* Any YAML or JSON document, loaded with the template's loader (the same
 * refusals and positions) but without the CloudFormation shape checks:
 * for the configuration file. Free with cfh_template_free(). */
struct cfh_template *cfh_yaml_load(const char *src, size_t len,
				   const char *name, struct cfh_diag *diag);

/* Follow aliases; NULL stays NULL. */
const struct cfh_node *cfh_node_deref(const struct cfh_node *n);

bool cfh_node_is_map(const struct cfh_node *n);
bool cfh_node_is_seq(const struct cfh_node *n);
bool cfh_node_is_str(const struct cfh_node *n);	/* string scalar, untagged */

/**
 * cfh_node_str() - the text of a scalar
 * Returns: the scalar's decoded text (borrowed), or NULL if @n is not a
 * scalar. A tagged scalar (!Ref X) gives its text too: ask cfh_node_fn()
 * first where the difference matters.
 */
const char *cfh_node_str(const struct cfh_node *n);

/* True if @n is a scalar equal to @s. */
bool cfh_node_str_eq(const struct cfh_node *n, const char *s);

/**
 * cfh_map_get() - the value of @key in a mapping
 * Returns: the value (borrowed), or NULL if @map is not a mapping or has no
 * live entry @key.
 */
struct cfh_node *cfh_map_get(const struct cfh_node *map, const char *key);
struct cfh_entry *cfh_map_entry(const struct cfh_node *map, const char *key);

/* Follow a chain of keys: cfh_map_path(res, "Properties", "Tags", NULL). */
struct cfh_node *cfh_map_path(const struct cfh_node *map, ...)
	__attribute__((sentinel));

/* Number of live entries. */
size_t cfh_node_count(const struct cfh_node *n);

/* The i-th live entry's value of a sequence, or NULL. */
struct cfh_node *cfh_seq_at(const struct cfh_node *seq, size_t i);

/*
 * Intrinsic functions, recognised in both spellings: a tag (!Ref X,
 * !GetAtt A.B) or a one-key mapping ({"Ref": "X"}, {"Fn::GetAtt": [A, B]}).
 */
enum cfh_fn {
	CFH_FN_NONE,
	CFH_FN_REF,
	CFH_FN_GETATT,
	CFH_FN_SUB,
	CFH_FN_JOIN,
	CFH_FN_SELECT,
	CFH_FN_SPLIT,
	CFH_FN_IF,
	CFH_FN_EQUALS,
	CFH_FN_AND,
	CFH_FN_OR,
	CFH_FN_NOT,
	CFH_FN_FINDINMAP,
	CFH_FN_BASE64,
	CFH_FN_CIDR,
	CFH_FN_GETAZS,
	CFH_FN_IMPORTVALUE,
	CFH_FN_CONDITION,
	CFH_FN_TRANSFORM,
	CFH_FN_LENGTH,
	CFH_FN_TOJSONSTRING,
	CFH_FN_FOREACH,
	CFH_FN_RULES,		/* a function of a Rules section only:
				 * Fn::Contains, Fn::EachMemberEquals, ... */
	CFH_FN_UNKNOWN,		/* a tag we do not know: kept verbatim */
};

struct cfh_fn_view {
	enum cfh_fn fn;
	const char *name;		/* long form: "Ref", "Fn::GetAtt", ... */
	const struct cfh_node *arg;	/* the argument; for the tag form, the
					 * tagged node itself */
	bool short_form;
};

/**
 * cfh_node_fn() - recognise an intrinsic function call
 * @n: any node
 * @out: filled in when @n is a call
 *
 * Returns: true if @n is a call to an intrinsic function in either form.
 */
bool cfh_node_fn(const struct cfh_node *n, struct cfh_fn_view *out);

/* Long-form name of a function, "Fn::GetAtt" for CFH_FN_GETATT. */
const char *cfh_fn_name(enum cfh_fn fn);

/* The Ref target of @n (!Ref X / {"Ref": "X"}), or NULL. */
const char *cfh_node_ref(const struct cfh_node *n);

/**
 * cfh_node_getatt() - split a GetAtt call into resource and attribute
 * @n: the node
 * @res: receives the logical ID (arena string of @t)
 * @attr: receives the attribute, dotted for nested ones
 *
 * Handles !GetAtt A.B, !GetAtt [A, B] and {"Fn::GetAtt": [A, B]}.
 * Returns: 0, or -1 if @n is no GetAtt or its argument is not literal.
 */
int cfh_node_getatt(struct cfh_template *t, const struct cfh_node *n,
		    const char **res, const char **attr);

/**
 * cfh_node_to_json() - convert a subtree to a jansson value
 *
 * Intrinsics come out in long form; plain scalars as numbers, booleans and
 * null where they resolve to those. Returns: a new reference (the caller
 * json_decref()s it), or NULL when out of memory.
 */
json_t *cfh_node_to_json(const struct cfh_node *n);

/**
 * cfh_json_dumps() - json_dumps(), with every real written as the number
 * it is
 *
 * jansson writes reals with 17 significant digits, and 6.2 comes out as
 * 6.2000000000000002: another string, and no longer a valid engine
 * version. Here each real is written in the shortest text that reads
 * back as the same double (cfh_real_text()).
 * Returns: a malloc'ed string (caller frees), or NULL when out of memory.
 */
char *cfh_json_dumps(const json_t *v, size_t flags);

struct cfh_buf;

/**
 * cfh_json_put() - append @v as json_dumps(JSON_INDENT(2)) writes it when
 * it is a value at @depth of a document (its members at 2 * (@depth + 1)
 * spaces); cfh_json_put_str() - append @s (@len bytes) as a JSON string
 *
 * For writers that stream a document rather than build it. The buffer
 * may lack its NUL until the next cfh_buf_add().
 * Returns: 0, or -1 for what these leave to jansson (a real, a string
 * that is not valid UTF-8, nesting past CFH_MAX_DEPTH): jansson refuses
 * the string too, the caller drops the text.
 */
int cfh_json_put(struct cfh_buf *b, const json_t *v, int depth);
int cfh_json_put_str(struct cfh_buf *b, const char *s, size_t len);

/* The shortest text of a double that reads back as the same double, into
 * @buf (at least 32 bytes). */
void cfh_real_text(double d, char *buf, size_t n);

/**
 * cfh_node_from_json() - build new nodes from a jansson value
 *
 * Passes describe new content with json_pack(); intrinsics in long form
 * ({"Ref": "X"}) are written in short form in YAML files that use it.
 * Returns: a node marked new, owned by @t, or NULL when out of memory.
 */
struct cfh_node *cfh_node_from_json(struct cfh_template *t, const json_t *j);

/**
 * cfh_node_pointer() - the JSON Pointer of a node, "/Resources/B/Properties"
 * Returns: a string the caller frees, or NULL when out of memory.
 */
char *cfh_node_pointer(const struct cfh_node *n);

/* The node at a JSON Pointer ("" is the root), or NULL. */
struct cfh_node *cfh_node_at(const struct cfh_template *t, const char *ptr);

/* Template sections: NULL when absent. */
struct cfh_node *cfh_template_section(const struct cfh_template *t,
				      const char *name);

/* The resource named @id, or NULL; O(1) through the graph's index once
 * there is a graph. */
struct cfh_node *cfh_resource(const struct cfh_template *t, const char *id);

/* A resource's logical ID is the key of its entry in Resources. */
const char *cfh_resource_type(const struct cfh_node *res);

/* The node's logical ID if it is a resource (the value of an entry in
 * Resources), else that of the resource it lies in, else NULL. */
const char *cfh_node_resource_id(const struct cfh_template *t,
				 const struct cfh_node *n);

/* True if @n is an intrinsic function call (its value is decided at
 * deploy time, so a pass must not assume it). */
bool cfh_is_dynamic(const struct cfh_node *n);

/* True if the resource's Properties is decided at deploy time (an
 * intrinsic such as Fn::If), an alias, or not a mapping: passes leave it
 * alone. */
bool cfh_props_dynamic(const struct cfh_node *res);

/* Helpers shared by the model's files. */
enum cfh_stype cfh_plain_type(const char *s, size_t len);
const char *cfh_fn_tag_for(const char *name);

/**
 * cfh_node_entry() - the entry of @n in its parent collection
 *
 * The entry whose value is @n, or whose loaded value (orig) @n was before
 * an edit replaced it. In constant time, amortised: each node keeps the
 * index of its entry (slot); where entries moved, or the loader made
 * them, the lookup numbers them from the first unnumbered one up to @n,
 * so that numbering a collection costs its length once per run of
 * insertions, not once per lookup.
 * Returns: the entry (borrowed), or NULL for the root and for a node no
 * entry holds any more (replaced twice, or taken out).
 */
struct cfh_entry *cfh_node_entry(const struct cfh_node *n);

/* Entries of @coll from position @pos on have moved (an insertion, a
 * removal): their slots are to be set again, lazily, by the lookups that
 * need them. O(1): a thousand insertions into Resources cost no
 * thousand renumberings of it. */
void cfh_node_moved(struct cfh_node *coll, size_t pos);

/* Set the slot of every entry of @coll that lacks it: for the callers
 * that order entries by slot. Linear in the entries not numbered. */
void cfh_node_number(struct cfh_node *coll);

/* The entry of @coll whose key is @key, or NULL; as cfh_node_entry(). */
struct cfh_entry *cfh_node_key_entry(struct cfh_node *coll,
				     const struct cfh_node *key);
struct cfh_node *cfh_node_new_str(struct cfh_template *t, const char *s);
int cfh_node_push(struct cfh_template *t, struct cfh_node *coll,
		  struct cfh_node *key, struct cfh_node *value);

/* Loading and conventions (load.c, conv.c). */
int cfh_load(struct cfh_template *t, struct cfh_diag *diag);
void cfh_conv_detect(struct cfh_template *t);

/* Render @n (a new node) for insertion; see render.c. */
enum cfh_ctx {
	CFH_CTX_BLOCK_VALUE,	/* after "key:" in a block mapping */
	CFH_CTX_BLOCK_ITEM,	/* after "-" in a block sequence */
	CFH_CTX_FLOW,		/* inside a flow collection or JSON */
};
void cfh_render(struct cfh_buf *b, const struct cfh_template *t,
		const struct cfh_node *n, enum cfh_ctx ctx, int indent,
		bool multiline);
void cfh_render_key(struct cfh_buf *b, const struct cfh_template *t,
		    const char *key, bool flow);

/* A whole new document: @n at the top level, then a line break. */
void cfh_render_document(struct cfh_buf *b, const struct cfh_template *t,
			 const struct cfh_node *n);

#endif

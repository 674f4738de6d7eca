/* SPDX-License-Identifier: MIT */
#ifndef CFH_SCHEMA_H
#define CFH_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* Ownership: everything here is static, read-only data; nothing to free. */

/*
 * Facts about CloudFormation resource types, generated into schema_table.c
 * by tools/gen-schema-table.py from the provider schemas cfn-lint ships
 * (us-east-1 set), plus the AWS::Serverless types of the SAM transform.
 * Custom::* types are not in the table; cfn-lint treats them as
 * AWS::CloudFormation::CustomResource, and callers that want the same can
 * look that name up instead.
 */

enum cfh_tag_shape {
	CFH_TAGS_NONE,	/* the type takes no tags */
	CFH_TAGS_LIST,	/* a list of {Key, Value} objects */
	CFH_TAGS_MAP,	/* a map of string to string */
};
/*
 * CFH_TAGS_NONE also covers the few types whose tags have neither shape
 * (EC2::CapacityReservation nests them in TagSpecifications,
 * CloudFront::AnycastIpList wraps the list in {Items: [...]}), so that a
 * caller that adds tags never writes a shape the type rejects.
 * AutoScaling::AutoScalingGroup is LIST but each item also requires
 * PropagateAtLaunch.
 */

/*
 * The four string lists of a type, for cfh_rtype_item():
 *  - CREATE_ONLY: top-level property names, nested ones as "A/B"
 *    (JSON-Pointer-like, without the leading /properties/);
 *  - ATTRS: GetAtt attribute names, sorted; nested ones dotted
 *    ("Endpoint.Address");
 *  - PRIMARY_ID: primaryIdentifier property names, in the schema's order;
 *  - PROPS: top-level property names, sorted; read-only ones ("Arn"),
 *    which a template may not set, are only in ATTRS.
 */
enum cfh_rlist {
	CFH_RLIST_CREATE_ONLY,
	CFH_RLIST_ATTRS,
	CFH_RLIST_PRIMARY_ID,
	CFH_RLIST_PROPS,
	CFH_RLIST_COUNT
};

/* An offset of cfh_rtype's string fields that stands for "no string". */
#define CFH_RTYPE_NOSTR UINT32_MAX

/*
 * One entry of the generated table.  Only tag_shape is meant to be read
 * directly; the rest are offsets into one string pool and one array of
 * list items, read through the functions below.  Offsets instead of
 * pointers leave the table with no relocation: as pointers it needed some
 * 28,000, which the dynamic loader applied at every start of a
 * position-independent executable, a third of the run time on a small
 * template.
 */
struct cfh_rtype {
	enum cfh_tag_shape tag_shape;
	uint32_t name_off;		/* see cfh_rtype_name() */
	uint32_t tag_prop_off;		/* see cfh_rtype_tag_prop() */
	uint32_t attr_prefix_off;	/* see cfh_rtype_attr_prefix() */
	uint32_t list_off[CFH_RLIST_COUNT];	/* first item of each list */
	uint16_t list_len[CFH_RLIST_COUNT];
};

/**
 * cfh_rtype_find() - look up a resource type by its exact name
 * @name: type name, such as "AWS::S3::Bucket"
 *
 * Returns: the type's static entry (never to be freed), or NULL if unknown.
 */
const struct cfh_rtype *cfh_rtype_find(const char *name);	/* binary search; NULL if unknown */

/**
 * cfh_rtype_name() - a type's name
 * @t: the type, or NULL
 *
 * Returns: the static name, such as "AWS::S3::Bucket", or NULL if @t is NULL.
 */
const char *cfh_rtype_name(const struct cfh_rtype *t);

/**
 * cfh_rtype_tag_prop() - the name of a type's tags property
 * @t: the type, or NULL
 *
 * Returns: the static name ("Tags", "TagList", "UserPoolTags", ...), or
 * NULL if @t is NULL or its tag_shape is CFH_TAGS_NONE.
 */
const char *cfh_rtype_tag_prop(const struct cfh_rtype *t);

/**
 * cfh_rtype_attr_prefix() - the open part of a type's GetAtt names
 * @t: the type, or NULL
 *
 * GetAtt also accepts any name that starts with this prefix: "Outputs."
 * for AWS::CloudFormation::Stack and ServiceCatalog provisioned products,
 * "" (anything) for custom resources and SAM types.  This is what
 * cfn-lint accepts.
 *
 * Returns: the static prefix, or NULL if @t is NULL or the
 * CFH_RLIST_ATTRS list is the whole set of names.
 */
const char *cfh_rtype_attr_prefix(const struct cfh_rtype *t);

/**
 * cfh_rtype_item() - one item of one of a type's string lists
 * @t: the type, or NULL
 * @list: which list
 * @i: index in the list
 *
 * The lists end where this returns NULL, so they walk like the
 * NULL-terminated arrays they replace:
 *
 *     for (i = 0; (a = cfh_rtype_item(t, CFH_RLIST_ATTRS, i)); i++)
 *
 * Returns: the static string, or NULL if @t is NULL or @i is past the end.
 */
const char *cfh_rtype_item(const struct cfh_rtype *t, enum cfh_rlist list,
			   size_t i);

/**
 * cfh_rtype_has_prop() - whether a type has a top-level property
 * @t: the type, or NULL (then the answer is false)
 * @prop: property name, such as "BucketName"
 *
 * Returns: true if @prop is one of @t's top-level properties.
 */
bool cfh_rtype_has_prop(const struct cfh_rtype *t, const char *prop);

/**
 * cfh_rtype_has_attr() - whether GetAtt accepts an attribute of a type
 * @t: the type, or NULL (then the answer is false)
 * @attr: attribute name, such as "Arn" or "Endpoint.Address"
 *
 * Returns: true if @attr is one of @t's attributes or starts with its
 * attribute prefix (cfh_rtype_attr_prefix()).
 */
bool cfh_rtype_has_attr(const struct cfh_rtype *t, const char *attr);

/**
 * cfh_rtype_is_create_only() - whether changing a property replaces the resource
 * @t: the type, or NULL (then the answer is false)
 * @path: property path, "A" or "A/B"
 *
 * A path is create-only when it or one of its ancestors is listed ("A/B" is
 * create-only when "A" is), and a "*" segment in the list (an array index)
 * matches any one segment of @path.
 *
 * Returns: true if @path is create-only for @t.
 */
bool cfh_rtype_is_create_only(const struct cfh_rtype *t, const char *path);	/* path "A" or "A/B" */

/**
 * cfh_rtype_count() - number of types in the table
 *
 * Returns: the count; cfh_rtype_at() accepts 0 to count - 1.
 */
size_t cfh_rtype_count(void);

/**
 * cfh_rtype_at() - the i-th type, in strcmp() order of names
 * @i: index
 *
 * Returns: the type's static entry, or NULL if @i is out of range.
 */
const struct cfh_rtype *cfh_rtype_at(size_t i);
#endif

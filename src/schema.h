/* SPDX-License-Identifier: MIT */
#ifndef CFH_SCHEMA_H
#define CFH_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>
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

struct cfh_rtype {
	const char *name;		/* "AWS::S3::Bucket" */
	enum cfh_tag_shape tag_shape;
	const char *tag_prop;		/* name of the tags property ("Tags", "TagList", "UserPoolTags", ...) or NULL */
	const char *const *create_only;	/* NULL-terminated; top-level property names, nested ones as "A/B" (JSON-Pointer-like, without the leading /properties/) */
	const char *const *attrs;	/* NULL-terminated; GetAtt attribute names, nested ones dotted ("Endpoint.Address") */
	const char *const *primary_id;	/* NULL-terminated; primaryIdentifier property names */
	const char *const *props;	/* NULL-terminated; all top-level property names, sorted; read-only ones ("Arn"), which a template may not set, are only in attrs */
	/*
	 * GetAtt also accepts any name that starts with this: "Outputs." for
	 * AWS::CloudFormation::Stack and ServiceCatalog provisioned products,
	 * "" (anything) for custom resources and SAM types; NULL when attrs is
	 * the whole list.  This is what cfn-lint accepts.
	 */
	const char *attr_prefix;
};

/**
 * cfh_rtype_find() - look up a resource type by its exact name
 * @name: type name, such as "AWS::S3::Bucket"
 *
 * Returns: the type's static entry (never to be freed), or NULL if unknown.
 */
const struct cfh_rtype *cfh_rtype_find(const char *name);	/* binary search; NULL if unknown */

/**
 * cfh_rtype_has_prop() - whether a type has a top-level property
 * @t: the type, or NULL (then the answer is false)
 * @prop: property name, such as "BucketName"
 *
 * Returns: true if @prop is one of @t's top-level properties.
 */
bool cfh_rtype_has_prop(const struct cfh_rtype *t, const char *prop);

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

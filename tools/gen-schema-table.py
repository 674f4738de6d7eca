#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate src/schema_table.c, the resource-type facts table of cfn-harden.

The table holds, for every CloudFormation resource type that cfn-lint knows in
us-east-1 (plus the AWS::Serverless types of the SAM transform): the shape and
name of its tags property, its create-only properties, its GetAtt attributes,
its primary identifier and its top-level property names.  The generated file is
committed, so building cfn-harden never needs cfn-lint; rerun this script after
upgrading cfn-lint and review the diff.

Run it from the top of the repository, through make (which also checks, in
`make check`, that the committed file is what this script writes now):

    make schema

Requirements: python3 and an installed cfn-lint (the `cfnlint` package, found
with `import cfnlint`, so the same interpreter must be able to import it).  The
script itself uses only the standard library.  Output goes to stdout and is
deterministic (sorted by type name, no timestamps); a summary and warnings
about tag properties that fit no known shape go to stderr.

Where the facts come from, mirroring how cfn-lint resolves a type
(cfnlint/schema/manager.py, ProviderSchemaManager.get_resource_schema):

  - cfnlint.data.schemas.providers.us_east_1.types maps each type name to the
    hash of its schema;
  - the schema is cfnlint/data/schemas/resources/<hash>.json, read as a package
    resource, exactly as cfnlint.helpers.load_resource does.

GetAtt names are taken from cfn-lint's own GetAtts logic (Schema.get_atts), not
from readOnlyProperties alone, because cfn-lint also accepts every property of
some older types (SQS::Queue.QueueName, SNS::Topic.TopicName, EC2::VPC.CidrBlock
...), and cfn-lint validates every template cfn-harden writes.
"""

import importlib
import importlib.resources
import json
import re
import sys

try:
    import cfnlint
    from cfnlint.schema import Schema
    from cfnlint.version import __version__ as CFNLINT_VERSION
except ImportError as e:
    sys.exit(f"gen-schema-table: cannot import cfn-lint ({e}); install it "
             f"(pip install cfn-lint) for this python3")

REGION = "us-east-1"
REGION_MODULE = "cfnlint.data.schemas.providers.us_east_1"
RESOURCES_PACKAGE = "cfnlint.data.schemas.resources"

# cfn-lint files every "*::MODULE" type under this synthetic name; no template
# can use it as a Type, so a lookup for it must not succeed.
SKIP_TYPES = {"Module"}

TAGS_NONE = "CFH_TAGS_NONE"
TAGS_LIST = "CFH_TAGS_LIST"
TAGS_MAP = "CFH_TAGS_MAP"

# The SAM transform's types have no provider schema: the transform rewrites
# them into ordinary resources before CloudFormation sees the template, so
# cfn-lint's provider set does not know them.  cfn-harden still edits them
# (adding tags, naming resources), so their facts are written here by hand from
# the SAM specification (docs.aws.amazon.com/serverless-application-model,
# "AWS SAM resources and properties"), with the property lists checked against
# the property_types of aws-sam-translator 1.110.0.  SAM declares every Tags
# property as a map of string to string, and LayerVersion and Connector have
# no tags.  create-only lists name only the SAM properties that are passed
# straight to a create-only property of the generated resource (for example
# Function.FunctionName becomes AWS::Lambda::Function.FunctionName); GetAtt is
# open (attr_prefix "") because SAM passes GetAtt through to generated
# resources, which is also what cfn-lint accepts for these types.
SAM_TYPES = {
    "AWS::Serverless::Api": {
        "tags": "Tags",
        "create_only": [],
        "props": [
            "AccessLogSetting", "AlwaysDeploy", "ApiKeySourceType", "Auth",
            "BinaryMediaTypes", "CacheClusterEnabled", "CacheClusterSize",
            "CanarySetting", "Cors", "DefinitionBody", "DefinitionUri",
            "Description", "DisableExecuteApiEndpoint", "Domain",
            "EndpointAccessMode", "EndpointConfiguration", "FailOnWarnings",
            "GatewayResponses", "MergeDefinitions", "MethodSettings",
            "MinimumCompressionSize", "Mode", "Models", "Name",
            "OpenApiVersion", "Policy", "PropagateTags", "SecurityPolicy",
            "StageName", "Tags", "TracingEnabled", "Variables",
        ],
    },
    "AWS::Serverless::Application": {
        "tags": "Tags",
        "create_only": [],
        "props": [
            "Location", "NotificationARNs", "Parameters", "Tags",
            "TemplateUrl", "TimeoutInMinutes",
        ],
    },
    "AWS::Serverless::Connector": {
        "tags": None,
        "create_only": [],
        "props": ["Destination", "Permissions", "Source"],
    },
    "AWS::Serverless::Function": {
        "tags": "Tags",
        "create_only": ["FunctionName"],
        "props": [
            "Architectures", "AssumeRolePolicyDocument", "AutoPublishAlias",
            "AutoPublishAliasAllProperties", "AutoPublishCodeSha256",
            "CapacityProviderConfig", "CodeSigningConfigArn", "CodeUri",
            "DeadLetterQueue", "DeploymentPreference", "Description",
            "DurableConfig", "Environment", "EphemeralStorage",
            "EventInvokeConfig", "Events", "FileSystemConfigs", "FunctionName",
            "FunctionScalingConfig", "FunctionUrlConfig", "Handler",
            "ImageConfig", "ImageUri", "InlineCode", "KmsKeyArn", "Layers",
            "LoggingConfig", "MemorySize", "PackageType",
            "PermissionsBoundary", "Policies", "PropagateTags",
            "ProvisionedConcurrencyConfig", "PublishToLatestPublished",
            "RecursiveLoop", "ReservedConcurrentExecutions", "Role",
            "RolePath", "Runtime", "RuntimeManagementConfig", "SnapStart",
            "SourceKMSKeyArn", "Tags", "TenancyConfig", "Timeout", "Tracing",
            "VersionDeletionPolicy", "VersionDescription", "VpcConfig",
        ],
    },
    "AWS::Serverless::GraphQLApi": {
        "tags": "Tags",
        "create_only": [],
        "props": [
            "ApiKeys", "Auth", "Cache", "DataSources", "DomainName",
            "Functions", "IntrospectionConfig", "Logging", "Name",
            "OwnerContact", "QueryDepthLimit", "ResolverCountLimit",
            "Resolvers", "SchemaInline", "SchemaUri", "Tags", "Visibility",
            "XrayEnabled",
        ],
    },
    "AWS::Serverless::HttpApi": {
        "tags": "Tags",
        "create_only": [],
        "props": [
            "AccessLogSettings", "Auth", "CorsConfiguration",
            "DefaultRouteSettings", "DefinitionBody", "DefinitionUri",
            "Description", "DisableExecuteApiEndpoint", "Domain",
            "FailOnWarnings", "Name", "PropagateTags", "RouteSettings",
            "StageName", "StageVariables", "Tags",
        ],
    },
    "AWS::Serverless::LayerVersion": {
        "tags": None,
        "create_only": ["LayerName"],
        "props": [
            "CompatibleArchitectures", "CompatibleRuntimes", "ContentUri",
            "Description", "LayerName", "LicenseInfo", "PublishLambdaVersion",
            "RetentionPolicy",
        ],
    },
    "AWS::Serverless::SimpleTable": {
        "tags": "Tags",
        "create_only": ["TableName"],
        "props": [
            "PointInTimeRecoverySpecification", "PrimaryKey",
            "ProvisionedThroughput", "SSESpecification", "TableName", "Tags",
        ],
    },
    "AWS::Serverless::StateMachine": {
        "tags": "Tags",
        "create_only": ["Name"],
        "props": [
            "AutoPublishAlias", "Definition", "DefinitionSubstitutions",
            "DefinitionUri", "DeploymentPreference", "Events", "Logging",
            "Name", "PermissionsBoundary", "Policies", "PropagateTags", "Role",
            "RolePath", "Tags", "Tracing", "Type", "UseAliasAsEventTarget",
        ],
    },
}

PROP_POINTER = re.compile(r"^/properties/(.+)$")
PLAIN_ATTR = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


def warn(msg):
    print(f"gen-schema-table: {msg}", file=sys.stderr)


def load_provider_schemas():
    """Return {type name: schema dict} for the us-east-1 provider set."""
    types = importlib.import_module(REGION_MODULE).types
    resources = importlib.resources.files(RESOURCES_PACKAGE)
    schemas = {}
    for name, digest in types.items():
        if name in SKIP_TYPES:
            continue
        text = resources.joinpath(f"{digest}.json").read_text(encoding="utf-8")
        schema = json.loads(text)
        if schema.get("typeName") != name:
            sys.exit(f"gen-schema-table: {digest}.json is "
                     f"'{schema.get('typeName')}', expected '{name}'")
        schemas[name] = schema
    return schemas


def resolve(schema, node, depth=0):
    """Follow $ref (a JSON pointer into this schema) until a real node."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or depth > 32:
            return {}
        node = schema
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return {}
            node = node[part]
        depth += 1
    return node if isinstance(node, dict) else {}


def type_list(node):
    t = node.get("type", [])
    return t if isinstance(t, list) else [t]


def branches(schema, node):
    """The node itself and the alternatives of its oneOf/anyOf/allOf."""
    node = resolve(schema, node)
    out = [node]
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(key, []):
            out.extend(branches(schema, sub))
    return out


def is_key_value_item(schema, items):
    # AppStream::AppBlock allows {Key, Value} or {TagKey, TagValue}: one
    # {Key, Value} alternative is enough, since that is what we would write.
    for b in branches(schema, items):
        props = b.get("properties", {})
        if "Key" in props and "Value" in props:
            return True
    return False


def is_string(schema, node):
    return any("string" in type_list(b) for b in branches(schema, node))


def tag_shape_of(schema, node):
    """Classify a tags property as LIST, MAP or None (no usable shape)."""
    d = resolve(schema, node)
    types = type_list(d)
    if "array" in types:
        return TAGS_LIST if is_key_value_item(schema, d.get("items", {})) \
            else None
    looks_like_object = "object" in types or (
        not types and ("patternProperties" in d or "additionalProperties" in d))
    if not looks_like_object or d.get("properties"):
        # An object with named properties is a wrapper, not a map
        # (CloudFront::AnycastIpList has Tags: {Items: [{Key, Value}]}).
        return None
    values = list(d.get("patternProperties", {}).values())
    extra = d.get("additionalProperties")
    if isinstance(extra, dict):
        values.append(extra)
    # With no value schema at all the property is free-form JSON ("format":
    # "json", type [object, string] in Glue, Pinpoint, Greengrass, MediaLive
    # ...); the CloudFormation docs describe those as key-value maps.
    if all(is_string(schema, v) for v in values):
        return TAGS_MAP
    return None


def tag_facts(name, schema, notes):
    """Return (shape, property name or None) for a provider schema."""
    props = schema.get("properties", {})
    tagging = schema.get("tagging")
    if tagging is not None:
        # Both defaults come from the resource provider meta-schema.
        if not tagging.get("taggable", True):
            if "Tags" in props:
                notes.append(f"{name}: taggable is false but it has a "
                             f"Tags property (recorded as NONE)")
            return TAGS_NONE, None
        pointer = tagging.get("tagProperty", "/properties/Tags")
    elif "Tags" in props:
        # Older schemas predate the tagging section; "Tags" is the
        # meta-schema's default tag property.
        pointer = "/properties/Tags"
    else:
        return TAGS_NONE, None
    m = PROP_POINTER.match(pointer)
    if not m or "/" in m.group(1) or m.group(1) not in props:
        notes.append(f"{name}: tag property '{pointer}' is not a top-level "
                     f"property (recorded as NONE)")
        return TAGS_NONE, None
    prop = m.group(1)
    shape = tag_shape_of(schema, props[prop])
    if shape is None:
        notes.append(f"{name}: tag property '{prop}' is neither a list of "
                     f"{{Key, Value}} nor a map of strings (recorded as NONE)")
        return TAGS_NONE, None
    return shape, prop


def pointers(name, schema, key):
    """Property pointers of a schema list as "A" or "A/B"."""
    out = []
    for p in schema.get(key, []):
        m = PROP_POINTER.match(p)
        if not m:
            sys.exit(f"gen-schema-table: {name}: odd {key} entry '{p}'")
        out.append(m.group(1))
    return out


def settable_props(schema):
    """Sorted top-level properties a template may set.

    Read-only properties (Arn, RoleId ...) are in a schema's properties too,
    but cfn-lint rejects them under Properties (E3040); they are only read
    through GetAtt, so they belong in attrs.  A handful of schemas list a
    property as both read-only and create-only (SageMaker::Endpoint
    EndpointName); create-only wins, since it can only mean a template sets it.
    """
    read_only = set(schema.get("readOnlyProperties", []))
    create_only = set(schema.get("createOnlyProperties", []))
    return sorted(p for p in schema.get("properties", {})
                  if f"/properties/{p}" not in read_only
                  or f"/properties/{p}" in create_only)


def getatt_facts(schema):
    """Return (sorted literal GetAtt names, open prefix or None, number of
    array-member paths left out)."""
    attrs, prefix, dropped = [], None, 0
    for key in Schema(schema).get_atts.keys():
        if PLAIN_ATTR.match(key):
            attrs.append(key)
        elif key == ".*":
            prefix = ""
        elif key == "Outputs\\..*":
            prefix = "Outputs."
        elif ".*." in key or key.endswith(".*"):
            # Read-only members of arrays ("Rules.*.Arn"): GetAtt cannot
            # index into an array, so they are no attribute names.
            dropped += 1
        else:
            sys.exit(f"gen-schema-table: {schema['typeName']}: GetAtt "
                     f"pattern '{key}' is not understood")
    return sorted(set(attrs)), prefix, dropped


def collect():
    notes, dropped = [], 0
    rows = {}
    for name, schema in load_provider_schemas().items():
        shape, tag_prop = tag_facts(name, schema, notes)
        attrs, prefix, n = getatt_facts(schema)
        dropped += n
        rows[name] = {
            "shape": shape,
            "tag_prop": tag_prop,
            "create_only": sorted(set(pointers(name, schema,
                                               "createOnlyProperties"))),
            "attrs": attrs,
            "primary_id": pointers(name, schema, "primaryIdentifier"),
            "props": settable_props(schema),
            "attr_prefix": prefix,
        }
    for name, sam in SAM_TYPES.items():
        if name in rows:
            sys.exit(f"gen-schema-table: {name} now has a provider schema; "
                     f"drop it from SAM_TYPES")
        rows[name] = {
            "shape": TAGS_MAP if sam["tags"] else TAGS_NONE,
            "tag_prop": sam["tags"],
            "create_only": sorted(sam["create_only"]),
            "attrs": [],
            "primary_id": [],
            "props": sorted(sam["props"]),
            "attr_prefix": "",
        }
    return rows, notes, dropped


def c_str(s):
    if s is None:
        return "NULL"
    if not re.fullmatch(r"[\x20-\x7e]*", s):
        sys.exit(f"gen-schema-table: non-ASCII or control character in '{s}'")
    # "?" is escaped too: -std=c11 turns "??(" and friends into trigraphs.
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("?", "\\?")
    return '"' + s + '"'


def c_off(off):
    return "CFH_RTYPE_NOSTR" if off is None else str(off)


LIST_KEYS = ("create_only", "attrs", "primary_id", "props")  # enum cfh_rlist


def emit(rows, out):
    """Write the table as offsets, never pointers.

    A pointer in static data costs a relocation at every start of a
    position-independent executable, and the table would hold some 28,000.
    So every string is an offset into one pool (each distinct string once,
    in sorted order), a list is a run of such offsets in one item array
    (each distinct list once, in order of first use by the sorted types),
    and a type holds its lists' starts and lengths.  Everything is sorted
    or derived from sorted data, so the output depends on the schemas only.
    """
    names = sorted(rows)  # code-point order, which is strcmp order for ASCII

    strings = set(names)
    for r in rows.values():
        strings.update(s for s in (r["tag_prop"], r["attr_prefix"])
                       if s is not None)
        for k in LIST_KEYS:
            strings.update(r[k])
    pool, pool_len = {}, 0
    for s in sorted(strings):
        pool[s] = pool_len
        pool_len += len(s) + 1
    if pool_len >= 0xffffffff:
        sys.exit("gen-schema-table: string pool too large for uint32_t")

    def off(s):
        return None if s is None else pool[s]

    lists, items = {(): 0}, []

    def ref(seq):
        key = tuple(seq)
        if len(key) > 0xffff:
            sys.exit(f"gen-schema-table: list of {len(key)} items is too "
                     f"long for uint16_t")
        if key not in lists:
            lists[key] = len(items)
            items.extend(pool[s] for s in key)
        return lists[key]

    lines = []
    for name in names:
        r = rows[name]
        starts = [str(ref(r[k])) for k in LIST_KEYS]
        lens = [str(len(r[k])) for k in LIST_KEYS]
        fields = [
            r["shape"], c_off(off(name)), c_off(off(r["tag_prop"])),
            c_off(off(r["attr_prefix"])),
            "{" + ", ".join(starts) + "}", "{" + ", ".join(lens) + "}",
        ]
        lines.append("\t{" + ", ".join(fields) + "},\t/* " + name + " */\n")

    w = out.write
    w("/* SPDX-License-Identifier: MIT */\n")
    w("/*\n")
    w(" * GENERATED FILE, DO NOT EDIT BY HAND.\n")
    w(" *\n")
    w(" * Generated by tools/gen-schema-table.py from the resource provider\n")
    w(f" * schemas of cfn-lint {CFNLINT_VERSION} ({REGION} provider set), plus\n")
    w(" * the script's hand-written table of AWS::Serverless (SAM) types.\n")
    w(f" * {len(names)} resource types.  To regenerate after a cfn-lint\n")
    w(" * upgrade, run `make schema` and review the diff; `make check` fails\n")
    w(" * while this file is stale.\n")
    w(" *\n")
    w(" * It is committed so that building cfn-harden never needs cfn-lint.\n")
    w(" * It holds offsets, not pointers, so that it needs no relocation at\n")
    w(" * start-up: strings are offsets into cfh_rtype_pool (each distinct\n")
    w(" * string once), lists are runs of cfh_rtype_items (each distinct list\n")
    w(" * once).\n")
    w(" */\n")
    w("#include <stddef.h>\n")
    w("#include <stdint.h>\n\n")
    w('#include "schema.h"\n\n')
    w("/* Read only by schema.c, which declares them too. */\n")
    w("extern const char cfh_rtype_pool[];\n")
    w("extern const uint32_t cfh_rtype_items[];\n")
    w("extern const struct cfh_rtype cfh_rtype_table[];\n")
    w("extern const size_t cfh_rtype_table_len;\n\n")
    w(f"/* {len(pool)} strings, {pool_len} bytes, in strcmp() order. */\n")
    w("const char cfh_rtype_pool[] =\n")
    for s in sorted(pool):
        w(f"\t{c_str(s)[:-1]}\\0\"\n")
    w(";\n\n")
    w(f"/* {len(lists)} distinct lists, {len(items)} items: pool offsets. */\n")
    w("const uint32_t cfh_rtype_items[] = {\n")
    starts = sorted(v for k, v in lists.items() if k)
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(items)
        w(f"\t/* {start} */ " + ", ".join(str(x) for x in items[start:stop])
          + ",\n")
    w("};\n\n")
    w("/* tag_shape, name, tag_prop, attr_prefix, list starts in\n")
    w("   cfh_rtype_items and list lengths (create_only, attrs, primary_id,\n")
    w("   props); sorted by name for cfh_rtype_find()'s binary search */\n")
    w("const struct cfh_rtype cfh_rtype_table[] = {\n")
    for line in lines:
        w(line)
    w("};\n\n")
    w("const size_t cfh_rtype_table_len =\n")
    w("\tsizeof(cfh_rtype_table) / sizeof(cfh_rtype_table[0]);\n")
    return len(lists)


def main():
    rows, notes, dropped = collect()
    nlists = emit(rows, sys.stdout)
    for n in sorted(notes):
        warn(n)
    shapes = {}
    for r in rows.values():
        shapes[r["shape"]] = shapes.get(r["shape"], 0) + 1
    warn(f"cfn-lint {CFNLINT_VERSION} at {cfnlint.__path__[0]}: "
         f"{len(rows)} types ({len(SAM_TYPES)} SAM), {nlists} shared lists, "
         + ", ".join(f"{k} {v}" for k, v in sorted(shapes.items()))
         + f"; {dropped} array-member read-only paths left out of attrs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

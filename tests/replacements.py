#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check which resources a hardened template would replace on update.

    replacements.py [--cfn-harden PATH] INPUT OUTPUT [REPORT.json]
    replacements.py [--cfn-harden PATH] --pairs FILE

FILE holds one pair a line, `input<TAB>output[<TAB>report]`; without a
report field (or on the command line without REPORT.json) the report is
OUTPUT + ".report.json", which may not exist. Templates are read through
`cfn-harden --only "" --to json` (PATH, else $CFN_HARDEN, else
build/cfn-harden beside this directory), which gives intrinsics in long
form, so that JSON and YAML are read alike. Written from CloudFormation's
update semantics and the resource schemas cfn-lint ships, independently of
the C passes, so that the two check each other.

What is replaced, for each logical ID in the Resources of both INPUT and
OUTPUT:

 1. Direct: its Type changed, or the value of one of its type's
    createOnlyProperties (the resource schema's JSON pointers, e.g.
    /properties/BucketName or /properties/VpcConfig/SubnetIds) differs. A
    property absent on one side and present on the other differs, and so
    does one that becomes {"Ref": "AWS::NoValue"}. A nested pointer
    compares the nested value; where the walk meets a list (a pointer
    through "*") or an intrinsic other than Fn::If, the whole containing
    value is compared; Fn::If is walked down both branches, so a change to
    an updatable sibling inside a condition is not a replacement. Scalars
    compare as CloudFormation passes them, as strings (5432 and "5432" are
    the same value). A resource whose Type has no schema in cfn-lint (SAM
    AWS::Serverless::*, Custom::* and AWS::CloudFormation::CustomResource,
    third-party types) has no createOnly properties and is never directly
    replaced by this rule, only by a change of Type. Two replacements the
    reference states but the schemas omit are added: AWS::EC2::Instance
    BlockDeviceMappings and AWS::EC2::Volume Encrypted and KmsKeyId.
 2. Cascade: a replaced resource X gets a new physical ID and new
    attributes, so every resource Y (in both templates) whose OUTPUT value
    of a createOnly property refers to X (Ref X, Fn::GetAtt X.*, ${X} or
    ${X.attr} in Fn::Sub, anywhere inside the value) is replaced too,
    transitively. The chain [X, ..., Y] is the shortest one found, with the
    property of each step.

Resources only in OUTPUT (added) are not replacements. Resources only in
INPUT are removals, a violation in mode deployed ("OUTPUT removes X").

What must hold: REPORT's "mode" is "deployed" (also when there is no
report, or it has no mode) or "new-stack", and its "replaced" list (absent
means empty) holds {"resource": Y, "chain": [X, ..., Y]} entries.
 - deployed: no resource may be replaced, directly or by cascade, and none
   removed; and no database in both templates may change a setting that is
   its owner's (OWNERS: how it is reached, signs clients in, logs and
   restarts), reported as `<resource>: interrupts (<resource>.<Prop>)`;
 - new-stack: every replaced resource must be listed, with a chain that
   starts at a directly replaced resource and ends at it (the intermediate
   steps may differ from ours). A listed resource that is not replaced is
   only a note (`replacements: note: ...`), in either mode.
Each violation is one line,

    replacements: OUTPUT: <resource>: replaced (<X.Prop -> Y.Prop -> Y>), <rule>; <why it is a violation>
    replacements: OUTPUT: <resource>: OUTPUT removes <resource>, <why>

and two last lines count the replacements (`replacements: N resources
replaced in M pairs`) and the pairs (`replacements: N pairs checked, N
passed, N failed`). Exit status: 0 all passed, 1 some failed (or could not
be read), 2 bad command line.
"""
import glob
import importlib.util
import json
import os
import re
import readtemplate
import sys
from collections import deque

PROG = "replacements"
ABSENT = "\0absent"


# ---- the schema table --------------------------------------------------------

class Schemas:
    """typeName -> createOnly pointers (as key lists), read from cfn-lint's
    us-east-1 provider schemas on first use of each type, and cached. cfn-lint
    1.x keeps them as resources/<hash>.json, indexed by the `types` dict of
    providers/us_east_1.py; older releases as providers/us_east_1/*.json."""

    def __init__(self):
        # Located, not imported: importing cfnlint costs a second a run.
        spec = importlib.util.find_spec("cfnlint")
        root = list(spec.submodule_search_locations)[0] if spec else ""
        base = os.path.join(root, "data", "schemas")
        self.cache = {}
        self.files = {}
        try:
            with open(os.path.join(base, "providers", "us_east_1.py")) as f:
                for m in re.finditer(r'^\s*"([^"]+)":\s*"([0-9A-Za-z]+)",?\s*$', f.read(), re.M):
                    self.files[m.group(1)] = os.path.join(base, "resources", m.group(2) + ".json")
        except OSError:
            for f in glob.glob(os.path.join(base, "providers", "us_east_1", "*.json")):
                s = self.read(f)
                if isinstance(s.get("typeName"), str):
                    self.cache[s["typeName"]] = self.pointers(s)
        if not self.files and not self.cache:
            sys.exit("replacements.py: no resource schemas found under %s" % base)

    @staticmethod
    def read(path):
        try:
            with open(path) as f:
                s = json.load(f)
            return s if isinstance(s, dict) else {}
        except (OSError, ValueError):
            return {}

    @staticmethod
    def pointers(schema):
        out = []
        for ptr in schema.get("createOnlyProperties", []):
            keys = [k.replace("~1", "/").replace("~0", "~") for k in ptr.split("/")[1:]]
            if keys and keys[0] == "properties" and len(keys) > 1:
                out.append(keys[1:])
        return out

    # Replacements the schemas do not list but the CloudFormation reference
    # states in prose: a running instance's block device mappings change in
    # place only in DeleteOnTermination ("AWS::EC2::Instance
    # BlockDeviceMapping"; the whole list is compared, so that one counts
    # too), and a volume's encryption is fixed when EBS creates it ("How
    # Amazon EBS uses AWS KMS").
    DOCUMENTED = {
        "AWS::EC2::Instance": [["BlockDeviceMappings"]],
        "AWS::EC2::Volume": [["Encrypted"], ["KmsKeyId"]],
    }

    def create_only(self, t):
        if not isinstance(t, str):
            return []
        if t not in self.cache:
            f = self.files.get(t)
            self.cache[t] = (self.pointers(self.read(f)) if f else []) + \
                self.DOCUMENTED.get(t, [])
        return self.cache[t]


# ---- values ------------------------------------------------------------------

def is_intrinsic(x):
    if not isinstance(x, dict) or len(x) != 1:
        return False
    k = next(iter(x))
    return k in ("Ref", "Condition") or k.startswith("Fn::")


def project(node, keys):
    """The part of node that the pointer keys select (see the docstring)."""
    if not keys:
        return node
    if isinstance(node, dict):
        if node == {"Ref": "AWS::NoValue"}:
            return ABSENT
        if is_intrinsic(node):
            (k, v), = node.items()
            if k == "Fn::If" and isinstance(v, list) and len(v) == 3:
                return {"Fn::If": [v[0], project(v[1], keys), project(v[2], keys)]}
            return node
        if keys[0] == "*":
            return node
        if keys[0] in node:
            return project(node[keys[0]], keys[1:])
        return ABSENT
    return node  # a list, or a scalar where an object belongs: the whole value


def norm(x):
    """Scalars as strings (CloudFormation passes them so), recursively."""
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    if isinstance(x, bool):
        return "true" if x else "false"
    if x is None:
        return "null"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def canon(x):
    return json.dumps(norm(x), sort_keys=True, separators=(",", ":"))


SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")


def refs_of(node, out=None):
    """Logical IDs a value refers to: Ref, Fn::GetAtt, ${X} in Fn::Sub."""
    if out is None:
        out = set()
    if isinstance(node, list):
        for v in node:
            refs_of(v, out)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k == "Ref" and isinstance(v, str):
                out.add(v)
            elif k == "Fn::GetAtt":
                if isinstance(v, list) and v and isinstance(v[0], str):
                    out.add(v[0])
                    refs_of(v[1:], out)
                elif isinstance(v, str):
                    out.add(v.split(".", 1)[0])
                else:
                    refs_of(v, out)
            elif k == "Fn::Sub":
                s, local = v, {}
                if isinstance(v, list) and v:
                    s = v[0]
                    if len(v) > 1 and isinstance(v[1], dict):
                        local = v[1]
                        refs_of(list(local.values()), out)
                if isinstance(s, str):
                    for m in SUB_VAR.finditer(s):
                        name = m.group(1).strip().split(".", 1)[0]
                        if name not in local:
                            out.add(name)
                else:
                    refs_of(s, out)
            else:
                refs_of(v, out)
    return out


# ---- the check ---------------------------------------------------------------

class Tpl:
    def __init__(self, path, doc):
        self.path = path
        res = doc.get("Resources") if isinstance(doc, dict) else None
        self.res = {}
        if isinstance(res, dict):
            for lid, r in res.items():
                if isinstance(r, dict):
                    self.res[lid] = r

    def type(self, lid):
        return self.res[lid].get("Type")

    def props(self, lid):
        p = self.res[lid].get("Properties")
        return p if p is not None else {}


def label(keys):
    return ".".join(keys)


def replaced(tin, tout, schemas):
    """{Y: (chain, steps, rule)}: chain [X, ..., Y], steps the property
    shown for each chain member, rule the text of why."""
    both = [lid for lid in tout.res if lid in tin.res]
    out = {}
    queue = deque()
    for lid in both:
        ti, to = tin.type(lid), tout.type(lid)
        if canon(ti) != canon(to):
            out[lid] = ([lid], ["Type"], "direct: Type changed from %s to %s" % (ti, to))
            queue.append(lid)
            continue
        changed = []
        for keys in sorted(schemas.create_only(to), key=len):
            if canon(project(tin.props(lid), keys)) != canon(project(tout.props(lid), keys)):
                # A nested pointer under one already counted adds nothing.
                if not any(label(keys).startswith(c + ".") or label(keys) == c for c in changed):
                    changed.append(label(keys))
        if changed:
            out[lid] = ([lid], [changed[0]],
                        "direct: createOnly %s changed" % ", ".join(changed))
            queue.append(lid)
    # Cascade: who refers to whom through createOnly properties in OUTPUT.
    referrers = {}
    for lid in both:
        if lid in out:
            continue
        for keys in schemas.create_only(tout.type(lid)):
            for x in refs_of(project(tout.props(lid), keys)):
                if x in tout.res and x != lid:
                    referrers.setdefault(x, []).append((lid, label(keys)))
    while queue:
        x = queue.popleft()
        chain, steps, _ = out[x]
        for y, prop in referrers.get(x, []):
            if y in out:
                continue
            out[y] = (chain + [y], steps + [prop],
                      "cascade: %s.%s refers to replaced %s" % (y, prop, x))
            queue.append(y)
    return out


def show_chain(chain, steps):
    return " -> ".join("%s.%s" % (c, s) for c, s in zip(chain, steps)) + " -> " + chain[-1]


def read_report(path):
    """(mode, {resource: chain}, problems)"""
    if not path or not os.path.exists(path):
        return "deployed", {}, []
    try:
        with open(path) as f:
            rep = json.load(f)
    except (OSError, ValueError) as e:
        return "deployed", {}, ["report %s cannot be read: %s" % (path, e)]
    if not isinstance(rep, dict):
        return "deployed", {}, ["report %s is not a JSON object" % path]
    mode = rep.get("mode", "deployed")
    problems = []
    if mode not in ("deployed", "new-stack"):
        problems.append("report %s has an unknown mode %s" % (path, json.dumps(mode)))
    listed = {}
    items = rep.get("replaced", [])
    if not isinstance(items, list):
        problems.append("report %s: \"replaced\" is not a list" % path)
        items = []
    for it in items:
        if not isinstance(it, dict) or not isinstance(it.get("resource"), str):
            problems.append("report %s: a \"replaced\" entry has no resource: %s" % (path, json.dumps(it)))
            continue
        chain = it.get("chain")
        if isinstance(chain, list):
            chain = [c.get("resource") if isinstance(c, dict) else c for c in chain]
        listed[it["resource"]] = chain if isinstance(chain, list) else None
    return mode, listed, problems


# Settings of a running database that are its owner's, not a rewriter's:
# how clients reach it and sign in, where it writes its logs, what it runs
# and when it restarts. Some of them interrupt the database on update
# ("Some interruptions" in the AWS::RDS::DBInstance and DBCluster
# reference, or a restart in the maintenance window), the others change
# what its clients or its operators see. Written from the RDS user guide's
# "Settings for DB instances", apart from the passes.
OWNERS = {
    "AWS::RDS::DBInstance": ["EnableIAMDatabaseAuthentication", "EnableCloudwatchLogsExports",
                             "AutoMinorVersionUpgrade", "PubliclyAccessible", "Port",
                             "MonitoringInterval", "DBInstanceClass", "EngineVersion"],
    "AWS::RDS::DBCluster": ["EnableIAMDatabaseAuthentication", "EnableCloudwatchLogsExports",
                            "Port", "EngineVersion", "DBClusterInstanceClass"],
}


def owners_changes(tin, tout):
    """[(resource, property)]: an owner's setting of a database in both
    templates whose value differs (added, removed or changed)."""
    out = []
    for lid in tout.res:
        if lid not in tin.res or canon(tin.type(lid)) != canon(tout.type(lid)):
            continue
        t = tout.type(lid)
        for prop in OWNERS.get(t, []) if isinstance(t, str) else []:
            if canon(project(tin.props(lid), [prop])) != canon(project(tout.props(lid), [prop])):
                out.append((lid, prop))
    return out


def check_pair(inp, outp, report, tin, tout, schemas):
    """(violation lines, note lines, number of replaced resources)"""
    lines, notes = [], []
    mode, listed, problems = read_report(report)
    for p in problems:
        lines.append("%s: %s: %s" % (PROG, outp, p))
    rep = replaced(tin, tout, schemas)
    direct = {lid for lid, (chain, _, _) in rep.items() if len(chain) == 1}
    for lid in tout.res:
        if lid not in rep:
            continue
        chain, steps, rule = rep[lid]
        head = "%s: %s: %s: replaced (%s), %s" % (PROG, outp, lid, show_chain(chain, steps), rule)
        if mode != "new-stack":
            lines.append(head + "; mode deployed must replace nothing")
        elif lid not in listed:
            lines.append(head + "; the new-stack report does not list it")
        else:
            c = listed[lid]
            if not c:
                lines.append(head + "; the report lists it without a chain")
            elif c[-1] != lid or c[0] not in direct:
                lines.append(head + "; the report's chain %s must start at a directly "
                             "replaced resource and end at %s" % (json.dumps(c), lid))
    if mode != "new-stack":
        for lid, prop in owners_changes(tin, tout):
            lines.append("%s: %s: %s: interrupts (%s.%s), an owner's setting of a running "
                         "database; mode deployed leaves how it is reached, signs clients in, "
                         "logs and restarts to its owner" % (PROG, outp, lid, lid, prop))
        for lid in tin.res:
            if lid not in tout.res:
                lines.append("%s: %s: %s: OUTPUT removes %s; mode deployed must delete nothing"
                             % (PROG, outp, lid, lid))
    for lid, c in listed.items():
        if lid not in rep:
            notes.append("%s: note: %s: %s: listed as replaced (chain %s) but not replaced"
                         % (PROG, outp, lid, json.dumps(c)))
    return lines, notes, len(rep)


def load(tool, path, cache):
    if path not in cache:
        data, why = readtemplate.read(tool, path)
        cache[path] = why if why else Tpl(path, data)
    return cache[path]


def main(argv):
    tool, pairs = readtemplate.command_line(
        "replacements.py", "Check which resources hardened templates replace.", argv)
    schemas = Schemas()
    cache, passed, failed, nrep, npairs_rep = {}, 0, 0, 0, 0
    for pair in pairs:
        inp, outp = pair[0], pair[1]
        report = pair[2] if len(pair) > 2 and pair[2] else outp + ".report.json"
        tin, tout = load(tool, inp, cache), load(tool, outp, cache)
        bad = [(p, t) for p, t in ((inp, tin), (outp, tout)) if isinstance(t, str)]
        if bad:
            for p, why in bad:
                print("%s: %s: cannot be read: %s" % (PROG, p, why))
            failed += 1
            continue
        try:
            lines, notes, n = check_pair(inp, outp, report, tin, tout, schemas)
        except Exception as e:  # a bug here must not hide the other pairs
            lines, notes, n = ["%s: %s: internal error: %s: %s" % (PROG, outp, type(e).__name__, e)], [], 0
        for line in lines + notes:
            print(line)
        nrep += n
        npairs_rep += 1 if n else 0
        if lines:
            failed += 1
        else:
            passed += 1
    print("%s: %d resources replaced in %d pairs" % (PROG, nrep, npairs_rep))
    print("%s: %d pairs checked, %d passed, %d failed" % (PROG, len(pairs), passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

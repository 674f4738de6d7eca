#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate src/iam_table_data.c, the IAM action table of cfn-harden.

The table holds, for every service prefix in the IAM service reference as
cfn-lint ships it: its actions, which resource types each action accepts (none
means the action works only on Resource "*"), and the ARN formats of each
resource type.  The generated file is committed, so building cfn-harden never
needs cfn-lint; rerun this script after upgrading cfn-lint and review the diff.

Run it from the top of the repository, through make (which also checks, in
`make check`, that the committed file is what this script writes now):

    make iam-table

Requirements: python3 and an installed cfn-lint (the `cfnlint` package, found
with `import cfnlint`), as for tools/gen-schema-table.py.  The script itself
uses only the standard library and downloads nothing.  Output goes to stdout
and is deterministic (sorted, no timestamps); a summary and warnings go to
stderr.

The source is cfnlint/data/AdditionalSpecs/Policies.json, read as a package
resource, exactly as cfn-lint's own IAM rules (E3510 StatementResources, W3037
Permissions) read it.  cfn-lint builds it (cfnlint/maintenance.py,
update_iam_policies) from servicereference.us-east-1.amazonaws.com, and keeps
service prefixes, action names and resource type keys in lower case, so the
canonical case of actions ("GetAuthorizationToken") is not in the data: the
table and its answers are in lower case, which IAM accepts, since it compares
actions without regard to case.

The generated file is data only; its layout is src/iam_table_data.h and the
look-ups that read it are src/iam_table.c (both written by hand): the API is
src/iam_table.h.
"""

import importlib.resources
import json
import re
import sys
import textwrap

try:
    import cfnlint
    from cfnlint.version import __version__ as CFNLINT_VERSION
except ImportError as e:
    sys.exit(f"gen-iam-table: cannot import cfn-lint ({e}); install it "
             f"(pip install cfn-lint) for this python3")

DATA_PACKAGE = "cfnlint.data.AdditionalSpecs"
DATA_FILE = "Policies.json"

# Service prefixes and action names: what IAM allows in an Action, without
# the wildcards, so that neither can be taken for a pattern, and without
# ":", which separates them.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
PRINTABLE = re.compile(r"[\x20-\x7e]+")

U16 = 0xffff


def warn(msg):
    print(f"gen-iam-table: {msg}", file=sys.stderr)


def die(msg):
    sys.exit(f"gen-iam-table: {msg}")


def load():
    res = importlib.resources.files(DATA_PACKAGE).joinpath(DATA_FILE)
    return json.loads(res.read_text(encoding="utf-8"))


def collect(data):
    """Return {service: {"actions": {name: [rtype keys]},
    "rtypes": {key: [ARN formats]}}}, everything lower case and sorted."""
    services, notes = {}, []
    for svc, body in data.items():
        if svc != svc.lower() or not NAME.fullmatch(svc):
            die(f"service prefix '{svc}' is not a plain lower-case name")
        rtypes = {}
        for key, r in body.get("Resources", {}).items():
            if key != key.lower() or not PRINTABLE.fullmatch(key):
                die(f"{svc}: resource type '{key}' is not lower-case ASCII")
            arns = r.get("ARNFormats", [])
            for a in arns:
                if not PRINTABLE.fullmatch(a):
                    die(f"{svc}:{key}: ARN format '{a}' is not ASCII")
            rtypes[key] = sorted(set(arns))
        actions = {}
        for act, a in body.get("Actions", {}).items():
            if act != act.lower() or not NAME.fullmatch(act):
                die(f"{svc}: action '{act}' is not a plain lower-case name")
            keys = set()
            for name in a.get("Resources", []):
                # Actions name resource types in their documented case
                # ("Analyzer"), the Resources map by lower-cased key.
                key = name.lower()
                if key not in rtypes:
                    # Still a resource-level action: keep the type, with no
                    # ARN format, rather than call it star-only.
                    notes.append(f"{svc}:{act}: resource type '{name}' is "
                                 f"not among the service's resources")
                    rtypes[key] = []
                keys.add(key)
            actions[act] = sorted(keys)
        services[svc] = {"actions": actions, "rtypes": rtypes}
    return services, notes


def c_str(s):
    # "?" is escaped too: -std=c11 turns "??(" and friends into trigraphs.
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("?", "\\?")
    return '"' + s + '"'


def check_u16(what, value):
    if value > U16:
        die(f"{what} ({value}) is too large for uint16_t; widen the field "
            f"in C_CODE's structs and in this script")


def w_numbers(w, decl, items, per_line):
    """A const array of numbers, @per_line to a line."""
    w(f"const {decl}[] = {{\n")
    for i in range(0, len(items), per_line):
        w("\t" + ", ".join(str(x) for x in items[i:i + per_line]) + ",\n")
    w("};\n\n")


def emit(services, out):
    """Write the table as offsets, never pointers.

    As in src/schema_table.c: a pointer in static data costs a relocation at
    every start of a position-independent executable, and this table would
    hold some 25,000.  So every string is an offset into one pool (each
    distinct string once, in sorted order); a resource-type list of an
    action is a run of resource-type indices, an ARN format list a run of
    pool offsets (each distinct run once, in order of first use).  Services,
    and within a service its actions and its resource types, are sorted by
    name, which the look-ups' binary searches rely on.
    """
    names = sorted(services)  # code-point order: strcmp() order for ASCII

    strings = set()
    for svc in names:
        s = services[svc]
        strings.add(svc)
        strings.update(f"{svc}:{a}" for a in s["actions"])
        strings.update(s["rtypes"])
        for arns in s["rtypes"].values():
            strings.update(arns)
    pool, pool_len = {}, 0
    for s in sorted(strings):
        pool[s] = pool_len
        pool_len += len(s) + 1
    if pool_len >= 0xffffffff:
        die("string pool too large for uint32_t")

    # Resource types, in service order then by key: a type's index in
    # cfh_iamtab_rtypes is what an action's list holds.
    rtype_rows, rtype_index = [], {}
    arn_runs, arn_items = {(): 0}, []
    svc_rows = []
    for svc in names:
        keys = sorted(services[svc]["rtypes"])
        first = len(rtype_rows)
        for key in keys:
            arns = tuple(pool[a] for a in services[svc]["rtypes"][key])
            if arns not in arn_runs:
                arn_runs[arns] = len(arn_items)
                arn_items.extend(arns)
            rtype_index[(svc, key)] = len(rtype_rows)
            rtype_rows.append((pool[key], arn_runs[arns], len(arns)))
            check_u16(f"{svc}:{key}: number of ARN formats", len(arns))
        svc_rows.append([svc, first, len(keys)])
        check_u16(f"{svc}: number of resource types", len(keys))
    check_u16("number of resource types", len(rtype_rows))
    check_u16("number of ARN format items", len(arn_items))

    rlist_runs, rlist_items = {(): 0}, []
    act_rows, nactions = [], 0
    for i, svc in enumerate(names):
        acts = services[svc]["actions"]
        svc_rows[i].extend([nactions, len(acts)])
        nactions += len(acts)
        check_u16(f"{svc}: number of actions", len(acts))
        block = []
        for act in sorted(acts):
            run = tuple(rtype_index[(svc, k)] for k in acts[act])
            if run not in rlist_runs:
                rlist_runs[run] = len(rlist_items)
                rlist_items.extend(run)
            check_u16(f"{svc}:{act}: number of resource types", len(run))
            block.append((pool[f"{svc}:{act}"], rlist_runs[run], len(run)))
        act_rows.append((svc, block))
    check_u16("number of resource-type list items", len(rlist_items))
    nstar = sum(1 for _, b in act_rows for r in b if r[2] == 0)

    w = out.write
    w("/* SPDX-License-Identifier: MIT */\n")
    w("/*\n")
    w(" * GENERATED FILE, DO NOT EDIT BY HAND.\n")
    w(" *\n")
    w(" * Generated by tools/gen-iam-table.py from the IAM service reference\n")
    w(f" * data of cfn-lint {CFNLINT_VERSION} (AdditionalSpecs/Policies.json):\n")
    counts = (f"{len(names)} services, {nactions} actions ({nstar} of them "
              f"only on Resource \"*\"), {len(rtype_rows)} resource types. "
              f"To regenerate after a cfn-lint upgrade, run `make iam-table` "
              f"and review the diff; `make check` fails while this file is "
              f"stale. The look-ups are src/iam_table.c.")
    for line in textwrap.wrap(counts, 70, break_on_hyphens=False):
        w(f" * {line}\n")
    w(" *\n")
    w(" * It is committed so that building cfn-harden never needs cfn-lint.\n")
    w(" * It holds offsets, not pointers, so that it needs no relocation at\n")
    w(" * start-up (see src/schema.h): strings are offsets into cfh_iamtab_pool,\n")
    w(" * each distinct string once; lists are runs of cfh_iamtab_rlist_items and\n")
    w(" * cfh_iamtab_arn_items, each distinct run once.\n")
    w(" */\n")
    w(C_HEAD)
    w(f"/* {len(pool)} strings, {pool_len} bytes, in strcmp() order: service\n")
    w("   prefixes, actions as \"service:action\", resource types, ARN formats */\n")
    w("const char cfh_iamtab_pool[] =\n")
    for s in sorted(pool):
        w(f"\t{c_str(s)[:-1]}\\0\"\n")
    w(";\n\n")
    w(f"/* {len(arn_runs) - 1} distinct runs, {len(arn_items)} items: "
      f"pool offsets of ARN formats */\n")
    w_numbers(w, "uint32_t cfh_iamtab_arn_items", arn_items, 8)
    w(f"/* {len(rlist_runs) - 1} distinct runs, {len(rlist_items)} items: "
      f"indices in cfh_iamtab_rtypes */\n")
    w_numbers(w, "uint16_t cfh_iamtab_rlist_items", rlist_items, 12)
    w("/* name, ARN formats (start, length); by service, then by name */\n")
    w("const struct cfh_iam_rtype cfh_iamtab_rtypes[] = {\n")
    for row in rtype_rows:
        w("\t{%d, %d, %d},\n" % row)
    w("};\n\n")
    w("/* \"service:action\", resource types (start, length: 0 for an action\n")
    w("   only on \"*\"); by service, then by name */\n")
    w("const struct cfh_iam_act cfh_iamtab_actions[] = {\n")
    for svc, block in act_rows:
        w(f"\t/* {svc} */\n")
        for row in block:
            w("\t{%d, %d, %d},\n" % row)
    w("};\n\n")
    w("/* prefix, actions (start, length), resource types (start, length);\n")
    w("   by prefix */\n")
    w("const struct cfh_iam_svc cfh_iamtab_services[] = {\n")
    for svc, rfirst, rlen, afirst, alen in svc_rows:
        w(f"\t{{{pool[svc]}, {afirst}, {alen}, {rfirst}, {rlen}}},"
          f"\t/* {svc} */\n")
    w("};\n")
    w("\nconst size_t cfh_iamtab_nservices =\n"
      "\tsizeof(cfh_iamtab_services) / sizeof(cfh_iamtab_services[0]);\n")
    return nactions, nstar, len(rtype_rows), pool_len


C_HEAD = """\
#include <stddef.h>
#include <stdint.h>

#include "iam_table_data.h"

"""


def main():
    services, notes = collect(load())
    nactions, nstar, nrtypes, pool_len = emit(services, sys.stdout)
    for n in sorted(notes):
        warn(n)
    warn(f"cfn-lint {CFNLINT_VERSION} at {cfnlint.__path__[0]}: "
         f"{len(services)} services, {nactions} actions ({nstar} only on "
         f"\"*\"), {nrtypes} resource types, pool {pool_len} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

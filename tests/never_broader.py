#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check DESIGN.md's invariant 5 (never broader) on hardened outputs.

    never_broader.py [--cfn-harden PATH] INPUT OUTPUT [REPORT.json]
    never_broader.py [--cfn-harden PATH] --pairs FILE

FILE holds one pair a line, `input<TAB>output[<TAB>report]`. Templates are
read through `cfn-harden --only "" --to json` (PATH, else $CFN_HARDEN, else
build/cfn-harden beside this directory), which gives intrinsics in long
form, so that JSON and YAML are read alike. For every principal of OUTPUT
that INPUT also has, every (action, resource) pair OUTPUT allows must be
allowed in INPUT too, or be one of the exceptions below. Each violation is
one line,

    never-broader: OUTPUT: <principal>: allows <action> on <resource>, which INPUT did not

and two last lines count the principals (`never-broader: N principals
compared, N only in the outputs (skipped)`) and the pairs (`never-broader: N
pairs checked, N passed, N failed`). Exit status: 0 all passed, 1 some failed (or could not be read),
2 bad command line. REPORT.json (cfn-harden's JSON report) is read but only
informative for now. Written independently of transforms/iam.c, so that the
two check each other.

Principals, by logical ID: each AWS::IAM::Role, User and Group, each
AWS::IAM::ManagedPolicy attached to nothing in the template, and each SAM
AWS::Serverless::Function and StateMachine. A role's permissions are its
inline Policies, its ManagedPolicyArns (AWS-managed ones from the table
below, the template's own AWS::IAM::ManagedPolicy by Ref), and every
AWS::IAM::Policy, ManagedPolicy, RolePolicy, UserPolicy and GroupPolicy
naming it in Roles/Users/Groups/RoleName/UserName/GroupName, by Ref or by
its literal RoleName/UserName/GroupName. A policy naming a principal that
the template does not define makes a principal of that name ("role NAME").
A user also has the permissions of its Groups (and of
AWS::IAM::UserToGroupAddition). A SAM resource with a Role has the
permissions of that role (a role outside the template is an opaque grant
that must be the same in INPUT); without one, its Policies: managed policy
names or ARNs, policy documents, and SAM policy templates (the common ones
expanded from SAM_TEMPLATES, others opaque). A principal that only OUTPUT
has (a role another pass added) is skipped.

Allowed pairs: from each Allow statement, the cross product of Action and
Resource (a string, a list, or an intrinsic; Fn::If gives both branches;
a missing Resource counts as "*"), each with the statement's Condition.
Resources are compared in a normal form: a string is a pattern where `*`
and `?` are wildcards; Fn::Sub, Fn::Join and Ref/GetAtt become the same
sequence of characters and references, with ${AWS::Partition} read as
"aws" (a template deploys in one partition) and GetAtt X.Arn of common
types spelled out (an S3 bucket's Arn is arn:aws:s3:::${X}, an SNS topic's
TopicArn is its Ref), so that `!GetAtt B.Arn` and `!Sub arn:aws:s3:::${B}`
are the same resource and "arn:aws:s3:::*" covers both. A bucket's
BucketName (a literal or a Sub string), written whole or after
arn:aws:s3:::, reads as a reference to that bucket too. Anything else
(Fn::ImportValue, Fn::Select, ...) is an opaque value equal only to itself.
Messages show a resource as written: a string as is, an intrinsic as
json.dumps(sort_keys=True).

Coverage: an OUTPUT pair (a, r, c) is covered if INPUT's principal allows
some (A, R, C) with A matching a (IAM wildcards, case-insensitive), R
matching r (a wildcard in R may stand for any run of characters and
references; a wildcard in r is matched only by a wildcard in R that covers
it, so "s3:*" covers "s3:Get*" but not the reverse), and C no stricter
than c (every condition operator and key of C present in c with the same
values; OUTPUT may add conditions, never drop them).

NotAction / NotResource: an OUTPUT Allow statement with either must appear
unchanged (Sid aside) in INPUT for the same principal, or be covered as if
it allowed every action (NotAction) or every resource (NotResource), or be
a NotAction statement that excludes at least what an INPUT NotAction
statement on covering resources excluded. INPUT NotAction / NotResource
statements cover OUTPUT pairs whose actions cannot overlap the excluded
patterns (and, for NotResource, literal resources that cannot overlap).

Managed policies: MANAGED (in iamdata.py) maps AWS managed policy names (the
last path segment of arn:aws:iam::aws:policy/[PATH/]NAME, a literal or a
Fn::Sub / Fn::Join with ${AWS::Partition}, or a bare name in SAM Policies)
to their statements, written from AWS's documentation and, where unsure,
narrower than the real policy. PowerUserAccess is modelled as NotAction
iam:*, organizations:*, account:* plus its few IAM reads, so that adding
iam:* grants to a power user is caught. An OUTPUT managed policy that is not
in the table (or a customer one, or a parameter) is a violation unless INPUT
had the same one for the same principal.

Deny: every INPUT Deny statement must still deny for the same principal in
OUTPUT: each of its (action, resource) pairs covered by an OUTPUT Deny pair
(at least as broad, with no condition the INPUT statement lacked); Deny
statements with NotAction/NotResource must be unchanged. A principal's
PermissionsBoundary must not change or go. These lines read "no longer
denies ..." / "lost its permissions boundary".

Exceptions (DESIGN.md invariant 5: the narrow grants other passes add):
 1. New resources: a pair whose resource refers (Ref, GetAtt, ${X} in Sub)
    to logical IDs only, every one of them a resource of OUTPUT that INPUT
    does not have (the DLQ the dlq pass added, the log group the logs pass
    added). A resource naming a new Parameter is not exempt: a parameter
    can name anything.
 2. Completions: s3:ListBucket and s3:GetBucketLocation on a bucket b where
    INPUT allowed s3:GetObject or s3:PutObject on b + "/*". The seed
    analyses' other companions (s3:GetObjectVersion, CancelUploadArchive,
    StopBuild) are no exception: the iam pass advises them instead.
 3. Encryption (invariant 6): kms:Decrypt and kms:GenerateDataKey on a
    resource that refers only to AWS::KMS::Key resources of OUTPUT, each
    used by some other, non-IAM resource of OUTPUT (a store it encrypts):
    whoever uses an encrypted store needs them.
 4. Tracing (S004-09): xray:PutTraceSegments and xray:PutTelemetryRecords
    on "*", which a function with active tracing needs: they accept only
    "*" and read nothing.
 5. State machines (C006-01, C006-02): on "*", for a role that a state
    machine of OUTPUT runs as (RoleArn, or a SAM Role, by GetAtt), for a
    SAM resource whose Role is that role, or for the SAM state machine
    itself, the
    actions Step Functions needs for what that state machine has turned
    on: xray:GetSamplingRules and GetSamplingTargets with tracing (they
    read sampling rules only), and the CloudWatch Logs delivery actions
    with execution logs (they accept only "*" and manage only log
    deliveries and the log resource policy).
"""
import json
import os
import readtemplate
import sys

# iamsem.py sits beside this script, which Python puts first on sys.path.
from iamsem import (IAM_TYPES, STAR, Template, action_toks, canon, cond_ok, match,
                    principals, refs_of, show)


# ---- the check ------------------------------------------------------------

SFN_TRACE = ("xray:getsamplingrules", "xray:getsamplingtargets")
SFN_LOGS = ("logs:createlogdelivery", "logs:getlogdelivery", "logs:updatelogdelivery",
            "logs:deletelogdelivery", "logs:listlogdeliveries", "logs:putresourcepolicy",
            "logs:describeresourcepolicies", "logs:describeloggroups")


def sfn_needs(role, tout):
    """Exception 5: the actions the state machines running as @role need
    for the tracing and logging they have in OUTPUT."""
    need = set()
    # A SAM resource with a Role has that role's permissions: a function
    # sharing the state machine's role gets what the role gets.
    own = tout.props.get(role, {}).get("Role") if isinstance(role, str) else None
    own = own.get("Fn::GetAtt") if isinstance(own, dict) else None
    if isinstance(own, str):
        own = own.split(".", 1)
    if isinstance(own, list) and own and own[0] in tout.types and \
            tout.types.get(role, "").startswith("AWS::Serverless::"):
        role = own[0]
    for lid, t in tout.types.items():
        if t not in ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"):
            continue
        pr = tout.props[lid]
        sam = t == "AWS::Serverless::StateMachine"
        ra = pr.get("Role" if sam else "RoleArn")
        ga = ra.get("Fn::GetAtt") if isinstance(ra, dict) else None
        if isinstance(ga, str):
            ga = ga.split(".", 1)
        # The role, or a SAM state machine (a principal of its own).
        if lid != role and not (isinstance(ga, list) and ga and ga[0] == role):
            continue
        tr = pr.get("Tracing" if sam else "TracingConfiguration")
        if isinstance(tr, dict) and tr.get("Enabled") is True:
            need.update(SFN_TRACE)
        lg = pr.get("Logging" if sam else "LoggingConfiguration")
        if isinstance(lg, dict) and lg.get("Level") in ("ALL", "ERROR", "FATAL"):
            need.update(SFN_LOGS)
    return need


def exempt(pair, pin, tin, tout, role=None):
    """Is an OUTPUT pair one of the allowed narrow grants?"""
    ids = refs_of(pair.r)
    if ids and all(i not in tin.res and i in tout.res for i in ids):
        return True
    if not isinstance(pair.a, str):
        return False
    a = pair.a.lower()

    def had(action, rt):
        return pin.covered(action_toks(action), rt, pair.c)
    if a in ("s3:listbucket", "s3:getbucketlocation"):
        objs = pair.rt + ("/", "*")
        return had("s3:GetObject", objs) or had("s3:PutObject", objs)
    if a in ("xray:puttracesegments", "xray:puttelemetryrecords"):
        # Exception 4: a traced function writes its traces; these actions
        # accept only "*" and read nothing.
        return pair.r == "*" or canon(pair.r) == canon("*")
    if (a in SFN_TRACE or a in SFN_LOGS) and role is not None and \
            (pair.r == "*" or canon(pair.r) == canon("*")):
        # Exception 5: what a state machine's tracing and logging need.
        return a in sfn_needs(role, tout)
    if a in ("kms:decrypt", "kms:generatedatakey"):
        if not ids or any(tout.types.get(i) != "AWS::KMS::Key" for i in ids):
            return False
        for key in ids:
            if not any(key in refs_of(tout.props[o]) for o in tout.res
                       if o != key and tout.types[o] not in IAM_TYPES
                       and tout.types[o] not in ("AWS::KMS::Key", "AWS::KMS::Alias")):
                return False
        return True
    return False


def not_stmt_covered(n, pin):
    if n.canon in pin.notcanon:
        return True
    if n.notact and n.notres:
        return pin.covered(STAR, STAR, n.c)
    if n.notres:
        return all(pin.covered(a, STAR, n.c) for a in n.acts)
    if all(pin.covered(STAR, r, n.c) for r in n.ress):
        return True
    # A NotAction statement that excludes at least what one of INPUT did.
    for m in pin.nots:
        if m.notact and not m.notres and cond_ok(m.c, n.c) and \
                all(any(match(o, i) for o in n.acts) for i in m.acts) and \
                all(any(match(x, r) for x in m.ress) for r in n.ress):
            return True
    return False


def check_pair(inp, outp, tin, tout, counts=None):
    """Violation lines of one template pair; counts[0] and counts[1] count
    the principals compared and those skipped as new."""
    lines = []
    counts = counts if counts is not None else [0, 0]

    def say(p, what):
        line = "never-broader: %s: %s: %s, which %s did not" % (outp, p.label, what, inp)
        if line not in lines:
            lines.append(line)
    pins, pouts = principals(tin), principals(tout)
    for key, po in pouts.items():
        pi = pins.get(key)
        if pi is None:
            counts[1] += 1  # a principal another pass added
            continue
        counts[0] += 1
        for pair in po.allow:
            if not pi.covered(pair.at, pair.rt, pair.c) and not exempt(pair, pi, tin, tout, key):
                say(po, "allows %s on %s" % (show(pair.a), show(pair.r)))
        for n in po.nots:
            if not not_stmt_covered(n, pi):
                say(po, "allows the statement %s" % canon(n.st))
        for mk, desc in po.markers.items():
            if mk not in pi.markers:
                say(po, "allows " + desc)
        for d in pi.deny:
            if not any(o.covers(d.at, d.rt, d.c) for o in po.deny):
                lines.append("never-broader: %s: %s: no longer denies %s on %s, which %s denied"
                             % (outp, po.label, show(d.a), show(d.r), inp))
        for c, st in pi.denynot.items():
            if c not in po.denynot:
                lines.append("never-broader: %s: %s: no longer has the Deny statement %s, which %s had"
                             % (outp, po.label, canon(st), inp))
        if pi.boundary is not None and po.boundary != pi.boundary:
            lines.append("never-broader: %s: %s: lost its permissions boundary %s, which %s had"
                         % (outp, po.label, pi.boundary, inp))
    return lines


def load(tool, path, cache):
    if path not in cache:
        data, why = readtemplate.read(tool, path)
        cache[path] = why if why else Template(path, data)
    return cache[path]


def main(argv):
    tool, pairs = readtemplate.command_line(
        "never_broader.py", "Check that hardened templates grant nothing new.", argv)
    cache, passed, failed, counts = {}, 0, 0, [0, 0]
    for pair in pairs:
        inp, outp = pair[0], pair[1]
        if len(pair) > 2 and pair[2]:
            try:    # only informative for now
                with open(pair[2]) as f:
                    json.load(f)
            except (OSError, ValueError):
                pass
        tin, tout = load(tool, inp, cache), load(tool, outp, cache)
        bad = [(p, t) for p, t in ((inp, tin), (outp, tout)) if isinstance(t, str)]
        if bad:
            for p, why in bad:
                print("never-broader: %s: cannot be read: %s" % (p, why))
            failed += 1
            continue
        try:
            lines = check_pair(inp, outp, tin, tout, counts)
        except Exception as e:  # a bug here must not hide the other pairs
            lines = ["never-broader: %s: internal error: %s: %s" % (outp, type(e).__name__, e)]
        for line in lines:
            print(line)
        if lines:
            failed += 1
        else:
            passed += 1
    print("never-broader: %d principals compared, %d only in the outputs (skipped)" % tuple(counts))
    print("never-broader: %d pairs checked, %d passed, %d failed" % (len(pairs), passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

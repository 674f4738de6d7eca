#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that hardened outputs take away no access the input's system uses
(the reverse of never_broader.py).

    never_narrower.py [--cfn-harden PATH] INPUT OUTPUT [REPORT.json]
    never_narrower.py [--cfn-harden PATH] --pairs FILE

FILE holds one pair a line, `input<TAB>output[<TAB>report]`. Templates are
read as never_broader.py reads them (`cfn-harden --only "" --to json`; PATH,
else $CFN_HARDEN, else build/cfn-harden beside this directory). Each
violation is one line,

    never-narrower: OUTPUT: <principal or resource>: <what>, which INPUT allowed

and two last lines count the principals (`never-narrower: N principals
compared`) and the pairs (`never-narrower: N pairs checked, N passed, N
failed`). Exit status: 0 all passed, 1 some failed (or could not be read),
2 bad command line. From REPORT.json (else OUTPUT.report.json, if there is
one) only "mode" is read: with "new-stack" (a first draft nothing uses yet)
there are no clients outside the template (KMS rule 3). Written from
AWS's semantics, apart from transforms/*.c, so that the two check each
other. Three parts:

IAM. For every principal of iamsem.principals() that both templates have
(read through iamsem.principals_effective(): inline policies of one
principal with the same PolicyName, in its Policies and in AWS::IAM::Policy
/ RolePolicy / UserPolicy / GroupPolicy resources naming it, overwrite one
another in an order CloudFormation does not define, so none of them counts
unless all are the same; retired AWS managed policies grant nothing), every
INPUT Allow pair (action A, resource R, condition C) stands for the
instances it is used on, and each must be allowed in OUTPUT by the same
principal with a condition no stricter than C (as Principal.covered, but
a condition with more values of a positive operator, StringEquals or
ArnLike, or fewer of a negated one, counts as no stricter):
 - Actions. A concrete action is itself. A wildcard action of one service
   (ecr:*, s3:Get*) is every action of cfn-lint's IAM data (Policies.json)
   it matches; one spanning services (*, *:Get*) is expanded only within
   the service of each template resource it is checked on.
 - R without a wildcard: R itself, with the expanded actions whose
   resource types can name R: those of the template resource R is (a form
   of RESOURCE_ARNS in iamdata.py), else those whose Policies.json ARN
   formats match R (references standing for any text; S3 bucket/object,
   DynamoDB table/index/stream and log group/stream told apart by their
   paths); when none can be decided, all.
 - R with a wildcard: every template resource (in both templates, of the
   same type) one of whose ARN forms R matches (RESOURCE_ARNS: S3
   bucket/objects, DynamoDB table/index/stream, SQS, SNS, Lambda, ECR, KMS,
   log group/streams, Kinesis, Step Functions, CodeBuild, CodePipeline,
   Secrets Manager, SSM parameters, ECS cluster/service/task definition,
   EventBridge rule/bus), with the expanded actions that take that
   resource type; when R is only stars, also the expanded actions that
   take no resource type at all (they work only on "*"; for a
   whole-service pattern like ecr:* only those of STAR_ONLY_USED, the ones
   workloads call: ecr:GetAuthorizationToken, logs:CreateLogDelivery,
   xray:PutTraceSegments, not the account's administration), and an
   action the data does not know, on "*"; when R names a
   parameter, an import or a template resource none of whose forms it
   matches (${Param}/*, ${B}/uploads/*), R itself.
 - An instance on a template resource is found by INPUT's ARNs of it and
   must be covered on OUTPUT's (a grant by the old name of a resource
   OUTPUT renames no longer covers it). Instances on resources OUTPUT no
   longer has, or on logical IDs INPUT does not define, are not checked.
 - An INPUT NotAction/NotResource Allow statement must be in OUTPUT
   unchanged (Sid aside) or be covered (never_broader.not_stmt_covered);
   an opaque grant (a managed policy the tables do not know, a role outside
   the template) must stay.
Lines read "<principal>: no longer allows <actions> on <resource>".
In mode new-stack (a first draft) wildcards and AWS managed policies are
guesses that the tool narrows to what the principals are expected to use:
instances on template resources that a wildcard reaches, and the
NotAction statements of managed policies, are not checked; of the
actions that work only on "*", only those a service integration calls for
the principal (STAR_ONLY_INTEGRATION: docker login for anyone, log
delivery for a state machine that logs, task tokens for compute, ...).
Resources named outside the template, and concrete actions on the
resource they name, are checked as in mode deployed.

Resource policies. Each Allow statement of INPUT's AWS::S3::BucketPolicy
(Bucket by Ref or by the bucket's BucketName), AWS::SQS::QueuePolicy
(Queues) and AWS::SNS::TopicPolicy (Topics) of a resource X must be covered
in OUTPUT's policy of X for each of its principals (an OUTPUT principal
entry equal or matching, or "*"; ${AWS::AccountId} is the account root),
with actions expanded as above when the pattern is not covered whole.
Only one policy of each kind takes effect on a resource: with two or more
in OUTPUT (or INPUT) none counts. In mode deployed, OUTPUT must not give a
resource of INPUT a policy of a kind INPUT gave it none of: creating one
replaces the policy the running resource has, which may have been set
outside the template. Deny statements are not compared. S3
Block Public Access OUTPUT turns on (BlockPublicPolicy, RestrictPublicBuckets)
must not block an INPUT bucket policy statement that is public (Principal
"*" or NotPrincipal, with none of the condition keys that make it not
public), nor (BlockPublicAcls, IgnorePublicAcls) a public canned ACL; in
mode deployed it must turn on none for a bucket of INPUT at all, since
objects uploaded with a public ACL and a policy set in the console are
public without the template saying so, nor add a Deny of everyone to the
policy of such a bucket that does not rule out public reads in INPUT
(RestrictPublicBuckets, and IgnorePublicAcls or ACLs off);
BucketOwnerEnforced must not disable an ACL INPUT set or a CloudFront
distribution's standard logging into the bucket. Standard logging OUTPUT
adds or moves (a distribution's Logging, or its bucket's OwnershipControls
or encryption, differs from INPUT's) must go to a bucket of the template
whose ACLs are on (ObjectOwnership BucketOwnerPreferred or ObjectWriter:
CloudFront writes the logs through the bucket's ACL, and refuses the update
otherwise) and that is not SSE-KMS.

KMS: stores OUTPUT newly encrypts. A store S (KEY_PROPS in iamdata.py:
SQS and SNS KmsMasterKeyId, S3 default encryption aws:kms KMSMasterKeyID,
DynamoDB SSESpecification.KMSMasterKeyId, Kinesis StreamEncryption.KeyId,
log group and secret KmsKeyId) is newly encrypted with K when OUTPUT sets
that property to the template's AWS::KMS::Key K (Ref, GetAtt, an alias by
Ref or by AliasName) and INPUT did not. Then:
 0. In mode deployed, a bucket of INPUT must rule out public reads in
    INPUT (RestrictPublicBuckets, and IgnorePublicAcls or ACLs off):
    objects public by their ACLs or by a policy set outside the template
    are read anonymously, and no anonymous reader can decrypt SSE-KMS.
 1. Every principal that INPUT allows a data action of S (DATA_ACTIONS:
    reads need kms:Decrypt, writes kms:Decrypt and kms:GenerateDataKey;
    logs none, CloudWatch Logs decrypts as itself) on S must, in OUTPUT,
    be allowed them on K by IAM (K's ARN, Ref or "*", conditions aside)
    with K's policy enabling IAM (the account root, or no KeyPolicy), or
    be named by K's policy (its role's ARN or "*").
 2. Every service delivering into S in the template must be admitted by
    K's policy (Principal.Service, kms:GenerateDataKey* and kms:Decrypt):
    S3 notifications (s3), SNS subscriptions of protocol sqs (sns), rule
    targets without a RoleArn (events), alarm actions (cloudwatch),
    CodeStar notification targets (codestar-notifications), and the log
    group itself (logs.<region>.amazonaws.com).
 3. S (other than a log group) must not be newly encrypted if INPUT lets
    clients outside the template use it: an Output refers to it, or its
    name property is fixed (anything without ${AWS::StackName}); not in
    mode new-stack.
 4. A bucket a CloudFront origin reads through an origin access identity
    must not be newly encrypted; through an origin access control, K's
    policy must admit cloudfront.amazonaws.com for kms:Decrypt.
 5. A bucket with ReplicationConfiguration needs, on every OUTPUT rule,
    SseKmsEncryptedObjects Enabled and a ReplicaKmsKeyID.
"""
import json
import os
import re
import sys
from functools import lru_cache

# iamsem.py and never_broader.py sit beside this script.
import never_broader
import readtemplate
from iamdata import (DATA_ACTIONS, KEY_PROPS, NAME_PROPS, RESOURCE_ARNS, STAR_ONLY_INTEGRATION,
                     STAR_ONLY_USED, iam_actions)
from iamsem import (STAR, NotStmt, Pair, Principal, Template, action_toks, canon, cond_of,
                    intrinsic, items, match, norm_stmt, principals_effective, refs_of,
                    show, statements)
from never_broader import not_stmt_covered


class Tpl(Template):
    """A Template that also keeps the parameters and outputs."""

    def __init__(self, path, doc):
        super().__init__(path, doc)
        d = doc if isinstance(doc, dict) else {}
        p, o = d.get("Parameters"), d.get("Outputs")
        self.params = set(p) if isinstance(p, dict) else set()
        self.outputs = o if isinstance(o, dict) else {}
        self.forms_cache = None


# never_broader.load() makes Templates of its module's Template.
never_broader.Template = Tpl
load = never_broader.load


# ---- tokens ---------------------------------------------------------------

def wild(t):
    return any(c in ("*", "?") for c in t if isinstance(c, str))


def only_stars(t):
    return bool(t) and all(c == "*" for c in t)


def names_of(t):
    """Logical IDs (not pseudo parameters) a token tuple refers to."""
    return {c[1] for c in t if not isinstance(c, str) and c[0] in ("ref", "att")
            and not c[1].startswith("AWS::")}


def opaque_in(t):
    return any(not isinstance(c, str) and c[0] == "opaque" for c in t)


def show_toks(t):
    out = []
    for c in t:
        if isinstance(c, str):
            out.append(c)
        elif c[0] == "ref":
            out.append("${%s}" % c[1])
        elif c[0] == "att":
            out.append("${%s.%s}" % (c[1], c[2]))
        else:
            out.append(c[1])
    return "".join(out)


@lru_cache(maxsize=None)
def toverlap(p, q):
    """Could some value match both token patterns? References are atoms:
    equal only to themselves (or to a wildcard)."""
    @lru_cache(maxsize=None)
    def go(i, j):
        if i == len(p) and j == len(q):
            return True
        if i < len(p) and p[i] == "*":
            return go(i + 1, j) or (j < len(q) and go(i, j + 1))
        if j < len(q) and q[j] == "*":
            return go(i, j + 1) or (i < len(p) and go(i + 1, j))
        if i == len(p) or j == len(q):
            return False
        a, b = p[i], q[j]
        if a == b or a == "?" or b == "?":
            return go(i + 1, j + 1)
        return False
    return go(0, 0)


# ---- IAM data (Policies.json) ---------------------------------------------

@lru_cache(maxsize=None)
def act_types(a):
    """The resource types of a lowercase action, () if it takes none, None
    if the data does not know it."""
    svc, _, name = a.partition(":")
    info = iam_actions().get(svc, {}).get("Actions", {}).get(name)
    if info is None:
        return None
    return tuple(info.get("Resources") or ())


@lru_cache(maxsize=None)
def expand(pattern, svc):
    """The actions of svc a lowercase action pattern matches."""
    pat = tuple(pattern)
    return tuple(a for a in ("%s:%s" % (svc, n) for n in
                             sorted(iam_actions().get(svc, {}).get("Actions", {})))
                 if match(pat, tuple(a)))


_PARTS = re.compile(r"\$\{(Partition|Region|Account)\}|\$\{[^}]*\}")
_ARN = r"arn:[^:]+:%s:[^:]*:[^:]*:"
# Policies.json gives one format for several types of a service; these tell
# them apart by their paths.
FORMAT_OVERRIDES = {
    ("s3", "bucket"): [r"arn:[^:]+:s3:::[^/]+"],
    ("s3", "object"): [r"arn:[^:]+:s3:::[^/]+/.*"],
    ("dynamodb", "table"): [_ARN % "dynamodb" + r"table/[^/]+"],
    ("dynamodb", "index"): [_ARN % "dynamodb" + r"table/[^/]+/index/.*"],
    ("dynamodb", "stream"): [_ARN % "dynamodb" + r"table/[^/]+/stream/.*"],
    ("logs", "log-group"): [_ARN % "logs" + r"log-group:[^:]+(:\*)?"],
    ("logs", "log-stream"): [_ARN % "logs" + r"log-group:[^:]+:log-stream:.*"],
}


@lru_cache(maxsize=None)
def type_regexes(svc, rtype):
    if (svc, rtype) in FORMAT_OVERRIDES:
        return tuple(re.compile(r) for r in FORMAT_OVERRIDES[(svc, rtype)])
    res = iam_actions().get(svc, {}).get("Resources", {}).get(rtype, {})
    out = []
    for f in res.get("ARNFormats", []):
        rx = _PARTS.sub(lambda m: {"Partition": "[^:]+", "Region": "[^:]*",
                                   "Account": "[^:]*"}.get(m.group(1), ".*"), f)
        out.append(re.compile(rx))
    return tuple(out)


@lru_cache(maxsize=None)
def arn_types(svc, rt):
    """The resource types of svc whose ARN formats a resource can match (a
    reference or wildcard standing for any text), or None if undecidable."""
    s = "".join(c if isinstance(c, str) and c not in "*?" else "X" for c in rt)
    if not s.startswith("arn:"):
        return None
    types = {ty for ty in iam_actions().get(svc, {}).get("Resources", {})
             if any(rx.fullmatch(s) for rx in type_regexes(svc, ty))}
    return frozenset(types) or None


def arn_service(rt):
    s = []
    for c in rt:
        if not isinstance(c, str):
            break
        s.append(c)
    parts = "".join(s).split(":")
    if len(parts) > 3 and parts[0] == "arn" and parts[2] and "*" not in parts[2]:
        return parts[2]
    return None


# ---- template resources ---------------------------------------------------

def sub_toks(tpl, form, lid):
    return tpl.toks({"Fn::Sub": form.replace("${@}", "${%s}" % lid)
                     .replace("${@.", "${%s." % lid)})


def forms(tpl):
    """{lid: (service, [(types, (alternative token tuples))])} of the
    template's resources of RESOURCE_ARNS types."""
    if tpl.forms_cache is not None:
        return tpl.forms_cache
    out = {}
    for lid, t in tpl.types.items():
        if t not in RESOURCE_ARNS:
            continue
        svc, nprop, ph, groups = RESOURCE_ARNS[t]
        name = tpl.props[lid].get(nprop) if nprop else None
        gs = []
        for gi, (types, fs) in enumerate(groups):
            alts = [sub_toks(tpl, f, lid) for f in fs]
            if gi == 0:
                alts.append(tpl.toks({"Fn::GetAtt": [lid, "Arn"]}))
            if name is not None and not (isinstance(name, dict) and intrinsic(name)[0] == "Fn::If"):
                nt = tuple(tpl._toks_of(name, 0))
                for f in fs:
                    if ph in f:
                        pre, post = f.split(ph, 1)
                        alts.append((sub_toks(tpl, pre, lid) if pre else ()) + nt +
                                    (sub_toks(tpl, post, lid) if post else ()))
            uniq = []
            for a in alts:
                if a not in uniq:
                    uniq.append(a)
            gs.append((frozenset(types), tuple(uniq)))
        out[lid] = (svc, gs)
    tpl.forms_cache = out
    return out


def exact_form(tpl, rt):
    """(service, types, lid, group index) of the template resource form rt
    is, else None."""
    for lid, (svc, gs) in forms(tpl).items():
        for gi, (types, alts) in enumerate(gs):
            if rt in alts:
                return svc, types, lid, gi
    return None


# ---- IAM: instances of an INPUT pair ----------------------------------------

class Inst:
    """Resources (alternative spellings of one) and the actions used on
    them. kind: "template" (a template resource a wildcard resource or a
    wildcard action reaches), "star" (actions that work only on "*") or
    "named" (the resource as INPUT names it: a parameter, an import, a
    literal, or one template resource with concrete actions)."""
    __slots__ = ("alts", "acts", "kind")

    def __init__(self, alts, acts, kind="named"):
        self.alts, self.acts, self.kind = tuple(alts), list(acts), kind


def known(tpl, i):
    return i in tpl.res or i in tpl.params


def instances(pair, tin, tout):
    """The (resources, actions) an INPUT pair is used on."""
    R = pair.rt
    ids = names_of(R)
    if any(not known(tin, i) or not known(tout, i) or
           (i in tin.res and tin.types[i] != tout.types.get(i)) for i in ids):
        return []
    if not isinstance(pair.a, str):
        return [Inst([R], [pair.a])]
    al = pair.a.lower()
    svc, colon, rest = al.partition(":")
    multi = not colon or wild(tuple(svc))
    concrete = not wild(tuple(al))
    if not wild(R):
        hit = exact_form(tin, R)
        alts = [R]
        if hit:
            s, types, lid, gi = hit
            if lid in tout.res and tout.types[lid] == tin.types[lid]:
                # OUTPUT's ARNs of that resource (it may have renamed it)
                alts = forms(tout)[lid][1][gi][1]
            if not multi and s != svc:
                types = arn_types(svc, R)
                s = svc
        else:
            s = svc if not multi else arn_service(R)
            types = arn_types(s, R) if s else None
        if concrete:
            return [Inst(alts, [al])]
        if not s or s not in iam_actions():
            return [Inst(alts, [al])]
        acts = [x for x in expand(al, s)
                if types is None or set(act_types(x) or ()) & types]
        return [Inst(alts, acts, "template" if hit else "named")] if acts else []
    out, matched_ids = [], set()
    fout = forms(tout)
    for lid, (s, gs) in forms(tin).items():
        if lid not in tout.res or tout.types[lid] != tin.types[lid]:
            continue
        if not multi and s != svc:
            continue
        for gi, (types, alts) in enumerate(gs):
            if not any(match(R, a) for a in alts):
                continue
            # which resources: INPUT's ARNs; what must cover them: OUTPUT's
            # (a resource OUTPUT renames is no longer covered by its old name)
            alts = fout[lid][1][gi][1]
            matched_ids.add(lid)
            if concrete:
                at = act_types(al)
                acts = [al] if (at is None and s == svc) or set(at or ()) & types else []
            else:
                acts = [x for x in expand(al, s) if set(act_types(x) or ()) & types]
            if acts:
                out.append(Inst(alts, acts, "template"))
    if only_stars(R):
        if not multi:
            if concrete:
                acts = [al] if not act_types(al) else []
            else:
                acts = [x for x in expand(al, svc) if act_types(x) == () and
                        (rest != "*" or x in STAR_ONLY_USED)]
            if acts:
                out.append(Inst([R], acts, "star"))
    elif (ids - matched_ids) or opaque_in(R):
        # R names a parameter, an import or a part of a template resource.
        fm = forms(tin)
        named = [fm[i] for i in ids if i in fm]
        if named:
            types = frozenset(ty for s, gs in named for tys, alts in gs
                              if any(toverlap(R, a) for a in alts) for ty in tys)
            s = named[0][0] if multi else svc
        else:
            s = svc if not multi else arn_service(R)
            types = arn_types(s, R) if s else None
        if concrete or not s or s not in iam_actions():
            out.append(Inst([R], [al]))
        else:
            acts = [x for x in expand(al, s)
                    if types is None or set(act_types(x) or ()) & types]
            if acts:
                out.append(Inst([R], acts))
    return out


def cond_looser(cover, target):
    """Does a statement with condition cover allow at least what one with
    target allows? Every operator and key of cover must be in target, with
    values that admit at least as much: more values for a positive
    operator (StringEquals, ArnLike, IpAddress: any of them matches), fewer
    for a negated one (StringNotEquals, NotIpAddress), the same otherwise."""
    for (op, key), vals in cover.items():
        tv = target.get((op, key))
        if tv is None:
            return False
        base = op.split(":")[-1].replace("IfExists", "")
        if base.startswith(("String", "Arn", "IpAddress")) and "Not" not in base:
            ok = set(vals) >= set(tv)
        elif base.startswith(("String", "Arn", "NotIpAddress")):
            ok = set(vals) <= set(tv)
        else:
            ok = vals == tv
        if not ok:
            return False
    return True


class Grants:
    """What a principal allows, conditions compared with cond_looser."""

    def __init__(self, p):
        self.allow, self.nots = p.allow, p.nots

    def covered(self, at, rt, c):
        return any(cond_looser(p.c, c) and p.covers(at, rt, p.c) for p in self.allow) or \
            any(cond_looser(n.c, c) and n.covers(at, rt, n.c) for n in self.nots)


def show_acts(acts):
    names = [a if isinstance(a, str) else canon(a) for a in acts]
    if len(names) <= 4:
        return ", ".join(names)
    return "%s and %d more actions" % (", ".join(names[:3]), len(names) - 3)


def runs_as(tpl, key):
    """The types of the resources that run as principal @key: those that
    name the role (or the instance profile that holds it), or the SAM
    resource itself; "TYPE/logging" too for one that configures logging."""
    if tpl.types.get(key) != "AWS::IAM::Role":
        props = tpl.props.get(key, {})
        t = tpl.types.get(key)
        return {t, "%s/logging" % t} if "Logging" in props or "LoggingConfiguration" in props else {t}
    out = set()
    for lid, props in tpl.props.items():
        if lid != key and key in refs_of(props):
            out.add(tpl.types[lid])
            if "LoggingConfiguration" in props or "Logging" in props:
                out.add(tpl.types[lid] + "/logging")
            if tpl.types[lid] == "AWS::IAM::InstanceProfile":
                out |= {tpl.types[h] for h, hp in tpl.props.items() if lid in refs_of(hp)}
    return out


def integration_needs(action, types):
    """Does a principal running as @types need star-only @action whatever
    its code does (STAR_ONLY_INTEGRATION)?"""
    if action not in STAR_ONLY_INTEGRATION:
        return False
    who = STAR_ONLY_INTEGRATION[action]
    return who is None or bool(set(who) & types)


def draft_keeps(pair, inst, managed=False, types=frozenset()):
    """In mode new-stack, what of an instance must stay: a first draft's
    wildcards (actions or resources) and AWS managed policies are guesses
    that the tool narrows to what the principals are expected to use, but
    never the resources named outside the template (a parameter, an
    import, a literal ARN), a concrete action on the resource it names, or
    an action that works only on "*" that a service integration calls
    (STAR_ONLY_INTEGRATION)."""
    if inst.kind == "template":
        return []
    if inst.kind == "star" and (managed or isinstance(pair.a, str) and wild(tuple(pair.a.lower()))):
        return [x for x in inst.acts if integration_needs(x, types)]
    return inst.acts


def lost(pair, grants, tin, tout, mode="deployed", managed=False, types=frozenset()):
    """[(actions, resource)] of an INPUT pair that grants no longer cover."""
    out = []
    for inst in instances(pair, tin, tout):
        if mode == "new-stack":
            inst.acts = draft_keeps(pair, inst, managed, types)
            if not inst.acts:
                continue
        if any(grants.covered(pair.at, a, pair.c) for a in inst.alts):
            continue
        missing = [x for x in inst.acts
                   if not any(grants.covered(action_toks(x), a, pair.c) for a in inst.alts)]
        if missing:
            out.append((missing, inst.alts[0]))
    return out


def check_iam(tin, tout, say, counts, mode="deployed"):
    clash = {}
    pins, pouts = principals_effective(tin), principals_effective(tout, clash)
    for key, pi in pins.items():
        po = pouts.get(key)
        if po is None:
            continue
        counts[0] += 1
        gone = {}   # resource -> actions, one line each
        grants = Grants(po)
        types = runs_as(tin, key) if mode == "new-stack" else frozenset()
        for pair in pi.allow:
            managed = id(pair) in pi.from_managed
            for acts, r in lost(pair, grants, tin, tout, mode, managed, types):
                have = gone.setdefault(show_toks(r), [])
                have += [a for a in acts if a not in have]
        why = "".join(" (OUTPUT gives it %d different inline policies named %s: "
                      "CloudFormation keeps one of them)" % (n, name)
                      for name, n in clash.get(key, {}).items())
        for r, acts in gone.items():
            say(po.label, "no longer allows %s on %s%s" % (show_acts(acts), r, why))
        for n in pi.nots:
            if mode == "new-stack" and id(n) in pi.from_managed:
                continue    # a draft's AWS managed policy: a guess
            if n.canon not in po.notcanon and not not_stmt_covered(n, po):
                say(po.label, "no longer allows the statement %s" % canon(n.st))
        for mk, desc in pi.markers.items():
            if mk not in po.markers:
                say(po.label, "no longer allows " + desc)
    return pins, pouts


# ---- resource policies ------------------------------------------------------

RESPOL = {"AWS::S3::BucketPolicy": ("Bucket", "bucket policy"),
          "AWS::SQS::QueuePolicy": ("Queues", "queue policy"),
          "AWS::SNS::TopicPolicy": ("Topics", "topic policy")}
RESPOL_OF = {"AWS::S3::BucketPolicy": "AWS::S3::Bucket",
             "AWS::SQS::QueuePolicy": "AWS::SQS::Queue",
             "AWS::SNS::TopicPolicy": "AWS::SNS::Topic"}


def target_of(tpl, x):
    t = tpl.toks(x)
    if len(t) == 1 and not isinstance(t[0], str) and t[0][0] in ("ref", "att") \
            and t[0][1] in tpl.res:
        return t[0][1]
    return show_toks(t)


def respols(tpl):
    """{(kind, target): [policy lids]}"""
    out = {}
    for lid, t in tpl.types.items():
        if t in RESPOL:
            for x in items(tpl.props[lid].get(RESPOL[t][0])):
                out.setdefault((t, target_of(tpl, x)), []).append(lid)
    return out


def pentries(tpl, p):
    """A Principal as [(kind, tokens)]; the account is its root ARN."""
    if p == "*":
        return [("AWS", STAR)]
    if not isinstance(p, dict) or intrinsic(p)[0]:
        return [("?", tpl.toks(p))]
    out = []
    for k, v in p.items():
        for e in items(v):
            t = tpl.toks(e)
            digits = len(t) == 12 and all(isinstance(c, str) and c.isdigit() for c in t)
            if k == "AWS" and (t == (("ref", "AWS::AccountId"),) or digits):
                t = tuple("arn:aws:iam::") + t + tuple(":root")
            out.append((k, t))
    return out


def pcovers(o, e):
    return (o[0] == "AWS" and o[1] == STAR) or (o[0] == e[0] and match(o[1], e[1]))


def allow_stmts(tpl, lid, prop="PolicyDocument"):
    return [s for s in statements(tpl.props[lid].get(prop)) if s.get("Effect") == "Allow"]


def check_respols(tin, tout, say, mode="deployed"):
    pin, pout = respols(tin), respols(tout)
    # A resource keeps one policy of each kind, and creating one replaces
    # what the running resource has: a policy INPUT never showed may have
    # been set outside the template (the console, another stack).
    for (kind, tgt), olids in sorted(pout.items()):
        if mode == "deployed" and tgt in tin.res and tin.types[tgt] == RESPOL_OF.get(kind) \
                and (kind, tgt) not in pin:
            say(tgt, "OUTPUT gives the running %s a new %s (%s): it replaces whatever "
                "policy the resource has from outside the template" % (
                    tin.types[tgt], RESPOL[kind][1], ", ".join(olids)))
    for (kind, tgt), lids in pin.items():
        if len(lids) != 1:
            continue   # INPUT's own policy is undefined
        if tgt in tin.res and (tgt not in tout.res or tout.types[tgt] != tin.types[tgt]):
            continue
        olids = pout.get((kind, tgt), [])
        what = RESPOL[kind][1]
        note = ""
        if len(olids) > 1:
            note = " (OUTPUT has %d %s for it, %s: only one takes effect)" % (
                len(olids), what.replace("policy", "policies"), ", ".join(olids))
        ost = allow_stmts(tout, olids[0]) if len(olids) == 1 else []
        onorm = {norm_stmt(s) for s in ost}
        for st in allow_stmts(tin, lids[0]):
            if any(k in st for k in ("NotPrincipal", "NotAction", "NotResource")):
                if norm_stmt(st) not in onorm:
                    say(tgt, "its %s no longer has the statement %s%s" % (what, canon(st), note))
                continue
            cond = cond_of(st.get("Condition"))
            for e in pentries(tin, st.get("Principal")):
                g = Principal(tgt, tgt)
                for o in ost:
                    if "NotPrincipal" in o:
                        continue
                    if any(pcovers(x, e) for x in pentries(tout, o.get("Principal"))):
                        if "NotAction" in o or "NotResource" in o:
                            g.nots.append(NotStmt(tout, o, cond_of(o.get("Condition"))))
                        else:
                            ress = items(o["Resource"]) if "Resource" in o else ["*"]
                            for a in items(o.get("Action", [])):
                                for r in ress:
                                    g.allow.append(Pair(tout, a, r, cond_of(o.get("Condition"))))
                ress = items(st["Resource"]) if "Resource" in st else ["*"]
                gone = {}
                for a in items(st.get("Action", [])):
                    for r in ress:
                        for acts, rr in lost(Pair(tin, a, r, cond), Grants(g), tin, tout):
                            have = gone.setdefault(show_toks(rr), [])
                            have += [x for x in acts if x not in have]
                for rr, acts in gone.items():
                    say(tgt, "its %s no longer allows %s:%s %s on %s%s" % (
                        what, e[0], show_toks(e[1]), show_acts(acts), rr, note))


# Condition keys that make a grant to "*" not public (S3 Block Public
# Access, "the meaning of public"), lowercase.
NOT_PUBLIC_KEYS = {"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc",
                   "aws:sourcevpce", "aws:principalorgid", "aws:principalorgpaths",
                   "aws:principalaccount", "aws:principalarn", "aws:userid", "aws:sourceip",
                   "s3:dataaccesspointarn", "s3:dataaccesspointaccount"}
PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")


def is_true(v):
    return v is True or (isinstance(v, str) and v.lower() == "true")


def check_public(tin, tout, say, mode="deployed"):
    """S3 Block Public Access and ACLs OUTPUT turns on for a bucket whose
    policy or ACL INPUT made public (or whose ACL INPUT used); in mode
    deployed, any Block Public Access setting OUTPUT turns on for a bucket
    of INPUT (what is public may be outside the template)."""
    pin = respols(tin)
    for b, t in tin.types.items():
        if t != "AWS::S3::Bucket" or tout.types.get(b) != t:
            continue

        def flags(tpl):
            c = tpl.props[b].get("PublicAccessBlockConfiguration")
            return {k for k, v in c.items() if is_true(v)} if isinstance(c, dict) else set()

        new = flags(tout) - flags(tin)
        olids = respols(tout).get(("AWS::S3::BucketPolicy", b), [])
        if mode == "deployed" and may_be_public(tin, b) and len(olids) == 1:
            # A Deny of everyone (say, of plain HTTP) refuses anonymous
            # readers of public objects too: http:// links.
            had = {norm_stmt(x) for lid in pin.get(("AWS::S3::BucketPolicy", b), [])
                   for x in statements(tin.props[lid].get("PolicyDocument"))}
            for st in statements(tout.props[olids[0]].get("PolicyDocument")):
                if st.get("Effect") == "Deny" and norm_stmt(st) not in had and any(
                        e[0] == "AWS" and e[1] == STAR for e in pentries(tout, st.get("Principal"))):
                    say(b, "OUTPUT's bucket policy denies everyone %s, and nothing in INPUT "
                        "closes the running bucket to the public: anonymous readers of its "
                        "public objects may be refused" % canon(st))
        if new and mode == "deployed":
            # Objects a running application uploaded with a public ACL,
            # or a policy set in the console, are not in the template.
            say(b, "OUTPUT turns on %s for the running bucket: public ACLs on its objects "
                "and a public policy set outside the template stop working" % (
                    ", ".join(sorted(new))))
        blocks = sorted(new & {"BlockPublicPolicy", "RestrictPublicBuckets"})
        lids = pin.get(("AWS::S3::BucketPolicy", b), [])
        if blocks and len(lids) == 1:
            for st in allow_stmts(tin, lids[0]):
                star = "NotPrincipal" in st or any(
                    e[0] == "AWS" and e[1] == STAR for e in pentries(tin, st.get("Principal")))
                keys = {k for _, k in cond_of(st.get("Condition"))}
                if star and not keys & NOT_PUBLIC_KEYS:
                    say(b, "its bucket policy's public statement %s is blocked by OUTPUT's "
                        "PublicAccessBlockConfiguration (%s)" % (canon(st), ", ".join(blocks)))
        acl = tin.props[b].get("AccessControl")
        ablocks = sorted(new & {"BlockPublicAcls", "IgnorePublicAcls"})
        if acl in PUBLIC_ACLS and ablocks:
            say(b, "its ACL %s is blocked by OUTPUT's PublicAccessBlockConfiguration (%s)"
                % (acl, ", ".join(ablocks)))

        def enforced(tpl):
            oc = tpl.props[b].get("OwnershipControls")
            return "BucketOwnerEnforced" in canon(oc) if oc is not None else False
        if enforced(tout) and not enforced(tin):
            if isinstance(acl, str) and acl not in ("Private", "BucketOwnerFullControl"):
                say(b, "its ACL %s no longer works: OUTPUT disables ACLs (BucketOwnerEnforced)"
                    % acl)
            for d, dt in tout.types.items():
                if dt == "AWS::CloudFront::Distribution":
                    dc = tout.props[d].get("DistributionConfig")
                    lg = dc.get("Logging") if isinstance(dc, dict) else None
                    if lg is not None and b in refs_of(lg):
                        say(b, "CloudFront distribution %s can no longer write its standard "
                            "logs to it: OUTPUT disables ACLs (BucketOwnerEnforced)" % d)


def check_cf_logging(tin, tout, say):
    """Standard logging OUTPUT adds or moves goes to a bucket that can take
    it: ACLs on, not SSE-KMS ("Permissions required to configure standard
    logging", CloudFront Developer Guide)."""
    for d, dt in tout.types.items():
        if dt != "AWS::CloudFront::Distribution":
            continue
        dc = tout.props[d].get("DistributionConfig")
        lg = dc.get("Logging") if isinstance(dc, dict) else None
        if not isinstance(lg, dict):
            continue
        dci = tin.props[d].get("DistributionConfig") if d in tin.types else None
        lgi = dci.get("Logging") if isinstance(dci, dict) else None
        for b in refs_of(lg.get("Bucket")):
            if tout.types.get(b) != "AWS::S3::Bucket":
                continue
            po, pi = tout.props[b], tin.props.get(b, {}) if b in tin.types else None
            keys = ("OwnershipControls", "BucketEncryption")
            if lgi == lg and pi is not None and all(
                    canon(pi.get(k)) == canon(po.get(k)) for k in keys):
                continue
            own = canon(po.get("OwnershipControls"))
            if "BucketOwnerPreferred" not in own and "ObjectWriter" not in own:
                say(d, "CloudFront distribution %s cannot write its standard logs to %s: "
                    "ACLs are off (BucketOwnerEnforced, the default of a new bucket)" % (d, b))
            if "aws:kms" in canon(po.get("BucketEncryption")):
                say(d, "CloudFront distribution %s cannot write its standard logs to %s: "
                    "SSE-KMS" % (d, b))


# ---- KMS ----------------------------------------------------------------------

KEY, ALIAS = "AWS::KMS::Key", "AWS::KMS::Alias"


def key_of(tpl, x, depth=0):
    """The template's AWS::KMS::Key a key property names, else None."""
    if x is None or depth > 4:
        return None
    ids = refs_of(x)
    for i in ids:
        if tpl.types.get(i) == KEY:
            return i
    for i in ids:
        if tpl.types.get(i) == ALIAS:
            return key_of(tpl, tpl.props[i].get("TargetKeyId"), depth + 1)
    t = tpl.toks(x)
    for lid, ty in tpl.types.items():
        if ty == ALIAS and tpl.props[lid].get("AliasName") is not None:
            an = tpl.toks(tpl.props[lid]["AliasName"])
            if t == an or (len(t) > len(an) and t[-len(an):] == an and t[-len(an) - 1] == ":"):
                return key_of(tpl, tpl.props[lid].get("TargetKeyId"), depth + 1)
    return None


def store_key(tpl, lid):
    path = KEY_PROPS.get(tpl.types.get(lid))
    if not path:
        return None
    vals = [tpl.props[lid]]
    for step in path:
        nxt = []
        for v in vals:
            if step == "[]":
                nxt += [e for e in items(v) if isinstance(e, dict)]
            elif isinstance(v, dict) and step in v:
                if step == "ServerSideEncryptionByDefault":
                    alg = v[step].get("SSEAlgorithm") if isinstance(v[step], dict) else None
                    if not (isinstance(alg, str) and alg.startswith("aws:kms")):
                        continue
                nxt.append(v[step])
        vals = nxt
    for v in vals:
        k = key_of(tpl, v)
        if k:
            return k
    return None


def newly_encrypted(tin, tout):
    out = []
    for lid, t in tout.types.items():
        if t not in KEY_PROPS or tin.types.get(lid) != t:
            continue
        k = store_key(tout, lid)
        if k and store_key(tin, lid) != k:
            out.append((lid, k))
    return out


def key_stmts(tpl, k):
    """K's key policy's Allow statements; None for the default policy."""
    if "KeyPolicy" not in tpl.props[k]:
        return None
    return allow_stmts(tpl, k, "KeyPolicy")


def stmt_allows(st, action):
    at = action_toks(action)
    if "NotAction" in st:
        return not any(match(action_toks(a), at) for a in items(st["NotAction"]))
    return any(match(action_toks(a), at) for a in items(st.get("Action", [])))


def key_enables_iam(tpl, k, action):
    sts = key_stmts(tpl, k)
    if sts is None:
        return True
    root = re.compile(r"arn:aws:iam::(\$\{AWS::AccountId\}|\d{12}):root")
    return any(stmt_allows(st, action) and
               any(e[0] == "AWS" and (e[1] == STAR or root.fullmatch(show_toks(e[1])))
                   for e in pentries(tpl, st.get("Principal")))
               for st in sts)


def key_names(tpl, k, ids, action):
    sts = key_stmts(tpl, k) or []
    return any(stmt_allows(st, action) and
               any(e[0] == "AWS" and (e[1] == STAR or names_of(e[1]) & ids)
                   for e in pentries(tpl, st.get("Principal")))
               for st in sts)


def key_admits(tpl, k, service, actions):
    """Does K's policy admit a service principal (a regex) for actions?"""
    sts = key_stmts(tpl, k) or []
    rx = re.compile(service)
    for st in sts:
        es = pentries(tpl, st.get("Principal"))
        if any((e[0] == "Service" and rx.fullmatch(show_toks(e[1]))) or
               (e[0] == "AWS" and e[1] == STAR) for e in es) and \
                all(stmt_allows(st, a) for a in actions):
            return True
    return False


def iam_allows(p, action, alts):
    at = action_toks(action)
    return any(match(q.at, at) and any(match(q.rt, r) for r in alts) for q in p.allow) or \
        any(n.covers(at, r, n.c) for n in p.nots for r in alts)


def role_ids(tpl, key):
    """Logical IDs a key policy may name a principal by."""
    t = tpl.types.get(key)
    if t and t.startswith("AWS::Serverless::"):
        role = tpl.props[key].get("Role")
        return refs_of(role) if role is not None else {key + "Role"}
    return {key}


def deliveries(tpl):
    """[(store, service regex, description)]: AWS services that deliver
    into a store of the template."""
    out = []

    def to(x, svc, desc):
        for i in refs_of(x):
            if i in tpl.res:
                out.append((i, svc, desc))
    for lid, t in tpl.types.items():
        pr = tpl.props[lid]
        if t == "AWS::S3::Bucket":
            nc = pr.get("NotificationConfiguration")
            if isinstance(nc, dict):
                for c in items(nc.get("QueueConfigurations", [])):
                    if isinstance(c, dict):
                        to(c.get("Queue"), r"s3\.amazonaws\.com", "bucket %s notifies it" % lid)
                for c in items(nc.get("TopicConfigurations", [])):
                    if isinstance(c, dict):
                        to(c.get("Topic"), r"s3\.amazonaws\.com", "bucket %s notifies it" % lid)
        elif t == "AWS::SNS::Subscription":
            if pr.get("Protocol") == "sqs":
                to(pr.get("Endpoint"), r"sns\.amazonaws\.com", "subscription %s" % lid)
        elif t == "AWS::SNS::Topic":
            for s in items(pr.get("Subscription", [])):
                if isinstance(s, dict) and s.get("Protocol") == "sqs":
                    to(s.get("Endpoint"), r"sns\.amazonaws\.com", "topic %s subscribes it" % lid)
        elif t == "AWS::Events::Rule":
            for tg in items(pr.get("Targets", [])):
                if isinstance(tg, dict) and tg.get("RoleArn") is None:
                    # with a RoleArn (Kinesis, ...) EventBridge writes as that role
                    to(tg.get("Arn"), r"events\.amazonaws\.com", "rule %s targets it" % lid)
                if isinstance(tg, dict):
                    dl = tg.get("DeadLetterConfig")
                    if isinstance(dl, dict):
                        to(dl.get("Arn"), r"events\.amazonaws\.com",
                           "rule %s sends failed events to it" % lid)
        elif t == "AWS::CloudWatch::Alarm":
            for prop in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                for x in items(pr.get(prop, [])):
                    to(x, r"cloudwatch\.amazonaws\.com", "alarm %s notifies it" % lid)
        elif t == "AWS::CodeStarNotifications::NotificationRule":
            for tg in items(pr.get("Targets", [])):
                if isinstance(tg, dict):
                    to(tg.get("TargetAddress"), r"codestar-notifications\.amazonaws\.com",
                       "notification rule %s targets it" % lid)
        elif t == "AWS::Logs::LogGroup":
            out.append((lid, r"logs\.(\$\{AWS::Region\}|[a-z0-9-]+)\.amazonaws\.com",
                        "CloudWatch Logs writes it"))
    return out


def outside_uses(tin, s):
    """Why clients outside the template may use store s in INPUT."""
    why = []
    for name, o in tin.outputs.items():
        if not isinstance(o, dict):
            continue
        exp = o.get("Export")
        if s in refs_of(o.get("Value")) or s in refs_of(exp):
            if isinstance(exp, dict) and "Name" in exp:
                why.append("exported as %s" % show(exp["Name"]))
            else:
                why.append("output %s" % name)
    prop = NAME_PROPS.get(tin.types[s])
    v = tin.props[s].get(prop) if prop else None
    if v is not None and "AWS::StackName" not in canon(v) and "AWS::StackId" not in canon(v):
        why.append("named %s by %s" % (show(v), prop))
    return why


def origins(tpl, bucket):
    """[(distribution, 'oai'|'oac')] of CloudFront origins reading bucket."""
    out = []
    bt = tpl.props[bucket].get("BucketName")
    nt = tuple(tpl._toks_of(bt, 0)) if bt is not None else None
    for lid, t in tpl.types.items():
        if t != "AWS::CloudFront::Distribution":
            continue
        dc = tpl.props[lid].get("DistributionConfig")
        if not isinstance(dc, dict):
            continue
        for o in items(dc.get("Origins", [])):
            if not isinstance(o, dict):
                continue
            dn = o.get("DomainName")
            if dn is None:
                continue
            dt = tuple(tpl._toks_of(dn, 0))
            ours = bucket in refs_of(dn) or (
                nt and len(nt) > 2 and dt[:len(nt)] == nt and dt[len(nt):len(nt) + 1] == (".",))
            if not ours:
                continue
            s3c = o.get("S3OriginConfig")
            oai = s3c.get("OriginAccessIdentity") if isinstance(s3c, dict) else None
            if oai not in (None, ""):
                out.append((lid, "oai"))
            if o.get("OriginAccessControlId") not in (None, ""):
                out.append((lid, "oac"))
    return out


def may_be_public(tpl, b):
    """Nothing of @tpl's bucket @b rules out public reads: a public policy
    (RestrictPublicBuckets) or public ACLs (IgnorePublicAcls, or ACLs off)."""
    p = tpl.props[b]
    pab = p.get("PublicAccessBlockConfiguration")
    pab = pab if isinstance(pab, dict) else {}
    oc = p.get("OwnershipControls")
    acls_off = oc is not None and "BucketOwnerEnforced" in canon(oc)
    return not is_true(pab.get("RestrictPublicBuckets")) or \
        not (is_true(pab.get("IgnorePublicAcls")) or acls_off)


def check_kms(tin, tout, pins, pouts, say, mode="deployed"):
    new = newly_encrypted(tin, tout)
    if not new:
        return
    dl = deliveries(tout)
    for s, k in new:
        t = tout.types[s]
        head = "newly encrypted with %s" % k
        # 0. anonymous readers of a running bucket that may be public
        # outside the template (objects with public ACLs, a console
        # policy): none of them can decrypt an SSE-KMS object.
        if mode == "deployed" and t == "AWS::S3::Bucket" and s in tin.res \
                and may_be_public(tin, s):
            say(s, "%s, and nothing in INPUT blocks public access to the running bucket: "
                "anonymous readers of its new objects get 403" % head)
        # 1. readers and writers
        reads, writes = DATA_ACTIONS.get(t, ([], []))
        groups_s = forms(tin)[s][1] if s in forms(tin) else []
        kalts = tuple(a for _, gs in [forms(tout)[k]] for _, alts in gs for a in alts) + \
            (tout.toks({"Ref": k}),)
        for key, pi in pins.items():
            po = pouts.get(key)
            if po is None:
                continue
            used = []
            for acts, need in ((writes, ("kms:Decrypt", "kms:GenerateDataKey")),
                               (reads, ("kms:Decrypt",))):
                for a in acts:
                    at = action_toks(a)
                    tys = set(act_types(a.lower()) or ())
                    alts_s = [r for types, alts in groups_s if not tys or types & tys
                              for r in alts]
                    if any(match(q.at, at) and any(toverlap(q.rt, r) for r in alts_s)
                           for q in pi.allow) or \
                            any(n.covers(at, r, n.c) for n in pi.nots for r in alts_s):
                        used.append((a, need))
                        break
            if not used:
                continue
            a0, need = used[0] if len(used) == 1 else \
                (used[0][0], ("kms:Decrypt", "kms:GenerateDataKey"))
            ids = role_ids(tout, key)
            for kact in need:
                if key_names(tout, k, ids, kact):
                    continue
                if not iam_allows(po, kact, kalts):
                    say(po.label, "can no longer use %s (%s): %s is %s, and IAM allows it no "
                        "%s on %s" % (s, a0, s, head, kact, k))
                elif not key_enables_iam(tout, k, kact):
                    say(po.label, "can no longer use %s (%s): %s is %s, whose key policy "
                        "neither enables IAM nor names it for %s" % (s, a0, s, head, kact))
        # 2. services delivering into it
        for store, svc, desc in dl:
            if store == s and not key_admits(tout, k, svc, ("kms:GenerateDataKey", "kms:Decrypt")):
                sname = svc.replace("\\", "").replace("(${AWS::Region}|[a-z0-9-]+)", "<region>")
                say(s, "%s, but %s, and %s's key policy does not admit %s for "
                    "kms:GenerateDataKey and kms:Decrypt" % (head, desc, k, sname))
        # 3. users outside the template
        if t != "AWS::Logs::LogGroup" and mode != "new-stack":
            why = outside_uses(tin, s)
            if why:
                say(s, "%s, but it may be used outside the template (%s)" % (head, "; ".join(why)))
        if t == "AWS::S3::Bucket":
            # 4. CloudFront
            for d, how in origins(tout, s):
                if how == "oai":
                    say(s, "%s, but CloudFront distribution %s reads it through an origin "
                        "access identity, which cannot read SSE-KMS objects" % (head, d))
                elif not key_admits(tout, k, r"cloudfront\.amazonaws\.com", ("kms:Decrypt",)):
                    say(s, "%s, but CloudFront distribution %s reads it through an origin "
                        "access control, and %s's key policy does not admit "
                        "cloudfront.amazonaws.com for kms:Decrypt" % (head, d, k))
            # 5. replication
            rc = tout.props[s].get("ReplicationConfiguration")
            if isinstance(rc, dict):
                for i, rule in enumerate(items(rc.get("Rules", []))):
                    if not isinstance(rule, dict):
                        continue
                    ssc = rule.get("SourceSelectionCriteria")
                    sk = ssc.get("SseKmsEncryptedObjects") if isinstance(ssc, dict) else None
                    dest = rule.get("Destination")
                    ec = dest.get("EncryptionConfiguration") if isinstance(dest, dict) else None
                    ok = isinstance(sk, dict) and sk.get("Status") == "Enabled" and \
                        isinstance(ec, dict) and ec.get("ReplicaKmsKeyID") is not None
                    if not ok:
                        say(s, "%s, but its replication rule %s does not replicate SSE-KMS "
                            "objects (SseKmsEncryptedObjects Enabled and a ReplicaKmsKeyID)"
                            % (head, rule.get("Id", i + 1)))


# ---- the check ---------------------------------------------------------------

def check_pair(inp, outp, tin, tout, counts=None, mode="deployed"):
    lines = []
    counts = counts if counts is not None else [0]

    def say(who, what):
        line = "never-narrower: %s: %s: %s, which %s allowed" % (outp, who, what, inp)
        if line not in lines:
            lines.append(line)
    pins, pouts = check_iam(tin, tout, say, counts, mode)
    check_respols(tin, tout, say, mode)
    check_public(tin, tout, say, mode)
    check_cf_logging(tin, tout, say)
    check_kms(tin, tout, pins, pouts, say, mode)
    return lines


def main(argv):
    tool, pairs = readtemplate.command_line(
        "never_narrower.py",
        "Check that hardened templates take away no access that is used.", argv)
    if not iam_actions():
        print("never-narrower: cfn-lint's Policies.json not found: wildcard actions are "
              "not expanded", file=sys.stderr)
    cache, passed, failed, counts = {}, 0, 0, [0]
    for pair in pairs:
        inp, outp = pair[0], pair[1]
        mode = "deployed"
        report = pair[2] if len(pair) > 2 and pair[2] else outp + ".report.json"
        try:
            with open(report) as f:
                rep = json.load(f)
            if isinstance(rep, dict) and rep.get("mode") == "new-stack":
                mode = "new-stack"
        except (OSError, ValueError):
            pass
        tin, tout = load(tool, inp, cache), load(tool, outp, cache)
        bad = [(p, t) for p, t in ((inp, tin), (outp, tout)) if isinstance(t, str)]
        if bad:
            for p, why in bad:
                print("never-narrower: %s: cannot be read: %s" % (p, why))
            failed += 1
            continue
        try:
            lines = check_pair(inp, outp, tin, tout, counts, mode)
        except Exception as e:  # a bug here must not hide the other pairs
            lines = ["never-narrower: %s: internal error: %s: %s" % (outp, type(e).__name__, e)]
        for line in lines:
            print(line)
        if lines:
            failed += 1
        else:
            passed += 1
    print("never-narrower: %d principals compared" % counts[0])
    print("never-narrower: %d pairs checked, %d passed, %d failed" % (len(pairs), passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

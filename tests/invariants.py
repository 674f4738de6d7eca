#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check DESIGN.md's invariant 6 (consistent encryption) on hardened outputs,
that no role has two policies of one name, and no bucket two policies.

    invariants.py CFN_HARDEN FILE...

For every resource encrypted with a KMS key of the template, every
principal and service in the template that uses the resource must be able
to use the key: roles through an IAM statement allowing kms:Decrypt on it,
services that deliver into it (CloudWatch Logs, S3 notifications,
EventBridge targets, alarm actions, SNS subscriptions) through a statement
of the key policy. Written independently of transforms/encryption.c, so
that the two check each other.

IAM keeps one inline policy per name and role, and an AWS::IAM::Policy (or
RolePolicy) attached to a role is one of its inline policies: two of one
name and one silently replaces the other, with the access it granted.

A load balancer that writes access logs into a bucket of the template must
be able to (lb_log_delivery()): SSE-S3 for ALB and classic logs, a bucket
policy admitting ELB (or CloudWatch Logs delivery, for NLBs) where its
prefix lands, and a DependsOn on that policy; otherwise the update that
sets the attribute fails. Written apart from transforms/elb.c. Files are read through `cfn-harden --to
json`, which gives intrinsics in long form.
"""
import fnmatch
import json
import readtemplate
import sys

POLICY_TYPES = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"}
ADMIN = ("AdministratorAccess", "PowerUserAccess")


def refs(node, out):
    """Logical IDs named by Ref, GetAtt and Sub anywhere in node."""
    if isinstance(node, dict):
        if len(node) == 1:
            (k, v), = node.items()
            if k == "Ref" and isinstance(v, str):
                out.add(v)
                return out
            if k == "Fn::GetAtt":
                if isinstance(v, list) and v and isinstance(v[0], str):
                    out.add(v[0])
                elif isinstance(v, str):
                    out.add(v.split(".")[0])
                return out
            if k == "Fn::Sub":
                s = v[0] if isinstance(v, list) and v else v
                if isinstance(s, str):
                    i = 0
                    while True:
                        i = s.find("${", i)
                        if i < 0:
                            break
                        j = s.find("}", i)
                        name = s[i + 2:j].split(".")[0]
                        if not name.startswith("!"):
                            out.add(name)
                        i = j + 1
                if isinstance(v, list) and len(v) > 1:
                    refs(v[1], out)
                return out
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def listify(x):
    return x if isinstance(x, list) else [x]


def statements(doc):
    if not isinstance(doc, dict):
        return []
    return [s for s in listify(doc.get("Statement", [])) if isinstance(s, dict)]


def allows_decrypt(stmt, key):
    if stmt.get("Effect") != "Allow":
        return False
    acts = [a for a in listify(stmt.get("Action", [])) if isinstance(a, str)]
    if not any(a in ("kms:Decrypt", "kms:*", "*", "kms:Decrypt*") for a in acts):
        return False
    res = stmt.get("Resource")
    return res == "*" or (isinstance(res, list) and "*" in res) or key in refs(res, set())


def check(path, tpl):
    problems = []
    res = tpl.get("Resources", {})
    if not isinstance(res, dict):
        return problems
    keys = {k for k, v in res.items() if isinstance(v, dict) and v.get("Type") == "AWS::KMS::Key"}
    props = {k: (v.get("Properties") if isinstance(v, dict) and isinstance(v.get("Properties"), dict) else {})
             for k, v in res.items()}
    types = {k: (v.get("Type") if isinstance(v, dict) and isinstance(v.get("Type"), str) else None) for k, v in res.items()}
    # Resources encrypted with one of the template's keys.
    enc = {}
    for k, p in props.items():
        if types[k] in ("AWS::KMS::Key", "AWS::KMS::Alias") or types[k] in POLICY_TYPES \
                or types[k] == "AWS::IAM::Role":
            continue
        used = refs(p, set()) & keys
        # A function's KmsKeyArn encrypts its own environment, not a store;
        # a SAM state machine names a key only in its Policies (a grant).
        if types[k] in ("AWS::Lambda::Function", "AWS::Serverless::Function",
                        "AWS::Serverless::StateMachine"):
            continue
        if used:
            enc[k] = used
    if not enc:
        return problems

    def key_services(key):
        pol = props[key].get("KeyPolicy")
        if pol is None:
            return set(), False
        out = set()
        for s in statements(pol):
            if s.get("Effect") != "Allow":
                continue
            pr = s.get("Principal", {})
            svc = pr.get("Service") if isinstance(pr, dict) else None
            for x in listify(svc):
                if isinstance(x, dict) and "Fn::Sub" in x:
                    x = x["Fn::Sub"]
                if isinstance(x, str):
                    out.add(x.split(".")[0])
        return out, True

    # Services that deliver into encrypted resources.
    def need_service(svc, target, why):
        for key in enc.get(target, ()):
            have, literal = key_services(key)
            if literal and svc not in have:
                problems.append("%s: %s (%s) delivers into %s, but key %s does not admit %s"
                                % (path, why, svc, target, key, svc))

    for k, p in props.items():
        t = types[k]
        if t == "AWS::Logs::LogGroup" and k in enc:
            need_service("logs", k, k)
        if t == "AWS::S3::Bucket":
            for x in refs(p.get("NotificationConfiguration", {}), set()) & set(enc):
                need_service("s3", x, k)
        if t == "AWS::Events::Rule":
            for x in refs(p.get("Targets", []), set()) & set(enc):
                if types.get(x) in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
                    need_service("events", x, k)
        if t == "AWS::CloudWatch::Alarm":
            for a in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                for x in refs(p.get(a, []), set()) & set(enc):
                    need_service("cloudwatch", x, k)
        if t == "AWS::SNS::Subscription":
            for x in refs(p.get("Endpoint"), set()) & set(enc):
                need_service("sns", x, k)

    # Roles: who assumes them, and what those principals use.
    for r, t in types.items():
        if t != "AWS::IAM::Role":
            continue
        rp = props[r]
        if any(isinstance(a, str) and a.endswith(ADMIN) for a in listify(rp.get("ManagedPolicyArns", []))):
            continue
        docs = [p.get("PolicyDocument") for p in listify(rp.get("Policies", [])) if isinstance(p, dict)]
        for k, p in props.items():
            if types[k] in POLICY_TYPES and r in refs(p.get("Roles", []), set()) | refs(p.get("RoleName"), set()):
                docs.append(p.get("PolicyDocument"))
        used = set()
        for d in docs:
            for s in statements(d):
                if s.get("Effect") == "Allow":
                    used |= refs(s.get("Resource"), set()) & set(enc)
        for k, p in props.items():
            if k == r or types[k] in POLICY_TYPES or types[k] == "AWS::KMS::Key":
                continue
            if r in refs(p, set()):
                holders = [k]
                if types[k] == "AWS::IAM::InstanceProfile":
                    holders = [h for h, hp in props.items() if k in refs(hp, set())]
                for h in holders:
                    hp = props[h]
                    if types.get(h) == "AWS::Events::Rule":
                        # A rule's role delivers to its targets proper:
                        # EventBridge sends to a dead-letter queue itself,
                        # under the key policy (checked above), and what
                        # the event pattern matches is not touched.
                        hp = [{f: v for f, v in tg.items() if f != "DeadLetterConfig"}
                              if isinstance(tg, dict) else tg
                              for tg in listify(hp.get("Targets", []))]
                    used |= (refs(hp, set()) & set(enc)) - {h}
        for x in sorted(used):
            # Writers to a log group need no key permission: CloudWatch
            # Logs encrypts under the key policy (checked above).
            if types.get(x) == "AWS::Logs::LogGroup":
                continue
            # A build project's or pipeline's key is for its own role:
            # whoever else names one only starts or watches it.
            if types.get(x) in ("AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline"):
                continue
            for key in enc[x]:
                if not any(allows_decrypt(s, key) for d in docs for s in statements(d)):
                    problems.append("%s: role %s uses %s, encrypted with %s, but may not kms:Decrypt with it"
                                    % (path, r, x, key))
    return problems


def policy_names(path, tpl):
    """Roles with two policies of one name, inline or attached."""
    problems = []
    res = tpl.get("Resources", {})
    if not isinstance(res, dict):
        return problems
    names = {}
    for k, v in res.items():
        if not isinstance(v, dict) or v.get("Type") != "AWS::IAM::Role":
            continue
        p = v.get("Properties") if isinstance(v.get("Properties"), dict) else {}
        for pol in listify(p.get("Policies", [])):
            if isinstance(pol, dict) and isinstance(pol.get("PolicyName"), str):
                names.setdefault(k, []).append(pol["PolicyName"])
    for k, v in res.items():
        if not isinstance(v, dict) or v.get("Type") not in ("AWS::IAM::Policy", "AWS::IAM::RolePolicy"):
            continue
        p = v.get("Properties") if isinstance(v.get("Properties"), dict) else {}
        name = p.get("PolicyName")
        if not isinstance(name, str):
            continue
        for role in refs(p.get("Roles", []), set()) | refs(p.get("RoleName", []), set()):
            if role in names or (isinstance(res.get(role), dict) and res[role].get("Type") == "AWS::IAM::Role"):
                names.setdefault(role, []).append(name)
    for role, ns in sorted(names.items()):
        for n in sorted({n for n in ns if ns.count(n) > 1}):
            problems.append("%s: role %s has two policies named %s: one replaces the other" % (path, role, n))
    return problems


def bucket_policies(path, tpl):
    """Buckets with two AWS::S3::BucketPolicy resources: by Ref, or by the
    same name as the bucket's BucketName. S3 keeps one: the later replaces
    the other."""
    res = tpl.get("Resources", {})
    if not isinstance(res, dict):
        return []
    names = {}
    for k, v in res.items():
        if isinstance(v, dict) and v.get("Type") == "AWS::S3::Bucket":
            p = v.get("Properties") if isinstance(v.get("Properties"), dict) else {}
            if "BucketName" in p:
                names[json.dumps(p["BucketName"], sort_keys=True)] = k
    seen = {}
    problems = []
    for k, v in sorted(res.items()):
        if not isinstance(v, dict) or v.get("Type") != "AWS::S3::BucketPolicy":
            continue
        p = v.get("Properties") if isinstance(v.get("Properties"), dict) else {}
        b = p.get("Bucket")
        if isinstance(b, dict) and set(b) == {"Ref"} and b["Ref"] in res:
            bucket = b["Ref"]
        else:
            bucket = names.get(json.dumps(b, sort_keys=True))
        if bucket is None:
            continue
        if bucket in seen:
            problems.append("%s: bucket %s has two policies, %s and %s: one replaces the other"
                            % (path, bucket, seen[bucket], k))
        seen[bucket] = k
    return problems


ELB_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
NLB_SERVICE = "delivery.logs.amazonaws.com"


def _text(node, bucket):
    """A Resource as text: the bucket's ARN as BUCKET, the account as ACCT;
    None when it cannot be read (opaque: taken as covering)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and len(node) == 1:
        (k, v), = node.items()
        if k == "Fn::GetAtt":
            parts = v if isinstance(v, list) else str(v).split(".")
            return "BUCKET" if parts and parts[0] == bucket else "OTHER"
        if k == "Fn::Sub":
            t = v[0] if isinstance(v, list) else v
            if not isinstance(t, str):
                return None
            t = t.replace("${%s.Arn}" % bucket, "BUCKET")
            t = t.replace("arn:${AWS::Partition}:s3:::${%s}" % bucket, "BUCKET")
            return t.replace("${AWS::AccountId}", "ACCT")
        if k == "Fn::Join" and isinstance(v, list) and len(v) == 2:
            parts = [_text(x, bucket) for x in listify(v[1])]
            return None if None in parts else v[0].join(parts)
    return None


def _principals(p):
    """The (kind, value) pairs a Principal names, both branches of an
    Fn::If."""
    out = []
    if isinstance(p, dict) and set(p) == {"Fn::If"} and isinstance(p["Fn::If"], list):
        for b in p["Fn::If"][1:]:
            out += _principals(b)
        return out
    if p == "*":
        return [("AWS", "*")]
    if isinstance(p, dict):
        for k, v in p.items():
            for x in listify(v):
                out.append((k, x if isinstance(x, str) else "OPAQUE"))
    return out


def lb_log_delivery(path, tpl):
    """Every load balancer that writes access logs into a bucket of the
    template can: the bucket is on SSE-S3 for ALB and classic logs (ELB
    writes to no SSE-KMS bucket), its policy lets ELB (the region's ELB
    account or the service principal; NLB: CloudWatch Logs delivery)
    put objects where the balancer's prefix lands, and the balancer
    DependsOn that policy, since ELB checks it can write when the attribute
    is set and fails the deployment otherwise."""
    res = tpl.get("Resources", {})
    if not isinstance(res, dict):
        return []
    problems = []
    for lb, v in sorted(res.items()):
        if not isinstance(v, dict):
            continue
        p = v.get("Properties") if isinstance(v.get("Properties"), dict) else {}
        if v.get("Type") == "AWS::ElasticLoadBalancing::LoadBalancer":
            alp = p.get("AccessLoggingPolicy")
            if not isinstance(alp, dict) or alp.get("Enabled") not in (True, "true"):
                continue
            bucket, prefix, nlb = alp.get("S3BucketName"), alp.get("S3BucketPrefix", ""), False
        elif v.get("Type") == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            attrs = {a.get("Key"): a.get("Value") for a in listify(p.get("LoadBalancerAttributes", []))
                     if isinstance(a, dict)}
            if attrs.get("access_logs.s3.enabled") not in (True, "true"):
                continue
            bucket, prefix = attrs.get("access_logs.s3.bucket"), attrs.get("access_logs.s3.prefix", "")
            nlb = p.get("Type") == "network"
        else:
            continue
        if not (isinstance(bucket, dict) and set(bucket) == {"Ref"} and bucket["Ref"] in res):
            continue
        bucket = bucket["Ref"]
        b = res[bucket] if isinstance(res[bucket], dict) else {}
        bp = b.get("Properties") if isinstance(b.get("Properties"), dict) else {}
        algs = [((r or {}).get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
                for r in listify((bp.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration", []))
                if isinstance(r, dict)]
        if not nlb and any(a not in (None, "AES256") for a in algs):
            problems.append("%s: %s logs into %s, which is not on SSE-S3: ELB cannot write" % (path, lb, bucket))
        pols = [k for k, x in res.items() if isinstance(x, dict) and x.get("Type") == "AWS::S3::BucketPolicy"
                and isinstance(x.get("Properties"), dict) and x["Properties"].get("Bucket") == {"Ref": bucket}]
        if not pols:
            problems.append("%s: %s logs into %s, which has no bucket policy letting ELB write" % (path, lb, bucket))
            continue
        pol = pols[0]
        target = "BUCKET/%sAWSLogs/ACCT/elasticloadbalancing/r/f.log.gz" % (
            prefix + "/" if isinstance(prefix, str) and prefix else "")
        want = {NLB_SERVICE} if nlb else {ELB_SERVICE, "ACCOUNT"}
        ok = False
        for st in statements(res[pol]["Properties"].get("PolicyDocument")):
            if st.get("Effect") != "Allow" or not any(
                    fnmatch.fnmatchcase(a.lower(), "s3:putobject") or a == "*"
                    for a in listify(st.get("Action", [])) if isinstance(a, str)):
                continue
            kinds = set()
            for k, x in _principals(st.get("Principal")):
                if k == "Service":
                    kinds.add(x)
                elif k == "AWS":
                    kinds.add("ACCOUNT")
            if not kinds & want:
                continue
            for r in listify(st.get("Resource", [])):
                t = _text(r, bucket)
                if t is None or fnmatch.fnmatchcase(target, t):
                    ok = True
        if not ok:
            problems.append("%s: %s logs into %s under '%s', which %s does not let %s write"
                            % (path, lb, bucket, prefix, pol, "log delivery" if nlb else "ELB"))
        dep = listify(v.get("DependsOn", []))
        if pol not in dep:
            problems.append("%s: %s does not depend on %s: ELB may check the bucket before the policy lets it write"
                            % (path, lb, pol))
    return problems


def main():
    tool, files = sys.argv[1], sys.argv[2:]
    problems, checked = [], 0
    for f in files:
        tpl, why = readtemplate.read(tool, f)
        if why:
            continue
        checked += 1
        problems += (check(f, tpl) + policy_names(f, tpl) + bucket_policies(f, tpl)
                     + lb_log_delivery(f, tpl))
    for p in problems:
        print("invariants: " + p)
    print("invariants: %d templates checked, %d passed, %d failed"
          % (checked, checked - len({p.split(":")[0] for p in problems}), len({p.split(":")[0] for p in problems})))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

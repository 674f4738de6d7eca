#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that, in a deployed stack, hardening leaves alone what running
resources do for their clients and consumers.

    unchanged.py [--cfn-harden PATH] INPUT OUTPUT [REPORT.json]
    unchanged.py [--cfn-harden PATH] --pairs FILE

FILE holds one pair a line, `input<TAB>output[<TAB>report]`. Templates are
read through `cfn-harden --only "" --to json` (readtemplate.py). From
REPORT.json (else OUTPUT.report.json, if there is one) only "mode" is read:
in mode new-stack nothing runs yet, and the pair passes.

In mode deployed every resource of INPUT runs. Its zones (ZONE_KEYS, at
any depth) must be written as they were. For the types of BEHAVIOUR
below, each listed property must have the same value in OUTPUT as in INPUT,
an absent one staying absent: these are the settings a running consumer,
client or operator relies on (how often a message is retried and where it
goes then, how long data is kept, how an instance answers its metadata
requests, what a load balancer accepts), which the issue "Safe to merge"
forbids changing under them. A pass that wants one of them changed must say
so as an advisory instead. Each violation is one line,

    unchanged: OUTPUT: <resource>: <property> changed from X to Y on a running <type>

and the last line counts the pairs (`unchanged: N pairs checked, N passed,
N failed`). Exit status: 0 all passed, 1 some failed (or could not be
read), 2 bad command line. Written from the services' documentation, apart
from transforms/*.c, so that the two check each other. The table is short
on purpose: a property belongs here when changing it on a running resource
changes what its users see, not when it adds something beside them
(logging, tracing, a dead-letter queue for what would be dropped, tags).
"""
import json
import os
import sys

import readtemplate

PROG = "unchanged"
ABSENT = object()

# type -> property paths; "[]" walks every item of a list, "{Key=k}" picks
# the item of a list of {Key, Value} whose Key is k (load balancer
# attributes).
BEHAVIOUR = {
    # A redrive policy moves a message aside after a few receives: its
    # consumers stop retrying it (SQS developer guide, dead-letter queues).
    "AWS::SQS::Queue": [
        "RedrivePolicy", "VisibilityTimeout", "MessageRetentionPeriod",
        "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize",
    ],
    # A retry policy gives up before EventBridge's 24 hours / 185 attempts.
    "AWS::Events::Rule": [
        "State", "EventPattern", "ScheduleExpression",
        "Targets[].RetryPolicy", "Targets[].Input", "Targets[].InputPath",
        "Targets[].InputTransformer",
    ],
    # Retry limits and bisection skip records a stream consumer would have
    # retried in order (Lambda developer guide, stream event sources).
    "AWS::Lambda::EventSourceMapping": [
        "MaximumRetryAttempts", "BisectBatchOnFunctionError", "BatchSize",
        "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
        "MaximumRecordAgeInSeconds", "FilterCriteria", "Enabled",
        "FunctionResponseTypes", "TumblingWindowInSeconds",
    ],
    "AWS::SNS::Subscription": ["FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                               "DeliveryPolicy"],
    "AWS::Lambda::Function": ["Timeout", "MemorySize", "Runtime", "Handler",
                              "ReservedConcurrentExecutions", "Architectures"],
    # Retention deletes older events the moment it is set.
    "AWS::Logs::LogGroup": ["RetentionInDays"],
    # IMDSv2 only: software that reads the metadata without a token fails.
    "AWS::EC2::Instance": ["MetadataOptions", "InstanceType", "SubnetId", "SecurityGroupIds",
                           "SecurityGroups", "SourceDestCheck", "UserData"],
    "AWS::EC2::LaunchTemplate": [
        "LaunchTemplateData.MetadataOptions", "LaunchTemplateData.InstanceType",
        "LaunchTemplateData.NetworkInterfaces", "LaunchTemplateData.SecurityGroupIds",
        "LaunchTemplateData.UserData",
    ],
    "AWS::AutoScaling::LaunchConfiguration": ["MetadataOptions", "AssociatePublicIpAddress",
                                              "InstanceType", "SecurityGroups", "UserData"],
    # What a balancer accepts from clients and how it routes them.
    "AWS::ElasticLoadBalancingV2::LoadBalancer": [
        "Scheme", "Subnets", "SubnetMappings", "SecurityGroups", "IpAddressType",
        "LoadBalancerAttributes{Key=routing.http.drop_invalid_header_fields.enabled}",
        "LoadBalancerAttributes{Key=routing.http.desync_mitigation_mode}",
        "LoadBalancerAttributes{Key=idle_timeout.timeout_seconds}",
        "LoadBalancerAttributes{Key=load_balancing.cross_zone.enabled}",
        "LoadBalancerAttributes{Key=routing.http2.enabled}",
    ],
    "AWS::ElasticLoadBalancingV2::Listener": ["Protocol", "Port", "SslPolicy", "Certificates",
                                              "DefaultActions", "AlpnPolicy"],
    "AWS::ElasticLoadBalancing::LoadBalancer": ["Listeners", "Scheme", "Subnets",
                                                "SecurityGroups", "HealthCheck", "Policies"],
    # The health check decides which targets receive requests: a lower
    # healthy threshold sends traffic to a target sooner after it starts,
    # a higher unhealthy one keeps a failing target in service longer, and
    # another path or matcher probes something else (ELB user guide,
    # "Health checks for your target groups"; an absent setting is the
    # protocol's default, which writing another value changes).
    "AWS::ElasticLoadBalancingV2::TargetGroup": [
        "HealthCheckEnabled", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
        "HealthyThresholdCount", "UnhealthyThresholdCount", "HealthCheckPath",
        "HealthCheckPort", "HealthCheckProtocol", "Matcher", "Port", "Protocol",
        "ProtocolVersion",
        "TargetGroupAttributes{Key=deregistration_delay.timeout_seconds}",
        "TargetGroupAttributes{Key=slow_start.duration_seconds}",
        "TargetGroupAttributes{Key=stickiness.enabled}",
    ],
    # Immutable tags fail a push that moves a tag; a lifecycle policy
    # deletes images a task may still pull by digest or roll back to.
    "AWS::ECR::Repository": ["ImageTagMutability", "LifecyclePolicy"],
    "AWS::ApiGateway::Stage": ["CacheClusterEnabled", "CacheClusterSize",
                               "ClientCertificateId", "Variables"],
    # Multi-AZ: a running instance converts by a snapshot and a sync that
    # slow its I/O, then costs twice (RDS user guide, "Modifying a DB
    # instance to be a Multi-AZ deployment").
    "AWS::RDS::DBInstance": ["MultiAZ", "DBInstanceClass", "Engine", "EngineVersion", "Port",
                             "PubliclyAccessible", "BackupRetentionPeriod",
                             "DBParameterGroupName", "VPCSecurityGroups"],
    "AWS::RDS::DBCluster": ["Engine", "EngineVersion", "Port", "BackupRetentionPeriod",
                            "DBClusterParameterGroupName", "VpcSecurityGroupIds"],
    "AWS::CloudFront::Distribution": ["DistributionConfig.ViewerCertificate",
                                      "DistributionConfig.DefaultRootObject",
                                      "DistributionConfig.Restrictions",
                                      "DistributionConfig.WebACLId"],
    # A daily backup forks the engine, which slows a node short of memory
    # (ElastiCache user guide, "Performance impact of backups"); an upgrade
    # restarts nodes; failover moves the primary to another node and zone,
    # under clients that write to a node's own endpoint; the engine, its
    # version and the node type change what clients talk to.
    "AWS::ElastiCache::ReplicationGroup": [
        "SnapshotRetentionLimit", "SnapshotWindow", "AutoMinorVersionUpgrade",
        "AutomaticFailoverEnabled", "MultiAZEnabled", "Engine", "EngineVersion",
        "CacheNodeType", "Port", "TransitEncryptionEnabled", "TransitEncryptionMode",
        "AuthToken", "UserGroupIds", "NumCacheClusters", "ReplicasPerNodeGroup",
    ],
    "AWS::ElastiCache::CacheCluster": [
        "SnapshotRetentionLimit", "SnapshotWindow", "AutoMinorVersionUpgrade",
        "Engine", "EngineVersion", "CacheNodeType", "Port",
        "TransitEncryptionEnabled", "NumCacheNodes", "AZMode",
    ],
    "AWS::ElastiCache::ServerlessCache": [
        "SnapshotRetentionLimit", "DailySnapshotTime", "Engine",
        "MajorEngineVersion", "CacheUsageLimits", "UserGroupId",
    ],
}


def values(node, path):
    """[(label, value)] that @path picks in @node; ABSENT where it is not."""
    depth, cut = 0, len(path)
    for i, c in enumerate(path):        # the first "." outside braces
        depth += (c == "{") - (c == "}")
        if c == "." and not depth:
            cut = i
            break
    head, rest = path[:cut], path[cut + 1:]
    key = head
    sel = None
    each = False
    if head.endswith("[]"):
        key, each = head[:-2], True
    elif "{" in head:
        key, sel = head[:head.index("{")], head[head.index("{") + 1:-1].split("=", 1)
    v = node.get(key, ABSENT) if isinstance(node, dict) else ABSENT
    if v is not ABSENT and sel:
        items = v if isinstance(v, list) else []
        hit = [i for i in items if isinstance(i, dict) and i.get(sel[0]) == sel[1]]
        v = hit[-1].get("Value", ABSENT) if hit else ABSENT
    if each:
        items = v if isinstance(v, list) else []
        out = []
        for i, item in enumerate(items):
            lab = "%s[%s]" % (key, item.get("Id", i) if isinstance(item, dict) else i)
            for sub, val in (values(item, rest) if rest else [("", item)]):
                out.append((lab + ("." + sub if sub else ""), val))
        return out
    if rest and v is not ABSENT:
        return [(head + "." + s if s else head, x) for s, x in values(v, rest)]
    if rest:
        return [(path, ABSENT)]
    return [(head, v)]


# Properties whose change matters only across a boundary: a value ->
# the class that counts (absent is the type's default).
def _backups(v):
    # Backups on or off: from 0 to a number (or back) reboots the
    # database; between two numbers only more or fewer are kept (RDS user
    # guide, "Backup retention period").
    if v is ABSENT:
        return "on"
    return "off" if str(v) == "0" else "on"


CLASSES = {"BackupRetentionPeriod": _backups}


def resolve(v, fresh):
    """@v with each Ref to a parameter OUTPUT added (@fresh: name ->
    default) replaced by its default: the value a stack update gives it."""
    if isinstance(v, dict):
        if len(v) == 1 and isinstance(v.get("Ref"), str) and v["Ref"] in fresh:
            return fresh[v["Ref"]]
        return {k: resolve(x, fresh) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, fresh) for x in v]
    return v


def show(v):
    return "absent" if v is ABSENT else json.dumps(v, sort_keys=True)


def read_mode(path):
    if not path or not os.path.exists(path):
        return "deployed", None
    try:
        with open(path) as f:
            rep = json.load(f)
    except (OSError, ValueError) as e:
        return "deployed", "report %s cannot be read: %s" % (path, e)
    mode = rep.get("mode", "deployed") if isinstance(rep, dict) else "deployed"
    if mode not in ("deployed", "new-stack"):
        return "deployed", "report %s has an unknown mode %s" % (path, json.dumps(mode))
    return mode, None


def check_pair(outp, tin, tout):
    lines = []
    rin = tin.get("Resources") if isinstance(tin, dict) else None
    rout = tout.get("Resources") if isinstance(tout, dict) else None
    if not isinstance(rin, dict) or not isinstance(rout, dict):
        return lines
    pin_ = tin.get("Parameters") if isinstance(tin.get("Parameters"), dict) else {}
    pout_ = tout.get("Parameters") if isinstance(tout.get("Parameters"), dict) else {}
    fresh = {k: v["Default"] for k, v in pout_.items()
             if k not in pin_ and isinstance(v, dict) and "Default" in v}
    for rid, res in rin.items():
        if not isinstance(res, dict):
            continue
        typ = res.get("Type")
        other = rout.get(rid)
        if not isinstance(typ, str) or not isinstance(other, dict) or other.get("Type") != typ:
            continue                    # removal and replacement: replacements.py
        pin = res.get("Properties", {})
        pout = other.get("Properties", {})
        if not isinstance(pin, dict) or not isinstance(pout, dict):
            continue
        lines += check_zones(outp, rid, typ, pin, pout)
        for path in BEHAVIOUR.get(typ, ()):
            before = dict(values(pin, path))
            after = dict(values(pout, path))
            cls = CLASSES.get(path.split(".")[-1])
            for lab in sorted(set(before) | set(after)):
                a, b = before.get(lab, ABSENT), after.get(lab, ABSENT)
                b = resolve(b, fresh) if b is not ABSENT else b
                if (cls(a) != cls(b)) if cls else (a != b):
                    lines.append("%s: %s: %s: %s changed from %s to %s on a running %s"
                                 % (PROG, outp, rid, lab, show(a), show(b), typ))
    return lines


# A running resource stays in its zone: a zone written another way
# (!Select [i, !GetAZs ''] for 'us-east-1c') may name another zone in the
# very region the stack runs in (GetAZs lists the account's zones in its
# own order), and a volume, subnet or database cannot move. Any property
# of these names, at any depth of a resource's Properties.
ZONE_KEYS = {"AvailabilityZone", "AvailabilityZones", "AvailabilityZoneId",
             "AvailabilityZoneIds", "PreferredAvailabilityZone",
             "PreferredAvailabilityZones", "SecondaryAvailabilityZone"}


def zones(node, path=""):
    """[(path, value)] of the zone properties below @node."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ZONE_KEYS:
                out.append((path + "." + k if path else k, v))
            else:
                out += zones(v, path + "." + k if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += zones(v, "%s[%d]" % (path, i))
    return out


def check_zones(outp, rid, typ, pin, pout):
    after = dict(zones(pout))
    return ["%s: %s: %s: %s changed from %s to %s on a running %s"
            % (PROG, outp, rid, lab, show(a), show(after.get(lab, ABSENT)), typ)
            for lab, a in zones(pin) if after.get(lab, ABSENT) != a]


SCALABLE = {"AWS::ECS::Service", "AWS::DynamoDB::Table", "AWS::Lambda::Alias",
            "AWS::EC2::SpotFleet", "AWS::AppStream::Fleet", "AWS::SageMaker::Endpoint"}


def scaled(tin, tout):
    """[(scalable target, the input resource it scales)] that OUTPUT adds:
    auto scaling changes how many copies of a running resource run."""
    rin = tin.get("Resources") or {}
    out = []
    for rid, res in (tout.get("Resources") or {}).items():
        if rid in rin or not isinstance(res, dict) or \
                res.get("Type") != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        names = set()
        refs_in((res.get("Properties") or {}).get("ResourceId"), names)
        out += [(rid, n) for n in sorted(names)
                if isinstance(rin.get(n), dict) and rin[n].get("Type") in SCALABLE]
    return out


def refs_in(v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "Ref" and isinstance(x, str):
                out.add(x)
            elif k == "Fn::GetAtt":
                name = x[0] if isinstance(x, list) and x else (x.split(".")[0] if isinstance(x, str) else None)
                if isinstance(name, str):
                    out.add(name)
            else:
                refs_in(x, out)
    elif isinstance(v, list):
        for x in v:
            refs_in(x, out)


def main(argv):
    tool, pairs = readtemplate.command_line(
        "unchanged.py", "Check that a deployed stack's running resources " "keep what their users rely on.", argv)
    passed = failed = 0
    for pair in pairs:
        inp, outp = pair[0], pair[1]
        report = pair[2] if len(pair) > 2 and pair[2] else outp + ".report.json"
        mode, why = read_mode(report)
        lines = ["%s: %s: %s" % (PROG, outp, why)] if why else []
        if mode == "deployed" and not why:
            tin, e1 = readtemplate.read(tool, inp)
            tout, e2 = readtemplate.read(tool, outp)
            if e1 or e2:
                lines = ["%s: %s: cannot be read: %s" % (PROG, p, e)
                         for p, e in ((inp, e1), (outp, e2)) if e]
            else:
                lines = check_pair(outp, tin, tout)
                lines += ["%s: %s: %s: its task count changed from fixed to scaled (%s) on a running resource"
                          % (PROG, outp, n, t) for t, n in scaled(tin, tout)]
        for line in lines:
            print(line)
        if lines:
            failed += 1
        else:
            passed += 1
    print("%s: %d pairs checked, %d passed, %d failed" % (PROG, len(pairs), passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

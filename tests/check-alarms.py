#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that every alarm and dashboard line cfn-harden adds can show
something: its metric is one the service publishes, with those
dimensions, for the resource the dimensions name.

    check-alarms.py [--cfn-harden PATH] [BUILD]
    check-alarms.py [--cfn-harden PATH] --pair INPUT OUTPUT

With BUILD (default build), the pairs are those of BUILD/golden-out/manifest
and of BUILD/corpus-sample/manifest.all (else .../manifest), lines of
`input<TAB>output[<TAB>...]`; then the self-test: every pair of
tests/alarms-bad/<case>/{input.yaml,output.yaml} must be reported, and no
pair of tests/alarms-good/<case>/ may be. Templates are read through
`cfn-harden --only "" --to json` (PATH, else $CFN_HARDEN, else
BUILD/cfn-harden), which gives intrinsics in long form, so that JSON and
YAML are read alike.

Written from the services' CloudWatch documentation, apart from the pass
and its table (src/metrics.h), so that the two check each other: an alarm
on a metric and dimension set the service does not publish never fires,
and under TreatMissingData: notBreaching it stays OK forever.

What is checked, in each pair, for every AWS::CloudWatch::Alarm in OUTPUT
whose logical ID is not in INPUT (one the tool added), and for every line
of the widgets of an added AWS::CloudWatch::Dashboard:

 1. Its dimension values name a resource of OUTPUT: !Ref X, !GetAtt X.attr,
    ${X} or ${X.attr} in a dashboard, or a literal that is the Name of a
    REST API (ApiName) of the template.
 2. For one of those resources, PUBLISHED below has a row for its type and
    variant (an Aurora instance or not, an HTTP or a WebSocket API, an
    Application or a Network Load Balancer's target group) with the same
    namespace, metric name and set of dimension names, each dimension's
    value filled the way the service names the resource (a queue by its
    QueueName attribute, not the URL its Ref gives; a load balancer by
    LoadBalancerFullName; ...).
 3. Its statistic (Statistic, ExtendedStatistic; a dashboard line's own
    "stat", else its widget's, else Average) is one that means something
    for that metric: Sum for counts, Maximum or Average for gauges and
    ages, Average, Maximum or a percentile for durations.
 4. An alarm notifies something: it has AlarmActions.

Each violation is one line, `alarms: OUTPUT: ID: <what>`; then
`alarms: N alarms and M dashboard lines added in P pairs` and
`alarms: N passed, N failed`, which counts the alarms and dashboard lines
checked and the self-test cases. Exit status: 0 all passed, 1 some
failed, 2 bad command line.
"""
import argparse
import glob
import json
import os
import re
import readtemplate
import sys

PROG = "alarms"

# How a dimension's value names resource X.
REF = ("ref",)                  # {"Ref": X}; ${X} in a dashboard
NAME = ("name",)                # X's literal Name property (REST ApiName)
CLUSTER = ("cluster",)          # the name of the ECS cluster service X runs in
BALANCER = ("balancer",)        # LoadBalancerFullName of the LB forwarding to X
ANY = ("any",)                  # a value the check does not read (a Stage)


def getatt(attr):
    return ("getatt", attr)


COUNT = {"Sum"}
GAUGE = {"Maximum", "Average"}
LOW = {"Minimum", "Average"}
TIME = {"Average", "Maximum", "Minimum", "p50", "p90", "p95", "p99", "p99.9"}
RATE = {"Sum", "Average"}       # API Gateway: Average is the error rate


def row(variant, ns, metric, dims, stats):
    return {"variant": variant, "ns": ns, "metric": metric, "dims": dims, "stats": stats}


# type -> rows. From the pages named; "variant" None means every resource
# of the type.
PUBLISHED = {
    # "Types of metrics for Lambda functions"; dimensions FunctionName,
    # Resource, ExecutedVersion ("Using CloudWatch metrics with Lambda").
    "AWS::Lambda::Function": [
        row(None, "AWS/Lambda", m, {"FunctionName": REF}, COUNT)
        for m in ("Invocations", "Errors", "Throttles", "DeadLetterErrors",
                  "DestinationDeliveryFailures")
    ] + [
        row(None, "AWS/Lambda", "Duration", {"FunctionName": REF}, TIME),
        row(None, "AWS/Lambda", "ConcurrentExecutions", {"FunctionName": REF}, GAUGE),
        row(None, "AWS/Lambda", "IteratorAge", {"FunctionName": REF}, GAUGE),
    ],
    # "Available CloudWatch metrics for Amazon SQS": the one dimension is
    # QueueName, the queue's name (its Ref is the URL).
    "AWS::SQS::Queue": [
        row(None, "AWS/SQS", m, {"QueueName": getatt("QueueName")}, GAUGE)
        for m in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage",
                  "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
    ] + [
        row(None, "AWS/SQS", m, {"QueueName": getatt("QueueName")}, COUNT)
        for m in ("NumberOfMessagesSent", "NumberOfMessagesReceived",
                  "NumberOfMessagesDeleted", "NumberOfEmptyReceives")
    ],
    # "CodeBuild CloudWatch metrics", "CodeBuild CloudWatch dimensions".
    "AWS::CodeBuild::Project": [
        row(None, "AWS/CodeBuild", m, {"ProjectName": REF}, COUNT)
        for m in ("Builds", "SucceededBuilds", "FailedBuilds")
    ] + [
        row(None, "AWS/CodeBuild", "Duration", {"ProjectName": REF}, {"Average", "Maximum", "Minimum"}),
    ],
    # "DynamoDB Metrics and dimensions". ThrottledRequests, SystemErrors,
    # SuccessfulRequestLatency and ReturnedItemCount are published per
    # TableName and Operation only; the throttle events and consumed
    # capacity per TableName (the table without its indexes).
    "AWS::DynamoDB::Table": [
        row(None, "AWS/DynamoDB", m, {"TableName": REF}, COUNT)
        for m in ("ReadThrottleEvents", "WriteThrottleEvents",
                  "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
                  "ConditionalCheckFailedRequests")
    ] + [
        row(None, "AWS/DynamoDB", m, {"TableName": REF, "Operation": ANY}, COUNT)
        for m in ("ThrottledRequests", "SystemErrors", "ReturnedItemCount")
    ] + [
        row(None, "AWS/DynamoDB", "SuccessfulRequestLatency",
            {"TableName": REF, "Operation": ANY}, TIME),
    ],
    # Step Functions' execution metrics, per StateMachineArn (its Ref).
    "AWS::StepFunctions::StateMachine": [
        row(None, "AWS/States", m, {"StateMachineArn": REF}, COUNT)
        for m in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed",
                  "ExecutionsTimedOut", "ExecutionsAborted", "ExecutionThrottled")
    ] + [
        row(None, "AWS/States", "ExecutionTime", {"StateMachineArn": REF}, TIME),
    ],
    # "Monitoring the Amazon Kinesis Data Streams Service with Amazon
    # CloudWatch": basic stream-level metrics, per StreamName.
    "AWS::Kinesis::Stream": [
        row(None, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", {"StreamName": REF}, GAUGE),
    ] + [
        row(None, "AWS/Kinesis", m, {"StreamName": REF}, COUNT)
        for m in ("ReadProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
                  "IncomingRecords", "IncomingBytes")
    ],
    # "Amazon CloudWatch metrics for Amazon RDS" (instance-level) and
    # "Amazon CloudWatch metrics for Amazon Aurora" (instance-level): an
    # Aurora instance has no storage of its own, so no FreeStorageSpace;
    # it publishes FreeLocalStorage, which other engines do not.
    "AWS::RDS::DBInstance": [
        row(None, "AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": REF}, GAUGE),
        row(None, "AWS/RDS", "FreeableMemory", {"DBInstanceIdentifier": REF}, LOW),
        row(None, "AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": REF}, GAUGE),
        row("other", "AWS/RDS", "FreeStorageSpace", {"DBInstanceIdentifier": REF}, LOW),
        row("aurora", "AWS/RDS", "FreeLocalStorage", {"DBInstanceIdentifier": REF}, LOW),
    ],
    "AWS::ApiGatewayV2::Api": [
        # "Monitor CloudWatch metrics for HTTP APIs in API Gateway":
        # dimensions ApiId, and ApiId with Stage.
        row("http", "AWS/ApiGateway", m, d, RATE)
        for m in ("5xx", "4xx") for d in ({"ApiId": REF}, {"ApiId": REF, "Stage": ANY})
    ] + [
        row("http", "AWS/ApiGateway", m, d, TIME)
        for m in ("Latency", "IntegrationLatency") for d in ({"ApiId": REF}, {"ApiId": REF, "Stage": ANY})
    ] + [
        # "Monitor WebSocket API execution with CloudWatch metrics": no
        # 4xx/5xx; the same dimensions.
        row("websocket", "AWS/ApiGateway", m, d, COUNT)
        for m in ("IntegrationError", "ExecutionError", "ClientError", "ConnectCount", "MessageCount")
        for d in ({"ApiId": REF}, {"ApiId": REF, "Stage": ANY})
    ],
    # "Amazon API Gateway dimensions and metrics": REST APIs, per ApiName
    # (the API's Name), or ApiName and Stage.
    "AWS::ApiGateway::RestApi": [
        row(None, "AWS/ApiGateway", m, d, RATE)
        for m in ("5XXError", "4XXError") for d in ({"ApiName": NAME}, {"ApiName": NAME, "Stage": ANY})
    ],
    # "Amazon ECS CloudWatch metrics": service-level, per ClusterName and
    # ServiceName.
    "AWS::ECS::Service": [
        row(None, "AWS/ECS", m, {"ClusterName": CLUSTER, "ServiceName": getatt("Name")}, GAUGE)
        for m in ("CPUUtilization", "MemoryUtilization")
    ],
    # "CloudWatch metrics for your Application Load Balancer" and "...
    # for your Network Load Balancer".
    "AWS::ElasticLoadBalancingV2::LoadBalancer": [
        row("application", "AWS/ApplicationELB", m,
            {"LoadBalancer": getatt("LoadBalancerFullName")}, COUNT)
        for m in ("HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "RejectedConnectionCount")
    ] + [
        row("application", "AWS/ApplicationELB", "TargetResponseTime",
            {"LoadBalancer": getatt("LoadBalancerFullName")}, TIME),
    ],
    "AWS::ElasticLoadBalancingV2::TargetGroup": [
        row(kind, ns, m, {"TargetGroup": getatt("TargetGroupFullName"), "LoadBalancer": BALANCER},
            {"Maximum", "Average", "Minimum"})
        for kind, ns in (("application", "AWS/ApplicationELB"), ("network", "AWS/NetworkELB"))
        for m in ("UnHealthyHostCount", "HealthyHostCount")
    ] + [
        row("application", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count",
            {"TargetGroup": getatt("TargetGroupFullName"), "LoadBalancer": BALANCER}, COUNT),
    ],
}


# ---- reading templates ---------------------------------------------------------

def is_fn(x, name):
    return isinstance(x, dict) and len(x) == 1 and name in x


def ref_of(x):
    return x["Ref"] if is_fn(x, "Ref") and isinstance(x["Ref"], str) else None


def getatt_of(x):
    if not is_fn(x, "Fn::GetAtt"):
        return None
    v = x["Fn::GetAtt"]
    if isinstance(v, str) and "." in v:
        v = v.split(".", 1)
    if isinstance(v, list) and len(v) == 2 and all(isinstance(s, str) for s in v):
        return tuple(v)
    return None


def props(r):
    p = r.get("Properties") if isinstance(r, dict) else None
    return p if isinstance(p, dict) else {}


def resources(t):
    rs = t.get("Resources") if isinstance(t, dict) else None
    return rs if isinstance(rs, dict) else {}


def walk_refs(x):
    """Every logical ID or parameter that x names by Ref or GetAtt."""
    out = set()
    if isinstance(x, dict):
        r, g = ref_of(x), getatt_of(x)
        if r:
            out.add(r)
        elif g:
            out.add(g[0])
        else:
            for v in x.values():
                out |= walk_refs(v)
    elif isinstance(x, list):
        for v in x:
            out |= walk_refs(v)
    return out


def balancers_of(t, tg):
    """The load balancers whose listeners forward to target group tg."""
    rs = resources(t)
    out = set()
    for lid, r in rs.items():
        if not isinstance(r, dict) or r.get("Type") != "AWS::ElasticLoadBalancingV2::Listener":
            continue
        p = props(r)
        if tg not in walk_refs(p.get("DefaultActions")):
            continue
        arn = p.get("LoadBalancerArn")
        lb = ref_of(arn) or (getatt_of(arn) or (None,))[0]
        if lb in rs:
            out.add(lb)
    return out


def lb_kind(r):
    t = props(r).get("Type", "application")
    return t if t in ("application", "network") else None


def variant(t, lid):
    """Which rows of the type apply to resource lid: a variant name, None
    when any row's variant does (the type has no variants), or "unknown"
    when the template does not say."""
    r = resources(t)[lid]
    p = props(r)
    ty = r.get("Type")
    if ty == "AWS::RDS::DBInstance":
        eng = p.get("Engine")
        if isinstance(eng, str):
            return "aurora" if eng.lower().startswith("aurora") else "other"
        cl = p.get("DBClusterIdentifier")
        if cl is None:
            return "other"          # an Aurora instance is always in a cluster
        return "aurora" if ref_of(cl) or isinstance(cl, str) else "unknown"
    if ty == "AWS::ApiGatewayV2::Api":
        pt = p.get("ProtocolType")
        if pt is None and ("Body" in p or "BodyS3Location" in p):
            return "http"           # OpenAPI import: HTTP APIs only
        return {"HTTP": "http", "WEBSOCKET": "websocket"}.get(pt, "unknown")
    if ty == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        return lb_kind(r) or "unknown"
    if ty == "AWS::ElasticLoadBalancingV2::TargetGroup":
        kinds = {lb_kind(resources(t)[lb]) for lb in balancers_of(t, lid)}
        return kinds.pop() if len(kinds) == 1 and None not in kinds else "unknown"
    return None


def fills(t, lid, form, value, dashboard):
    """Does value (a dimension's) name resource lid the way form says?"""
    r = resources(t)[lid]
    if form == ANY:
        return True
    if dashboard:
        # "${X}" or "${X.attr}" in the widget's Fn::Sub text.
        m = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}", value) \
            if isinstance(value, str) else None
        value = None if not m else \
            ({"Fn::GetAtt": [m.group(1), m.group(2)]} if m.group(2) else {"Ref": m.group(1)})
    if form == REF:
        return ref_of(value) == lid
    if form[0] == "getatt":
        return getatt_of(value) == (lid, form[1])
    if form == NAME:
        name = props(r).get("Name")
        return isinstance(name, str) and value == name and name.isascii()
    if form == CLUSTER:
        c = props(r).get("Cluster")
        if c is None:
            return value == "default"
        if isinstance(c, str):
            return not c.startswith("arn:") and value == c
        if ref_of(c):
            return ref_of(value) == ref_of(c)
        g = getatt_of(c)
        return bool(g) and g[1] == "Arn" and ref_of(value) == g[0] and \
            resources(t).get(g[0], {}).get("Type") == "AWS::ECS::Cluster"
    if form == BALANCER:
        g = getatt_of(value)
        return bool(g) and g[1] == "LoadBalancerFullName" and g[0] in balancers_of(t, lid)
    return False


def referents(t, values, dashboard):
    """The resources of t that a metric's dimension values name."""
    rs = resources(t)
    out = []
    for v in values:
        if dashboard and isinstance(v, str):
            m = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}", v)
            ids = {m.group(1)} if m else set()
        elif isinstance(v, str):
            # A literal: the Name of a REST API of the template.
            ids = {lid for lid, r in rs.items() if isinstance(r, dict)
                   and r.get("Type") == "AWS::ApiGateway::RestApi" and props(r).get("Name") == v}
        else:
            ids = walk_refs(v)
        out += sorted(i for i in ids if i in rs and i not in out)
    return out


def check_metric(t, ns, metric, dims, stat, dashboard):
    """None when the metric is published for a resource its dimensions
    name, with a meaningful statistic; else what is wrong."""
    names = [d[0] for d in dims]
    values = [d[1] for d in dims]
    if len(set(names)) != len(names):
        return "a dimension is given twice (%s)" % ", ".join(names)
    cands = referents(t, values, dashboard)
    if not cands:
        return "its dimensions (%s) name no resource of the template" % ", ".join(names)
    why = []
    for lid in cands:
        ty = resources(t)[lid].get("Type")
        rows = PUBLISHED.get(ty, [])
        v = variant(t, lid)
        same = [r for r in rows if r["ns"] == ns and r["metric"] == metric]
        if not same:
            why.append("%s (%s) publishes no %s %s" % (lid, ty, ns, metric))
            continue
        dimmed = [r for r in same if set(r["dims"]) == set(names)]
        if not dimmed:
            why.append("%s %s of %s (%s) is published with dimensions %s, not %s" % (
                ns, metric, lid, ty,
                " or ".join("[%s]" % ", ".join(sorted(r["dims"])) for r in same),
                "[%s]" % ", ".join(sorted(names))))
            continue
        fit = [r for r in dimmed if r["variant"] is None or r["variant"] == v]
        if not fit:
            why.append("%s %s is not published for %s (%s: %s; it is for %s)" % (
                ns, metric, lid, ty, v, " or ".join(sorted({r["variant"] for r in dimmed}))))
            continue
        filled = [r for r in fit
                  if all(fills(t, lid, r["dims"][n], val, dashboard) for n, val in dims)]
        if not filled:
            why.append("the dimension values (%s) do not name %s (%s) the way %s publishes it" % (
                json.dumps(dict(dims), sort_keys=True), lid, ty, ns))
            continue
        if not any(stat in r["stats"] for r in filled):
            why.append("statistic %s means nothing for %s %s (use %s)" % (
                stat, ns, metric, " or ".join(sorted(set().union(*(r["stats"] for r in filled))))))
            continue
        return None
    return "; ".join(why)


def alarm_dims(p):
    ds = p.get("Dimensions", [])
    if not isinstance(ds, list):
        return None
    out = []
    for d in ds:
        if not isinstance(d, dict) or not isinstance(d.get("Name"), str):
            return None
        out.append((d["Name"], d.get("Value")))
    return out


def dashboard_lines(body):
    """(title, ns, metric, dims, stat) of every metric line of a dashboard
    body (a string, or an Fn::Sub of one), or a string saying why not."""
    if is_fn(body, "Fn::Sub"):
        body = body["Fn::Sub"]
        if isinstance(body, list) and body:
            body = body[0]
    if not isinstance(body, str):
        return "its DashboardBody is not text"
    try:
        doc = json.loads(body)
    except ValueError as e:
        return "its DashboardBody is not JSON: %s" % e
    out = []
    for w in doc.get("widgets", []) if isinstance(doc, dict) else []:
        if not isinstance(w, dict) or w.get("type") != "metric":
            continue
        pr = w.get("properties", {})
        for line in pr.get("metrics", []):
            opts = line[-1] if line and isinstance(line[-1], dict) else {}
            items = line[:-1] if opts else line
            if len(items) < 2 or len(items) % 2 or "expression" in opts:
                out.append((pr.get("title"), None, None, None, None))
                continue
            dims = [(items[i], items[i + 1]) for i in range(2, len(items), 2)]
            stat = opts.get("stat") or pr.get("stat") or "Average"
            out.append((pr.get("title"), items[0], items[1], dims, stat))
    return out


def check_pair(inp, outp, tin, tout):
    """Violation lines, and the number of alarms and dashboard lines
    checked, of one pair."""
    lines, nal, ndl, ok = [], 0, 0, 0
    before = resources(tin)
    for lid, r in resources(tout).items():
        if lid in before or not isinstance(r, dict):
            continue
        p = props(r)
        if r.get("Type") == "AWS::CloudWatch::Alarm":
            nal += 1
            dims = alarm_dims(p)
            stat = p.get("Statistic") or p.get("ExtendedStatistic")
            if "Metrics" in p or dims is None:
                why = "not a single metric with a list of dimensions"
            else:
                why = check_metric(tout, p.get("Namespace"), p.get("MetricName"), dims, stat, False)
            if not why and not p.get("AlarmActions"):
                why = "it notifies nothing (no AlarmActions)"
            if why:
                lines.append("%s: %s: %s: %s %s: %s" % (PROG, outp, lid, p.get("Namespace"),
                                                        p.get("MetricName"), why))
            else:
                ok += 1
        elif r.get("Type") == "AWS::CloudWatch::Dashboard":
            got = dashboard_lines(p.get("DashboardBody"))
            if isinstance(got, str):
                ndl += 1
                lines.append("%s: %s: %s: %s" % (PROG, outp, lid, got))
                continue
            for title, ns, metric, dims, stat in got:
                ndl += 1
                why = "not a metric line (ns, name, dimension pairs)" if ns is None else \
                    check_metric(tout, ns, metric, dims, stat, True)
                if why:
                    lines.append("%s: %s: %s: widget %r: %s %s: %s" % (PROG, outp, lid, title,
                                                                     ns, metric, why))
                else:
                    ok += 1
    return lines, nal, ndl, ok


# ---- running -------------------------------------------------------------------

def load(tool, path, cache):
    if path not in cache:
        data, why = readtemplate.read(tool, path)
        cache[path] = why if why else data
    return cache[path]


def mentions_cloudwatch(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return True                 # let load() say what is wrong
    return b"AWS::CloudWatch::Alarm" in data or b"AWS::CloudWatch::Dashboard" in data


def run_pair(tool, inp, outp, cache):
    """(violation lines, alarms, dashboard lines, passed) of one pair."""
    if not mentions_cloudwatch(outp):
        return [], 0, 0, 0
    tin, tout = load(tool, inp, cache), load(tool, outp, cache)
    bad = [(p, t) for p, t in ((inp, tin), (outp, tout)) if isinstance(t, str)]
    if bad:
        return ["%s: %s: cannot be read: %s" % (PROG, p, why) for p, why in bad], 0, 0, 0
    try:
        return check_pair(inp, outp, tin, tout)
    except Exception as e:  # a bug here must not hide the other pairs
        return ["%s: %s: internal error: %s: %s" % (PROG, outp, type(e).__name__, e)], 0, 0, 0


def read_manifest(path):
    pairs = []
    try:
        with open(path) as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) >= 2 and fields[0] and fields[1]:
                    pairs.append((fields[0], fields[1]))
    except OSError:
        pass
    return pairs


def main(argv):
    ap = argparse.ArgumentParser(prog="check-alarms.py",
                                 description="Check the alarms and dashboards cfn-harden adds.")
    ap.add_argument("--cfn-harden", dest="tool")
    ap.add_argument("--pair", nargs=2, metavar=("INPUT", "OUTPUT"))
    ap.add_argument("build", nargs="?", default="build")
    args = ap.parse_args(argv)
    tool = args.tool or os.environ.get("CFN_HARDEN") or os.path.join(args.build, "cfn-harden")
    if not os.access(tool, os.X_OK):
        ap.error("%s: no such program (build it, or give --cfn-harden)" % tool)
    cache = {}
    passed = failed = nal = ndl = npairs = 0
    if args.pair:
        pairs = [tuple(args.pair)]
    else:
        corpus = os.path.join(args.build, "corpus-sample", "manifest")
        if os.path.exists(corpus + ".all"):
            corpus += ".all"
        pairs = read_manifest(os.path.join(args.build, "golden-out", "manifest")) + \
            read_manifest(corpus)
    for inp, outp in pairs:
        lines, a, d, ok = run_pair(tool, inp, outp, cache)
        for line in lines:
            print(line)
        nal, ndl, npairs = nal + a, ndl + d, npairs + (1 if a or d else 0)
        passed += ok
        failed += len(lines)
    print("%s: %d alarms and %d dashboard lines added in %d pairs" % (PROG, nal, ndl, npairs))
    if not args.pair:
        # The checker itself: it must see what is wrong, and only that.
        here = os.path.dirname(os.path.abspath(__file__))
        for case in sorted(glob.glob(os.path.join(here, "alarms-bad", "*", ""))):
            lines, a, d, _ = run_pair(tool, case + "input.yaml", case + "output.yaml", cache)
            if lines and a + d:
                passed += 1
            else:
                print("%s: the checker missed the alarm in %s" % (PROG, case.rstrip("/")))
                failed += 1
        for case in sorted(glob.glob(os.path.join(here, "alarms-good", "*", ""))):
            lines, a, d, _ = run_pair(tool, case + "input.yaml", case + "output.yaml", cache)
            if not lines and a + d:
                passed += 1
            else:
                print("%s: the checker wrongly reports %s:" % (PROG, case.rstrip("/")))
                for line in lines:
                    print("  " + line)
                failed += 1
    print("%s: %d passed, %d failed" % (PROG, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large first-draft template for make bench. Deterministic.

    gen.py [--small] N > template.yaml

By default the template is realistic: about 2 KB per resource, as first
drafts are written, in groups of ten resources that work together (a
versioned bucket, a queue, a table with an index and a stream, a topic,
a log group, a role with inline policies of several statements and a
managed policy, a function with some fifty lines of inline code,
environment variables and tags, the event source mapping that feeds it,
the permission that lets the bucket invoke it, and a schedule), with
parameters, a condition and outputs. The passes find work in every
group: keys, scoped policies, dead-letter queues, alarms, log retention,
names per environment, tags.

--small gives the old small-bodied draft (five resources per group, about
250 bytes per resource), which stresses the per-node costs rather than
the per-byte ones.
"""
import sys

CODE = '''import json
import logging
import os
import time
import urllib.parse

import boto3
from botocore.exceptions import ClientError

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)
S3 = boto3.client("s3")
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
SNS = boto3.client("sns")
RETRIES = int(os.environ.get("RETRIES", "3"))


def backoff(attempt):
    """Exponential backoff with a cap, for throttled calls."""
    time.sleep(min(2 ** attempt * 0.1, 5))


def head(bucket, key):
    """The object's size and tag, retried when S3 throttles."""
    for attempt in range(RETRIES):
        try:
            out = S3.head_object(Bucket=bucket, Key=key)
            return out["ContentLength"], out["ETag"].strip('"')
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code in ("SlowDown", "Throttling") and attempt + 1 < RETRIES:
                backoff(attempt)
                continue
            if code in ("404", "NoSuchKey"):
                LOG.warning("object %s/%s vanished before we saw it",
                            bucket, key)
                return None, None
            raise
    return None, None


def record(key, size, etag):
    """Store one object's metadata; the stream feeds the indexer."""
    item = {
        "id": key,
        "size": size,
        "etag": etag,
        "seen": int(time.time()),
        "stage": os.environ.get("STAGE", "dev"),
    }
    TABLE.put_item(Item=item,
                   ConditionExpression="attribute_not_exists(id) OR etag <> :e",
                   ExpressionAttributeValues={":e": etag})
    return item


def objects(event):
    """The (bucket, key) pairs of an SQS batch of S3 notifications."""
    for message in event.get("Records", []):
        body = json.loads(message["body"])
        for rec in body.get("Records", []):
            bucket = rec["s3"]["bucket"]["name"]
            key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
            yield bucket, key


def handler(event, context):
    done, failed = [], []
    for bucket, key in objects(event):
        try:
            size, etag = head(bucket, key)
            if size is None:
                continue
            done.append(record(key, size, etag))
        except ClientError:
            LOG.exception("could not record %s/%s", bucket, key)
            failed.append({"itemIdentifier": key})
    if done:
        SNS.publish(TopicArn=os.environ["TOPIC_ARN"],
                    Subject="processed %d objects" % len(done),
                    Message=json.dumps(done, default=str))
    LOG.info("processed %d objects, %d failed, in %s", len(done),
             len(failed), context.function_name)
    return {"batchItemFailures": failed}
'''

INDEX = '''import json
import logging
import os

import boto3

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)
S3 = boto3.client("s3")
BUCKET = os.environ["BUCKET"]
PREFIX = os.environ.get("INDEX_PREFIX", "index/")


def image(record):
    """The new image of a stream record, as plain values."""
    new = record["dynamodb"].get("NewImage", {})
    out = {}
    for name, value in new.items():
        (kind, raw), = value.items()
        out[name] = int(raw) if kind == "N" else raw
    return out


def shard(item):
    """Index entries are grouped by stage and day."""
    day = item.get("seen", 0) // 86400
    return "%s%s/%d.json" % (PREFIX, item.get("stage", "dev"), day)


def load(key):
    """The entries of one index shard; an empty list when it is new."""
    try:
        body = S3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    except S3.exceptions.NoSuchKey:
        return []
    try:
        return json.loads(body)
    except ValueError:
        LOG.error("index shard %s is corrupt; starting it again", key)
        return []


def merge(old, items):
    """Newer entries replace older ones of the same id, order kept."""
    seen = {i["id"] for i in items}
    kept = [i for i in old if i["id"] not in seen]
    kept.extend(sorted(items, key=lambda i: (i.get("seen", 0), i["id"])))
    return kept


def handler(event, context):
    groups = {}
    for record in event.get("Records", []):
        if record["eventName"] not in ("INSERT", "MODIFY"):
            continue
        item = image(record)
        groups.setdefault(shard(item), []).append(item)
    for key, items in groups.items():
        merged = merge(load(key), items)
        S3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(merged),
                      ContentType="application/json")
        LOG.info("index %s: %d entries", key, len(merged))
    return {"shards": len(groups)}
'''


def small(n):
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Description: generated",
           "Resources:"]
    for i in range(n // 5):
        out += [
            f"  Bucket{i}:", "    Type: AWS::S3::Bucket",
            f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
            "      VisibilityTimeout: 60",
            f"  Table{i}:", "    Type: AWS::DynamoDB::Table", "    Properties:",
            "      BillingMode: PAY_PER_REQUEST", "      AttributeDefinitions:",
            "        - AttributeName: id", "          AttributeType: S",
            "      KeySchema:", "        - AttributeName: id",
            "          KeyType: HASH",
            f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:",
            "      AssumeRolePolicyDocument:", "        Version: '2012-10-17'",
            "        Statement:", "          - Effect: Allow",
            "            Principal:",
            "              Service: lambda.amazonaws.com",
            "            Action: sts:AssumeRole", "      ManagedPolicyArns:",
            "        - arn:aws:iam::aws:policy/AmazonS3FullAccess",
            "        - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
            f"  Function{i}:", "    Type: AWS::Lambda::Function",
            "    Properties:", "      Runtime: python3.12",
            "      Handler: index.handler",
            f"      Role: !GetAtt Role{i}.Arn", "      Code:",
            "        ZipFile: |",
            "          def handler(event, context):",
            "              return 1",
            "      Environment:", "        Variables:",
            f"          BUCKET: !Ref Bucket{i}", f"          TABLE: !Ref Table{i}",
            f"          QUEUE: !Ref Queue{i}",
        ]
    return out


def tags(i, what):
    return [
        "      Tags:",
        "        - Key: team", f"          Value: team-{i % 7}",
        "        - Key: cost-center", f"          Value: cc-{1000 + i % 13}",
        "        - Key: component", f"          Value: {what}",
        "        - Key: owner", f"          Value: owner-{i % 11}@example.com",
        "        - Key: data-class", f"          Value: {'internal' if i % 3 else 'confidential'}",
    ]


def code(text):
    return ["          " + line if line else "" for line in text.splitlines()]


def group(i):
    b, q, t, s = f"Uploads{i}", f"Jobs{i}", f"Records{i}", f"Done{i}"
    role, fn, ix = f"WorkerRole{i}", f"Worker{i}", f"Indexer{i}"
    esm, ism, perm = f"WorkerQueueSource{i}", f"IndexerStreamSource{i}", f"UploadsInvoke{i}"
    return [
        f"  # Group {i}: uploads land in {b}, a message on {q} per object,",
        f"  # {fn} records each in {t} and announces it on {s}; {ix}",
        "  # keeps a daily index of the records in the bucket.",
        f"  {b}:", "    Type: AWS::S3::Bucket", "    Properties:",
        f"      BucketName: !Sub 'uploads-{i}-${{EnvironmentSuffix}}-${{AWS::AccountId}}'",
        "      VersioningConfiguration:",
        f"        Status: {'Enabled' if i % 2 == 0 else 'Suspended'}",
        "      LifecycleConfiguration:", "        Rules:",
        "          - Id: expire-old-versions", "            Status: Enabled",
        "            NoncurrentVersionExpirationInDays: 30",
        "          - Id: archive", "            Status: Enabled",
        "            Prefix: raw/", "            Transitions:",
        "              - StorageClass: STANDARD_IA", "                TransitionInDays: 30",
        "              - StorageClass: GLACIER", "                TransitionInDays: 90",
        "          - Id: expire-index", "            Status: Enabled",
        "            Prefix: index/", "            ExpirationInDays: 400",
        "          - Id: abort-uploads", "            Status: Enabled",
        "            AbortIncompleteMultipartUpload:",
        "              DaysAfterInitiation: 7",
        "      CorsConfiguration:", "        CorsRules:",
        "          - AllowedMethods: [GET, PUT, HEAD]",
        "            AllowedOrigins: ['https://app.example.com', 'https://admin.example.com']",
        "            AllowedHeaders: ['*']", "            ExposedHeaders: [ETag]",
        "            MaxAge: 3600",
        "      OwnershipControls:", "        Rules:",
        "          - ObjectOwnership: BucketOwnerEnforced",
        "      IntelligentTieringConfigurations:",
        f"        - Id: tiering-{i}", "          Status: Enabled",
        "          Prefix: archive/", "          Tierings:",
        "            - AccessTier: ARCHIVE_ACCESS", "              Days: 90",
        "            - AccessTier: DEEP_ARCHIVE_ACCESS", "              Days: 180",
        "      NotificationConfiguration:", "        QueueConfigurations:",
        "          - Event: 's3:ObjectCreated:*'",
        "            Filter:", "              S3Key:", "                Rules:",
        "                  - Name: prefix", "                    Value: raw/",
        f"            Queue: !GetAtt {q}.Arn",
    ] + tags(i, "uploads") + [
        "",
        f"  {q}:", "    Type: AWS::SQS::Queue", "    Properties:",
        f"      QueueName: !Sub 'jobs-{i}-${{EnvironmentSuffix}}'",
        "      VisibilityTimeout: 360", "      MessageRetentionPeriod: 345600",
        "      ReceiveMessageWaitTimeSeconds: 20", "      DelaySeconds: 0",
        "      MaximumMessageSize: 262144",
    ] + tags(i, "jobs") + [
        "",
        f"  {t}:", "    Type: AWS::DynamoDB::Table", "    Properties:",
        f"      TableName: !Sub 'records-{i}-${{EnvironmentSuffix}}'",
        "      BillingMode: PAY_PER_REQUEST", "      AttributeDefinitions:",
        "        - AttributeName: id", "          AttributeType: S",
        "        - AttributeName: stage", "          AttributeType: S",
        "        - AttributeName: seen", "          AttributeType: N",
        "        - AttributeName: etag", "          AttributeType: S",
        "      KeySchema:", "        - AttributeName: id",
        "          KeyType: HASH",
        "      GlobalSecondaryIndexes:", "        - IndexName: by-stage",
        "          KeySchema:", "            - AttributeName: stage",
        "              KeyType: HASH", "            - AttributeName: seen",
        "              KeyType: RANGE", "          Projection:",
        "            ProjectionType: ALL",
        "        - IndexName: by-etag",
        "          KeySchema:", "            - AttributeName: etag",
        "              KeyType: HASH", "          Projection:",
        "            ProjectionType: KEYS_ONLY",
        "      StreamSpecification:", "        StreamViewType: NEW_AND_OLD_IMAGES",
        "      ContributorInsightsSpecification:", "        Enabled: true",
        "      TableClass: STANDARD", "      DeletionProtectionEnabled: false",
        "      TimeToLiveSpecification:", "        AttributeName: expires",
        "        Enabled: true",
    ] + tags(i, "records") + [
        "",
        f"  {s}:", "    Type: AWS::SNS::Topic", "    Properties:",
        f"      DisplayName: Group {i} processing complete",
        "      Subscription:", "        - Protocol: email",
        f"          Endpoint: ops-{i % 5}@example.com",
        "        - Protocol: https",
        f"          Endpoint: https://hooks.example.com/uploads/{i}",
    ] + tags(i, "notify") + [
        "",
        f"  {role}:", "    Type: AWS::IAM::Role", "    Properties:",
        f"      RoleName: !Sub 'worker-{i}-${{EnvironmentSuffix}}'",
        f"      Description: Runs {fn} and {ix}",
        "      AssumeRolePolicyDocument:", "        Version: '2012-10-17'",
        "        Statement:", "          - Effect: Allow", "            Principal:",
        "              Service: lambda.amazonaws.com",
        "            Action: sts:AssumeRole",
        "      ManagedPolicyArns:",
        "        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "        - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
        "      Policies:",
        "        - PolicyName: Data", "          PolicyDocument:",
        "            Version: '2012-10-17'", "            Statement:",
        "              - Sid: ReadUploads", "                Effect: Allow",
        "                Action:", "                  - s3:GetObject",
        "                  - s3:ListBucket",
        "                Resource:", f"                  - !GetAtt {b}.Arn",
        f"                  - !Sub '${{{b}.Arn}}/*'",
        "              - Sid: WriteIndex", "                Effect: Allow",
        "                Action:", "                  - s3:PutObject",
        "                  - s3:GetObject",
        f"                Resource: !Sub 'arn:aws:s3:::uploads-{i}-${{EnvironmentSuffix}}-${{AWS::AccountId}}/index/*'",
        "              - Sid: Records", "                Effect: Allow",
        "                Action:", "                  - dynamodb:PutItem",
        "                  - dynamodb:GetItem", "                  - dynamodb:Query",
        "                  - dynamodb:UpdateItem",
        "                Resource:", f"                  - !GetAtt {t}.Arn",
        f"                  - !Sub '${{{t}.Arn}}/index/*'",
        "              - Sid: Stream", "                Effect: Allow",
        "                Action:", "                  - dynamodb:GetRecords",
        "                  - dynamodb:GetShardIterator",
        "                  - dynamodb:DescribeStream", "                  - dynamodb:ListStreams",
        f"                Resource: !GetAtt {t}.StreamArn",
        "              - Sid: Queue", "                Effect: Allow",
        "                Action: 'sqs:*'", "                Resource: '*'",
        "        - PolicyName: Notify", "          PolicyDocument:",
        "            Version: '2012-10-17'", "            Statement:",
        "              - Effect: Allow", "                Action: sns:Publish",
        f"                Resource: !Ref {s}",
        "              - Effect: Allow", "                Action:",
        "                  - logs:CreateLogGroup",
        "                  - logs:CreateLogStream", "                  - logs:PutLogEvents",
        "                Resource: '*'",
        "              - Effect: Allow", "                Action:",
        "                  - cloudwatch:PutMetricData",
        "                Resource: '*'", "                Condition:",
        "                  StringEquals:",
        f"                    cloudwatch:namespace: Uploads/Group{i}",
        "        - PolicyName: Ops", "          PolicyDocument:",
        "            Version: '2012-10-17'", "            Statement:",
        "              - Sid: Settings", "                Effect: Allow",
        "                Action:", "                  - ssm:GetParameter",
        "                  - ssm:GetParameters", "                  - ssm:GetParametersByPath",
        f"                Resource: !Sub 'arn:aws:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/uploads/{i}/*'",
        "              - Sid: Decrypt", "                Effect: Allow",
        "                Action: kms:Decrypt", "                Resource: '*'",
        "              - Sid: Trace", "                Effect: Allow",
        "                Action:", "                  - xray:PutTraceSegments",
        "                  - xray:PutTelemetryRecords", "                Resource: '*'",
        "              - Sid: Alerts", "                Effect: Allow",
        "                Action: 'sns:*'", "                Resource: '*'",
    ] + tags(i, "worker") + [
        "",
        f"  {fn}:", "    Type: AWS::Lambda::Function", "    Properties:",
        f"      FunctionName: !Sub 'worker-{i}-${{EnvironmentSuffix}}'",
        f"      Description: Records each upload of group {i}",
        "      Runtime: python3.12", "      Handler: index.handler",
        f"      Role: !GetAtt {role}.Arn", "      Timeout: 60", "      TracingConfig:", "        Mode: Active",
        "      ReservedConcurrentExecutions: !If [IsProd, 50, 5]", "      Architectures: [arm64]",
        "      EphemeralStorage:", "        Size: 1024", "      MemorySize: 512",
        "      Environment:", "        Variables:",
        f"          TABLE_NAME: !Ref {t}", f"          TOPIC_ARN: !Ref {s}",
        f"          QUEUE_URL: !Ref {q}", f"          BUCKET: !Ref {b}",
        "          STAGE: !Ref EnvironmentSuffix", "          RETRIES: '3'",
        "      Code:", "        ZipFile: |",
    ] + code(CODE) + tags(i, "worker") + [
        "",
        f"  {ix}:", "    Type: AWS::Lambda::Function", "    Properties:",
        f"      FunctionName: !Sub 'indexer-{i}-${{EnvironmentSuffix}}'",
        f"      Description: Keeps the daily index of group {i}",
        "      Runtime: python3.12", "      Handler: index.handler",
        f"      Role: !GetAtt {role}.Arn", "      Timeout: 120", "      TracingConfig:", "        Mode: Active",
        "      ReservedConcurrentExecutions: !If [IsProd, 50, 5]", "      Architectures: [arm64]",
        "      EphemeralStorage:", "        Size: 1024", "      MemorySize: 256",
        "      Environment:", "        Variables:",
        f"          BUCKET: !Ref {b}", "          INDEX_PREFIX: index/",
        "      Code:", "        ZipFile: |",
    ] + code(INDEX) + tags(i, "indexer") + [
        "",
        f"  {esm}:", "    Type: AWS::Lambda::EventSourceMapping", "    Properties:",
        f"      EventSourceArn: !GetAtt {q}.Arn", f"      FunctionName: !Ref {fn}",
        "      BatchSize: 10", "      MaximumBatchingWindowInSeconds: 5",
        "      FunctionResponseTypes: [ReportBatchItemFailures]",
        "",
        f"  {ism}:", "    Type: AWS::Lambda::EventSourceMapping", "    Properties:",
        f"      EventSourceArn: !GetAtt {t}.StreamArn", f"      FunctionName: !Ref {ix}",
        "      StartingPosition: LATEST", "      BatchSize: 100",
        "      FilterCriteria:", "        Filters:",
        "          - Pattern: '{\"eventName\": [\"INSERT\", \"MODIFY\"]}'",
        "",
        f"  {perm}:", "    Type: AWS::Lambda::Permission", "    Properties:",
        "      Action: lambda:InvokeFunction", f"      FunctionName: !Ref {fn}",
        "      Principal: s3.amazonaws.com", f"      SourceArn: !GetAtt {b}.Arn",
        "      SourceAccount: !Ref AWS::AccountId",
        "",
    ]


def realistic(n):
    groups = max(1, n // 10)
    out = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        f"Description: generated, {groups} processing groups of ten resources",
        "", "Parameters:", "  EnvironmentSuffix:", "    Type: String",
        "    Default: dev", "    AllowedPattern: '[a-z0-9-]+'",
        "    Description: Suffix for every name, one per environment",
        "", "Conditions:", "  IsProd: !Equals [!Ref EnvironmentSuffix, prod]",
        "", "Resources:",
    ]
    for i in range(groups):
        out += group(i)
    out += ["Outputs:"]
    for i in range(0, groups, max(1, groups // 50)):
        out += [f"  Uploads{i}Name:", f"    Value: !Ref Uploads{i}",
                f"  Worker{i}Arn:", f"    Value: !GetAtt Worker{i}.Arn"]
    return out


def main():
    args = sys.argv[1:]
    mode = realistic
    if args and args[0] == "--small":
        mode = small
        args = args[1:]
    if len(args) != 1 or not args[0].isdigit():
        sys.exit("usage: gen.py [--small] N")
    print("\n".join(mode(int(args[0]))))


main()

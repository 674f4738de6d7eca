#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The seed checklist: every fix of an example's seed (docs/fixes.md) that
its row here marks `yes` must be present in the example's hardened output,
and every `advisory` row must appear in its report.

    examples_checklist.py PASSES LINTED DIR NAME...

PASSES: the pass ids the binary registers (cfn-harden --list-passes).
LINTED: a file of "path<TAB>errors" lines (cfn-lint, errors only).
DIR: where NAME.view.json (the hardened output as JSON), NAME.input.json
(the first draft as JSON: every `yes` row must fail on it, or it tests
nothing) and NAME.md (the report) are.

One row, one check. A row names the passes that own it: while one of them
is not registered it prints PENDING and counts neither way, so a row is
enforced as soon as its passes land. A row no pass owns prints UNOWNED. A
row marked xfail documents a known gap of a pass that is built: it prints
XFAIL, and XPASS (a failure) once the gap is closed, so that the mark is
removed. A row whose fix docs/fixes.md does not have, calls not a template
change ("out"), or gives to none of the row's passes prints CATALOGUE (a
failure): the two must tell the same story.
"""
import json
import os
import re
import sys

# cfnquery.py sits beside this script, which Python puts first on sys.path.
from cfnquery import (STATEFUL, actions, cycle, event_rules, explicit_names, getatt, managed,
                      names, pipeline_actions, props, refs, resources, statements, taggable,
                      tags, uses_key)


# ---- the report and the checks ----

def advisory_lines(report):
    """The advisory lines of a Markdown report: those under its Advisories
    heading, up to the next heading or rule, so that no finding below can
    stand in for an advisory."""
    out, inside = [], False
    for line in report.splitlines():
        if line.startswith('#') or line.startswith('---'):
            inside = 'Advisories' in line and line.startswith('#')
            continue
        if inside:
            out.append(line)
    return out


def advisory(fix, *words):
    def check(t, report):
        for line in advisory_lines(report):
            if fix in line and all(w in line for w in words):
                return []
        return ['no advisory citing %s%s in the report' % (
            fix, ' and naming ' + ', '.join(words) if words else '')]
    return check


def advised(report, words):
    """True if an advisory of the Markdown report names @words."""
    return any(words in line for line in advisory_lines(report))


def fails(*conds):
    """[message for each (ok, message) that is not ok]."""
    return [m for ok, m in conds if not ok]


# ---- seed 000: media CI/CD pipeline (media-cicd-pipeline.json) ----

def s000_01(t, rep):
    p = props(t['Resources']['ArtifactBucket'])
    rules = [r for r in p.get('LifecycleConfiguration', {}).get('Rules', [])
             if r.get('Status') == 'Enabled']
    return fails(
        (p.get('VersioningConfiguration', {}).get('Status') == 'Enabled',
         'ArtifactBucket: versioning not enabled'),
        (any('ExpirationInDays' in r for r in rules), 'ArtifactBucket: no rule expires old artifacts'),
        (any('NoncurrentVersionExpiration' in r or 'NoncurrentVersionExpirationInDays' in r
             for r in rules), 'ArtifactBucket: no rule expires noncurrent versions'),
        (any('AbortIncompleteMultipartUpload' in r for r in rules),
         'ArtifactBucket: no rule aborts incomplete multipart uploads'))


def s000_02(t, rep):
    msgs = []
    src = [a for _, a in pipeline_actions(t, 'MediaPipeline')
           if a['ActionTypeId'].get('Provider') == 'CodeCommit']
    if not src or any(a['Configuration'].get('PollForSourceChanges') not in (False, 'false')
                      for a in src):
        msgs.append('the CodeCommit source action polls')
    for lid, p in event_rules(t):
        ep = p.get('EventPattern', {})
        d = ep.get('detail', {})
        if ep.get('source') != ['aws.codecommit']:
            continue
        ok = ('CodeCommit Repository State Change' in ep.get('detail-type', []) and
              {'referenceCreated', 'referenceUpdated'} <= set(d.get('event', [])) and
              d.get('referenceType') == ['branch'] and 'main' in d.get('referenceName', []) and
              'MediaRepository' in refs(ep.get('resources')))
        for tg in p.get('Targets', []):
            role = refs(tg.get('RoleArn'))
            if not ok or 'MediaPipeline' not in refs(tg.get('Arn')) or not role:
                continue
            acts = actions(t, role.pop())
            if acts == {'codepipeline:StartPipelineExecution'}:
                return msgs
            msgs.append('%s: the target role may %s' % (lid, sorted(acts)))
    return msgs + ['no EventBridge rule on a push to main of MediaRepository '
                   'starting MediaPipeline with a role allowed only codepipeline:StartPipelineExecution']


def s000_03(t, rep):
    build = actions(t, 'CodeBuildServiceRole')
    pipe = actions(t, 'CodePipelineServiceRole')
    wild = [s for _, s in statements(t, 'CodeBuildServiceRole')
            if any(str(x).endswith('/aws/codebuild/*') or '/aws/codebuild/*' in json.dumps(x)
                   for x in names(s.get('Resource', [])))]
    return fails(
        (not any('AWSCodeBuildDeveloperAccess' in a for a in managed(t, 'CodeBuildServiceRole')),
         'CodeBuildServiceRole keeps AWSCodeBuildDeveloperAccess'),
        (not wild, 'CodeBuildServiceRole may still write to every /aws/codebuild/* log group'),
        # A pass grants nothing the input did not: the known companions
        # are granted where the input allowed them, else advised.
        ('s3:GetObjectVersion' in build or advised(rep, 's3:GetObjectVersion'),
         'the build role lacks s3:GetObjectVersion, and no advisory names it'),
        ('s3:ListBucket' in build, 'the build role lacks s3:ListBucket'),
        ('codecommit:CancelUploadArchive' in pipe or advised(rep, 'codecommit:CancelUploadArchive'),
         'the pipeline role lacks codecommit:CancelUploadArchive, and no advisory names it'),
        ('codebuild:StopBuild' in pipe or advised(rep, 'codebuild:StopBuild'),
         'the pipeline role lacks codebuild:StopBuild, and no advisory names it'))


def s000_05(t, rep):
    d = props(t['Resources']['PipelineEventRule']).get('EventPattern', {}).get('detail', {})
    return fails((set(d.get('state', [])) == {'FAILED', 'SUCCEEDED'},
                  'PipelineEventRule is not filtered to FAILED/SUCCEEDED (state %r)' % d.get('state')))


def s000_06(t, rep):
    p = props(t['Resources']['MediaBuildProject'])
    return fails((isinstance(p.get('TimeoutInMinutes'), int), 'MediaBuildProject has no TimeoutInMinutes'),
                 (isinstance(p.get('QueuedTimeoutInMinutes'), int),
                  'MediaBuildProject has no QueuedTimeoutInMinutes'))


def s000_07(t, rep):
    ev = props(t['Resources']['MediaBuildProject'])['Environment'].get('EnvironmentVariables', [])
    by = {}
    for v in ev:
        by.setdefault(v.get('Name'), []).append(v.get('Value'))
    return fails(
        (len(by.get('AWS_DEFAULT_REGION', [])) == 1 and 'AWS::Region' in refs(by['AWS_DEFAULT_REGION'][0]),
         'no AWS_DEFAULT_REGION from AWS::Region'),
        (len(by.get('ENVIRONMENT_SUFFIX', [])) == 1 and
         'EnvironmentSuffix' in refs(by['ENVIRONMENT_SUFFIX'][0]),
         'no ENVIRONMENT_SUFFIX from the EnvironmentSuffix parameter'),
        ('ARTIFACT_BUCKET' in by, 'ARTIFACT_BUCKET was lost'),
        (all(len(v) == 1 for v in by.values()), 'duplicate variables'))


def s000_09(t, rep):
    missing = [a.get('Name') for lid, _ in resources(t, 'AWS::CodePipeline::Pipeline')
               for _, a in pipeline_actions(t, lid) if 'RunOrder' not in a]
    return fails((not missing, 'actions without RunOrder: %s' % missing))


def outputs_for(t, lid, attr=None):
    """Outputs whose value names @lid (its @attr), with an export."""
    out = []
    for k, o in t.get('Outputs', {}).items():
        v = o.get('Value')
        if attr and not getatt(v, lid, attr):
            continue
        if not attr and v != {'Ref': lid}:
            continue
        if o.get('Export', {}).get('Name'):
            out.append(k)
    return out


def s000_10(t, rep):
    bp = props(t['Resources']['MediaBuildProject'])
    lg = refs(bp.get('LogsConfig', {}).get('CloudWatchLogs', {}).get('GroupName'))
    want = [('MediaRepository', 'Arn'), ('MediaBuildProject', 'Arn'), ('ArtifactBucket', 'Arn'),
            ('PipelineNotificationTopic', 'TopicName')] + [(x, 'Arn') for x in lg]
    return fails(*[(bool(outputs_for(t, l, a)), 'no exported output of %s.%s' % (l, a)) for l, a in want],
                 (bool(lg), 'the build logs to no log group of the stack'))


def s000_12(t, rep):
    topics = {lid for lid, _ in resources(t, 'AWS::SNS::Topic')}
    subs = [p for _, r in resources(t, 'AWS::SNS::Subscription') for p in [props(r)]
            if refs(p.get('TopicArn')) & topics]
    return fails((bool(subs), 'no AWS::SNS::Subscription to a topic of the template'))


# ---- seed 001: payment-processor pipeline (payment-pipeline.json) ----

def s001_02(t, rep):
    m = managed(t, 'PipelineRole')
    return fails((not any('AWSCodePipelineFullAccess' in a or 'AWSCodePipelineServiceRole' in a for a in m),
                  'PipelineRole keeps a managed policy that does not exist: %s' % m),
                 (bool(actions(t, 'PipelineRole')), 'PipelineRole has no inline statements'))


def suffixed(t, param='EnvironmentSuffix'):
    """Explicit names without the suffix. A name made from another
    resource of the template (a build's log group) carries that one's."""
    res = set(t.get('Resources', {}))
    return [(lid, k) for lid, k, v in explicit_names(t)
            if param not in refs(v) and not refs(v) & res and
            not (k == 'Name' and t['Resources'][lid]['Type'].startswith('AWS::SSM'))]


def s001_03(t, rep):
    bad = suffixed(t)
    return fails((not bad, 'names without the environment suffix: %s' % bad))


def s001_06(t, rep):
    bad = []
    # Server access logs cannot be delivered to a bucket encrypted with
    # SSE-KMS: a logging bucket keeps SSE-S3.
    for lid, r in resources(t, 'AWS::S3::Bucket'):
        if lid in logging_buckets(t):
            continue
        c = props(r).get('BucketEncryption', {}).get('ServerSideEncryptionConfiguration', [{}])
        d = c[0].get('ServerSideEncryptionByDefault', {})
        if d.get('SSEAlgorithm') != 'aws:kms' or not uses_key(t, d.get('KMSMasterKeyID')):
            bad.append(lid)
    for lid, r in resources(t, 'AWS::SNS::Topic'):
        if not uses_key(t, props(r).get('KmsMasterKeyId')):
            bad.append(lid)
    for lid, r in resources(t, 'AWS::Logs::LogGroup'):
        if not uses_key(t, props(r).get('KmsKeyId')):
            bad.append(lid)
    return fails((not bad, 'not encrypted with a key of the template: %s' % bad))


def s001_07(t, rep):
    acts = sorted({(w, a) for w, s in statements(t) if s.get('Effect') == 'Allow'
                   for a in names(s.get('Action', [])) if a == '*' or str(a).endswith(':*')})
    res = sorted({w for w, s in statements(t) if s.get('Effect') == 'Allow' and
                  '*' in names(s.get('Resource', [])) and
                  any(a == '*' or str(a).endswith(':*') for a in names(s.get('Action', [])))})
    return fails((not res, 'wildcard actions on Resource "*": %s' % res),
                 (not acts, 'wildcard actions: %s' % acts))


def s001_09(t, rep):
    c = props(t['Resources']['BuildProject']).get('Cache', {})
    return fails((c.get('Type') == 'LOCAL' and
                  {'LOCAL_SOURCE_CACHE', 'LOCAL_DOCKER_LAYER_CACHE'} <= set(c.get('Modes', [])),
                  'BuildProject has no LOCAL source and docker-layer cache: %r' % c))


def pipeline_failure_rule(t, pipeline):
    topics = {lid for lid, _ in resources(t, 'AWS::SNS::Topic')}
    for lid, p in event_rules(t):
        ep = p.get('EventPattern', {})
        if ('aws.codepipeline' in ep.get('source', []) and
                'FAILED' in ep.get('detail', {}).get('state', []) and
                pipeline in refs(ep) and
                any(refs(tg.get('Arn')) & topics for tg in p.get('Targets', []))):
            return lid
    return None


def s001_10(t, rep):
    return fails((pipeline_failure_rule(t, 'Pipeline'),
                  'no EventBridge rule sends the failures of Pipeline to a topic'))


def tag_check(t, keys):
    bad = [(lid, sorted(set(keys) - set(tags(r)))) for lid, r in resources(t)
           if taggable(r.get('Type', '')) and not set(keys) <= set(tags(r))]
    return fails((not bad, 'taggable resources missing tags: %s' % bad))


def s001_11(t, rep):
    return tag_check(t, ['Name', 'Environment', 'Project', 'ManagedBy'])


def s001_12(t, rep):
    bad = [lid for lid, r in resources(t) if r.get('Type') in STATEFUL and
           not ('DeletionPolicy' in r and 'UpdateReplacePolicy' in r)]
    return fails((not bad, 'stateful resources without DeletionPolicy and UpdateReplacePolicy: %s' % bad))


# ---- seed 002: media platform (media-platform.yaml) ----

def s002_01(t, rep):
    db = props(t['Resources']['RDSDBInstance'])
    text = json.dumps(t)
    pw = [k for k, p in t.get('Parameters', {}).items()
          if re.search('password|secret|token', k, re.I) and 'Default' in p]
    return fails((db.get('ManageMasterUserPassword') in (True, 'true'),
                  'RDSDBInstance does not let RDS manage its master password'),
                 ('MasterUserPassword' not in db, 'RDSDBInstance keeps MasterUserPassword'),
                 (not pw, 'secret parameters keep defaults: %s' % pw),
                 ('TempPassword123!' not in text, 'the default password is still in the output'))


def s002_02(t, rep):
    return s001_03(t, rep)


def s002_03(t, rep):
    return []           # the cfn-lint check, done once for every output


def s002_04(t, rep):
    bad = []
    for lid, r in resources(t, 'AWS::EC2::Subnet'):
        az = props(r).get('AvailabilityZone')
        sel = az.get('Fn::Select') if isinstance(az, dict) else None
        if not (isinstance(sel, list) and len(sel) == 2 and isinstance(sel[1], dict) and
                'Fn::GetAZs' in sel[1]):
            bad.append(lid)
    return fails((not bad, 'subnets whose zone is not !Select [i, !GetAZs ...]: %s' % bad))


def s002_08(t, rep):
    rg = props(t['Resources']['ElastiCacheReplicationGroup'])
    tok = json.dumps(rg.get('AuthToken'))
    secrets = {lid for lid, r in resources(t, 'AWS::SecretsManager::Secret')
               if 'GenerateSecretString' in props(r)}
    return fails(('{{resolve:secretsmanager:' in tok and bool(refs(rg.get('AuthToken')) & secrets),
                  'the replication group with transit encryption has no AuthToken from a generated secret'))


def s002_09(t, rep):
    named = [lid for lid, r in resources(t, 'AWS::IAM::Role') if 'RoleName' in props(r)]
    untagged = [lid for lid in ('CodeBuildRole', 'CodePipelineRole')
                if 'Name' not in tags(t['Resources'][lid])]
    return fails((not named, 'roles with RoleName: %s' % named),
                 (not untagged, 'roles that lost their name without a Name tag: %s' % untagged))


def s002_11(t, rep):
    a = props(t['Resources']['DBSubnetGroup']).get('DBSubnetGroupName')
    b = props(t['Resources']['ElastiCacheSubnetGroup']).get('CacheSubnetGroupName')
    return fails(('EnvironmentSuffix' in refs(a), 'DBSubnetGroup has no name with the suffix'),
                 ('EnvironmentSuffix' in refs(b), 'ElastiCacheSubnetGroup has no name with the suffix'))


def s002_12(t, rep):
    return fails(('Name' in tags(t['Resources']['NatGatewayEIP']), 'NatGatewayEIP has no Name tag'),
                 *[(not m, m) for m in tag_check(t, ['Name'])])


# ---- seed 003: ECS blue/green pipeline (ecs-bluegreen.yaml, --profile dev) ----

def s003_01(t, rep):
    return fails((not any('PowerUserAccess' in a for a in managed(t, 'DeploymentRole')),
                  'DeploymentRole keeps PowerUserAccess'),
                 (bool(actions(t, 'DeploymentRole')), 'DeploymentRole has no specific actions'),
                 ('*' not in actions(t, 'DeploymentRole'), 'DeploymentRole may do everything'))


def s003_04(t, rep):
    p = props(t['Resources']['AppRepository'])
    return fails((p.get('ImageScanningConfiguration', {}).get('ScanOnPush') in (True, 'true'),
                  'AppRepository does not scan on push'),
                 (p.get('ImageTagMutability') == 'IMMUTABLE', 'AppRepository tags are mutable'),
                 (bool(p.get('LifecyclePolicy')), 'AppRepository has no lifecycle policy'))


def s003_05(t, rep):
    bad = [lid for lid, r in resources(t) if r.get('Type') in ('AWS::S3::Bucket', 'AWS::SecretsManager::Secret')
           and not (r.get('DeletionPolicy') == 'Delete' and r.get('UpdateReplacePolicy') == 'Delete')]
    return fails((not bad, 'with --profile dev, not deletable: %s' % bad))


def s003_06(t, rep):
    c = props(t['Resources']['CacheBucket']).get('BucketEncryption')
    return fails((bool(c), 'CacheBucket is not encrypted'))


def s003_08(t, rep):
    bad = [a.get('Name') for lid, _ in resources(t, 'AWS::CodePipeline::Pipeline')
           for _, a in pipeline_actions(t, lid)
           if a['ActionTypeId'].get('Category') == 'Approval' and
           not (a.get('Configuration', {}).get('CustomData') and a['Configuration'].get('NotificationArn'))]
    return fails((not bad, 'approvals without CustomData and a notification topic: %s' % bad))


def s003_09(t, rep):
    src = [a for _, a in pipeline_actions(t, 'Pipeline')
           if a['ActionTypeId'].get('Provider') == 'CodeStarSourceConnection']
    arn = src[0]['Configuration'].get('ConnectionArn') if src else None
    par = list(refs(arn))
    ok = (isinstance(arn, dict) and 'Ref' in arn and par and
          t.get('Parameters', {}).get(par[0], {}).get('Default') ==
          'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc123')
    return fails((ok, 'the connection ARN is not a parameter defaulting to the old value: %r' % arn))


def s003_10(t, rep):
    bad = [lid for lid, r in resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup')
           if not {'HealthCheckTimeoutSeconds', 'HealthyThresholdCount', 'UnhealthyThresholdCount'}
           <= set(props(r))]
    return fails((not bad, 'target groups with incomplete health checks: %s' % bad))


def s003_12(t, rep):
    bodies = [json.dumps(props(r).get('DashboardBody')) for _, r in resources(t, 'AWS::CloudWatch::Dashboard')]
    return fails((any(re.search('Fail', b) and re.search('Duration', b) for b in bodies),
                  'no dashboard shows failure and duration metrics'))


def s003_13(t, rep):
    tgt = [lid for lid, r in resources(t, 'AWS::ApplicationAutoScaling::ScalableTarget')
           if 'Service' in refs(props(r).get('ResourceId'))]
    kinds = {props(r).get('TargetTrackingScalingPolicyConfiguration', {})
             .get('PredefinedMetricSpecification', {}).get('PredefinedMetricType')
             for _, r in resources(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')
             if refs(props(r).get('ScalingTargetId')) & set(tgt)}
    return fails((bool(tgt), 'Service has no scalable target'),
                 ({'ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization'} <= kinds,
                  'no CPU and memory target tracking: %s' % sorted(filter(None, kinds))))


def s003_14(t, rep):
    s = props(t['Resources']['Cluster']).get('ClusterSettings', [])
    return fails((any(x.get('Name') == 'containerInsights' and x.get('Value') in ('enabled', 'enhanced')
                      for x in s), 'Cluster has no Container Insights'))


def s003_15(t, rep):
    r = refs(props(t['Resources']['TaskDefinition']).get('ExecutionRoleArn'))
    ok = [x for x in r if x in t['Resources'] and
          'ecs-tasks.amazonaws.com' in json.dumps(props(t['Resources'][x]).get('AssumeRolePolicyDocument'))]
    return fails((bool(ok), 'TaskDefinition has no execution role assumed by ecs-tasks.amazonaws.com'))


def s003_16(t, rep):
    return fails((pipeline_failure_rule(t, 'Pipeline'), 'no rule sends the failures of Pipeline to a topic'))


def s003_17(t, rep):
    svc = props(t['Resources']['Service'])
    ctl = svc.get('DeploymentController', {}).get('Type', 'ECS')
    cb = svc.get('DeploymentConfiguration', {}).get('DeploymentCircuitBreaker', {})
    return fails(
        (all('RetentionInDays' in props(r) for _, r in resources(t, 'AWS::Logs::LogGroup')),
         'log groups without retention'),
        (ctl != 'ECS' or (cb.get('Enable') in (True, 'true') and cb.get('Rollback') in (True, 'true')),
         'Service has no circuit breaker with rollback'),
        (svc.get('EnableExecuteCommand') in (True, 'true'), 'Service has no ECS Exec'),
        # A container HealthCheck runs a command inside the image, and only
        # the image's author knows which tool (curl, wget, the app) is there:
        # a probe that cannot run marks every task unhealthy. So ecs promises
        # an advisory naming each container without one, with the path and
        # port its target group probes, not an invented command.
        *[(bool(c.get('HealthCheck')) or
           not advisory('S003-17', 'container %s has no health check' % c.get('Name'))(t, rep),
           'container %s has neither a health check nor an advisory naming it' % c.get('Name'))
          for c in props(t['Resources']['TaskDefinition'])['ContainerDefinitions']])


# ---- seed 004: media processing (media-processing.yaml) ----

def s004_01(t, rep):
    keys = [lid for lid, r in resources(t, 'AWS::KMS::Key') if props(r).get('EnableKeyRotation') in (True, 'true')]
    alias = [lid for lid, r in resources(t, 'AWS::KMS::Alias') if refs(props(r).get('TargetKeyId')) & set(keys)]
    bad = []
    for lid, r in resources(t):
        p, ty = props(r), r.get('Type')
        k = {'AWS::SQS::Queue': p.get('KmsMasterKeyId'), 'AWS::SNS::Topic': p.get('KmsMasterKeyId'),
             'AWS::Logs::LogGroup': p.get('KmsKeyId'),
             'AWS::DynamoDB::Table': p.get('SSESpecification', {}).get('KMSMasterKeyId'),
             'AWS::S3::Bucket': p.get('BucketEncryption', {}).get('ServerSideEncryptionConfiguration',
                                                                  [{}])[0]
             .get('ServerSideEncryptionByDefault', {}).get('KMSMasterKeyID')}
        if ty in k and not refs(k[ty]) & set(keys) and lid not in logging_buckets(t):
            bad.append(lid)
    return fails((bool(keys), 'no customer-managed key with rotation'), (bool(alias), 'the key has no alias'),
                 (not bad, 'not encrypted with it: %s' % bad))


def s004_02(t, rep):
    full = [a for lid, _ in resources(t, 'AWS::IAM::Role') for a in managed(t, lid) if 'FullAccess' in a]
    return fails((not full, 'managed *FullAccess policies left: %s' % full))


def s004_03(t, rep):
    fn = props(t['Resources']['ProcessingFunction'])
    q = props(t['Resources']['JobQueue'])
    queues = {lid for lid, _ in resources(t, 'AWS::SQS::Queue')}
    return fails((bool(refs(fn.get('DeadLetterConfig', {}).get('TargetArn')) & queues),
                  'ProcessingFunction has no dead-letter queue'),
                 (bool(refs(q.get('RedrivePolicy', {}).get('deadLetterTargetArn')) & queues),
                  'JobQueue has no dead-letter queue'))


def s004_04(t, rep):
    c = cycle(t)
    perm = props(t['Resources']['S3InvokePermission'])
    return fails((c is None, 'dependency cycle: %s' % ' -> '.join(c or [])),
                 ('RawVideosBucket' not in refs(perm.get('SourceArn')),
                  'S3InvokePermission still names the bucket by GetAtt/Ref'))


def alarms_on(t, metric, dims_ref):
    return [lid for lid, r in resources(t, 'AWS::CloudWatch::Alarm')
            if props(r).get('MetricName') == metric and dims_ref in refs(props(r).get('Dimensions'))
            and props(r).get('AlarmActions')]


def s004_05(t, rep):
    dlq = list(refs(props(t['Resources']['ProcessingFunction']).get('DeadLetterConfig', {}).get('TargetArn')))
    return fails((bool(alarms_on(t, 'Errors', 'ProcessingFunction')), 'no alarm on the function errors'),
                 (bool(alarms_on(t, 'Throttles', 'ProcessingFunction')), 'no alarm on throttles'),
                 (bool(dlq) and bool(alarms_on(t, 'ApproximateNumberOfMessagesVisible', dlq[0])),
                  'no alarm on the dead-letter queue depth'),
                 (bool(resources(t, 'AWS::CloudWatch::Dashboard')), 'no dashboard'))


def s004_06(t, rep):
    msgs = []
    for lid, r in resources(t, 'AWS::S3::Bucket'):
        p = props(r)
        if lid in logging_buckets(t):
            continue
        pab = p.get('PublicAccessBlockConfiguration', {})
        rules = p.get('LifecycleConfiguration', {}).get('Rules', [])
        log = refs(p.get('LoggingConfiguration', {}).get('DestinationBucketName'))
        name = p.get('BucketName')
        for ok, m in (
                (all(pab.get(k) in (True, 'true') for k in
                     ('BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets')),
                 'no public access block'),
                (p.get('VersioningConfiguration', {}).get('Status') == 'Enabled', 'no versioning'),
                (any('NoncurrentVersionExpiration' in x or 'NoncurrentVersionExpirationInDays' in x
                     for x in rules), 'no noncurrent-version expiry'),
                (any('AbortIncompleteMultipartUpload' in x for x in rules), 'no abort of incomplete uploads'),
                (bool(log) and lid not in log, 'no access logging to another bucket'),
                (name is None or 'AWS::AccountId' in refs(name), 'a name without the account ID')):
            if not ok:
                msgs.append('%s: %s' % (lid, m))
    return msgs


def logging_buckets(t):
    return {x for _, r in resources(t, 'AWS::S3::Bucket')
            for x in refs(props(r).get('LoggingConfiguration', {}).get('DestinationBucketName'))}


def s004_08(t, rep):
    p = props(t['Resources']['MediaTable'])
    return fails((p.get('PointInTimeRecoverySpecification', {}).get('PointInTimeRecoveryEnabled') in (True, 'true'),
                  'MediaTable has no point-in-time recovery'),
                 (bool(tags(t['Resources']['MediaTable'])), 'MediaTable has no tags'))


def s004_09(t, rep):
    fn = props(t['Resources']['ProcessingFunction'])
    lg = [r for _, r in resources(t, 'AWS::Logs::LogGroup')
          if 'media-processor' in json.dumps(props(r).get('LogGroupName')) or
          'ProcessingFunction' in refs(props(r).get('LogGroupName'))]
    return fails((fn.get('TracingConfig', {}).get('Mode') == 'Active', 'no X-Ray tracing'),
                 (bool(lg) and all('RetentionInDays' in props(r) for r in lg),
                  'the function has no log group with a retention'),
                 ('ReservedConcurrentExecutions' in fn, 'no reserved concurrency'))


def s004_10(t, rep):
    topics = {lid for lid, r in resources(t, 'AWS::SNS::Topic') if lid != 'CompletionTopic'
              and uses_key(t, props(r).get('KmsMasterKeyId'))}
    acts = [x for _, r in resources(t, 'AWS::CloudWatch::Alarm') for x in refs(props(r).get('AlarmActions'))]
    return fails((bool(acts) and set(acts) <= topics,
                  'alarms do not all notify a separate, encrypted failure topic'))


def s004_11(t, rep):
    b = t['Resources']['RawVideosBucket']
    lc = props(b).get('NotificationConfiguration', {}).get('LambdaConfigurations', [])
    return fails((any(str(c.get('Event', '')).startswith('s3:ObjectCreated') and
                      'ProcessingFunction' in refs(c.get('Function')) for c in lc),
                  'RawVideosBucket does not notify ProcessingFunction of new objects'),
                 ('S3InvokePermission' in names(b.get('DependsOn', [])),
                  'RawVideosBucket does not wait for S3InvokePermission'))


def s004_13(t, rep):
    return tag_check(t, ['Name', 'Environment', 'Project'])


def s004_14(t, rep):
    logs = logging_buckets(t)
    ok = [lid for lid in logs if lid in t['Resources'] and any(
        'ExpirationInDays' in x for x in props(t['Resources'][lid]).get('LifecycleConfiguration', {})
        .get('Rules', []))]
    pol = [p for _, r in resources(t, 'AWS::S3::BucketPolicy') for p in [props(r)]
           if refs(p.get('Bucket')) & logs and 'logging.s3.amazonaws.com' in json.dumps(p)]
    return fails((bool(ok), 'no logging bucket with expiry'),
                 (bool(pol), 'the logging bucket does not admit logging.s3.amazonaws.com'))


def s004_16(t, rep):
    keys = [lid for lid, r in resources(t) if r.get('Type') in (
        'AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::KMS::Key',
        'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup')]
    exported = set()
    for o in t.get('Outputs', {}).values():
        if o.get('Export', {}).get('Name'):
            exported |= refs(o.get('Value'))
    missing = [k for k in keys if k not in exported]
    return fails((not missing, 'key resources without an exported output: %s' % missing))


def s004_18(t, rep):
    return fails((bool(resources(t, 'AWS::CloudWatch::Dashboard')), 'no dashboard'))


# (ID, kind, owning passes, check, xfail reason)
UNOWNED = ()
CHECKLIST = {
    'media-cicd-pipeline': [
        ('S000-01', 'yes', ('build', 's3'), s000_01, None),
        ('S000-02', 'yes', ('pipeline-trigger',), s000_02, None),
        ('S000-03', 'yes', ('iam',), s000_03, None),
        # The seed fix extracted the build output into a new bucket that
        # nothing serves: a Deploy stage only where its target is known,
        # else an advisory (issue 16).
        ('S000-04', 'advisory', ('deploy-stage',), advisory('S000-04', 'Deploy stage'), None),
        ('S000-05', 'yes', ('alarms',), s000_05, None),
        ('S000-06', 'yes', ('build',), s000_06, None),
        ('S000-07', 'yes', ('build',), s000_07, None),
        ('S000-09', 'yes', ('deploy-stage',), s000_09, None),
        ('S000-10', 'yes', ('outputs', 'logs'), s000_10, None),
        ('S000-11', 'advisory', ('pipeline-trigger',), advisory('S000-11'), None),
        ('S000-12', 'yes', ('alarms',), s000_12, None),
    ],
    'payment-pipeline': [
        ('S001-01', 'advisory', ('pipeline-trigger',), advisory('S001-01'), None),
        ('S001-02', 'yes', ('iam',), s001_02, None),
        ('S001-03', 'yes', ('naming',), s001_03, None),
        ('S001-05', 'advisory', ('pipeline-trigger',), advisory('S001-05', 'Pipeline'), None),
        ('S001-06', 'yes', ('encryption',), s001_06, None),
        ('S001-07', 'yes', ('iam',), s001_07,
         'ecr:*, s3:* and logs:* on "*" also grant actions that only work on "*" (ecr:GetAuthorizationToken, '
         'for docker login): iam leaves the statement and advises, since which of them the build uses is the '
         'owner\'s call'),
        ('S001-08', 'advisory', ('deploy-stage',), advisory('S001-08'), None),
        ('S001-09', 'yes', ('build',), s001_09, None),
        ('S001-10', 'yes', ('alarms',), s001_10, None),
        ('S001-11', 'yes', ('tags',), s001_11, None),
        ('S001-12', 'yes', ('stateful',), s001_12, None),
    ],
    'media-platform': [
        ('S002-01', 'yes', ('secrets',), s002_01, None),
        ('S002-02', 'yes', ('naming',), s002_02, None),
        ('S002-03', 'yes', (), s002_03, None),
        ('S002-04', 'yes', ('portability',), s002_04, None),
        ('S002-05', 'advisory', ('stateful',), advisory('S002-05'), None),
        ('S002-08', 'yes', ('encryption', 'secrets'), s002_08, None),
        ('S002-09', 'yes', ('iam',), s002_09, None),
        ('S002-10', 'advisory', ('graph',), advisory('S002-10', 'APIGatewaySecurityGroup'), None),
        ('S002-11', 'yes', ('naming',), s002_11, None),
        ('S002-12', 'yes', ('tags',), s002_12, None),
    ],
    'ecs-bluegreen': [
        ('S003-01', 'yes', ('iam',), s003_01,
         'the pipeline uses a CodeStar connection that is not in the template '
         '(a literal ConnectionArn): statements scoped to the template would '
         'cut it off, so PowerUserAccess stays, with an advisory, until iam '
         'grants codestar-connections:UseConnection on the ARNs it finds'),
        ('S003-02', 'advisory', ('portability',), advisory('S003-02'),
         'this draft takes its network as parameters, so there is no NAT '
         'gateway to report; tests/golden/portability/yaml-one-nat shows the advisory'),
        # A second target group and a test listener are wired to nothing
        # without a CodeDeploy deployment group that names them, which
        # needs choices only the owner can make: advised as one set
        # (issue 16).
        ('S003-03', 'advisory', ('ecs',), advisory('S003-03', 'TargetGroupPairInfoList'), None),
        ('S003-04', 'yes', ('ecs',), s003_04, None),
        ('S003-05', 'yes', ('stateful',), s003_05, None),
        ('S003-06', 'yes', ('encryption',), s003_06, None),
        ('S003-08', 'yes', ('deploy-stage',), s003_08, None),
        ('S003-09', 'yes', ('portability',), s003_09, None),
        ('S003-10', 'yes', ('ecs',), s003_10, None),
        # ENV: production is configuration the code reads: never rewritten
        # (a plain deploy would pass the parameter's default), advised with
        # the edit instead (issue 16).
        ('S003-11', 'advisory', ('naming',), advisory('S003-11', '!Ref EnvironmentSuffix'), None),
        ('S003-12', 'yes', ('alarms',), s003_12,
         'alarms adds its dashboard only when the template has none; this one shows no failures'),
        ('S003-13', 'yes', ('ecs',), s003_13, None),
        ('S003-14', 'yes', ('ecs',), s003_14, None),
        ('S003-15', 'yes', ('ecs',), s003_15, None),
        ('S003-16', 'yes', ('alarms',), s003_16, None),
        ('S003-17', 'yes', ('ecs', 'logs'), s003_17, None),
    ],
    'media-processing': [
        ('S004-01', 'yes', ('encryption',), s004_01, None),
        ('S004-02', 'yes', ('iam',), s004_02, None),
        ('S004-03', 'yes', ('dlq',), s004_03, None),
        ('S004-04', 'yes', ('graph',), s004_04, None),
        ('S004-05', 'yes', ('alarms',), s004_05, None),
        ('S004-06', 'yes', ('s3',), s004_06, None),
        ('S004-08', 'yes', ('stateful', 'tags'), s004_08, None),
        ('S004-09', 'yes', ('lambda', 'logs'), s004_09,
         'no pass sets ReservedConcurrentExecutions (a limit needs a number only the owner knows)'),
        ('S004-10', 'yes', ('alarms',), s004_10, None),
        ('S004-11', 'yes', ('graph',), s004_11, None),
        ('S004-13', 'yes', ('tags',), s004_13, None),
        ('S004-14', 'yes', ('s3',), s004_14, None),
        # A pattern on a parameter the template has narrows what its
        # deployers may pass: advised with the pattern, never written
        # (issue 16); a parameter the run adds gets it.
        ('S004-15', 'advisory', ('parameters',), advisory('S004-15', 'AllowedPattern'), None),
        ('S004-16', 'yes', ('outputs',), s004_16, None),
        ('S004-17', 'advisory', ('dlq',), advisory('S004-17'), None),
        ('S004-18', 'yes', ('alarms',), s004_18, None),
    ],
}


def read_fixes(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs',
                                  'fixes.md')):
    """{ID: (template, [pass, ...])} from the table of docs/fixes.md."""
    fixes = {}
    for line in open(path, encoding='utf-8'):
        cells = [c.strip() for c in line.split('|')]
        if len(cells) == 6 and re.match(r'^S\d{3}-\d{2}$', cells[1]):
            fixes[cells[1]] = (cells[3], [] if cells[4] == '-' else
                               [p.strip() for p in cells[4].split(',')])
    return fixes


def catalogue_problem(fixes, fid, owners):
    """Why docs/fixes.md disagrees with a checklist row, or None."""
    if fid not in fixes:
        return 'not in docs/fixes.md'
    kind, passes = fixes[fid]
    if kind == 'out':
        return 'docs/fixes.md says it is not a template change'
    if owners and not set(owners) & set(passes):
        return 'docs/fixes.md gives it to %s, not to %s' % (
            ', '.join(passes) or 'no pass', ', '.join(owners))
    return None


def main():
    passes = set(open(sys.argv[1]).read().split())
    fixes = read_fixes()
    lint = dict(line.rstrip('\n').split('\t', 1) for line in open(sys.argv[2]) if '\t' in line)
    d = sys.argv[3]
    counts = {}
    failed = False
    for name in sys.argv[4:]:
        t = json.load(open(os.path.join(d, name + '.view.json')))
        draft = json.load(open(os.path.join(d, name + '.input.json')))
        report = open(os.path.join(d, name + '.md')).read()
        for fid, kind, owners, check, xfail in CHECKLIST[name]:
            # A row the first draft already satisfies tests nothing.
            if kind == 'yes' and fid != 'S002-03' and not check(draft, ''):
                print('VACUOUS %s %s: the first draft already passes this row' % (name, fid))
                failed = True
            if fid == 'S002-03':
                msgs = [e for p, e in lint.items() if name in p and e]
                owners = ()
            else:
                msgs = check(t, report)
            who = '+'.join(owners) or '-'
            problem = catalogue_problem(fixes, fid, owners)
            if problem:
                status = 'CATALOGUE'
            elif not owners and fid != 'S002-03':
                status = 'UNOWNED'
            elif any(o not in passes for o in owners):
                status = 'PENDING'
            elif xfail:
                status = 'XPASS' if not msgs else 'XFAIL'
            else:
                status = 'ok' if not msgs else 'FAIL'
            counts[status] = counts.get(status, 0) + 1
            line = '%-7s %s %s %-9s [%s]' % (status, name, fid, kind, who)
            if status == 'PENDING':
                line += ' (pass not built)'
            elif status == 'UNOWNED':
                line += ' (no pass owns it in docs/fixes.md)'
            elif status == 'CATALOGUE':
                line += ' ' + problem
            elif status == 'XFAIL':
                line += ' known gap: ' + xfail
            elif status == 'XPASS':
                line += ' the known gap is closed: drop its xfail mark (%s)' % xfail
            print(line)
            if status in ('FAIL', 'XPASS', 'CATALOGUE'):
                failed = True
            if status in ('FAIL', 'XFAIL'):
                for m in msgs:
                    print('        ' + m)
    print('examples: checklist %s' % ', '.join('%d %s' % (v, k) for k, v in sorted(counts.items())))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

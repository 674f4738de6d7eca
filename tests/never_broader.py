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

Managed policies: MANAGED below maps AWS managed policy names (the last path
segment of arn:aws:iam::aws:policy/[PATH/]NAME, a literal or a Fn::Sub /
Fn::Join with ${AWS::Partition}, or a bare name in SAM Policies) to their
statements, written from AWS's documentation and, where unsure, narrower
than the real policy. PowerUserAccess is modelled as NotAction iam:*,
organizations:*, account:* plus its few IAM reads, so that adding iam:*
grants to a power user is caught. An OUTPUT managed policy that is not in
the table (or a customer one, or a parameter) is a violation unless INPUT
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
 2. Completions (fix-catalogue S000-03, seed 000):
    - s3:GetObjectVersion on r where INPUT allowed s3:GetObject on r;
    - s3:ListBucket and s3:GetBucketLocation on a bucket b where INPUT
      allowed s3:GetObject or s3:PutObject on b + "/*";
    - codecommit:CancelUploadArchive on r where INPUT allowed
      codecommit:UploadArchive on r;
    - codebuild:StopBuild on r where INPUT allowed codebuild:StartBuild on r.
 3. Encryption (invariant 6): kms:Decrypt and kms:GenerateDataKey on a
    resource that refers only to AWS::KMS::Key resources of OUTPUT, each
    used by some other, non-IAM resource of OUTPUT (a store it encrypts):
    whoever uses an encrypted store needs them.
 4. Tracing (S004-09): xray:PutTraceSegments and xray:PutTelemetryRecords
    on "*", which a function with active tracing needs: they accept only
    "*" and read nothing.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from functools import lru_cache

ROLE, USER, GROUP = "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"
SAM_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
# Policy resources: the properties that attach them, and to what kind.
ATTACH = {
    "AWS::IAM::Policy": (("Roles", ROLE), ("Users", USER), ("Groups", GROUP)),
    MANAGED_POLICY: (("Roles", ROLE), ("Users", USER), ("Groups", GROUP)),
    "AWS::IAM::RolePolicy": (("RoleName", ROLE),),
    "AWS::IAM::UserPolicy": (("UserName", USER),),
    "AWS::IAM::GroupPolicy": (("GroupName", GROUP),),
}
NAME_PROP = {ROLE: "RoleName", USER: "UserName", GROUP: "GroupName"}
KIND = {ROLE: "role", USER: "user", GROUP: "group"}
IAM_TYPES = set(ATTACH) | {ROLE, USER, GROUP, "AWS::IAM::InstanceProfile",
                           "AWS::IAM::UserToGroupAddition"}


# ---- AWS managed policies -------------------------------------------------

def _s(actions, resources="*", cond=None):
    st = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if cond:
        st["Condition"] = cond
    return st


_LOGS3 = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_CB_READ = ["codecommit:GetBranch", "codecommit:GetCommit", "codecommit:GetRepository",
            "codecommit:ListBranches", "cloudwatch:GetMetricStatistics",
            "events:DescribeRule", "events:ListTargetsByRule", "events:ListRuleNamesByTarget",
            "logs:GetLogEvents", "s3:GetBucketLocation", "s3:ListAllMyBuckets"]
_CP_READ = ["cloudformation:DescribeStacks", "cloudformation:ListChangeSets",
            "codecommit:ListBranches", "codecommit:ListRepositories",
            "codedeploy:GetApplication", "codedeploy:GetDeploymentGroup",
            "codedeploy:ListApplications", "codedeploy:ListDeploymentGroups",
            "ecr:DescribeRepositories", "ecs:ListClusters", "ecs:ListServices",
            "elasticbeanstalk:DescribeApplications", "elasticbeanstalk:DescribeEnvironments",
            "iam:ListRoles", "lambda:GetFunctionConfiguration", "lambda:ListFunctions",
            "s3:ListAllMyBuckets"]
_ECR_READ = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
             "ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy",
             "ecr:DescribeRepositories", "ecr:ListImages", "ecr:DescribeImages",
             "ecr:BatchGetImage", "ecr:GetLifecyclePolicy",
             "ecr:GetLifecyclePolicyPreview", "ecr:ListTagsForResource",
             "ecr:DescribeImageScanFindings"]
_XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
         "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"]

# Managed policies that AWS retired or never had (deployment fails with
# them), and the services a pipeline role needs in their place.
RETIRED = {
    "AWSCodePipelineFullAccess": ["codepipeline", "s3", "codebuild", "codecommit"],
    "AWSCodePipelineServiceRole": ["codepipeline", "s3", "codebuild", "codecommit",
                                   "cloudformation", "ecs", "lambda", "sns", "ecr"],
    "AWSLambdaFullAccess": ["lambda", "logs"],
}

MANAGED = {
    "AdministratorAccess": [_s("*")],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
         "Resource": "*"},
        _s(["account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
            "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
            "organizations:DescribeOrganization"])],
    "AmazonS3FullAccess": [_s(["s3:*", "s3-object-lambda:*"])],
    "AmazonS3ReadOnlyAccess": [_s(["s3:Get*", "s3:List*", "s3:Describe*",
                                   "s3-object-lambda:Get*", "s3-object-lambda:List*"])],
    "AmazonDynamoDBFullAccess": [_s([
        "dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
        "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
        "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData",
        "datapipeline:ActivatePipeline", "datapipeline:CreatePipeline",
        "datapipeline:DeletePipeline", "datapipeline:DescribeObjects",
        "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
        "datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition",
        "datapipeline:QueryObjects", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey",
        "kms:ListAliases", "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions",
        "sns:ListSubscriptionsByTopic", "sns:ListTopics", "sns:Subscribe",
        "sns:Unsubscribe", "sns:SetTopicAttributes", "lambda:CreateFunction",
        "lambda:ListFunctions", "lambda:ListEventSourceMappings",
        "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping",
        "lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
        "resource-groups:ListGroups", "resource-groups:ListGroupResources",
        "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
        "resource-groups:DeleteGroup", "resource-groups:CreateGroup",
        "tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary"])],
    "AmazonDynamoDBReadOnlyAccess": [_s([
        "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*",
        "dynamodb:GetItem", "dynamodb:GetResourcePolicy", "dynamodb:Query",
        "dynamodb:Scan", "dynamodb:PartiQLSelect", "dax:Describe*", "dax:List*",
        "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan",
        "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics", "cloudwatch:GetMetricData"])],
    "AmazonSQSFullAccess": [_s("sqs:*")],
    "AmazonSQSReadOnlyAccess": [_s(["sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                    "sqs:ListDeadLetterSourceQueues", "sqs:ListQueues",
                                    "sqs:ListMessageMoveTasks", "sqs:ListQueueTags"])],
    "AmazonSNSFullAccess": [_s("sns:*")],
    "AmazonSNSReadOnlyAccess": [_s(["sns:GetTopicAttributes", "sns:List*",
                                    "sns:CheckIfPhoneNumberIsOptedOut",
                                    "sns:GetEndpointAttributes", "sns:GetDataProtectionPolicy",
                                    "sns:GetPlatformApplicationAttributes",
                                    "sns:GetSMSAttributes", "sns:GetSMSSandboxAccountStatus",
                                    "sns:GetSubscriptionAttributes"])],
    "AWSLambda_FullAccess": [
        _s(["cloudformation:DescribeStacks", "cloudformation:ListStackResources",
            "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            "kms:ListAliases", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
            "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
            "iam:ListRoles", "lambda:*", "logs:DescribeLogGroups",
            "states:DescribeStateMachine", "states:ListStateMachines", "tag:GetResources",
            "xray:GetTraceSummaries", "xray:BatchGetTraces"]),
        _s("iam:PassRole", "*",
           {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        _s(["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
            "logs:StartLiveTail", "logs:StopLiveTail"],
           "arn:aws:logs:*:*:log-group:/aws/lambda/*")],
    "AWSLambdaExecute": [_s("logs:*", "arn:aws:logs:*:*:*"),
                         _s(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*")],
    "AWSLambdaRole": [_s("lambda:InvokeFunction")],
    "AWSLambdaBasicExecutionRole": [_s(_LOGS3)],
    "AWSLambdaSQSQueueExecutionRole": [_s(["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                           "sqs:GetQueueAttributes"] + _LOGS3)],
    "AWSLambdaVPCAccessExecutionRole": [_s(["ec2:CreateNetworkInterface",
                                            "ec2:DescribeNetworkInterfaces",
                                            "ec2:DescribeSubnets",
                                            "ec2:DeleteNetworkInterface",
                                            "ec2:AssignPrivateIpAddresses",
                                            "ec2:UnassignPrivateIpAddresses"] + _LOGS3)],
    "AWSLambdaKinesisExecutionRole": [_s(["kinesis:DescribeStream",
                                          "kinesis:DescribeStreamSummary",
                                          "kinesis:GetRecords", "kinesis:GetShardIterator",
                                          "kinesis:ListShards", "kinesis:ListStreams",
                                          "kinesis:SubscribeToShard"] + _LOGS3)],
    "AWSLambdaDynamoDBExecutionRole": [_s(["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                           "dynamodb:GetShardIterator",
                                           "dynamodb:ListStreams"] + _LOGS3)],
    "CloudWatchLogsFullAccess": [_s(["logs:*", "cloudwatch:GenerateQuery",
                                     "cloudwatch:GenerateQueryResultsSummary"])],
    "CloudWatchLogsReadOnlyAccess": [_s(["logs:Describe*", "logs:Get*", "logs:List*",
                                         "logs:StartQuery", "logs:StopQuery",
                                         "logs:TestMetricFilter", "logs:FilterLogEvents",
                                         "logs:StartLiveTail", "logs:StopLiveTail",
                                         "cloudwatch:GenerateQuery"])],
    "CloudWatchFullAccess": [_s(["autoscaling:Describe*", "cloudwatch:*", "logs:*", "sns:*",
                                 "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
                                 "oam:ListSinks"])],
    "AmazonAPIGatewayPushToCloudWatchLogs": [_s(["logs:CreateLogGroup",
                                                 "logs:CreateLogStream",
                                                 "logs:DescribeLogGroups",
                                                 "logs:DescribeLogStreams",
                                                 "logs:PutLogEvents", "logs:GetLogEvents",
                                                 "logs:FilterLogEvents"])],
    "AmazonKinesisFullAccess": [_s("kinesis:*")],
    "AmazonKinesisReadOnlyAccess": [_s(["kinesis:Get*", "kinesis:List*",
                                        "kinesis:Describe*"])],
    "AWSCodeBuildAdminAccess": [
        _s(["codebuild:*", "codecommit:GetBranch", "codecommit:GetCommit",
            "codecommit:GetRepository", "codecommit:ListBranches",
            "codecommit:ListRepositories", "cloudwatch:GetMetricStatistics",
            "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
            "ecr:DescribeRepositories", "ecr:ListImages",
            "elasticfilesystem:DescribeFileSystems", "events:DeleteRule",
            "events:DescribeRule", "events:DisableRule", "events:EnableRule",
            "events:ListTargetsByRule", "events:ListRuleNamesByTarget", "events:PutRule",
            "events:PutTargets", "events:RemoveTargets", "logs:GetLogEvents",
            "s3:GetBucketLocation", "s3:ListAllMyBuckets", "sns:ListTopics",
            "codestar-connections:ListConnections"]),
        _s("logs:DeleteLogGroup", "arn:aws:logs:*:*:log-group:/aws/codebuild/*:log-stream:*"),
        _s("ssm:PutParameter", "arn:aws:ssm:*:*:parameter/CodeBuild/*"),
        _s("ssm:StartSession", "arn:aws:ecs:*:*:task/*/*"),
        _s(["codestar-connections:GetConnection", "codestar-connections:PassConnection",
            "codestar-connections:UseConnection"], "arn:aws:codestar-connections:*:*:*")],
    "AWSCodeBuildDeveloperAccess": [
        _s(["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:StartBuildBatch",
            "codebuild:StopBuildBatch", "codebuild:RetryBuild", "codebuild:RetryBuildBatch",
            "codebuild:BatchGet*", "codebuild:GetResourcePolicy",
            "codebuild:DescribeTestCases", "codebuild:DescribeCodeCoverages",
            "codebuild:List*", "sns:ListTopics", "sns:GetTopicAttributes",
            "codestar-connections:ListConnections"] + _CB_READ),
        _s("ssm:PutParameter", "arn:aws:ssm:*:*:parameter/CodeBuild/*"),
        _s("ssm:StartSession", "arn:aws:ecs:*:*:task/*/*"),
        _s(["codestar-connections:GetConnection", "codestar-connections:PassConnection",
            "codestar-connections:UseConnection"], "arn:aws:codestar-connections:*:*:*")],
    "AWSCodeBuildReadOnlyAccess": [_s(["codebuild:BatchGet*", "codebuild:GetResourcePolicy",
                                       "codebuild:List*", "codebuild:DescribeTestCases",
                                       "codebuild:DescribeCodeCoverages"] + _CB_READ)],
    "AWSCodeCommitFullAccess": [
        _s(["codecommit:*", "sns:ListTopics", "sns:ListSubscriptionsByTopic",
            "sns:GetTopicAttributes", "lambda:ListFunctions", "iam:ListUsers"]),
        _s(["events:DeleteRule", "events:DescribeRule", "events:DisableRule",
            "events:EnableRule", "events:PutRule", "events:PutTargets",
            "events:RemoveTargets", "events:ListTargetsByRule"],
           "arn:aws:events:*:*:rule/codecommit*"),
        _s(["sns:CreateTopic", "sns:DeleteTopic", "sns:Subscribe", "sns:Unsubscribe",
            "sns:SetTopicAttributes"], "arn:aws:sns:*:*:codecommit*")],
    "AWSCodeCommitPowerUser": [_s(["codecommit:Get*", "codecommit:List*",
                                   "codecommit:BatchGet*", "codecommit:GitPull",
                                   "codecommit:GitPush", "codecommit:CreateBranch",
                                   "codecommit:CreateCommit", "codecommit:PutFile",
                                   "codecommit:UploadArchive",
                                   "codecommit:CancelUploadArchive",
                                   "codecommit:GetUploadArchiveStatus"])],
    "AWSCodeCommitReadOnly": [_s(["codecommit:BatchGet*", "codecommit:Describe*",
                                  "codecommit:Get*", "codecommit:List*",
                                  "codecommit:GitPull"])],
    "AWSCodePipeline_FullAccess": [
        _s(["codepipeline:*", "cloudformation:ListStacks", "codebuild:BatchGetProjects",
            "codebuild:CreateProject", "codebuild:ListCuratedEnvironmentImages",
            "codebuild:ListProjects", "codecommit:GetBranch", "codecommit:GetRepository",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            "iam:GetRole", "s3:GetBucketPolicy", "s3:GetBucketVersioning",
            "s3:GetObjectVersion", "sns:ListTopics", "states:ListStateMachines"] + _CP_READ),
        _s(["s3:CreateBucket", "s3:PutBucketPolicy"], "arn:aws:s3::*:codepipeline-*")],
    "AWSCodePipelineFullAccess": [
        _s(["codepipeline:*", "s3:CreateBucket", "s3:GetBucketPolicy", "s3:GetObject",
            "s3:ListBucket", "s3:PutBucketPolicy"] + _CP_READ)],
    "AWSCodePipeline_ReadOnlyAccess": [_s(["codepipeline:GetPipeline",
                                           "codepipeline:GetPipelineState",
                                           "codepipeline:GetPipelineExecution",
                                           "codepipeline:ListPipelineExecutions",
                                           "codepipeline:ListActionExecutions",
                                           "codepipeline:ListActionTypes",
                                           "codepipeline:ListPipelines",
                                           "codepipeline:ListTagsForResource"])],
    "AmazonEC2ContainerRegistryFullAccess": [_s(["ecr:*", "cloudtrail:LookupEvents"])],
    "AmazonEC2ContainerRegistryPowerUser": [_s(_ECR_READ + [
        "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage"])],
    "AmazonEC2ContainerRegistryReadOnly": [_s(_ECR_READ)],
    "AmazonECSTaskExecutionRolePolicy": [_s(["ecr:GetAuthorizationToken",
                                             "ecr:BatchCheckLayerAvailability",
                                             "ecr:GetDownloadUrlForLayer",
                                             "ecr:BatchGetImage", "logs:CreateLogStream",
                                             "logs:PutLogEvents"])],
    "AmazonEC2ContainerServiceforEC2Role": [_s([
        "ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance",
        "ecs:DiscoverPollEndpoint", "ecs:Poll", "ecs:RegisterContainerInstance",
        "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState", "ecs:Submit*",
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage", "logs:CreateLogStream",
        "logs:PutLogEvents"])],
    "AmazonSSMManagedInstanceCore": [_s([
        "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance",
        "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter",
        "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations",
        "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult",
        "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel", "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint",
        "ec2messages:GetMessages", "ec2messages:SendReply"])],
    "AmazonSSMReadOnlyAccess": [_s(["ssm:Describe*", "ssm:Get*", "ssm:List*"])],
    "AWSStepFunctionsFullAccess": [_s("states:*")],
    "AWSStepFunctionsReadOnlyAccess": [_s(["states:ListStateMachines", "states:ListActivities",
                                           "states:Describe*", "states:ListExecutions",
                                           "states:ListTagsForResource",
                                           "states:GetExecutionHistory"])],
    "SecretsManagerReadWrite": [
        _s(["secretsmanager:*", "cloudformation:CreateChangeSet",
            "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackResource",
            "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
            "docdb-elastic:GetCluster", "docdb-elastic:ListClusters",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
            "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions",
            "rds:DescribeDBClusters", "rds:DescribeDBInstances", "redshift:DescribeClusters",
            "redshift-serverless:ListWorkgroups", "redshift-serverless:GetNamespace",
            "tag:GetResources"]),
        _s(["lambda:AddPermission", "lambda:CreateFunction", "lambda:GetFunction",
            "lambda:InvokeFunction", "lambda:UpdateFunctionConfiguration"],
           "arn:aws:lambda:*:*:function:SecretsManager*"),
        _s(["serverlessrepo:CreateCloudFormationChangeSet", "serverlessrepo:GetApplication"],
           "arn:aws:serverlessrepo:*:*:applications/SecretsManager*"),
        _s("s3:GetObject", ["arn:aws:s3:::awsserverlessrepo-changesets*",
                            "arn:aws:s3:::secrets-manager-rotation-apps-*/*"])],
    "AWSXRayDaemonWriteAccess": [_s(_XRAY)],
    "AWSXrayWriteOnlyAccess": [_s(_XRAY)],
    "AWSXrayFullAccess": [_s("xray:*")],
    "AWSCloudFormationFullAccess": [_s("cloudformation:*")],
    "AWSCloudFormationReadOnlyAccess": [_s(["cloudformation:Describe*",
                                            "cloudformation:EstimateTemplateCost",
                                            "cloudformation:Get*", "cloudformation:List*",
                                            "cloudformation:ValidateTemplate",
                                            "cloudformation:Detect*"])],
    "AmazonSESFullAccess": [_s("ses:*")],
    "AmazonEventBridgeFullAccess": [_s(["events:*", "schemas:*", "scheduler:*", "pipes:*"])],
    "AmazonEC2FullAccess": [_s(["ec2:*", "elasticloadbalancing:*", "cloudwatch:*",
                                "autoscaling:*"])],
    "AmazonEC2ReadOnlyAccess": [_s(["ec2:Describe*", "elasticloadbalancing:Describe*",
                                    "cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics",
                                    "cloudwatch:Describe*", "autoscaling:Describe*"])],
    "AmazonRDSFullAccess": [_s("rds:*")],
}


# ---- SAM policy templates (the common ones) -------------------------------

def _sub(tmpl, **params):
    return {"Fn::Sub": [tmpl, params]} if params else {"Fn::Sub": tmpl}


def _table(p):
    t = _sub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${t}",
             t=p.get("TableName"))
    i = _sub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${t}/index/*",
             t=p.get("TableName"))
    return [t, i]


def _bucket(p):
    return [_sub("arn:${AWS::Partition}:s3:::${b}", b=p.get("BucketName")),
            _sub("arn:${AWS::Partition}:s3:::${b}/*", b=p.get("BucketName"))]


def _queue(p):
    return _sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${q}",
                q=p.get("QueueName"))


def _topic(p):
    return _sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${t}",
                t=p.get("TopicName"))


_S3R = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
        "s3:GetLifecycleConfiguration"]
_S3W = ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]
_DDBR = ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem",
         "dynamodb:DescribeTable"]
SAM_TEMPLATES = {
    "S3ReadPolicy": lambda p: [_s(_S3R, _bucket(p))],
    "S3WritePolicy": lambda p: [_s(_S3W, _bucket(p))],
    "S3CrudPolicy": lambda p: [_s(_S3R + _S3W + ["s3:DeleteObject"], _bucket(p))],
    "DynamoDBReadPolicy": lambda p: [_s(_DDBR, _table(p))],
    "DynamoDBWritePolicy": lambda p: [_s(["dynamodb:PutItem", "dynamodb:UpdateItem",
                                          "dynamodb:BatchWriteItem"], _table(p))],
    "DynamoDBCrudPolicy": lambda p: [_s(_DDBR + ["dynamodb:DeleteItem", "dynamodb:PutItem",
                                                 "dynamodb:UpdateItem",
                                                 "dynamodb:BatchWriteItem",
                                                 "dynamodb:ConditionCheckItem"], _table(p))],
    "SQSSendMessagePolicy": lambda p: [_s("sqs:SendMessage*", _queue(p))],
    "SQSPollerPolicy": lambda p: [_s(["sqs:ChangeMessageVisibility",
                                      "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
                                      "sqs:DeleteMessageBatch", "sqs:GetQueueAttributes",
                                      "sqs:ReceiveMessage"], _queue(p))],
    "SNSPublishMessagePolicy": lambda p: [_s("sns:Publish", _topic(p))],
    "LambdaInvokePolicy": lambda p: [_s("lambda:InvokeFunction", _sub(
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${f}*",
        f=p.get("FunctionName")))],
    "KMSDecryptPolicy": lambda p: [_s("kms:Decrypt", _sub(
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${k}",
        k=p.get("KeyId")))],
    "AWSSecretsManagerGetSecretValuePolicy": lambda p: [
        _s("secretsmanager:GetSecretValue", p.get("SecretArn"))],
    "StepFunctionsExecutionPolicy": lambda p: [_s("states:StartExecution", _sub(
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${s}",
        s=p.get("StateMachineName")))],
    "CloudWatchPutMetricPolicy": lambda p: [_s("cloudwatch:PutMetricData")],
}

# GetAtt X.<attr> of these types, spelled out. "${@}" is Ref X, "${@.A}"
# is GetAtt X.A.
ARN_FORMS = {
    ("AWS::S3::Bucket", "Arn"): "arn:${AWS::Partition}:s3:::${@}",
    ("AWS::DynamoDB::Table", "Arn"):
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${@}",
    ("AWS::Serverless::SimpleTable", "Arn"):
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${@}",
    ("AWS::Lambda::Function", "Arn"):
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${@}",
    ("AWS::Serverless::Function", "Arn"):
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${@}",
    ("AWS::Kinesis::Stream", "Arn"):
        "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${@}",
    ("AWS::ECR::Repository", "Arn"):
        "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${@}",
    ("AWS::CodeBuild::Project", "Arn"):
        "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${@}",
    ("AWS::KMS::Key", "Arn"):
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${@}",
    ("AWS::Logs::LogGroup", "Arn"):
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${@}:*",
    ("AWS::SQS::Queue", "Arn"):
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${@.QueueName}",
    ("AWS::CodeCommit::Repository", "Arn"):
        "arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:${@.Name}",
    ("AWS::SNS::Topic", "TopicArn"): "${@}",
    ("AWS::StepFunctions::StateMachine", "Arn"): "${@}",
    ("AWS::Serverless::StateMachine", "Arn"): "${@}",
}


# ---- values ---------------------------------------------------------------

def canon(x):
    return json.dumps(x, sort_keys=True)


def show(x):
    return x if isinstance(x, str) else canon(x)


def intrinsic(x):
    """(name, argument) of a one-key intrinsic, else (None, None)."""
    if isinstance(x, dict) and len(x) == 1:
        (k, v), = x.items()
        if k == "Ref" or k.startswith("Fn::") or k == "Condition":
            return k, v
    return None, None


def items(x):
    """The values a list-or-scalar property may take: Fn::If gives both
    branches, AWS::NoValue nothing."""
    k, v = intrinsic(x)
    if k == "Fn::If" and isinstance(v, list) and len(v) == 3:
        return items(v[1]) + items(v[2])
    if k == "Ref" and v == "AWS::NoValue":
        return []
    if isinstance(x, list):
        out = []
        for e in x:
            out += items(e)
        return out
    return [x]


def getatt(v):
    if isinstance(v, list) and len(v) == 2 and all(isinstance(e, str) for e in v):
        return v[0], v[1]
    if isinstance(v, str) and "." in v:
        return tuple(v.split(".", 1))
    return None


SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def refs_of(node, out=None):
    """Logical IDs (not pseudo parameters) named by Ref, GetAtt and Sub."""
    if out is None:
        out = set()
    k, v = intrinsic(node)
    if k == "Ref" and isinstance(v, str):
        if not v.startswith("AWS::"):
            out.add(v)
        return out
    if k == "Fn::GetAtt":
        g = getatt(v)
        if g:
            out.add(g[0])
        return out
    if k == "Fn::Sub":
        s, m = (v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (v, {})
        if isinstance(s, str):
            for name in SUB_VAR.findall(s):
                name = name.strip()
                if name.startswith("!") or (isinstance(m, dict) and name in m):
                    continue
                name = name.split(".")[0]
                if not name.startswith("AWS::"):
                    out.add(name)
        refs_of(m, out)
        return out
    if isinstance(node, dict):
        for e in node.values():
            refs_of(e, out)
    elif isinstance(node, list):
        for e in node:
            refs_of(e, out)
    return out


class Template:
    def __init__(self, path, doc):
        self.path = path
        res = doc.get("Resources") if isinstance(doc, dict) else None
        self.res = {k: v for k, v in (res.items() if isinstance(res, dict) else ())
                    if isinstance(v, dict)}
        self.types = {k: (v.get("Type") if isinstance(v.get("Type"), str) else None)
                      for k, v in self.res.items()}
        self.props = {k: (v.get("Properties") if isinstance(v.get("Properties"), dict) else {})
                      for k, v in self.res.items()}
        self._toks = {}
        # A bucket named by its BucketName is the same bucket as by Ref or
        # GetAtt (the graph pass names buckets so to break dependency
        # cycles, S004-04): the name's tokens read as a reference to it.
        self._names = []
        for lid, t in self.types.items():
            n = self.props[lid].get("BucketName") if t == "AWS::S3::Bucket" else None
            k, v = intrinsic(n) if n is not None else (None, None)
            if isinstance(n, str):
                nt = list(n)
            elif k == "Fn::Sub" and isinstance(v, str):
                nt = self._sub(v, {}, None, 1)
            else:
                continue
            if len(nt) > 2:
                self._names.append((tuple(nt), lid))

    def _by_name(self, t):
        for nt, lid in self._names:
            if t == nt:
                return (("ref", lid),)
            arn = tuple("arn:aws:s3:::") + nt
            i = 0
            while True:
                j = next((k for k in range(i, len(t) - len(arn) + 1)
                          if t[k:k + len(arn)] == arn), -1)
                if j < 0:
                    break
                t = t[:j] + tuple("arn:aws:s3:::") + (("ref", lid),) + t[j + len(arn):]
                i = j + 1
        return t

    # Resource expressions as tuples of characters ('*' and '?' wildcards)
    # and references (("ref", X), ("att", X, A), ("opaque", canonical)).
    def toks(self, x):
        key = canon(x)
        t = self._toks.get(key)
        if t is None:
            t = self._toks[key] = self._by_name(tuple(self._toks_of(x, 0)))
        return t

    def _toks_of(self, x, depth):
        if isinstance(x, str):
            return list(x)
        k, v = intrinsic(x)
        if depth < 8:
            if k == "Ref" and isinstance(v, str):
                return self._ref(v)
            if k == "Fn::GetAtt" and getatt(v):
                return self._att(*getatt(v), depth)
            if k == "Fn::Sub":
                s, m = (v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (v, {})
                if isinstance(s, str) and isinstance(m, dict):
                    return self._sub(s, m, None, depth)
            if k == "Fn::Join" and isinstance(v, list) and len(v) == 2 \
                    and isinstance(v[0], str) and isinstance(v[1], list):
                out = []
                for i, part in enumerate(v[1]):
                    if i:
                        out += list(v[0])
                    out += self._toks_of(part, depth + 1)
                return out
        return [("opaque", canon(x))]

    def _ref(self, name):
        if name == "AWS::Partition":
            return list("aws")
        return [("ref", name)]

    def _att(self, lid, attr, depth):
        form = ARN_FORMS.get((self.types.get(lid), attr))
        if form:
            return self._sub(form, {}, lid, depth + 1)
        return [("att", lid, attr)]

    def _sub(self, s, m, self_id, depth):
        out, i = [], 0
        while i < len(s):
            j = s.find("${", i)
            if j < 0:
                out += list(s[i:])
                break
            out += list(s[i:j])
            e = s.find("}", j)
            if e < 0:
                out += list(s[j:])
                break
            name = s[j + 2:e].strip()
            i = e + 1
            if name.startswith("!"):
                out += list("${" + name[1:] + "}")
            elif name in m:
                out += self._toks_of(m[name], depth + 1)
            elif name == "@":
                out += self._ref(self_id)
            elif name.startswith("@."):
                out.append(("att", self_id, name[2:]))
            elif "." in name and not name.startswith("AWS::"):
                out += self._att(*name.split(".", 1), depth)
            else:
                out += self._ref(name)
        return out


def action_toks(a):
    if isinstance(a, str):
        return tuple(a.lower())
    return (("opaque", canon(a)),)


STAR = ("*",)


@lru_cache(maxsize=None)
def match(pat, s):
    """Does every value s may stand for match pat? A wildcard of pat matches
    anything of s (characters, references, wildcards); a literal matches
    only itself; '?' matches one literal character (or s's '?')."""
    if pat == STAR:
        return True
    prev = [True] + [False] * len(s)
    for p in pat:
        cur = [False] * (len(s) + 1)
        if p == "*":
            cur[0] = prev[0]
            for j in range(1, len(s) + 1):
                cur[j] = prev[j] or cur[j - 1]
        else:
            for j in range(1, len(s) + 1):
                if prev[j - 1]:
                    c = s[j - 1]
                    if p == "?":
                        cur[j] = isinstance(c, str) and c != "*"
                    else:
                        cur[j] = c == p
        prev = cur
    return prev[len(s)]


@lru_cache(maxsize=None)
def overlap(p, q):
    """Could some value match both patterns? References are unknown values,
    so anything with one may overlap."""
    if any(not isinstance(c, str) for c in p + q):
        return True

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
        if p[i] == "?" or q[j] == "?" or p[i] == q[j]:
            return go(i + 1, j + 1)
        return False
    return go(0, 0)


def cond_of(c):
    """A Condition block as {(operator, key): canonical values}."""
    if c is None:
        return {}
    if not isinstance(c, dict) or intrinsic(c)[0]:
        return {("?", canon(c)): canon(c)}
    out = {}
    for op, body in c.items():
        if isinstance(body, dict) and not intrinsic(body)[0]:
            for key, val in body.items():
                out[(op, key.lower())] = tuple(sorted(canon(e) for e in items(val)))
        else:
            out[(op, "?")] = (canon(body),)
    return out


def cond_ok(cover, target):
    """A statement with condition cover allows at least what one with target
    allows when every condition of cover is also in target."""
    return all(target.get(k) == v for k, v in cover.items())


def norm_stmt(st):
    out = {}
    for k, v in st.items():
        if k == "Sid":
            continue
        if k in ("Action", "NotAction", "Resource", "NotResource"):
            v = sorted(canon(e) for e in items(v))
        out[k] = v
    return canon(out)


# ---- principals -----------------------------------------------------------

class Pair:
    __slots__ = ("a", "at", "r", "rt", "c")

    def __init__(self, tpl, a, r, c):
        self.a, self.at, self.r, self.rt, self.c = a, action_toks(a), r, tpl.toks(r), c

    def covers(self, at, rt, c):
        return cond_ok(self.c, c) and match(self.at, at) and match(self.rt, rt)


class NotStmt:
    """An Allow statement with NotAction and/or NotResource."""

    def __init__(self, tpl, st, cond):
        self.st = st
        self.canon = norm_stmt(st)
        self.c = cond
        self.notact = "NotAction" in st
        self.notres = "NotResource" in st
        self.acts = [action_toks(a) for a in items(st.get("NotAction" if self.notact else "Action", []))]
        self.ress = [tpl.toks(r) for r in items(st.get("NotResource" if self.notres else "Resource", "*"))]

    def covers(self, at, rt, c):
        if not cond_ok(self.c, c):
            return False
        if self.notact:
            if any(overlap(n, at) for n in self.acts):
                return False
        elif not any(match(x, at) for x in self.acts):
            return False
        if self.notres:
            return all(isinstance(ch, str) for ch in rt) and not any(overlap(n, rt) for n in self.ress)
        return any(match(x, rt) for x in self.ress)


class Principal:
    def __init__(self, key, label):
        self.key, self.label = key, label
        self.allow, self.nots, self.deny = [], [], []
        self.notcanon, self.denynot = set(), {}
        self.markers = {}   # opaque grants: key -> description
        self.boundary = None

    def merge(self, other):
        self.allow += other.allow
        self.nots += other.nots
        self.deny += other.deny
        self.notcanon |= other.notcanon
        self.denynot.update(other.denynot)
        self.markers.update(other.markers)

    def covered(self, at, rt, c):
        return any(p.covers(at, rt, c) for p in self.allow) or \
            any(n.covers(at, rt, c) for n in self.nots)


def statements(doc):
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    if not isinstance(doc, dict):
        return []
    return [s for s in items(doc.get("Statement", [])) if isinstance(s, dict)]


def add_stmt(p, tpl, st):
    cond = cond_of(st.get("Condition"))
    deny = st.get("Effect") == "Deny"
    if "NotAction" in st or "NotResource" in st:
        if deny:
            p.denynot[norm_stmt(st)] = st
        else:
            n = NotStmt(tpl, st, cond)
            p.nots.append(n)
            p.notcanon.add(n.canon)
        return
    ress = items(st["Resource"]) if "Resource" in st else ["*"]
    for a in items(st.get("Action", [])):
        for r in ress:
            (p.deny if deny else p.allow).append(Pair(tpl, a, r, cond))


def add_doc(p, tpl, doc):
    for st in statements(doc):
        add_stmt(p, tpl, st)


POLICY_ARN = re.compile(r"^arn:[^:]*:iam::aws:policy/(?:.*/)?([^/]+)$")


def add_managed(p, tpl, x, sam=False):
    k, v = intrinsic(x)
    if k == "Ref" and tpl.types.get(v) == MANAGED_POLICY:
        add_doc(p, tpl, tpl.props[v].get("PolicyDocument"))
        return
    t = tpl.toks(x)
    name = None
    if all(isinstance(c, str) for c in t):
        s = "".join(t)
        m = POLICY_ARN.match(s)
        if m:
            name = m.group(1)
        elif sam and not s.startswith("arn:"):
            name = s.rsplit("/", 1)[-1]
    if name in RETIRED:
        # A managed policy AWS retired or never had makes the deployment
        # fail, so the input granted nothing workable; the iam pass may
        # replace it with grants for its services on the template's own
        # resources (fix S001-02), and never on anything else.
        forms = []
        for x_id in tpl.types:
            forms += [{"Ref": x_id}, {"Fn::GetAtt": [x_id, "Arn"]},
                      {"Fn::Sub": "${%s.Arn}/*" % x_id}]
        for svc in RETIRED[name]:
            add_stmt(p, tpl, {"Effect": "Allow", "Action": svc + ":*", "Resource": forms})
    if name in MANAGED:
        for st in MANAGED[name]:
            add_stmt(p, tpl, st)
    elif name in RETIRED:
        pass
    elif name:
        p.markers["managed:" + name] = "everything managed policy %s allows (not known to this check)" % name
    else:
        p.markers["managed:" + canon(x)] = "everything managed policy %s allows" % show(x)


def add_sam_policies(p, tpl, pols):
    for x in items(pols):
        k, _ = intrinsic(x)
        if isinstance(x, str) or k:
            add_managed(p, tpl, x, sam=True)
        elif isinstance(x, dict) and "Statement" in x:
            add_doc(p, tpl, x)
        elif isinstance(x, dict) and len(x) == 1:
            (name, params), = x.items()
            if name in SAM_TEMPLATES and isinstance(params, dict):
                for st in SAM_TEMPLATES[name](params):
                    add_stmt(p, tpl, st)
            else:
                p.markers["sam:" + canon(x)] = "everything SAM policy template %s allows" % canon(x)
        else:
            p.markers["sam:" + canon(x)] = "everything policy %s allows" % canon(x)


def principals(tpl):
    """{key: Principal} of a template."""
    out = {}
    byname = {}   # (type, canonical name) -> logical ID
    for lid, t in tpl.types.items():
        if t in (ROLE, USER, GROUP):
            out[lid] = Principal(lid, lid)
            n = tpl.props[lid].get(NAME_PROP[t])
            if n is not None:
                byname[(t, canon(n))] = lid
            b = tpl.props[lid].get("PermissionsBoundary")
            out[lid].boundary = canon(b) if b is not None else None

    def resolve(kind, x):
        """The principal a Roles/Users/Groups entry names, made if outside."""
        k, v = intrinsic(x)
        if k == "Ref" and isinstance(v, str) and tpl.types.get(v) == kind:
            return out[v]
        lid = byname.get((kind, canon(x)))
        if lid:
            return out[lid]
        key = "%s %s" % (KIND[kind], show(x))
        if key not in out:
            out[key] = Principal(key, key)
        return out[key]

    attached = set()
    for lid, t in tpl.types.items():
        if t in (ROLE, USER, GROUP):
            pr = tpl.props[lid]
            for pol in items(pr.get("Policies", [])):
                if isinstance(pol, dict):
                    add_doc(out[lid], tpl, pol.get("PolicyDocument"))
            for arn in items(pr.get("ManagedPolicyArns", [])):
                k, v = intrinsic(arn)
                if k == "Ref":
                    attached.add(v)
                add_managed(out[lid], tpl, arn)
    for lid, t in tpl.types.items():
        if t in ATTACH:
            doc = tpl.props[lid].get("PolicyDocument")
            for prop, kind in ATTACH[t]:
                for x in items(tpl.props[lid].get(prop, [])):
                    attached.add(lid)
                    add_doc(resolve(kind, x), tpl, doc)
            if t == MANAGED_POLICY and lid not in attached:
                out[lid] = Principal(lid, lid)
                add_doc(out[lid], tpl, doc)
    # Users have their groups' permissions.
    groups = {}
    for lid, t in tpl.types.items():
        if t == USER:
            for g in items(tpl.props[lid].get("Groups", [])):
                groups.setdefault(lid, []).append(g)
        elif t == "AWS::IAM::UserToGroupAddition":
            g = tpl.props[lid].get("GroupName")
            for u in items(tpl.props[lid].get("Users", [])):
                groups.setdefault(resolve(USER, u).key, []).append(g)
    for u, gs in groups.items():
        for g in gs:
            if g is not None:
                out[u].merge(resolve(GROUP, g))
    # SAM functions and state machines.
    for lid, t in tpl.types.items():
        if t not in SAM_TYPES:
            continue
        p = out[lid] = Principal(lid, lid)
        pr = tpl.props[lid]
        role = pr.get("Role")
        if role is not None:
            k, v = intrinsic(role)
            target = None
            if k == "Fn::GetAtt" and getatt(v) and getatt(v)[1] == "Arn":
                target = getatt(v)[0]
            elif k == "Ref":
                target = v
            if tpl.types.get(target) == ROLE:
                p.merge(out[target])
                p.boundary = out[target].boundary
            else:
                p.markers["role:" + canon(role)] = "everything role %s allows" % show(role)
            continue
        add_sam_policies(p, tpl, pr.get("Policies", []))
        b = pr.get("PermissionsBoundary")
        p.boundary = canon(b) if b is not None else None
    return out


# ---- the check ------------------------------------------------------------

def exempt(pair, pin, tin, tout):
    """Is an OUTPUT pair one of the allowed narrow grants?"""
    ids = refs_of(pair.r)
    if ids and all(i not in tin.res and i in tout.res for i in ids):
        return True
    if not isinstance(pair.a, str):
        return False
    a = pair.a.lower()

    def had(action, rt):
        return pin.covered(action_toks(action), rt, pair.c)
    if a == "s3:getobjectversion":
        return had("s3:GetObject", pair.rt)
    if a in ("s3:listbucket", "s3:getbucketlocation"):
        objs = pair.rt + ("/", "*")
        return had("s3:GetObject", objs) or had("s3:PutObject", objs)
    if a == "codecommit:canceluploadarchive":
        return had("codecommit:UploadArchive", pair.rt)
    if a == "codebuild:stopbuild":
        return had("codebuild:StartBuild", pair.rt)
    if a in ("xray:puttracesegments", "xray:puttelemetryrecords"):
        # Exception 4: a traced function writes its traces; these actions
        # accept only "*" and read nothing.
        return pair.r == "*" or canon(pair.r) == canon("*")
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
            if not pi.covered(pair.at, pair.rt, pair.c) and not exempt(pair, pi, tin, tout):
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
        r = subprocess.run([tool, "--only", "", "--to", "json", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            cache[path] = (r.stderr.strip().splitlines() or ["exit status %d" % r.returncode])[0]
        else:
            cache[path] = Template(path, json.loads(r.stdout))
    return cache[path]


def main(argv):
    ap = argparse.ArgumentParser(prog="never_broader.py",
                                 description="Check that hardened templates grant nothing new.")
    ap.add_argument("--cfn-harden", dest="tool")
    ap.add_argument("--pairs", help="a file of input<TAB>output[<TAB>report] lines")
    ap.add_argument("files", nargs="*", metavar="INPUT OUTPUT [REPORT.json]")
    args = ap.parse_args(argv)
    pairs = []
    if args.pairs:
        if args.files:
            ap.error("--pairs takes no other files")
        try:
            with open(args.pairs) as f:
                for line in f:
                    fields = line.rstrip("\n").split("\t")
                    if len(fields) >= 2 and fields[0]:
                        pairs.append(fields[:3])
        except OSError as e:
            ap.error("%s: %s" % (args.pairs, e.strerror))
    elif len(args.files) in (2, 3):
        pairs.append(args.files)
    else:
        ap.error("give INPUT OUTPUT [REPORT.json], or --pairs FILE")
    tool = args.tool or os.environ.get("CFN_HARDEN") or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "cfn-harden")
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

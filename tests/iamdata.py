# SPDX-License-Identifier: MIT
"""What AWS grants, as data, for never_broader.py: the statements of AWS
managed policies (MANAGED), the ones AWS retired or never had (RETIRED),
the common SAM policy templates (SAM_TEMPLATES) and the ARNs GetAtt gives
for common types (ARN_FORMS).

Kept apart from iamsem.py, which reads policies with these tables, because
this is facts copied from AWS's documentation, reviewed and extended on
their own; the code that uses them changes for other reasons.
"""


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


# ---- for never_narrower.py ------------------------------------------------
# Everything below is read only by never_narrower.py.

def _p(svc):
    return "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:" % svc


_DDB_FORMS = [(("table",), [_p("dynamodb") + "table/${@}"]),
              (("index",), [_p("dynamodb") + "table/${@}/index/*"]),
              (("stream",), [_p("dynamodb") + "table/${@}/stream/*"])]
_SFN_FORMS = [(("statemachine",), ["${@}", _p("states") + "stateMachine:${@.Name}"]),
              (("execution",), [_p("states") + "execution:${@.Name}:*"])]

# The ARNs of a template's resources, as IAM sees them: CloudFormation type
# -> (IAM service prefix, the property that names the resource, the text
# that name stands for in the forms, [(IAM resource types of Policies.json,
# [ARN forms])]). A form is Fn::Sub text where "${@}" is Ref X and
# "${@.A}" GetAtt X.A; the forms of one entry are the same ARN written
# differently (alternatives). GetAtt X.Arn is always an alternative of the
# first entry. With the name property set (a literal, a parameter, a Sub),
# the name in place of its placeholder gives one more alternative.
RESOURCE_ARNS = {
    "AWS::S3::Bucket": ("s3", "BucketName", "${@}", [
        (("bucket",), ["arn:${AWS::Partition}:s3:::${@}"]),
        (("object",), ["arn:${AWS::Partition}:s3:::${@}/*"])]),
    "AWS::DynamoDB::Table": ("dynamodb", "TableName", "${@}", _DDB_FORMS),
    "AWS::DynamoDB::GlobalTable": ("dynamodb", "TableName", "${@}", _DDB_FORMS),
    "AWS::Serverless::SimpleTable": ("dynamodb", "TableName", "${@}", _DDB_FORMS),
    "AWS::SQS::Queue": ("sqs", "QueueName", "${@.QueueName}", [
        (("queue",), [_p("sqs") + "${@.QueueName}"])]),
    "AWS::SNS::Topic": ("sns", "TopicName", "${@.TopicName}", [
        (("topic",), ["${@}", _p("sns") + "${@.TopicName}"])]),
    "AWS::Lambda::Function": ("lambda", "FunctionName", "${@}", [
        (("function",), [_p("lambda") + "function:${@}"])]),
    "AWS::Serverless::Function": ("lambda", "FunctionName", "${@}", [
        (("function",), [_p("lambda") + "function:${@}"])]),
    "AWS::ECR::Repository": ("ecr", "RepositoryName", "${@}", [
        (("repository",), [_p("ecr") + "repository/${@}"])]),
    "AWS::KMS::Key": ("kms", None, None, [(("key",), [_p("kms") + "key/${@}"])]),
    "AWS::Logs::LogGroup": ("logs", "LogGroupName", "${@}", [
        (("log-group",), [_p("logs") + "log-group:${@}", _p("logs") + "log-group:${@}:*"]),
        (("log-stream",), [_p("logs") + "log-group:${@}:log-stream:*"])]),
    "AWS::Kinesis::Stream": ("kinesis", "Name", "${@}", [
        (("stream",), [_p("kinesis") + "stream/${@}"])]),
    "AWS::StepFunctions::StateMachine": ("states", "StateMachineName", "${@.Name}", _SFN_FORMS),
    "AWS::Serverless::StateMachine": ("states", "Name", "${@.Name}", _SFN_FORMS),
    "AWS::CodeBuild::Project": ("codebuild", "Name", "${@}", [
        (("project",), [_p("codebuild") + "project/${@}"])]),
    "AWS::CodePipeline::Pipeline": ("codepipeline", "Name", "${@}", [
        (("pipeline",), [_p("codepipeline") + "${@}"]),
        (("stage", "action"), [_p("codepipeline") + "${@}/*"])]),
    "AWS::SecretsManager::Secret": ("secretsmanager", "Name", "${@.Name}", [
        (("secret",), ["${@}", _p("secretsmanager") + "secret:${@.Name}-*"])]),
    "AWS::SSM::Parameter": ("ssm", "Name", "${@}", [
        (("parameter",), [_p("ssm") + "parameter/${@}", _p("ssm") + "parameter${@}"])]),
    "AWS::ECS::Cluster": ("ecs", "ClusterName", "${@}", [
        (("cluster",), [_p("ecs") + "cluster/${@}"])]),
    "AWS::ECS::Service": ("ecs", "ServiceName", "${@.Name}", [
        (("service",), ["${@}", _p("ecs") + "service/*/${@.Name}"])]),
    "AWS::ECS::TaskDefinition": ("ecs", "Family", "${@.Family}", [
        (("task-definition",), ["${@}", _p("ecs") + "task-definition/${@.Family}:*"])]),
    "AWS::Events::Rule": ("events", "Name", "${@}", [
        (("rule-on-default-event-bus", "rule-on-custom-event-bus"), [_p("events") + "rule/${@}"])]),
    "AWS::Events::EventBus": ("events", "Name", "${@}", [
        (("event-bus",), [_p("events") + "event-bus/${@}"])]),
}

# Where a store names its customer-managed key: type -> property path; a
# "[]" step walks a list. The S3 entry is read only with SSEAlgorithm
# aws:kms or aws:kms:dsse beside it.
KEY_PROPS = {
    "AWS::SQS::Queue": ("KmsMasterKeyId",),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
    "AWS::S3::Bucket": ("BucketEncryption", "ServerSideEncryptionConfiguration", "[]",
                        "ServerSideEncryptionByDefault", "KMSMasterKeyID"),
    "AWS::DynamoDB::Table": ("SSESpecification", "KMSMasterKeyId"),
    "AWS::Kinesis::Stream": ("StreamEncryption", "KeyId"),
    "AWS::Logs::LogGroup": ("KmsKeyId",),
    "AWS::SecretsManager::Secret": ("KmsKeyId",),
}

# The data actions of a store whose callers need the store's key: type ->
# (reads, which need kms:Decrypt; writes, which need kms:Decrypt and
# kms:GenerateDataKey). CloudWatch Logs uses the key as its own service
# principal (logs.<region>.amazonaws.com): its callers need nothing.
DATA_ACTIONS = {
    "AWS::SQS::Queue": (["sqs:ReceiveMessage"], ["sqs:SendMessage"]),
    "AWS::SNS::Topic": ([], ["sns:Publish"]),
    "AWS::S3::Bucket": (["s3:GetObject", "s3:GetObjectVersion",
                         "s3:GetObjectVersionForReplication"], ["s3:PutObject"]),
    "AWS::DynamoDB::Table": (["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                              "dynamodb:Scan", "dynamodb:GetRecords"],
                             ["dynamodb:PutItem", "dynamodb:UpdateItem",
                              "dynamodb:BatchWriteItem"]),
    "AWS::Kinesis::Stream": (["kinesis:GetRecords", "kinesis:SubscribeToShard"],
                             ["kinesis:PutRecord", "kinesis:PutRecords"]),
    "AWS::SecretsManager::Secret": (["secretsmanager:GetSecretValue"],
                                    ["secretsmanager:PutSecretValue"]),
}

# The property that gives a store a fixed physical name (one that clients
# outside the template may know).
NAME_PROPS = {t: v[1] for t, v in RESOURCE_ARNS.items() if v[1]}

_POLICIES_JSON = None


def iam_actions():
    """cfn-lint's IAM data (cfnlint/data/AdditionalSpecs/Policies.json):
    {service prefix: {"Actions": {lowercase action: {"Resources": [resource
    type]}}, "Resources": {type: {"ARNFormats": [regex]}}}}, or {} without
    cfn-lint."""
    global _POLICIES_JSON
    if _POLICIES_JSON is None:
        import importlib.util
        import json
        import os
        try:
            # Found, not imported: importing cfnlint takes a second or two.
            spec = importlib.util.find_spec("cfnlint")
            path = os.path.join(list(spec.submodule_search_locations)[0],
                                "data", "AdditionalSpecs", "Policies.json")
            with open(path) as f:
                _POLICIES_JSON = json.load(f)
        except (AttributeError, ImportError, IndexError, TypeError, OSError, ValueError):
            _POLICIES_JSON = {}
    return _POLICIES_JSON

# Actions that take no resource (they work only on "*") and that a
# template's workloads call at run time: a docker login, a state machine's
# or API's log delivery, traces, metrics, task tokens, pipeline job
# results, VPC networking of functions, rotation passwords. A whole-service
# wildcard on "*" (ecr:*) is taken to use these of its star-only actions,
# not its account administration (ecr:PutRegistryPolicy, ...); a narrower
# pattern (logs:*Delivery*, s3:List*) or a named action uses all it names.
STAR_ONLY_USED = {a.lower() for a in [
    "ecr:GetAuthorizationToken",
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
    "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
    "cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
    "sqs:ListQueues", "sns:ListTopics", "s3:ListAllMyBuckets",
    "secretsmanager:GetRandomPassword", "ssm:DescribeParameters",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat",
    "codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult",
    "codepipeline:AcknowledgeJob", "codepipeline:GetJobDetails",
    "dynamodb:ListStreams", "kinesis:ListStreams", "sts:GetCallerIdentity",
    "ecs:DiscoverPollEndpoint"]}

# The part of STAR_ONLY_USED that a service integration calls whatever the
# code does, and the principals that call it: a first draft's wildcard or
# AWS managed policy that granted one to such a principal still must under
# --mode new-stack. The rest are look-ups (ListAllMyBuckets, DescribeSubnets)
# that a draft's guessed grants may drop. A principal is the type of a
# resource that runs as the role (None: any).
_COMPUTE = ("AWS::Lambda::Function", "AWS::Serverless::Function",
            "AWS::ECS::TaskDefinition", "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration",
            "AWS::CodeBuild::Project", "AWS::Batch::JobDefinition",
            "AWS::IAM::InstanceProfile")
# "TYPE/logging": a resource of TYPE that configures logging (Step Functions'
# LoggingConfiguration, SAM's Logging), which the service delivers through
# the role.
_MACHINES = ("AWS::StepFunctions::StateMachine/logging", "AWS::Serverless::StateMachine/logging",
             "AWS::ApiGateway::Account")
_FUNCTIONS = ("AWS::Lambda::Function", "AWS::Serverless::Function")
STAR_ONLY_INTEGRATION = {
    "ecr:getauthorizationtoken": None,              # docker login
    "xray:puttracesegments": None, "xray:puttelemetryrecords": None,
    "cloudwatch:putmetricdata": _COMPUTE,
    "states:sendtasksuccess": _COMPUTE, "states:sendtaskfailure": _COMPUTE,
    "states:sendtaskheartbeat": _COMPUTE,           # task tokens
    "codepipeline:putjobsuccessresult": _FUNCTIONS,
    "codepipeline:putjobfailureresult": _FUNCTIONS,  # Lambda invoke actions
}
for _a in ("CreateLogDelivery", "GetLogDelivery", "UpdateLogDelivery", "DeleteLogDelivery",
           "ListLogDeliveries", "PutResourcePolicy", "DescribeResourcePolicies",
           "DescribeLogGroups"):
    STAR_ONLY_INTEGRATION["logs:" + _a.lower()] = _MACHINES   # vended log delivery
assert set(STAR_ONLY_INTEGRATION) <= STAR_ONLY_USED


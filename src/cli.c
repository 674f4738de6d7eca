/* SPDX-License-Identifier: MIT */
/*
 * The informational commands: --list-passes, --explain, --list-settings.
 * The work itself (cfh_cli_run) is in src/run.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "options.h"

/*
 * The fixes of docs/fixes.md, for --explain: the binary reads no docs at
 * run time. The table between the BEGIN and END lines is written from
 * that file by tests/check-catalogue.sh (make fixes-table), and make
 * catalogue fails while the two differ: edit docs/fixes.md, not the table.
 */
struct fix {
	const char *id;		/* "S004-01" */
	const char *kind;	/* "yes", "advisory" or "out" */
	const char *passes;	/* pass ids, space-separated; "" for none */
	const char *text;
};

/* BEGIN fixes table: written from docs/fixes.md by make fixes-table */
static const struct fix fixes[] = {
	{ "S000-01", "yes", "s3",
	  "A pipeline's artifact bucket keeps versions, and lifecycle "
	  "rules delete old artifacts and old versions instead of keeping "
	  "them forever" },
	{ "S000-02", "yes", "pipeline-trigger",
	  "A pipeline with a CodeCommit source starts on a push to its "
	  "branch, through an EventBridge rule whose role may start that "
	  "pipeline and nothing else" },
	{ "S000-03", "yes", "iam",
	  "Build roles lose AWSCodeBuildDeveloperAccess; their log "
	  "permissions name the project's own log group; the actions a "
	  "build needs and the draft forgot (s3:GetObjectVersion, "
	  "s3:ListBucket, codecommit:CancelUploadArchive, "
	  "codebuild:StopBuild) are granted on the resources it uses" },
	{ "S000-04", "yes", "deploy-stage",
	  "A pipeline that builds also deploys what it built: a Deploy "
	  "stage follows the last stage" },
	{ "S000-05", "yes", "alarms",
	  "A rule on pipeline execution changes notifies on FAILED and "
	  "SUCCEEDED only, not on every state change" },
	{ "S000-06", "yes", "build",
	  "CodeBuild projects time out (TimeoutInMinutes, "
	  "QueuedTimeoutInMinutes) instead of running or queuing for "
	  "hours" },
	{ "S000-07", "yes", "build",
	  "CodeBuild projects see the region and the environment they "
	  "build for (AWS_DEFAULT_REGION, ENVIRONMENT_SUFFIX)" },
	{ "S000-08", "out", "",
	  "The buildspec's build commands and artifact names" },
	{ "S000-09", "yes", "deploy-stage",
	  "Every pipeline action has an explicit RunOrder" },
	{ "S000-10", "yes", "outputs",
	  "The stack outputs the ARNs of its repository, build project, "
	  "bucket and log group and the name of its topic, for other "
	  "stacks and for operators" },
	{ "S000-11", "advisory", "pipeline-trigger",
	  "A source repository the stack creates is empty, and the "
	  "pipeline's first run fails at Source until something is pushed" },
	{ "S000-12", "yes", "alarms",
	  "The alarm topic reaches a person: an e-mail subscription when "
	  "an address is given" },
	{ "S001-01", "advisory", "pipeline-trigger",
	  "New AWS accounts cannot create CodeCommit repositories: a "
	  "pipeline whose source is one may need an S3 or connection "
	  "source instead" },
	{ "S001-02", "yes", "iam",
	  "Managed policies AWS retired or never had "
	  "(AWSCodePipelineFullAccess, AWSCodePipelineServiceRole) make "
	  "the deployment fail; scoped inline statements replace them" },
	{ "S001-03", "yes", "naming",
	  "Every resource with an explicit name carries the environment "
	  "in it, so that two environments in one account do not collide" },
	{ "S001-04", "out", "",
	  "Making an ECS service's first deployment stabilise (a simpler "
	  "first deploy)" },
	{ "S001-05", "advisory", "pipeline-trigger",
	  "A GitHub version 1 source (OAuth token, webhook) moves to a "
	  "CodeStar connection" },
	{ "S001-06", "yes", "encryption",
	  "Buckets, topics and log groups are encrypted with a "
	  "customer-managed KMS key" },
	{ "S001-07", "yes", "iam",
	  "Roles grant the least privilege their principals need: actions "
	  "and ARNs of the template's own resources instead of wildcards" },
	{ "S001-08", "advisory", "deploy-stage",
	  "A pipeline that builds and deploys scans what it built before "
	  "it deploys it" },
	{ "S001-09", "yes", "build",
	  "CodeBuild projects keep a cache between builds" },
	{ "S001-10", "yes", "alarms",
	  "Failed pipeline executions raise an alarm: an EventBridge rule "
	  "to the alarm topic" },
	{ "S001-11", "yes", "tags",
	  "Every resource that takes tags has them" },
	{ "S001-12", "yes", "stateful",
	  "Resources that hold data say what happens to it when the stack "
	  "deletes or replaces them (DeletionPolicy, UpdateReplacePolicy)" },
	{ "S002-01", "yes", "secrets",
	  "Credentials are generated where they are used "
	  "(ManageMasterUserPassword, or a Secrets Manager secret that "
	  "generates the value, read through a dynamic reference), never "
	  "taken from parameters, literals or secrets that may not exist" },
	{ "S002-02", "yes", "naming",
	  "Names are unique per environment: the environment suffix is "
	  "part of every explicit name" },
	{ "S002-03", "yes", "graph",
	  "Every output passes cfn-lint (tests/lint-outputs.sh checks all "
	  "of them); a reference to a name the template does not define, "
	  "which stops the deployment, is reported" },
	{ "S002-04", "yes", "portability",
	  "The template deploys in any region and account: zones come "
	  "from Fn::GetAZs, not literals or mappings that list some "
	  "regions only, and ARNs of the stack's own region and account "
	  "are built from pseudo parameters" },
	{ "S002-05", "advisory", "stateful",
	  "A database engine version pinned to a minor version the region "
	  "may not offer" },
	{ "S002-06", "out", "",
	  "Integration tests run against the deployed stack" },
	{ "S002-07", "out", "",
	  "The project's metadata file" },
	{ "S002-08", "yes", "encryption",
	  "ElastiCache encryption in transit needs an AUTH token: one "
	  "generated by Secrets Manager" },
	{ "S002-09", "yes", "iam",
	  "IAM roles have no explicit RoleName, which collides across "
	  "stacks and regions; a Name tag identifies them" },
	{ "S002-10", "advisory", "graph",
	  "A security group that nothing uses" },
	{ "S002-11", "yes", "naming",
	  "Subnet group names carry the environment suffix" },
	{ "S002-12", "yes", "tags",
	  "A Name tag on every taggable resource, Elastic IPs included" },
	{ "S003-01", "yes", "iam",
	  "PowerUserAccess becomes the actions the role's principals use, "
	  "on the template's own resources" },
	{ "S003-02", "advisory", "portability",
	  "One NAT gateway serves the private subnets of several zones: "
	  "when its zone fails, the others lose their way out" },
	{ "S003-03", "advisory", "ecs",
	  "An ECS service deployed blue/green by CodeDeploy needs a "
	  "second target group, a test listener and a deployment group "
	  "that names them" },
	{ "S003-04", "yes", "ecs",
	  "The image repository a build pushes to exists in the template, "
	  "scans images on push and expires old ones" },
	{ "S003-05", "yes", "stateful",
	  "In test environments, buckets, secrets and topics go away with "
	  "the stack (the dev profile)" },
	{ "S003-06", "yes", "encryption",
	  "The build cache bucket is encrypted" },
	{ "S003-07", "out", "",
	  "A CodeBuild compute type sized to the build" },
	{ "S003-08", "yes", "deploy-stage",
	  "A manual approval says what is being approved (CustomData) and "
	  "notifies a topic" },
	{ "S003-09", "yes", "portability",
	  "A hardcoded ARN of another account or region, such as a "
	  "CodeStar connection's, becomes a parameter whose default is "
	  "the old value" },
	{ "S003-10", "yes", "ecs",
	  "Target group health checks have a timeout and healthy and "
	  "unhealthy thresholds" },
	{ "S003-11", "advisory", "naming",
	  "A container's environment takes the environment from the "
	  "parameter, not from a literal" },
	{ "S003-12", "yes", "alarms",
	  "A dashboard of the stack's failure and duration metrics" },
	{ "S003-13", "yes", "ecs",
	  "ECS services scale on CPU and memory (target tracking)" },
	{ "S003-14", "yes", "ecs",
	  "ECS clusters have Container Insights on" },
	{ "S003-15", "yes", "ecs",
	  "ECS tasks have a task execution role" },
	{ "S003-16", "yes", "alarms",
	  "A CloudWatch alarm on failed pipeline executions" },
	{ "S003-17", "yes", "ecs logs",
	  "Containers are debuggable and deploy safely: a log group with "
	  "a retention, a deployment circuit breaker that rolls back, ECS "
	  "Exec and container health checks" },
	{ "S004-01", "yes", "encryption",
	  "One customer-managed KMS key, rotated, with an alias and a key "
	  "policy that admits the services that use it, encrypts the "
	  "buckets, tables, queues, topics and log groups" },
	{ "S004-02", "yes", "iam",
	  "Managed *FullAccess policies become inline statements scoped "
	  "to the resources the role's principals use" },
	{ "S004-03", "yes", "dlq",
	  "Asynchronous consumers (queues, functions invoked "
	  "asynchronously) get a dead-letter queue and bounded retries; "
	  "reserved concurrency needs a number only the owner knows and "
	  "is not set" },
	{ "S004-04", "yes", "graph",
	  "The dependency cycle between a bucket's notifications, the "
	  "function's permission and its role is broken" },
	{ "S004-05", "yes", "alarms",
	  "Alarms on Lambda errors and throttles and on dead-letter queue "
	  "depth, notifying one alarm topic, and a dashboard" },
	{ "S004-06", "yes", "s3",
	  "Buckets: the account ID in explicit names, versioning, "
	  "lifecycle rules, access logging, a public access block and "
	  "TLS-only access" },
	{ "S004-07", "out", "",
	  "A MediaConvert state-change rule and a function that records "
	  "job status" },
	{ "S004-08", "yes", "stateful",
	  "DynamoDB tables get point-in-time recovery; indexes and TTL "
	  "depend on the data model and are left alone" },
	{ "S004-09", "yes", "lambda logs",
	  "Functions are traced with X-Ray and write to a log group of "
	  "the stack's with a retention; reserved concurrency is left to "
	  "the owner" },
	{ "S004-10", "yes", "alarms",
	  "Failures are sent to a separate topic of their own, encrypted" },
	{ "S004-11", "yes", "graph",
	  "An S3 event notification is wired where the function already "
	  "lets S3 invoke it but no bucket sends the events" },
	{ "S004-12", "out", "",
	  "The functions' code" },
	{ "S004-13", "yes", "tags",
	  "A tagging strategy: Name, Environment and Project on every "
	  "taggable resource" },
	{ "S004-14", "yes", "s3",
	  "The access logging bucket expires old logs" },
	{ "S004-15", "yes", "parameters",
	  "The environment parameter is validated (AllowedPattern, "
	  "ConstraintDescription)" },
	{ "S004-16", "yes", "outputs",
	  "The stack outputs every key resource" },
	{ "S004-17", "advisory", "dlq",
	  "A queue between a bucket and the function it invokes buffers "
	  "bursts and keeps what fails" },
	{ "S004-18", "yes", "alarms",
	  "A CloudWatch dashboard" },
	{ "C001-01", "yes", "ec2",
	  "Instances, launch templates and launch configurations have "
	  "detailed monitoring (CT.EC2.PR.13, CT.EC2.PR.10, "
	  "AwsSolutions-EC28)" },
	{ "C001-02", "yes", "ec2",
	  "Instances and launch templates require IMDSv2 session tokens, "
	  "with a second hop where containers run on the host "
	  "(CT.EC2.PR.1, CT.AUTOSCALING.PR.2, "
	  "NIST.800.53.R5-EC2IMDSv2Enabled)" },
	{ "C001-03", "yes", "ec2",
	  "EBS volumes in block device mappings are encrypted "
	  "(CT.EC2.PR.7, CT.EC2.PR.14, CT.AUTOSCALING.PR.9, "
	  "AwsSolutions-EC26)" },
	{ "C001-04", "advisory", "ec2",
	  "A launch template or launch configuration change that would "
	  "replace running instances is reported, not made" },
	{ "C002-01", "yes", "elb",
	  "Load balancers (ALB, NLB, classic) write access logs into one "
	  "SSE-S3 log bucket whose policy lets ELB write them (cdk-nag "
	  "ELB2, NIST ELBLoggingEnabled, Control Tower "
	  "CT.ELASTICLOADBALANCING.PR.6 and PR.10)" },
	{ "C002-02", "yes", "elb",
	  "Classic load balancers drain connections for 300 s before an "
	  "instance leaves (cdk-nag ELB3, Control Tower "
	  "CT.ELASTICLOADBALANCING.PR.11)" },
	{ "C002-03", "yes", "elb",
	  "Classic load balancers balance across zones; a running one "
	  "gets an advisory (cdk-nag ELB4, NIST "
	  "ELBCrossZoneLoadBalancingEnabled, Control Tower "
	  "CT.ELASTICLOADBALANCING.PR.13)" },
	{ "C002-04", "yes", "elb",
	  "Application Load Balancers drop invalid header fields; a "
	  "running one gets an advisory (Control Tower "
	  "CT.ELASTICLOADBALANCING.PR.4)" },
	{ "C002-05", "advisory", "elb",
	  "Deletion protection of load balancers is the owner's decision: "
	  "a balancer keeps no data, and protection blocks stack deletion "
	  "and replacing updates (Control Tower "
	  "CT.ELASTICLOADBALANCING.PR.5, NIST "
	  "ELBDeletionProtectionEnabled)" },
	{ "C003-01", "yes", "vpc",
	  "Every VPC records all its traffic in a flow log, into a log "
	  "group of the stack's with a retention, through a role only VPC "
	  "Flow Logs of the account may assume, which may write to that "
	  "group alone (cdk-nag AwsSolutions-VPC7, "
	  "NIST.800.53.R5-VPCFlowLogsEnabled)" },
	{ "C004-01", "yes", "rds",
	  "RDS instances and Aurora clusters of a known engine let IAM "
	  "users and roles sign in with tokens; on a running database, an "
	  "advisory (cdk-nag AwsSolutions-RDS6, Control Tower CT.RDS.PR.4 "
	  "and CT.RDS.PR.7)" },
	{ "C004-02", "yes", "rds",
	  "RDS instances and Aurora clusters of a known engine export "
	  "every log type of the engine to CloudWatch Logs; on a running "
	  "database, an advisory; the log groups RDS makes have no "
	  "retention, which an advisory says (cdk-nag "
	  "NIST.800.53.R5-RDSLoggingEnabled, Control Tower CT.RDS.PR.14 "
	  "and CT.RDS.PR.25)" },
	{ "C004-03", "yes", "rds",
	  "RDS instances and clusters copy their tags to snapshots "
	  "(Control Tower CT.RDS.PR.9 and CT.RDS.PR.10)" },
	{ "C004-04", "advisory", "rds",
	  "Minor version upgrades switched off are reported: turning them "
	  "on restarts the database in its maintenance window (Control "
	  "Tower CT.RDS.PR.5)" },
	{ "C004-05", "advisory", "rds",
	  "Enhanced monitoring is reported: it needs an interval the "
	  "owner pays for and a role with the AWS managed policy "
	  "AmazonRDSEnhancedMonitoringRole (Control Tower CT.RDS.PR.2)" },
	{ "C004-06", "advisory", "rds",
	  "A publicly accessible database is reported: making it private "
	  "cuts off the clients that reach it now (Control Tower "
	  "CT.RDS.PR.23)" },
	{ "C005-01", "yes", "apigw",
	  "REST API stages (a Stage, the stage a Deployment makes, a SAM "
	  "Api) trace requests with X-Ray (guard CT.APIGATEWAY.PR.2, "
	  "cdk-nag NIST.800.53.R5-APIGWXrayEnabled)" },
	{ "C005-02", "yes", "apigw",
	  "API stages write access logs to a log group of the stack's "
	  "with a retention; REST and WebSocket stages only where the "
	  "template sets the account's CloudWatch Logs role, HTTP APIs "
	  "always (cdk-nag AwsSolutions-APIG1, guard CT.APIGATEWAY.PR.4)" },
	{ "C005-03", "yes", "apigw",
	  "REST API stages log execution errors for all methods, without "
	  "request and response bodies, where the template sets the "
	  "account's CloudWatch Logs role (guard CT.APIGATEWAY.PR.1, "
	  "cdk-nag AwsSolutions-APIG6, "
	  "NIST.800.53.R5-APIGWExecutionLoggingEnabled)" },
	{ "C006-01", "yes", "stepfunctions",
	  "State machines trace executions with X-Ray, and their role may "
	  "write traces (guard CT.STEPFUNCTIONS.PR.2, cdk-nag "
	  "AwsSolutions-SF2)" },
	{ "C006-02", "yes", "stepfunctions",
	  "State machines log their execution history, without execution "
	  "data, to a log group of the stack's with a retention, and "
	  "their role may deliver the logs (guard CT.STEPFUNCTIONS.PR.1, "
	  "cdk-nag AwsSolutions-SF1)" },
	{ "C007-01", "advisory", "lambda",
	  "Functions without reserved concurrency are named, for the "
	  "owner to set a limit above each one's peak (cdk-nag "
	  "NIST.800.53.R5-LambdaConcurrency, checkov CKV_AWS_115)" },
	{ "C008-01", "yes", "cloudfront",
	  "CloudFront distributions write standard logs, without cookies, "
	  "under cloudfront/<LogicalId>/ into one log bucket with ACLs on "
	  "(BucketOwnerPreferred: CloudFront writes through the ACL) and "
	  "SSE-S3, a fit one of the template or a new one (cdk-nag "
	  "AwsSolutions-CFR3, Control Tower CT.CLOUDFRONT.PR.5)" },
	{ "C008-02", "advisory", "cloudfront",
	  "A distribution whose DistributionConfig is decided at deploy "
	  "time is reported, with the Logging to add by hand" },
	{ "C009-01", "yes", "elasticache",
	  "Valkey and Redis OSS caches keep a daily automatic backup "
	  "(SnapshotRetentionLimit, 15 days); a running cache, or backups "
	  "switched off by the owner, get an advisory (Control Tower "
	  "CT.ELASTICACHE.PR.1, cdk-nag "
	  "NIST.800.53.R5-ElastiCacheRedisClusterAutomaticBackup)" },
	{ "C009-02", "yes", "elasticache",
	  "Valkey and Redis OSS 6.0+ caches take minor version upgrades "
	  "in their maintenance window; a running cache, or upgrades "
	  "switched off by the owner, get an advisory (Control Tower "
	  "CT.ELASTICACHE.PR.2)" },
	{ "C009-03", "yes", "elasticache",
	  "Replication groups with a replica in every shard fail over "
	  "automatically to another zone; a running group, or one without "
	  "a replica (adding one is a cost), gets an advisory (Control "
	  "Tower CT.ELASTICACHE.PR.3, cdk-nag AwsSolutions-AEC4)" },
	{ "C009-04", "advisory", "elasticache",
	  "A cache outside a subnet group runs in the default VPC: "
	  "reported, since setting CacheSubnetGroupName replaces the "
	  "cache (Control Tower CT.ELASTICACHE.PR.6, cdk-nag "
	  "AwsSolutions-AEC1)" },
};
/* END fixes table */

int cfh_cli_list_passes(void)
{
	size_t i;

	printf("# id\tseverity\tgroup\tfixes\ttitle\n");
	for (i = 0; i < cfh_pass_count(); i++) {
		const struct cfh_pass *p = cfh_pass_at(i);

		printf("%s\t%s\t%s\t%s\t%s\n", p->id,
		       cfh_severity_name(p->severity), p->group, p->fixes,
		       p->title);
	}
	return CFH_EXIT_OK;
}

static void print_setting(const struct cfh_option *o)
{
	printf("%s.%s (default %s", o->pass, o->key, o->def);
	if (o->type == CFH_OPT_INT)
		printf("; %lld to %lld", o->min, o->max);
	else if (o->type == CFH_OPT_ENUM)
		printf("; %s", o->choices);
	printf(")\n    %s\n", o->doc);
}

static void explain_pass(const struct cfh_pass *p)
{
	size_t i, n = 0;

	printf("%s: %s\n\nseverity: %s\nfixes: %s\nsatisfies: %s\n\n%s\n\n%s\n",
	       p->id, p->title, cfh_severity_name(p->severity), p->fixes,
	       p->checks, p->rationale, p->example);
	for (i = 0; i < cfh_option_count(); i++) {
		const struct cfh_option *o = cfh_option_at(i);

		if (strcmp(o->pass, p->id))
			continue;
		if (!n++)
			printf("\nsettings:\n");
		print_setting(o);
	}
}

int cfh_cli_list_settings(void)
{
	size_t i;

	for (i = 0; i < cfh_option_count(); i++)
		print_setting(cfh_option_at(i));
	return CFH_EXIT_OK;
}

static const char *kind_words(const char *kind)
{
	if (!strcmp(kind, "yes"))
		return "yes (the pass makes the change)";
	if (!strcmp(kind, "advisory"))
		return "advisory (the pass reports it and changes nothing: the "
		       "fix needs a decision only the owner can make)";
	return "out (not a change to a template: no pass makes it)";
}

/*
 * The next word of the space-separated @*list into @buf (of @size bytes),
 * advancing @*list past it. Returns false at the end of the list; a word
 * too long for @buf is skipped.
 */
static bool next_word(const char **list, char *buf, size_t size)
{
	while (**list) {
		size_t len = strcspn(*list, " ");
		const char *w = *list;

		*list += len;
		*list += strspn(*list, " ");
		if (len && len < size) {
			memcpy(buf, w, len);
			buf[len] = '\0';
			return true;
		}
	}
	return false;
}

/* A fix of docs/fixes.md, then the passes that make it, explained. */
static void explain_fix(const struct fix *f)
{
	const char *list = f->passes, *sep = " ";
	const struct cfh_pass *pass;
	char id[64];

	printf("%s: %s\ntemplate: %s\npass:", f->id, f->text,
	       kind_words(f->kind));
	while (next_word(&list, id, sizeof(id))) {
		printf("%s%s", sep, id);
		sep = ", ";
	}
	printf("%s\n", *f->passes ? "" : " none");
	list = f->passes;
	while (next_word(&list, id, sizeof(id))) {
		pass = cfh_pass_find(id);
		if (pass) {
			printf("\n");
			explain_pass(pass);
		}
	}
}

/*
 * True if @check ("tool:ID", an entry of a pass's checks) is @id: the
 * whole entry, or its ID alone (CKV_AWS_19, AwsSolutions-SQS2, W11), in
 * any case.
 */
static bool check_is(const char *check, const char *id)
{
	const char *colon = strchr(check, ':');

	return !strcasecmp(check, id) || (colon && !strcasecmp(colon + 1, id));
}

/* True if a pass before the @n-th lists the check @word. */
static bool listed_before(const char *word, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cfh_word_in(cfh_pass_at(i)->checks, word))
			return true;
	return false;
}

/*
 * "tool:ID: satisfied by a, b": the passes from the @from-th on that list
 * the check @word, marked in @seen.
 */
static void print_check(const char *word, size_t from, bool *seen)
{
	const char *sep = " ";
	size_t i;

	printf("%s: satisfied by", word);
	for (i = from; i < cfh_pass_count() && i < CFH_MAX_PASSES; i++) {
		if (!cfh_word_in(cfh_pass_at(i)->checks, word))
			continue;
		printf("%s%s", sep, cfh_pass_at(i)->id);
		seen[i] = true;
		sep = ", ";
	}
	printf("\n");
}

/*
 * The checks of other tools that @id names, each once with the passes
 * that satisfy it, then those passes explained once each, in run order.
 * Returns the number of passes explained.
 */
static size_t explain_check(const char *id)
{
	bool seen[CFH_MAX_PASSES] = { false };
	size_t i, n = cfh_pass_count(), found = 0;
	char word[128];

	for (i = 0; i < n && i < CFH_MAX_PASSES; i++) {
		const char *list = cfh_pass_at(i)->checks;

		while (list && next_word(&list, word, sizeof(word)))
			if (check_is(word, id) && !listed_before(word, i))
				print_check(word, i, seen);
	}
	for (i = 0; i < n && i < CFH_MAX_PASSES; i++) {
		if (!seen[i])
			continue;
		printf("\n");
		explain_pass(cfh_pass_at(i));
		found++;
	}
	return found;
}

/*
 * --explain ID: a pass id (iam), a fix of docs/fixes.md (S004-01), or a
 * check of another tool that a pass satisfies, with or without its tool
 * (CKV_AWS_19, checkov:CKV_AWS_19, AwsSolutions-SQS2, W11). Anything else
 * is a usage error.
 */
int cfh_cli_explain(const char *id)
{
	const struct cfh_pass *p = cfh_pass_find(id);
	size_t i;

	if (p) {
		explain_pass(p);
		return CFH_EXIT_OK;
	}
	for (i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++) {
		if (!strcasecmp(fixes[i].id, id)) {
			explain_fix(&fixes[i]);
			return CFH_EXIT_OK;
		}
	}
	if (*id && explain_check(id))
		return CFH_EXIT_OK;
	fprintf(stderr, "cfn-harden: error: '%s' is not a pass, a fix ID or a "
			"check of another tool that a pass satisfies (see "
			"--list-passes)\n", id);
	return CFH_EXIT_USAGE;
}

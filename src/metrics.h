/* SPDX-License-Identifier: MIT */
/*
 * The CloudWatch metrics the alarms pass watches, as one table: for each
 * resource type (and variant: Aurora or not, an HTTP or a WebSocket API,
 * behind an Application or a Network Load Balancer), the namespace, the
 * metric, the dimensions the service publishes it with and how each is
 * filled from the template, the statistic that means something for it,
 * and whether it gets an alarm, a line on the dashboard, or both.
 *
 * An alarm on a metric and dimension set the service does not publish
 * never fires: with missing data as not breaching it stays OK forever.
 * So every row cites, in the comment above it, the service's page that
 * lists the metric with exactly these dimensions (AWS documentation
 * titles), and nothing else in the pass names a metric.
 * tests/check-alarms.py checks every alarm and dashboard line the tool
 * adds against a table of its own, written from the same pages.
 *
 * Included by transforms/alarms.c only: the table is its data, kept
 * apart so that it reads as a table. Ownership: everything here is
 * static and read-only.
 */
#ifndef CFH_METRICS_H
#define CFH_METRICS_H

/* Which resources of a type a row is for: what decides whether the
 * service publishes the metric for that resource. */
enum cfh_metric_variant {
	CFH_MV_ANY,
	CFH_MV_AURORA,		/* an RDS instance of an Aurora cluster */
	CFH_MV_NOT_AURORA,	/* any other RDS instance */
	CFH_MV_HTTP,		/* an API Gateway v2 API, ProtocolType HTTP */
	CFH_MV_WEBSOCKET,	/* ... ProtocolType WEBSOCKET */
	CFH_MV_ALB,		/* a load balancer, or the target group of
				 * one, of Type application */
	CFH_MV_NLB,		/* ... of Type network */
};

/* How the value of a dimension is filled, for resource X. */
enum cfh_metric_fill {
	CFH_FILL_NONE,		/* no such dimension */
	CFH_FILL_REF,		/* !Ref X */
	CFH_FILL_GETATT,	/* !GetAtt X.<attr> */
	CFH_FILL_NAME,		/* X's Name property, a literal */
	CFH_FILL_CLUSTER,	/* the name of the ECS cluster X runs in */
	CFH_FILL_BALANCER,	/* !GetAtt LB.LoadBalancerFullName of the load
				 * balancer whose listener forwards to X */
};

struct cfh_metric_dim {
	const char *name;
	enum cfh_metric_fill fill;
	const char *attr;	/* CFH_FILL_GETATT: the attribute */
};

/* Alarm only on dead-letter queues, or only on other queues. */
enum cfh_metric_dlq {
	CFH_DLQ_ANY,
	CFH_DLQ_ONLY,
	CFH_DLQ_NEVER,
};

struct cfh_metric {
	const char *type;
	enum cfh_metric_variant variant;
	const char *ns, *name;
	struct cfh_metric_dim dims[2];
	const char *stat;
	/* An alarm, when @alarm is set: the alarm's description, "@"
	 * standing for the threshold in the setting's unit. */
	const char *alarm;
	const char *op;
	double threshold;
	const char *setting;	/* options.def key of the threshold, or NULL */
	double scale;		/* threshold = setting * scale */
	enum cfh_metric_dlq dlq;
	const char *word;	/* the alarm is <resource><word>Alarm; NULL:
				 * the metric's name */
	/* A line on the dashboard, when @widget is set: the title of the
	 * resource's widget. */
	const char *widget;
};

#define CFH_DIM(n, f) { (n), (f), NULL }
#define CFH_DIM_ATT(n, a) { (n), CFH_FILL_GETATT, (a) }

/*
 * In the order alarms are added to a resource and lines drawn in its
 * widget. Thresholds of 0 with GreaterThanThreshold alarm on the first
 * failure in a period.
 */
static const struct cfh_metric cfh_metrics[] = {
	/* "Types of metrics for Lambda functions": invocation metrics are
	 * counted with Sum; published per FunctionName. */
	{ .type = "AWS::Lambda::Function", .ns = "AWS/Lambda",
	  .name = "Invocations", .dims = { CFH_DIM("FunctionName", CFH_FILL_REF) },
	  .stat = "Sum", .widget = "Function" },
	/* "Types of metrics for Lambda functions" (invocation metrics). */
	{ .type = "AWS::Lambda::Function", .ns = "AWS/Lambda",
	  .name = "Errors", .dims = { CFH_DIM("FunctionName", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "the function fails",
	  .op = "GreaterThanThreshold", .widget = "Function" },
	/* "Types of metrics for Lambda functions" (invocation metrics). */
	{ .type = "AWS::Lambda::Function", .ns = "AWS/Lambda",
	  .name = "Throttles", .dims = { CFH_DIM("FunctionName", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "invocations of the function are throttled",
	  .op = "GreaterThanThreshold" },
	/* "Types of metrics for Lambda functions" (performance metrics):
	 * Duration is a time per invocation; a sum of times says nothing,
	 * the 99th percentile says how slow the slow ones are. */
	{ .type = "AWS::Lambda::Function", .ns = "AWS/Lambda",
	  .name = "Duration", .dims = { CFH_DIM("FunctionName", CFH_FILL_REF) },
	  .stat = "p99", .widget = "Function" },

	/* "Available CloudWatch metrics for Amazon SQS": published per
	 * QueueName (the name, not the URL !Ref gives); a gauge, so the
	 * Maximum of the period. */
	{ .type = "AWS::SQS::Queue", .ns = "AWS/SQS",
	  .name = "ApproximateNumberOfMessagesVisible",
	  .dims = { CFH_DIM_ATT("QueueName", "QueueName") },
	  .stat = "Maximum",
	  .alarm = "failed messages wait in the dead-letter queue",
	  .op = "GreaterThanThreshold", .dlq = CFH_DLQ_ONLY, .word = "Depth",
	  .widget = "Queue" },
	/* "Available CloudWatch metrics for Amazon SQS": an age, so the
	 * Maximum. */
	{ .type = "AWS::SQS::Queue", .ns = "AWS/SQS",
	  .name = "ApproximateAgeOfOldestMessage",
	  .dims = { CFH_DIM_ATT("QueueName", "QueueName") },
	  .stat = "Maximum",
	  .alarm = "messages wait more than @ seconds: consumers are behind or down",
	  .op = "GreaterThanThreshold", .setting = "queue-age-seconds",
	  .scale = 1, .dlq = CFH_DLQ_NEVER, .word = "Age", .widget = "Queue" },

	/* "CodeBuild CloudWatch metrics" and "CodeBuild CloudWatch
	 * dimensions": per ProjectName; build counts with Sum. */
	{ .type = "AWS::CodeBuild::Project", .ns = "AWS/CodeBuild",
	  .name = "SucceededBuilds", .dims = { CFH_DIM("ProjectName", CFH_FILL_REF) },
	  .stat = "Sum", .widget = "Build" },
	/* "CodeBuild CloudWatch metrics": FailedBuilds, Sum. */
	{ .type = "AWS::CodeBuild::Project", .ns = "AWS/CodeBuild",
	  .name = "FailedBuilds", .dims = { CFH_DIM("ProjectName", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "a build fails", .op = "GreaterThanThreshold",
	  .widget = "Build" },
	/* "CodeBuild CloudWatch metrics": Duration, Average (recommended
	 * there). */
	{ .type = "AWS::CodeBuild::Project", .ns = "AWS/CodeBuild",
	  .name = "Duration", .dims = { CFH_DIM("ProjectName", CFH_FILL_REF) },
	  .stat = "Average", .widget = "Build" },

	/* "DynamoDB Metrics and dimensions": consumed capacity is published
	 * per TableName, counted with Sum. */
	{ .type = "AWS::DynamoDB::Table", .ns = "AWS/DynamoDB",
	  .name = "ConsumedReadCapacityUnits",
	  .dims = { CFH_DIM("TableName", CFH_FILL_REF) },
	  .stat = "Sum", .widget = "Table" },
	/* "DynamoDB Metrics and dimensions". */
	{ .type = "AWS::DynamoDB::Table", .ns = "AWS/DynamoDB",
	  .name = "ConsumedWriteCapacityUnits",
	  .dims = { CFH_DIM("TableName", CFH_FILL_REF) },
	  .stat = "Sum", .widget = "Table" },
	/* "DynamoDB Metrics and dimensions": ThrottledRequests and
	 * SystemErrors are published only per TableName and Operation, so
	 * an alarm on TableName alone never fires. The throttle events are
	 * published per TableName (the table, not its indexes): one alarm
	 * for reads, one for writes, whatever the operation. SystemErrors
	 * gets no alarm: it would take one per operation (a dozen per
	 * table), for errors the SDKs retry and the owner cannot act on;
	 * the functions' Errors alarms show what reaches users. */
	{ .type = "AWS::DynamoDB::Table", .ns = "AWS/DynamoDB",
	  .name = "ReadThrottleEvents",
	  .dims = { CFH_DIM("TableName", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "reads from the table are throttled",
	  .op = "GreaterThanThreshold", .widget = "Table" },
	/* "DynamoDB Metrics and dimensions". */
	{ .type = "AWS::DynamoDB::Table", .ns = "AWS/DynamoDB",
	  .name = "WriteThrottleEvents",
	  .dims = { CFH_DIM("TableName", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "writes to the table are throttled",
	  .op = "GreaterThanThreshold", .widget = "Table" },

	/* "Monitoring Step Functions metrics using Amazon CloudWatch"
	 * (execution metrics): per StateMachineArn, which !Ref gives. */
	{ .type = "AWS::StepFunctions::StateMachine", .ns = "AWS/States",
	  .name = "ExecutionsSucceeded",
	  .dims = { CFH_DIM("StateMachineArn", CFH_FILL_REF) },
	  .stat = "Sum", .widget = "State machine" },
	/* Same page. */
	{ .type = "AWS::StepFunctions::StateMachine", .ns = "AWS/States",
	  .name = "ExecutionsFailed",
	  .dims = { CFH_DIM("StateMachineArn", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "executions of the state machine fail",
	  .op = "GreaterThanThreshold", .widget = "State machine" },
	/* Same page: ExecutionTime is a time per execution, so Average. */
	{ .type = "AWS::StepFunctions::StateMachine", .ns = "AWS/States",
	  .name = "ExecutionTime",
	  .dims = { CFH_DIM("StateMachineArn", CFH_FILL_REF) },
	  .stat = "Average", .widget = "State machine" },

	/* "Monitoring the Amazon Kinesis Data Streams Service with Amazon
	 * CloudWatch" (basic stream-level metrics): per StreamName. */
	{ .type = "AWS::Kinesis::Stream", .ns = "AWS/Kinesis",
	  .name = "GetRecords.IteratorAgeMilliseconds",
	  .dims = { CFH_DIM("StreamName", CFH_FILL_REF) },
	  .stat = "Maximum",
	  .alarm = "consumers of the stream fall more than @ ms behind",
	  .op = "GreaterThanThreshold", .setting = "iterator-age-ms",
	  .scale = 1, .word = "IteratorAge" },

	/* "Amazon CloudWatch metrics for Amazon RDS" and "Amazon
	 * CloudWatch metrics for Amazon Aurora" (instance-level): both
	 * publish CPUUtilization per DBInstanceIdentifier. */
	{ .type = "AWS::RDS::DBInstance", .ns = "AWS/RDS",
	  .name = "CPUUtilization",
	  .dims = { CFH_DIM("DBInstanceIdentifier", CFH_FILL_REF) },
	  .stat = "Average", .alarm = "the database runs above @% CPU",
	  .op = "GreaterThanThreshold", .setting = "rds-cpu-percent",
	  .scale = 1 },
	/* "Amazon CloudWatch metrics for Amazon RDS": FreeStorageSpace, of
	 * instances with storage of their own; the least of the period. */
	{ .type = "AWS::RDS::DBInstance", .variant = CFH_MV_NOT_AURORA,
	  .ns = "AWS/RDS", .name = "FreeStorageSpace",
	  .dims = { CFH_DIM("DBInstanceIdentifier", CFH_FILL_REF) },
	  .stat = "Minimum",
	  .alarm = "the database has less than @ MiB of storage left",
	  .op = "LessThanThreshold", .setting = "rds-free-storage-mib",
	  .scale = 1048576 },
	/* "Amazon CloudWatch metrics for Amazon Aurora" (instance-level):
	 * Aurora's storage is the cluster volume, which grows by itself;
	 * what an instance can run out of is its local storage, for
	 * temporary tables and logs: FreeLocalStorage. */
	{ .type = "AWS::RDS::DBInstance", .variant = CFH_MV_AURORA,
	  .ns = "AWS/RDS", .name = "FreeLocalStorage",
	  .dims = { CFH_DIM("DBInstanceIdentifier", CFH_FILL_REF) },
	  .stat = "Minimum",
	  .alarm = "the database instance has less than @ MiB of local "
		   "storage left for temporary tables and logs",
	  .op = "LessThanThreshold", .setting = "rds-free-storage-mib",
	  .scale = 1048576 },

	/* "Monitor CloudWatch metrics for HTTP APIs in API Gateway": 5xx,
	 * per ApiId (which !Ref gives). */
	{ .type = "AWS::ApiGatewayV2::Api", .variant = CFH_MV_HTTP,
	  .ns = "AWS/ApiGateway", .name = "5xx",
	  .dims = { CFH_DIM("ApiId", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "the API answers with 5xx errors",
	  .op = "GreaterThanThreshold" },
	/* "Monitor WebSocket API execution with CloudWatch metrics": a
	 * WebSocket API publishes no 5xx; IntegrationError counts requests
	 * whose integration answered with an error, per ApiId. */
	{ .type = "AWS::ApiGatewayV2::Api", .variant = CFH_MV_WEBSOCKET,
	  .ns = "AWS/ApiGateway", .name = "IntegrationError",
	  .dims = { CFH_DIM("ApiId", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "the API's integration answers with errors",
	  .op = "GreaterThanThreshold" },
	/* Same page: ExecutionError, errors calling the integration. */
	{ .type = "AWS::ApiGatewayV2::Api", .variant = CFH_MV_WEBSOCKET,
	  .ns = "AWS/ApiGateway", .name = "ExecutionError",
	  .dims = { CFH_DIM("ApiId", CFH_FILL_REF) },
	  .stat = "Sum", .alarm = "API Gateway fails to call the API's integration",
	  .op = "GreaterThanThreshold" },
	/* "Amazon API Gateway dimensions and metrics": REST APIs publish
	 * 5XXError per ApiName, the API's Name (non-ASCII characters
	 * dropped, so only ASCII names are used). */
	{ .type = "AWS::ApiGateway::RestApi", .ns = "AWS/ApiGateway",
	  .name = "5XXError", .dims = { CFH_DIM("ApiName", CFH_FILL_NAME) },
	  .stat = "Sum", .alarm = "the API answers with 5xx errors",
	  .op = "GreaterThanThreshold" },

	/* "Amazon ECS CloudWatch metrics": service-level utilization, per
	 * ClusterName and ServiceName; the Average over the service's
	 * tasks. */
	{ .type = "AWS::ECS::Service", .ns = "AWS/ECS",
	  .name = "CPUUtilization",
	  .dims = { CFH_DIM("ClusterName", CFH_FILL_CLUSTER),
		    CFH_DIM_ATT("ServiceName", "Name") },
	  .stat = "Average", .alarm = "the service runs above @% CPU",
	  .op = "GreaterThanThreshold", .setting = "ecs-cpu-percent",
	  .scale = 1 },
	/* Same page. */
	{ .type = "AWS::ECS::Service", .ns = "AWS/ECS",
	  .name = "MemoryUtilization",
	  .dims = { CFH_DIM("ClusterName", CFH_FILL_CLUSTER),
		    CFH_DIM_ATT("ServiceName", "Name") },
	  .stat = "Average",
	  .alarm = "the service uses more than @% of its memory",
	  .op = "GreaterThanThreshold", .setting = "ecs-memory-percent",
	  .scale = 1 },

	/* "CloudWatch metrics for your Application Load Balancer":
	 * HTTPCode_Target_5XX_Count per LoadBalancer (its full name). A
	 * Network Load Balancer has no HTTP codes. */
	{ .type = "AWS::ElasticLoadBalancingV2::LoadBalancer",
	  .variant = CFH_MV_ALB, .ns = "AWS/ApplicationELB",
	  .name = "HTTPCode_Target_5XX_Count",
	  .dims = { CFH_DIM_ATT("LoadBalancer", "LoadBalancerFullName") },
	  .stat = "Sum",
	  .alarm = "targets behind the load balancer answer with 5xx errors",
	  .op = "GreaterThanThreshold" },
	/* "CloudWatch metrics for your Application Load Balancer":
	 * UnHealthyHostCount per TargetGroup and LoadBalancer. */
	{ .type = "AWS::ElasticLoadBalancingV2::TargetGroup",
	  .variant = CFH_MV_ALB, .ns = "AWS/ApplicationELB",
	  .name = "UnHealthyHostCount",
	  .dims = { CFH_DIM_ATT("TargetGroup", "TargetGroupFullName"),
		    CFH_DIM("LoadBalancer", CFH_FILL_BALANCER) },
	  .stat = "Maximum", .alarm = "a target fails its health checks",
	  .op = "GreaterThanThreshold" },
	/* "CloudWatch metrics for your Network Load Balancer": the same
	 * metric and dimensions, in the AWS/NetworkELB namespace. */
	{ .type = "AWS::ElasticLoadBalancingV2::TargetGroup",
	  .variant = CFH_MV_NLB, .ns = "AWS/NetworkELB",
	  .name = "UnHealthyHostCount",
	  .dims = { CFH_DIM_ATT("TargetGroup", "TargetGroupFullName"),
		    CFH_DIM("LoadBalancer", CFH_FILL_BALANCER) },
	  .stat = "Maximum", .alarm = "a target fails its health checks",
	  .op = "GreaterThanThreshold" },
};

#undef CFH_DIM
#undef CFH_DIM_ATT

#endif

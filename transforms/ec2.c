/* SPDX-License-Identifier: MIT */
/*
 * Pass `ec2` (C001-01, C001-02, C001-03, C001-04): instances, launch
 * templates and launch configurations that can be watched, whose
 * credentials a forged request cannot read, and whose volumes are
 * encrypted.
 *
 *   - Detailed monitoring (C001-01): metrics every minute instead of
 *     five, so that alarms and scaling react in time. It changes nothing
 *     on the instance (a small CloudWatch cost), and Monitoring updates
 *     without interruption: made in both modes.
 *   - IMDSv2 (C001-02): MetadataOptions.HttpTokens: required, so that an
 *     SSRF in the application cannot read the instance role's
 *     credentials. Software on the instance that still calls the
 *     metadata service without a token (old SDKs and agents, curl in
 *     UserData) breaks. Made where nothing runs yet and UserData shows no
 *     tokenless call; where containers run on the host (ECS, EKS, docker)
 *     the token needs a second hop, HttpPutResponseHopLimit: 2. An
 *     explicit HttpTokens: optional says the author knows of a client
 *     that needs IMDSv1: an advisory in either mode. In a
 *     deployed stack the running software cannot be seen from here: an
 *     advisory names the edit and how to check (the MetadataNoToken
 *     metric).
 *   - EBS encryption (C001-03): Ebs.Encrypted: true in block device
 *     mappings, with the AWS-managed key aws/ebs unless the mapping names
 *     one: Auto Scaling launches through its service-linked role, which a
 *     customer key's policy must admit by name. A deployed instance's
 *     mappings cannot change without replacing it, nor can a launch
 *     configuration change at all: the edit layer declines those
 *     (cfh_prop_replaces()), and an advisory says what to do. A volume
 *     restored from a snapshot takes the snapshot's encryption: reported.
 *   - A launch template change makes a new version. An Auto Scaling group
 *     with a rolling or replacing UpdatePolicy then replaces its
 *     instances, and an instance or node group that takes the version
 *     from the template is replaced or rolled (C001-04): in a deployed
 *     stack those templates are not changed, an advisory says why.
 *
 *   Instance:                         Instance:
 *     Properties:                       Properties:
 *       ImageId: ami-...       ==>        ImageId: ami-...
 *                                         Monitoring: true
 *                                         MetadataOptions:      (new stack)
 *                                           HttpTokens: required
 *
 * AWS::EC2::Volume is the encryption pass's (src/encryption_stores.c),
 * with the template's key. Public IPs, security groups, instance types,
 * subnets and termination protection change connectivity or need a
 * decision: never touched here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "options.h"
#include "passlib.h"

/* A literal true ("true" or true, as CloudFormation reads booleans). */
static bool is_true(const struct cfh_node *n)
{
	const char *s = cfh_node_str(n);

	return n && !cfh_is_dynamic(n) && s && !strcasecmp(s, "true");
}

/* ---- UserData ---- */

/* Append every scalar's text under @n to @b: the script's lines, in
 * whichever Fn::Base64, Fn::Sub or Fn::Join they are wrapped. */
static void gather_text(const struct cfh_node *n, struct cfh_buf *b)
{
	const struct cfh_entry *e;
	const char *s;

	n = cfh_node_deref(n);
	if (!n)
		return;
	if (cfh_node_is_map(n) || cfh_node_is_seq(n)) {
		cfh_for_each_entry(n, e)
			gather_text(e->value, b);
		return;
	}
	s = cfh_node_str(n);
	if (s) {
		cfh_buf_adds(b, s);
		cfh_buf_addc(b, '\n');
	}
}

/* What UserData says about the metadata service and containers. */
struct script {
	bool opaque;		/* its text is decided at deploy time */
	bool imdsv1;		/* reads the metadata service without a token */
	bool containers;	/* runs containers on the host */
};

/* @word in @text, ignoring case (strcasestr() is not portable C). */
static bool has(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++)
		if (!strncasecmp(text, word, n))
			return true;
	return false;
}

static int read_script(const struct cfh_node *ud, struct script *sc)
{
	struct cfh_fn_view f;
	struct cfh_buf b;
	char *text;

	memset(sc, 0, sizeof(*sc));
	if (!ud)
		return 0;
	/* The script itself from a parameter, a mapping, another stack or
	 * a condition: nothing here says what it calls. */
	if (cfh_node_fn(ud, &f) && f.fn == CFH_FN_BASE64 && f.arg != ud)
		ud = f.arg;
	if (cfh_node_fn(ud, &f) &&
	    (f.fn == CFH_FN_REF || f.fn == CFH_FN_GETATT ||
	     f.fn == CFH_FN_IMPORTVALUE || f.fn == CFH_FN_FINDINMAP ||
	     f.fn == CFH_FN_IF || f.fn == CFH_FN_SELECT)) {
		sc->opaque = true;
		return 0;
	}
	cfh_buf_init(&b);
	gather_text(ud, &b);
	text = cfh_buf_steal(&b, NULL);
	if (!text)
		return -1;
	sc->imdsv1 = (has(text, "169.254.169.254") || has(text, "fd00:ec2::254") ||
		      has(text, "instance-data")) &&
		     !has(text, "X-aws-ec2-metadata-token");
	sc->containers = has(text, "docker") || has(text, "ECS_CLUSTER") ||
			 has(text, "/etc/ecs/") || has(text, "/etc/eks/") ||
			 has(text, "kubelet") || has(text, "containerd") ||
			 has(text, "podman");
	free(text);
	return 0;
}

/* ---- pieces of the three resource types ---- */

/* Where a resource keeps what an instance launches with. */
struct launch {
	struct cfh_node *data;		/* Properties, or LaunchTemplateData */
	const char *prefix;		/* the path of @data for advisories */
	bool running;			/* what it launches may already run */
};

/* Is IMDSv2 already required, IMDS off, or decided at deploy time? */
static bool imds_done(const struct cfh_node *mo)
{
	if (!mo)
		return false;
	if (!cfh_node_is_map(mo))
		return true;	/* an intrinsic: the author's choice */
	return cfh_node_str_eq(cfh_map_get(mo, "HttpTokens"), "required") ||
	       cfh_node_str_eq(cfh_map_get(mo, "HttpEndpoint"), "disabled") ||
	       cfh_is_dynamic(cfh_map_get(mo, "HttpTokens")) ||
	       cfh_is_dynamic(cfh_map_get(mo, "HttpEndpoint"));
}

/* The block device mappings whose Ebs is not encrypted, and can be. */
static size_t ebs_todo(const struct cfh_node *bdms, size_t *from_snapshot)
{
	const struct cfh_entry *e;
	size_t n = 0;

	*from_snapshot = 0;
	bdms = cfh_node_deref(bdms);
	if (!cfh_node_is_seq(bdms))
		return 0;
	cfh_for_each_entry(bdms, e) {
		const struct cfh_node *ebs = cfh_node_deref(cfh_map_get(e->value,
									"Ebs"));
		const struct cfh_node *enc = cfh_map_get(ebs, "Encrypted");

		if (!cfh_node_is_map(ebs) || is_true(enc) || cfh_is_dynamic(enc))
			continue;
		/* From a snapshot, the snapshot's encryption decides; the
		 * launch API takes no other value for it everywhere. */
		if (cfh_map_get(ebs, "SnapshotId")) {
			(*from_snapshot)++;
			continue;
		}
		n++;
	}
	return n;
}

static int ebs_encrypt(struct cfh_run *r, struct cfh_node *bdms)
{
	struct cfh_entry *e;

	bdms = (struct cfh_node *)cfh_node_deref(bdms);
	cfh_for_each_entry(bdms, e) {
		struct cfh_node *ebs = cfh_map_get(e->value, "Ebs");
		const struct cfh_node *enc = cfh_map_get(ebs, "Encrypted");

		if (!cfh_node_is_map(ebs) || is_true(enc) || cfh_is_dynamic(enc) ||
		    cfh_map_get(ebs, "SnapshotId"))
			continue;
		if (cfh_edit_set_take(r, ebs, "Encrypted", json_true(),
				      "encrypt the volume at rest; without a "
				      "KmsKeyId EBS uses its AWS-managed key, "
				      "which every launcher may use (C001-03)",
				      NULL))
			return -1;
	}
	return 0;
}

/* Volumes restored from a snapshot keep the snapshot's encryption. */
static int snapshots(struct cfh_run *r, const struct cfh_node *res, size_t n)
{
	char msg[300];

	if (!n)
		return 0;
	snprintf(msg, sizeof(msg),
		 "%zu EBS volume%s restored from a snapshot left as written: "
		 "a volume takes its snapshot's encryption; copy the snapshot "
		 "encrypted (ec2 copy-snapshot --encrypted) and name the copy "
		 "(C001-03)",
		 n, n == 1 ? "" : "s");
	return cfh_advise(r, res, msg);
}

/* The edits still wanted, for an advisory: "Monitoring: true; ...". */
struct wants {
	bool monitoring, imds, ebs;
	size_t volumes, snapshots;
};

static void describe(const struct launch *l, const struct wants *w,
		     const char *mon_key, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (w->monitoring)
		used += snprintf(buf + used, size - used, "%s%s: true (C001-01)",
				 l->prefix, mon_key);
	if (w->imds && used < size)
		used += snprintf(buf + used, size - used,
				 "%s%sMetadataOptions.HttpTokens: required (C001-02)",
				 used ? "; " : "", l->prefix);
	if (w->ebs && used < size)
		snprintf(buf + used, size - used,
			 "%s%sBlockDeviceMappings[*].Ebs.Encrypted: true on %zu "
			 "volume%s (C001-03)",
			 used ? "; " : "", l->prefix, w->volumes,
			 w->volumes == 1 ? "" : "s");
}

/* The template of the template an instance launches from, or NULL. */
static const struct cfh_node *instance_template(struct cfh_template *t,
						const struct cfh_node *p)
{
	const struct cfh_node *lt = cfh_map_get(p, "LaunchTemplate");
	const char *id = cfh_node_ref(cfh_map_get(lt, "LaunchTemplateId"));
	const struct cfh_node *res;

	if (!id)
		id = cfh_node_ref(cfh_map_get(lt, "LaunchTemplateName"));
	res = id ? cfh_resource(t, id) : NULL;
	return cfh_res_is(res, "AWS::EC2::LaunchTemplate") ? res : NULL;
}

static bool launch_template_known(struct cfh_template *t,
				  const struct cfh_node *p)
{
	return instance_template(t, p) != NULL;
}

/* The script an instance runs: its own UserData, else its launch
 * template's. */
static const struct cfh_node *user_data(struct cfh_template *t,
					const struct cfh_node *p)
{
	const struct cfh_node *ud = cfh_map_get(p, "UserData");

	if (ud || !cfh_map_get(p, "LaunchTemplate"))
		return ud;
	return cfh_map_path(instance_template(t, p), "Properties",
			    "LaunchTemplateData", "UserData", NULL);
}

/* IMDSv2 where nothing runs yet and UserData allows it; else an
 * advisory. Returns 0, or -1 on error. */
static int imds(struct cfh_run *r, struct cfh_node *res,
		const struct launch *l)
{
	struct cfh_node *mo = cfh_map_get(l->data, "MetadataOptions");
	struct script sc;
	char msg[700];
	json_t *v;

	if (imds_done(mo))
		return 0;
	if (read_script(user_data(r->t, l->data), &sc))
		return -1;
	if (cfh_map_get(l->data, "LaunchTemplate") &&
	    !cfh_map_get(l->data, "UserData") &&
	    !user_data(r->t, l->data))
		sc.opaque = !launch_template_known(r->t, l->data);
	if (l->running) {
		snprintf(msg, sizeof(msg),
			 "IMDSv1 is on: an SSRF in the application can read "
			 "the instance role's credentials. Software that runs "
			 "may still call the metadata service without a token "
			 "(old SDKs and agents, curl in UserData): once the "
			 "CloudWatch metric MetadataNoToken of its instances "
			 "stays 0, set %sMetadataOptions.HttpTokens: required%s "
			 "(C001-02)",
			 l->prefix,
			 sc.containers ? " and HttpPutResponseHopLimit: 2 (its "
					 "containers reach the service through "
					 "one more hop)"
				       : "");
		return cfh_advise(r, res, msg);
	}
	if (sc.opaque || sc.imdsv1) {
		snprintf(msg, sizeof(msg),
			 "IMDSv1 left on: %s; make every call send the token "
			 "(PUT /latest/api/token, then the header "
			 "X-aws-ec2-metadata-token), then set "
			 "%sMetadataOptions.HttpTokens: required (C001-02)",
			 sc.opaque ? "its UserData is decided at deploy time, "
				     "and may call the metadata service "
				     "without a token"
				   : "its UserData calls the metadata service "
				     "without a token, which IMDSv2 refuses",
			 l->prefix);
		return cfh_advise(r, res, msg);
	}
	if (mo) {
		if (cfh_node_str_eq(cfh_map_get(mo, "HttpTokens"), "optional")) {
			snprintf(msg, sizeof(msg),
				 "IMDSv1 left on: HttpTokens: optional is written "
				 "out, which says software here needs it; once "
				 "every call sends the token (the CloudWatch "
				 "metric MetadataNoToken stays 0), set "
				 "%sMetadataOptions.HttpTokens: required (C001-02)",
				 l->prefix);
			return cfh_advise(r, res, msg);
		}
		if (cfh_edit_set_take(r, mo, "HttpTokens",
				      json_string("required"),
				      "require IMDSv2 session tokens: an SSRF "
				      "cannot read the role's credentials "
				      "(C001-02)",
				      NULL))
			return -1;
		if (sc.containers && !cfh_map_get(mo, "HttpPutResponseHopLimit"))
			return cfh_edit_set_take(
				r, mo, "HttpPutResponseHopLimit", json_integer(2),
				"containers on the host reach the metadata "
				"service through one more hop (C001-02)",
				NULL);
		return 0;
	}
	v = sc.containers ? json_pack("{s:s,s:i}", "HttpTokens", "required",
				      "HttpPutResponseHopLimit", 2)
			  : json_pack("{s:s}", "HttpTokens", "required");
	return cfh_edit_set_take(r, l->data, "MetadataOptions", v,
				 sc.containers
					 ? "require IMDSv2 session tokens, with "
					   "a second hop for the containers on "
					   "the host (C001-02)"
					 : "require IMDSv2 session tokens: an "
					   "SSRF cannot read the role's "
					   "credentials (C001-02)",
				 NULL);
}

/* ---- AWS::EC2::Instance ---- */

static int instance(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	struct cfh_node *mon, *bdms;
	struct launch l = { p, "", false };
	struct wants w = { 0 };
	char msg[900], edit[400];

	(void)st;
	(void)id;
	if (!p)
		return 0;
	l.running = cfh_is_running(r, res);
	mon = cfh_map_get(p, "Monitoring");
	if (!is_true(mon) && !cfh_is_dynamic(mon) &&
	    cfh_edit_set_take(r, p, "Monitoring", json_true(),
			      "detailed monitoring: metrics every minute, so "
			      "that alarms see a failing instance in time; "
			      "updates without interruption (C001-01)",
			      NULL))
		return -1;
	if (imds(r, res, &l))
		return -1;
	bdms = cfh_map_get(p, "BlockDeviceMappings");
	w.volumes = ebs_todo(bdms, &w.snapshots);
	if (snapshots(r, res, w.snapshots))
		return -1;
	if (!w.volumes)
		return 0;
	/* A running instance's mappings change only by replacing it (see
	 * cfh_prop_replaces()): one advisory rather than one per volume. */
	if (cfh_no_replace(r) && cfh_prop_replaces(res, "BlockDeviceMappings")) {
		w.ebs = true;
		describe(&l, &w, "Monitoring", edit, sizeof(edit));
		snprintf(msg, sizeof(msg),
			 "EBS volumes left unencrypted: %s would replace the "
			 "instance (after launch only "
			 "DeleteOnTermination of a mapping changes in place), "
			 "and the volumes' data with it. Snapshot them, copy "
			 "the snapshots encrypted, and launch from those under "
			 "a new logical ID; or turn on EBS encryption by "
			 "default in the account for the instances to come",
			 edit);
		return cfh_advise(r, res, msg);
	}
	return ebs_encrypt(r, bdms);
}

/* ---- AWS::EC2::LaunchTemplate ---- */

/* Resources other than Auto Scaling groups that CloudFormation replaces
 * or rolls when the launch template version they name changes. A policy
 * or a function that merely names the template launches nothing here. */
static bool launches_from(const struct cfh_node *u)
{
	static const char *const types[] = {
		"AWS::EC2::Instance",	      "AWS::EKS::Nodegroup",
		"AWS::Batch::ComputeEnvironment", "AWS::EC2::EC2Fleet",
		"AWS::EC2::SpotFleet",
	};
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(types); i++)
		if (cfh_res_is(u, types[i]))
			return true;
	return false;
}

/* Does a new version of launch template @id replace or roll instances
 * (C001-04)? Names the first such user in @why. Returns 1, 0, or -1
 * when out of memory. */
static int version_rolls(struct cfh_template *t, const char *id, char *why,
			 size_t size)
{
	const char **users;
	size_t i, n;
	int rc = 0;

	if (cfh_referrers(t, id, NULL, &users, &n))
		return -1;
	for (i = 0; i < n && !rc; i++) {
		const struct cfh_node *u = cfh_resource(t, users[i]);
		const struct cfh_node *up = cfh_map_get(u, "UpdatePolicy");

		if (launches_from(u)) {
			/* An instance takes the template at launch (a
			 * createOnly property), a node group or a fleet
			 * rolls to a new version. */
			snprintf(why, size, "%s (%s) launches from it",
				 users[i], cfh_resource_type(u));
			rc = 1;
		} else if (cfh_res_is(u, "AWS::AutoScaling::AutoScalingGroup") &&
			   (cfh_map_get(up, "AutoScalingRollingUpdate") ||
			    cfh_map_get(up, "AutoScalingReplacingUpdate") ||
			    (up && !cfh_node_is_map(up)))) {
			snprintf(why, size,
				 "the Auto Scaling group %s replaces its "
				 "instances on a new version (its UpdatePolicy)",
				 users[i]);
			rc = 1;
		}
	}
	free(users);
	return rc;
}

static int launch_template(struct cfh_run *r, void *st, const char *id,
			   struct cfh_node *res)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	struct cfh_node *d = cfh_map_get(p, "LaunchTemplateData");
	struct launch l = { d, "LaunchTemplateData.", false };
	struct cfh_node *mon;
	struct wants w = { 0 };
	char why[300], edit[400], msg[1100];
	int rc;

	(void)st;
	if (!cfh_node_is_map(d) || d != cfh_node_deref(d))
		return 0;
	l.running = cfh_is_running(r, res);
	mon = cfh_map_get(d, "Monitoring");
	w.monitoring = !cfh_is_dynamic(mon) &&
		       (!cfh_node_is_map(mon) ||
			(!is_true(cfh_map_get(mon, "Enabled")) &&
			 !cfh_is_dynamic(cfh_map_get(mon, "Enabled"))));
	w.imds = !imds_done(cfh_map_get(d, "MetadataOptions"));
	w.volumes = ebs_todo(cfh_map_get(d, "BlockDeviceMappings"),
			     &w.snapshots);
	w.ebs = w.volumes > 0;
	if (snapshots(r, res, w.snapshots))
		return -1;
	if (!w.monitoring && !w.imds && !w.ebs)
		return 0;
	if (l.running) {
		rc = version_rolls(r->t, id, why, sizeof(why));
		if (rc < 0)
			return -1;
		if (rc) {
			describe(&l, &w, "Monitoring.Enabled", edit, sizeof(edit));
			snprintf(msg, sizeof(msg),
				 "not changed: a change makes a new version, "
				 "and %s. When replacing them is fine, set %s "
				 "(C001-04)",
				 why, edit);
			return cfh_advise(r, res, msg);
		}
	}
	if (w.monitoring) {
		if (cfh_node_is_map(mon))
			rc = cfh_edit_set_take(r, mon, "Enabled", json_true(),
					       "detailed monitoring of the "
					       "instances it launches (C001-01)",
					       NULL);
		else
			rc = cfh_edit_set_take(r, d, "Monitoring",
					       json_pack("{s:b}", "Enabled", 1),
					       "detailed monitoring of the "
					       "instances it launches (C001-01)",
					       NULL);
		if (rc)
			return -1;
	}
	if (w.imds && imds(r, res, &l))
		return -1;
	return w.ebs ? ebs_encrypt(r, cfh_map_get(d, "BlockDeviceMappings")) : 0;
}

/* ---- AWS::AutoScaling::LaunchConfiguration ---- */

/* The Auto Scaling groups that launch from @id and would replace their
 * instances with a new launch configuration. */
static int lc_users(struct cfh_template *t, const char *id, char *why,
		    size_t size)
{
	const char **users;
	size_t i, n, used = 0;

	why[0] = '\0';
	if (cfh_referrers(t, id, "AWS::AutoScaling::AutoScalingGroup", &users,
			  &n))
		return -1;
	for (i = 0; i < n && used < size; i++) {
		const struct cfh_node *up = cfh_map_get(cfh_resource(t, users[i]),
							"UpdatePolicy");

		if (cfh_map_get(up, "AutoScalingRollingUpdate") ||
		    cfh_map_get(up, "AutoScalingReplacingUpdate"))
			used += snprintf(why + used, size - used, "%s%s",
					 used ? ", " : "", users[i]);
	}
	free(users);
	return 0;
}

static int launch_config(struct cfh_run *r, void *st, const char *id,
			 struct cfh_node *res)
{
	struct cfh_node *p = cfh_map_get(res, "Properties");
	struct launch l = { p, "", false };
	struct cfh_node *mon;
	struct wants w = { 0 };
	char users[200], edit[400], msg[1100];

	(void)st;
	if (!cfh_node_is_map(p) || p != cfh_node_deref(p))
		return 0;
	mon = cfh_map_get(p, "InstanceMonitoring");
	/* Its default is detailed monitoring: only an explicit false is a
	 * finding. */
	w.monitoring = mon && !cfh_is_dynamic(mon) && !is_true(mon);
	w.imds = !imds_done(cfh_map_get(p, "MetadataOptions"));
	w.volumes = ebs_todo(cfh_map_get(p, "BlockDeviceMappings"),
			     &w.snapshots);
	w.ebs = w.volumes > 0;
	if (snapshots(r, res, w.snapshots))
		return -1;
	if (!w.monitoring && !w.imds && !w.ebs)
		return 0;
	/* Every property is createOnly: any change is a new launch
	 * configuration, and groups with a rolling or replacing
	 * UpdatePolicy replace their instances with it. */
	if (cfh_no_replace(r) && cfh_prop_replaces(res, "InstanceMonitoring")) {
		if (lc_users(r->t, id, users, sizeof(users)))
			return -1;
		describe(&l, &w, "InstanceMonitoring", edit, sizeof(edit));
		snprintf(msg, sizeof(msg),
			 "not changed: a launch configuration cannot change, a "
			 "new one replaces it%s%s%s. Better, move the group to "
			 "a launch template (launch configurations get no new "
			 "instance types) with %s (C001-04)",
			 *users ? ", and the Auto Scaling groups " : "", users,
			 *users ? " replace their instances (their UpdatePolicy)"
				: "",
			 edit);
		return cfh_advise(r, res, msg);
	}
	if (w.monitoring &&
	    cfh_edit_set_take(r, p, "InstanceMonitoring", json_true(),
			      "detailed monitoring of the instances it "
			      "launches (C001-01)",
			      NULL))
		return -1;
	if (w.imds && imds(r, res, &l))
		return -1;
	return w.ebs ? ebs_encrypt(r, cfh_map_get(p, "BlockDeviceMappings")) : 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::EC2::Instance", instance },
	{ "AWS::EC2::LaunchTemplate", launch_template },
	{ "AWS::AutoScaling::LaunchConfiguration", launch_config },
};

const struct cfh_pass_ops cfh_pass_ec2 = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};

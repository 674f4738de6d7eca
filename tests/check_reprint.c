/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the reprinter (src/reprint.c): identity on tricky inputs,
 * locality of edits, format conversion, outputs that must load again
 * after an edit, and the unified diff. The edits are made with the
 * fixture of check_edit.c (check_edit.h), which tests the edit API itself.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_edit.h"
#include "edit.h"
#include "report.h"
#include "suites.h"

/* Lines of a text, without their line breaks; the array ends with NULL. */
static char **lines_of(const char *s)
{
	size_t n = 1, i = 0;
	const char *p;
	char **v;

	for (p = s; *p; p++)
		n += *p == '\n';
	v = calloc(n + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	while (*s) {
		size_t len = strcspn(s, "\n");

		v[i++] = strndup(s, len);
		s += len;
		if (*s)
			s++;
	}
	return v;
}

static void lines_free(char **v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

struct line_diff {
	size_t nremoved, nadded;
	char removed[8][256];	/* the first few, for messages */
	char added[8][256];
	bool order_kept;	/* common lines appear in the same order */
};

/*
 * Compare the line sets of @before and @after: the lines only in one of
 * them, as multisets, and whether the lines in both keep their order.
 */
static void diff_lines(const char *before, const char *after,
		       struct line_diff *d)
{
	char **a = lines_of(before), **b = lines_of(after);
	size_t na = 0, nb = 0, i, k, last = 0;
	bool *used;

	memset(d, 0, sizeof(*d));
	d->order_kept = true;
	while (a[na])
		na++;
	while (b[nb])
		nb++;
	used = calloc(nb + 1, sizeof(*used));
	ck_assert_ptr_nonnull(used);
	/* Match each line of @before with the first unused equal line of
	 * @after at or after the previous match. */
	for (i = 0; i < na; i++) {
		for (k = last; k < nb; k++)
			if (!used[k] && !strcmp(a[i], b[k]))
				break;
		if (k == nb) {
			for (k = 0; k < nb; k++)
				if (!used[k] && !strcmp(a[i], b[k]))
					break;
			if (k < nb)
				d->order_kept = false;
		}
		if (k < nb) {
			used[k] = true;
			last = k;
			continue;
		}
		if (d->nremoved < 8)
			snprintf(d->removed[d->nremoved], 256, "%s", a[i]);
		d->nremoved++;
	}
	for (k = 0; k < nb; k++)
		if (!used[k]) {
			if (d->nadded < 8)
				snprintf(d->added[d->nadded], 256, "%s", b[k]);
			d->nadded++;
		}
	free(used);
	lines_free(a);
	lines_free(b);
}

/* Identity: with no edits the output is the input, byte for byte. */
struct ident_case {
	const char *name;
	const char *src;
};

static const struct ident_case ident_cases[] = {
	{ "crlf", "AWSTemplateFormatVersion: '2010-09-09'\r\n"
		  "Resources:\r\n"
		  "  Bucket:   # comment\r\n"
		  "    Type: AWS::S3::Bucket\r\n"
		  "\r\n"
		  "    Properties:\r\n"
		  "      BucketName: !Sub \"${AWS::StackName}-x\"\r\n" },
	{ "no final newline", "Resources:\n  A:\n    Type: AWS::SNS::Topic" },
	{ "no final newline after comment",
	  "Resources:\n  A:\n    Type: AWS::SNS::Topic # last" },
	{ "tabs in scalars", "Resources:\n"
			     "  A:\n"
			     "    Type: AWS::SSM::Parameter\n"
			     "    Properties:\n"
			     "      Value: 'a\tb'\t# tab before a comment\n"
			     "      Name: plain\twith a tab\n"
			     "      Description: \"esc\\tand\traw\"\n"
			     "      Type: |\n"
			     "        \tindented\n" },
	{ "non-ascii", "# Ünïcödé — 日本語 🚀\n"
		       "Resources:\n"
		       "  Tópico:\n"
		       "    Type: AWS::SNS::Topic\n"
		       "    Properties: {DisplayName: 'équipe ✓'}\n" },
	{ "bom", "\xef\xbb\xbfResources:\n  A:\n    Type: AWS::SQS::Queue\n" },
	{ "bom json", "\xef\xbb\xbf{\"Resources\": {\"A\": {\"Type\": \"X\"}}}\n" },
	{ "flow collections", "Resources:\n"
			      "  A: {Type: AWS::SNS::Topic, Properties: {\n"
			      "      Tags: [ {Key: a, Value: b}, ],\n"
			      "      Subscription: []}}\n"
			      "  B: { Type: X , DependsOn: [ A ] }\n" },
	{ "comments everywhere", "# head\n"
				 "Resources: # after key\n"
				 "  # before resource\n"
				 "  A: # on resource\n"
				 "    Type: X   # after value\n"
				 "    Properties:\n"
				 "      L: # before list\n"
				 "        # first\n"
				 "        - 1 # item\n"
				 "        # between\n"
				 "        - 2\n"
				 "#col1\n"
				 "    # dedented\n"
				 "# tail\n"
				 "\n\n" },
	{ "block scalars", "Resources:\n"
			   "  A:\n"
			   "    Type: X\n"
			   "    Metadata:\n"
			   "      keep: |+\n"
			   "        kept\n"
			   "\n"
			   "\n"
			   "      strip: >-\n"
			   "        stripped\n"
			   "        text\n"
			   "      clip: |\n"
			   "        clip   \n"
			   "      ind: |2-\n"
			   "          two more\n"
			   "        base\n"
			   "      last: |+\n"
			   "        end\n"
			   "\n" },
	{ "anchors", "Resources:\n"
		     "  A:\n"
		     "    Type: X\n"
		     "    Properties: &p {V: 1}\n"
		     "  B:\n"
		     "    Type: X\n"
		     "    Properties: *p\n" },
	{ "json minified",
	  "{\"Resources\":{\"A\":{\"Type\":\"X\",\"Properties\":{\"N\":1.50,"
	  "\"B\":false,\"Z\":null,\"E\":\"\\u00e9\\n\"}}}}" },
	{ "json tabs", "{\n\t\"Resources\": {\n\t\t\"A\": {\n"
		       "\t\t\t\"Type\": \"X\"\n\t\t}\n\t}\n}\n" },
	{ "json crlf", "{\r\n  \"Resources\": {\r\n    \"A\": {\"Type\": \"X\"}\r\n"
		       "  }\r\n}\r\n" },
	{ "leading and trailing space", "\n\n  \n---\nResources: {}\n...\n\n" },
	{ "unknown tags", "Resources:\n"
			  "  A:\n"
			  "    Type: X\n"
			  "    Properties:\n"
			  "      E: !Rain::Embed file.txt\n"
			  "      M: !Rain::S3\n"
			  "        Path: .\n" },
};

START_TEST(test_identity)
{
	const struct ident_case *c = &ident_cases[_i];
	struct cfh_template *t = load(c->src);
	size_t len;
	char *out = print(t, &len);

	ck_assert_msg(len == strlen(c->src) && !memcmp(out, c->src, len),
		      "%s: not reproduced:\n%s", c->name, out);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 0);
	free(out);
	drop(t);
}
END_TEST

/* Printing twice gives the same text: printing changes nothing. */
START_TEST(test_print_twice)
{
	const char *src = "Resources:\n  A:\n    Type: X # c\n";
	struct cfh_template *t = load(src);
	char *a, *b;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/A"), "Condition",
					   json_string("C"), "r", NULL), 0);
	a = print(t, NULL);
	b = print(t, NULL);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, src);
	free(a);
	free(b);
	drop(t);
}
END_TEST

START_TEST(test_locality_add)
{
	struct cfh_template *t = load(yaml_src);
	struct cfh_node *out = NULL;
	struct line_diff d;
	char *s;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "VersioningConfiguration",
					   json_pack("{ss}", "Status", "Enabled"),
					   "keep old versions", &out),
			 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_eq(out, at(t, "/Resources/Bucket/Properties/"
				    "VersioningConfiguration"));
	s = print(t, NULL);
	diff_lines(yaml_src, s, &d);
	ck_assert_msg(d.nremoved == 0, "removed '%s'", d.removed[0]);
	ck_assert_uint_eq(d.nadded, 2);
	ck_assert_str_eq(d.added[0], "      VersioningConfiguration:");
	ck_assert_str_eq(d.added[1], "        Status: Enabled");
	ck_assert(d.order_kept);
	/* Added after the last entry of Properties, before the blank line. */
	ck_assert_ptr_nonnull(strstr(s, "          Value: media\n"
					"      VersioningConfiguration:\n"
					"        Status: Enabled\n"
					"\n"
					"  Queue:\n"));
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_locality_replace)
{
	struct cfh_template *t = load(yaml_src);
	struct line_diff d;
	char *s;

	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Bucket/Properties/"
							"AccessControl"),
					       json_string("BucketOwnerFullControl"),
					       "r", NULL),
			 0);
	s = print(t, NULL);
	diff_lines(yaml_src, s, &d);
	ck_assert_uint_eq(d.nremoved, 1);
	ck_assert_uint_eq(d.nadded, 1);
	ck_assert_str_eq(d.removed[0], "      AccessControl: Private   # legacy");
	/* The comment after the value stays. */
	ck_assert_str_eq(d.added[0],
			 "      AccessControl: BucketOwnerFullControl   # legacy");
	ck_assert(d.order_kept);
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_locality_remove)
{
	struct cfh_template *t = load(yaml_src);
	struct line_diff d;
	char *s;

	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/Bucket/Properties"),
					 "AccessControl", "r"),
			 0);
	/* A missing key is no error, and no change. */
	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/Bucket/Properties"),
					 "NoSuchKey", "r"),
			 0);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 1);
	s = print(t, NULL);
	diff_lines(yaml_src, s, &d);
	ck_assert_uint_eq(d.nadded, 0);
	ck_assert_uint_eq(d.nremoved, 1);
	ck_assert_str_eq(d.removed[0], "      AccessControl: Private   # legacy");
	ck_assert(d.order_kept);
	free(s);
	drop(t);
}
END_TEST

/* An edit in a flow mapping touches that one line. */
START_TEST(test_locality_flow)
{
	struct cfh_template *t = load(yaml_src);
	struct line_diff d;
	char *s;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Queue/Properties"),
					   "VisibilityTimeout", json_integer(60),
					   "r", NULL),
			 0);
	s = print(t, NULL);
	diff_lines(yaml_src, s, &d);
	ck_assert_uint_eq(d.nremoved, 1);
	ck_assert_uint_eq(d.nadded, 1);
	ck_assert_str_eq(d.removed[0], "    Properties: {DelaySeconds: 5}");
	ck_assert_str_eq(d.added[0],
			 "    Properties: {DelaySeconds: 5, VisibilityTimeout: 60}");
	free(s);
	drop(t);
}
END_TEST

static const char json_src[] =
	"{\n"
	"  \"Resources\": {\n"
	"    \"Topic\": {\n"
	"      \"Type\": \"AWS::SNS::Topic\"\n"
	"    },\n"
	"    \"Bucket\": {\n"
	"      \"Type\": \"AWS::S3::Bucket\",\n"
	"      \"Properties\": {\n"
	"        \"AccessControl\": \"Private\",\n"
	"        \"Tags\": []\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

START_TEST(test_locality_json)
{
	struct cfh_template *t = load(json_src);
	struct line_diff d;
	json_t *j;
	char *s;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "VersioningConfiguration",
					   json_pack("{ss}", "Status", "Enabled"),
					   "r", NULL),
			 0);
	s = print(t, NULL);
	diff_lines(json_src, s, &d);
	/* The last entry gains a comma; the new one takes three lines. */
	ck_assert_uint_eq(d.nremoved, 1);
	ck_assert_str_eq(d.removed[0], "        \"Tags\": []");
	ck_assert_uint_eq(d.nadded, 4);
	ck_assert_str_eq(d.added[0], "        \"Tags\": [],");
	ck_assert_str_eq(d.added[1], "        \"VersioningConfiguration\": {");
	ck_assert_str_eq(d.added[2], "          \"Status\": \"Enabled\"");
	ck_assert_str_eq(d.added[3], "        }");
	ck_assert(d.order_kept);
	/* The output is JSON that loads back. */
	j = json_loads(s, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON:\n%s", s);
	json_decref(j);
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_locality_json_remove)
{
	struct cfh_template *t = load(json_src);
	struct line_diff d;
	char *s;
	json_t *j;

	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/Bucket/Properties"),
					 "Tags", "r"),
			 0);
	s = print(t, NULL);
	diff_lines(json_src, s, &d);
	ck_assert_uint_eq(d.nremoved, 2);
	ck_assert_uint_eq(d.nadded, 1);
	ck_assert_str_eq(d.added[0], "        \"AccessControl\": \"Private\"");
	j = json_loads(s, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON:\n%s", s);
	ck_assert_ptr_null(json_object_get(json_object_get(json_object_get(
			json_object_get(j, "Resources"), "Bucket"), "Properties"),
			"Tags"));
	json_decref(j);
	free(s);
	drop(t);
}
END_TEST

/* Convert, load the result, compare the JSON forms. */
static void assert_converts(const char *src, enum cfh_format fmt)
{
	struct cfh_template *t = load(src), *u;
	json_t *a, *b;
	size_t len;
	char *s;

	s = cfh_template_convert(t, fmt, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(len, strlen(s));
	u = load(s);
	ck_assert(cfh_template_is_json(u) == (fmt == CFH_FORMAT_JSON));
	a = cfh_node_to_json(t->root);
	b = cfh_node_to_json(u->root);
	ck_assert_msg(json_equal(a, b), "converted text differs:\n%s", s);
	json_decref(a);
	json_decref(b);
	free(s);
	drop(u);
	drop(t);
}

static const char convert_src[] =
	"AWSTemplateFormatVersion: '2010-09-09'\n"
	"Description: >\n"
	"  Folded\n"
	"  text\n"
	"Conditions:\n"
	"  Prod: !Equals [!Ref Env, prod]\n"
	"Parameters:\n"
	"  Env: {Type: String, Default: dev}\n"
	"Resources:\n"
	"  Bucket:\n"
	"    Type: AWS::S3::Bucket\n"
	"    Condition: Prod\n"
	"    Properties:\n"
	"      BucketName: !Sub '${AWS::StackName}-${Env}'\n"
	"      ObjectLockEnabled: true\n"
	"      Tags:\n"
	"        - Key: 'yes'\n"
	"          Value: \"#not a comment\"\n"
	"        - Key: n\n"
	"          Value: !If [Prod, !GetAtt Other.Arn, !Ref AWS::NoValue]\n"
	"        - Key: num\n"
	"          Value: '0123'\n"
	"        - Key: empty\n"
	"          Value: ''\n"
	"  Other:\n"
	"    Type: AWS::SQS::Queue\n"
	"    Properties:\n"
	"      DelaySeconds: 5\n"
	"      VisibilityTimeout: 1.5\n"
	"      RedrivePolicy: null\n"
	"      QueueName: !Join ['-', [a, !Select [0, !Split [',', 'x,y']]]]\n"
	"Outputs:\n"
	"  Arn: {Value: !GetAtt [Other, Arn]}\n";

START_TEST(test_convert_json)
{
	struct cfh_template *t = load(convert_src);
	char *s = cfh_template_convert(t, CFH_FORMAT_JSON, NULL);

	ck_assert_ptr_nonnull(s);
	/* Long-form intrinsics, no tags. */
	ck_assert_ptr_nonnull(strstr(s, "\"Fn::Sub\""));
	ck_assert_ptr_null(strstr(s, "!Sub"));
	free(s);
	drop(t);
	assert_converts(convert_src, CFH_FORMAT_JSON);
}
END_TEST

START_TEST(test_convert_yaml)
{
	struct cfh_template *t = load(convert_src);
	char *s = cfh_template_convert(t, CFH_FORMAT_YAML, NULL);
	char *j;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(strstr(s, "!Sub"));
	free(s);
	drop(t);
	assert_converts(convert_src, CFH_FORMAT_YAML);
	/* From JSON to YAML, back to JSON. */
	t = load(convert_src);
	j = cfh_template_convert(t, CFH_FORMAT_JSON, NULL);
	ck_assert_ptr_nonnull(j);
	assert_converts(j, CFH_FORMAT_YAML);
	assert_converts(j, CFH_FORMAT_JSON);
	free(j);
	drop(t);
}
END_TEST

/* Conversion sees the edits. */
START_TEST(test_convert_after_edit)
{
	struct cfh_template *t = load("Resources:\n  A:\n    Type: X\n");
	char *s;
	json_t *j;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/A"), "DependsOn",
					   json_string("B"), "r", NULL),
			 0);
	s = cfh_template_convert(t, CFH_FORMAT_JSON, NULL);
	j = json_loads(s, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
				 json_object_get(j, "Resources"), "A"),
				 "DependsOn")),
			 "B");
	json_decref(j);
	free(s);
	drop(t);
}
END_TEST

/* Load @text and return the JSON form of the node at @ptr (NULL if the
 * text does not load). */
static json_t *reload_json(const char *text, const char *ptr)
{
	struct cfh_diag d;
	struct cfh_template *t = cfh_template_load(text, strlen(text), "out", &d);
	json_t *j = NULL;

	if (t) {
		struct cfh_node *n = cfh_node_at(t, ptr);

		j = n ? cfh_node_to_json(n) : NULL;
		drop(t);
	}
	return j;
}

/* A block scalar kept with "|+" owns its trailing blank lines: an entry
 * added or removed after it must not change its value. */
static const char keep_src[] = "Resources:\n"
			       "  A:\n"
			       "    Type: X\n"
			       "    Metadata:\n"
			       "      K: |+\n"
			       "        keep\n"
			       "\n"
			       "\n"
			       "      L: 1\n"
			       "  B:\n"
			       "    Type: Y\n";

START_TEST(test_keep_chomping_insert)
{
	struct cfh_template *t = load(keep_src);
	json_t *k;
	char *s;

	ck_assert_str_eq(cfh_node_str(at(t, "/Resources/A/Metadata/K")),
			 "keep\n\n\n");
	ck_assert_int_eq(cfh_edit_insert_take(run(t), at(t, "/Resources/A/Metadata"),
					      "K", "New", json_string("v"), "r",
					      NULL),
			 0);
	s = print(t, NULL);
	k = reload_json(s, "/Resources/A/Metadata/K");
	ck_assert_msg(k != NULL, "output does not load:\n%s", s);
	/* BUG: the loader ends a block scalar's span at its last content
	 * line even with "+" chomping (trim_block_end() in src/load.c), so
	 * the entry is inserted before the kept blank lines and K changes
	 * from "keep\n\n\n" to "keep\n". */
	ck_assert_msg(!strcmp(json_string_value(k), "keep\n\n\n"),
		      "K is now '%s' in:\n%s", json_string_value(k), s);
	json_decref(k);
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_keep_chomping_remove)
{
	struct cfh_template *t = load(keep_src);
	json_t *k;
	char *s;

	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/A/Metadata"), "L",
					 "r"),
			 0);
	s = print(t, NULL);
	k = reload_json(s, "/Resources/A/Metadata/K");
	ck_assert_msg(k != NULL, "output does not load:\n%s", s);
	/* BUG: as above; removing the entry after K drops K's kept blank
	 * lines with it: K becomes "keep\n". */
	ck_assert_msg(!strcmp(json_string_value(k), "keep\n\n\n"),
		      "K is now '%s' in:\n%s", json_string_value(k), s);
	json_decref(k);
	free(s);
	drop(t);
}
END_TEST

/* Replacing or removing an anchored node must not leave aliases to an
 * anchor that is gone: the edit is refused, or the output still loads
 * with the aliases' values unchanged. */
static const char anchor_src[] = "Resources:\n"
				 "  A:\n"
				 "    Type: X\n"
				 "    Properties:\n"
				 "      P: &shared {x: 1}\n"
				 "      Q: *shared\n";

static void assert_anchor_edit(int rc, struct cfh_template *t)
{
	json_t *q;
	char *s;

	if (rc)
		return;	/* refused: fine */
	s = print(t, NULL);
	q = reload_json(s, "/Resources/A/Properties/Q");
	/* BUG: the edit API lets a pass replace or remove a node other
	 * nodes alias; the output keeps "Q: *shared" without the anchor
	 * and does not load ("alias '*shared' names no anchor"). */
	ck_assert_msg(q != NULL, "output does not load:\n%s", s);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "x")), 1);
	json_decref(q);
	free(s);
}

START_TEST(test_replace_anchored)
{
	struct cfh_template *t = load(anchor_src);

	assert_anchor_edit(cfh_edit_replace_take(run(t), at(t, "/Resources/A/Properties/P"),
						 json_string("y"), "r", NULL),
			   t);
	drop(t);
}
END_TEST

START_TEST(test_remove_anchored)
{
	struct cfh_template *t = load(anchor_src);

	assert_anchor_edit(cfh_edit_remove(run(t), at(t, "/Resources/A/Properties"),
					   "P", "r"),
			   t);
	drop(t);
}
END_TEST

/* Adding to an anchored mapping is fine: the aliases see the addition,
 * as they would in any YAML tool. */
START_TEST(test_add_to_anchored)
{
	struct cfh_template *t = load(anchor_src);
	json_t *q;
	char *s;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/A/Properties/P"),
					   "z", json_integer(2), "r", NULL),
			 0);
	s = print(t, NULL);
	q = reload_json(s, "/Resources/A/Properties/Q");
	ck_assert_msg(q != NULL, "output does not load:\n%s", s);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "z")), 2);
	ck_assert_ptr_nonnull(strstr(s, "&shared"));
	json_decref(q);
	free(s);
	drop(t);
}
END_TEST

/* ---- the unified diff (--diff) ---- */

static void diff_is(const char *a, const char *b, const char *want)
{
	char *d = cfh_diff(a, strlen(a), b, strlen(b), "t.yaml");

	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, want);
	free(d);
}

START_TEST(test_diff_equal)
{
	diff_is("a\nb\n", "a\nb\n", "");
	diff_is("", "", "");
}
END_TEST

START_TEST(test_diff_insert)
{
	diff_is("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nX\ne\nf\ng\nh\n",
		"--- a/t.yaml\n+++ b/t.yaml\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n"
		" e\n f\n g\n");
	/* At the start and into an empty file: a range of no lines starts
	 * at the line before it. */
	diff_is("", "x\n", "--- a/t.yaml\n+++ b/t.yaml\n@@ -0,0 +1 @@\n+x\n");
}
END_TEST

START_TEST(test_diff_replace_no_newline)
{
	diff_is("a\nb", "a\nc\n",
		"--- a/t.yaml\n+++ b/t.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n"
		"\\ No newline at end of file\n+c\n");
}
END_TEST

/* Two changes far apart are two hunks; close ones share one. */
START_TEST(test_diff_hunks)
{
	diff_is("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
		"0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n",
		"--- a/t.yaml\n+++ b/t.yaml\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"
		"@@ -10,3 +11,4 @@\n 10\n 11\n 12\n+13\n");
	diff_is("1\n2\n3\n4\n5\n", "0\n1\n2\n3\n4\n5\n6\n",
		"--- a/t.yaml\n+++ b/t.yaml\n@@ -1,5 +1,7 @@\n+0\n 1\n 2\n 3\n"
		" 4\n 5\n+6\n");
}
END_TEST

Suite *reprint_suite(void)
{
	Suite *s = suite_create("reprint");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_identity, 0,
			    sizeof(ident_cases) / sizeof(*ident_cases));
	tcase_add_test(tc, test_print_twice);
	tcase_add_test(tc, test_locality_add);
	tcase_add_test(tc, test_locality_replace);
	tcase_add_test(tc, test_locality_remove);
	tcase_add_test(tc, test_locality_flow);
	tcase_add_test(tc, test_locality_json);
	tcase_add_test(tc, test_locality_json_remove);
	tcase_add_test(tc, test_convert_json);
	tcase_add_test(tc, test_convert_yaml);
	tcase_add_test(tc, test_convert_after_edit);
	tcase_add_test(tc, test_keep_chomping_insert);
	tcase_add_test(tc, test_keep_chomping_remove);
	tcase_add_test(tc, test_replace_anchored);
	tcase_add_test(tc, test_remove_anchored);
	tcase_add_test(tc, test_add_to_anchored);
	tcase_add_test(tc, test_diff_equal);
	tcase_add_test(tc, test_diff_insert);
	tcase_add_test(tc, test_diff_replace_no_newline);
	tcase_add_test(tc, test_diff_hunks);
	suite_add_tcase(s, tc);
	return s;
}

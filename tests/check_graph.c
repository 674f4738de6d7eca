/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the reference graph (src/graph.c): edges from every kind
 * of reference, in-lists and out-lists, resources by type, cycles, fresh
 * IDs, and rebuilding after an edit.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "graph.h"
#include "suites.h"
#include "testlib.h"

static struct cfh_graph *graph(struct cfh_template *t)
{
	struct cfh_graph *g = cfh_graph_get(t);

	ck_assert_ptr_nonnull(g);
	return g;
}

static const struct cfh_vertex *vertex(const struct cfh_graph *g,
				       const char *id)
{
	const struct cfh_vertex *v = cfh_graph_find(g, id);

	ck_assert_msg(v != NULL, "no vertex '%s'", id);
	return v;
}

/* True if @v refers to the vertex named @id (of kind @kind). */
static bool out_has(const struct cfh_graph *g, const struct cfh_vertex *v,
		    const char *id, enum cfh_vkind kind)
{
	size_t i;

	for (i = 0; i < v->nout; i++)
		if (!strcmp(g->v[v->out[i]].id, id) && g->v[v->out[i]].kind == kind)
			return true;
	return false;
}

static bool in_has(const struct cfh_graph *g, const struct cfh_vertex *v,
		   const char *id)
{
	size_t i;

	for (i = 0; i < v->nin; i++)
		if (!strcmp(g->v[v->in[i]].id, id))
			return true;
	return false;
}

static const char refs_src[] =
	"Parameters:\n"
	"  Env: {Type: String}\n"
	"Conditions:\n"
	"  IsProd: !Equals [!Ref Env, prod]\n"
	"  NotProd: !Not [!Condition IsProd]\n"
	"Resources:\n"
	"  Bucket:\n"
	"    Type: AWS::S3::Bucket\n"
	"  Queue:\n"
	"    Type: AWS::SQS::Queue\n"
	"  Topic:\n"
	"    Type: AWS::SNS::Topic\n"
	"  Key:\n"
	"    Type: AWS::KMS::Key\n"
	"  ShortRef:\n"
	"    Type: X\n"
	"    Properties: {P: !Ref Bucket}\n"
	"  LongRef:\n"
	"    Type: X\n"
	"    Properties: {P: {Ref: Queue}}\n"
	"  ParamRef:\n"
	"    Type: X\n"
	"    Properties: {P: !Ref Env, Q: !Ref AWS::Region}\n"
	"  AttDot:\n"
	"    Type: X\n"
	"    Properties: {P: !GetAtt Bucket.Arn}\n"
	"  AttList:\n"
	"    Type: X\n"
	"    Properties: {P: !GetAtt [Queue, Arn]}\n"
	"  AttLong:\n"
	"    Type: X\n"
	"    Properties: {P: {Fn::GetAtt: [Topic, TopicName]}}\n"
	"  AttDynamic:\n"
	"    Type: X\n"
	"    Properties: {P: {Fn::GetAtt: [Bucket, {Ref: Env}]}}\n"
	"  SubPlain:\n"
	"    Type: X\n"
	"    Properties: {P: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${Queue.Arn}'}\n"
	"  SubLiteral:\n"
	"    Type: X\n"
	"    Properties: {P: !Sub '${!Bucket} ${AWS::Region} ${AWS::AccountId}'}\n"
	"  SubMap:\n"
	"    Type: X\n"
	"    Properties:\n"
	"      P: !Sub\n"
	"        - '${Bucket}-${Topic}-${Name}'\n"
	"        - Bucket: shadowed\n"
	"          Name: !GetAtt Key.Arn\n"
	"  SubLong:\n"
	"    Type: X\n"
	"    Properties:\n"
	"      P: {Fn::Sub: ['${Queue}', {Other: !Ref Topic}]}\n"
	"  DepStr:\n"
	"    Type: X\n"
	"    DependsOn: Bucket\n"
	"  DepList:\n"
	"    Type: X\n"
	"    DependsOn: [Queue, Topic]\n"
	"  Conditional:\n"
	"    Type: X\n"
	"    Condition: IsProd\n"
	"  IfUser:\n"
	"    Type: X\n"
	"    Properties:\n"
	"      P: !If [NotProd, !Ref Key, !Ref AWS::NoValue]\n"
	"  IfLong:\n"
	"    Type: X\n"
	"    Properties:\n"
	"      P: {Fn::If: [IsProd, a, b]}\n"
	"  Nothing:\n"
	"    Type: X\n"
	"    Properties: {P: Bucket, Q: '${Bucket}', R: [Queue]}\n"
	"Outputs:\n"
	"  BucketName:\n"
	"    Value: !Ref Bucket\n"
	"    Condition: IsProd\n";

START_TEST(test_edges_ref)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;

	v = vertex(g, "ShortRef");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Bucket", CFH_V_RESOURCE));
	v = vertex(g, "LongRef");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Queue", CFH_V_RESOURCE));
	/* Parameters are vertices; pseudo parameters are not. */
	v = vertex(g, "ParamRef");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Env", CFH_V_PARAM));
	ck_assert_ptr_null(cfh_graph_find(g, "AWS::Region"));
	ck_assert_int_eq(vertex(g, "Env")->kind, CFH_V_PARAM);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_edges_getatt)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;

	v = vertex(g, "AttDot");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Bucket", CFH_V_RESOURCE));
	v = vertex(g, "AttList");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Queue", CFH_V_RESOURCE));
	v = vertex(g, "AttLong");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Topic", CFH_V_RESOURCE));
	/* The attribute name itself may refer to something. */
	v = vertex(g, "AttDynamic");
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(out_has(g, v, "Bucket", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Env", CFH_V_PARAM));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_edges_sub)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;

	v = vertex(g, "SubPlain");
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(out_has(g, v, "Bucket", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Queue", CFH_V_RESOURCE));
	/* ${!X} is a literal "${X}"; pseudo parameters are no vertices. */
	ck_assert_uint_eq(vertex(g, "SubLiteral")->nout, 0);
	/* A map variable shadows the resource of the same name; the map's
	 * values are walked. */
	v = vertex(g, "SubMap");
	ck_assert(!out_has(g, v, "Bucket", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Topic", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Key", CFH_V_RESOURCE));
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(!cfh_graph_refers(g, "SubMap", "Bucket"));
	v = vertex(g, "SubLong");
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(out_has(g, v, "Queue", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Topic", CFH_V_RESOURCE));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_edges_depends_on)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;

	v = vertex(g, "DepStr");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "Bucket", CFH_V_RESOURCE));
	v = vertex(g, "DepList");
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(out_has(g, v, "Queue", CFH_V_RESOURCE));
	ck_assert(out_has(g, v, "Topic", CFH_V_RESOURCE));
	ck_assert(cfh_graph_refers(g, "DepList", "Topic"));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_edges_conditions)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v, *c;

	v = vertex(g, "Conditional");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "IsProd", CFH_V_COND));
	v = vertex(g, "IfUser");
	ck_assert_uint_eq(v->nout, 2);
	ck_assert(out_has(g, v, "NotProd", CFH_V_COND));
	ck_assert(out_has(g, v, "Key", CFH_V_RESOURCE));
	v = vertex(g, "IfLong");
	ck_assert_uint_eq(v->nout, 1);
	ck_assert(out_has(g, v, "IsProd", CFH_V_COND));
	/* Conditions refer to parameters and to other conditions. */
	c = cfh_graph_find_cond(g, "IsProd");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->kind, CFH_V_COND);
	ck_assert_uint_eq(c->nout, 1);
	ck_assert(out_has(g, c, "Env", CFH_V_PARAM));
	c = cfh_graph_find_cond(g, "NotProd");
	ck_assert_ptr_nonnull(c);
	ck_assert(out_has(g, c, "IsProd", CFH_V_COND));
	/* Conditions have a namespace of their own. */
	ck_assert_ptr_null(cfh_graph_find(g, "IsProd"));
	ck_assert_ptr_null(cfh_graph_find_cond(g, "Bucket"));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_no_false_edges)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);

	/* Plain strings that happen to be IDs are no references. */
	ck_assert_uint_eq(vertex(g, "Nothing")->nout, 0);
	ck_assert_uint_eq(vertex(g, "Bucket")->nout, 0);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_in_lists)
{
	struct cfh_template *t = test_load(refs_src);
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;
	size_t i;

	v = vertex(g, "Bucket");
	ck_assert(in_has(g, v, "ShortRef"));
	ck_assert(in_has(g, v, "AttDot"));
	ck_assert(in_has(g, v, "AttDynamic"));
	ck_assert(in_has(g, v, "SubPlain"));
	ck_assert(in_has(g, v, "DepStr"));
	ck_assert(!in_has(g, v, "SubMap"));
	ck_assert(!in_has(g, v, "SubLiteral"));
	ck_assert(!in_has(g, v, "Nothing"));
	/* Outputs refer but are never referred to, nor found by ID. */
	ck_assert(in_has(g, v, "BucketName"));
	ck_assert_uint_eq(v->nin, 6);
	for (i = 0; i < g->n; i++)
		if (g->v[i].kind == CFH_V_OUTPUT) {
			ck_assert_str_eq(g->v[i].id, "BucketName");
			ck_assert_uint_eq(g->v[i].nin, 0);
			ck_assert(out_has(g, &g->v[i], "Bucket", CFH_V_RESOURCE));
			ck_assert(out_has(g, &g->v[i], "IsProd", CFH_V_COND));
		}
	ck_assert_ptr_null(cfh_graph_find(g, "BucketName"));
	/* Every in-edge is some vertex's out-edge. */
	for (i = 0; i < g->n; i++) {
		size_t k;

		for (k = 0; k < g->v[i].nin; k++)
			ck_assert(out_has(g, &g->v[g->v[i].in[k]], g->v[i].id,
					  g->v[i].kind));
	}
	cfh_template_free(t);
}
END_TEST

/* Duplicate references make one edge. */
START_TEST(test_edges_dedup)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
		"  A: {Type: X}\n"
		"  B:\n"
		"    Type: X\n"
		"    DependsOn: A\n"
		"    Properties: {P: !Ref A, Q: !GetAtt A.Arn,\n"
		"                 R: !Sub '${A}${A}'}\n");
	const struct cfh_graph *g = graph(t);

	ck_assert_uint_eq(vertex(g, "B")->nout, 1);
	ck_assert_uint_eq(vertex(g, "A")->nin, 1);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_of_type)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  Zeta: {Type: AWS::S3::Bucket}\n"
					   "  Queue: {Type: AWS::SQS::Queue}\n"
					   "  Alpha: {Type: AWS::S3::Bucket}\n"
					   "  Mid: {Type: AWS::S3::Bucket}\n"
					   "  Odd: {Type: !Ref T}\n");
	const struct cfh_graph *g = graph(t);
	const struct cfh_vertex **v = NULL;
	size_t n;

	n = cfh_graph_of_type(g, "AWS::S3::Bucket", &v);
	ck_assert_uint_eq(n, 3);
	/* Template order, not sorted. */
	ck_assert_str_eq(v[0]->id, "Zeta");
	ck_assert_str_eq(v[1]->id, "Alpha");
	ck_assert_str_eq(v[2]->id, "Mid");
	free(v);
	n = cfh_graph_of_type(g, "AWS::SNS::Topic", &v);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(v);
	free(v);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_cycle)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  Free: {Type: X}\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties: {P: !Ref B}\n"
					   "  B:\n"
					   "    Type: X\n"
					   "    DependsOn: A\n");
	const struct cfh_graph *g = graph(t);
	const char **path = NULL;

	ck_assert_int_eq(cfh_graph_cycle(g, &path), 0);
	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_nonnull(path[0]);
	ck_assert_ptr_nonnull(path[1]);
	ck_assert_ptr_nonnull(path[2]);
	ck_assert_ptr_null(path[3]);
	ck_assert(!strcmp(path[0], "A") || !strcmp(path[0], "B"));
	ck_assert_str_ne(path[0], path[1]);
	ck_assert(!strcmp(path[1], "A") || !strcmp(path[1], "B"));
	ck_assert_str_eq(path[2], path[0]);
	free(path);
	cfh_template_free(t);
}
END_TEST

/* A resource that names itself is a cycle of one (cfn-lint E3004), yet
 * not its own referrer. */
START_TEST(test_cycle_self)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  Free: {Type: X}\n"
					   "  Pipe:\n"
					   "    Type: X\n"
					   "    Properties: {Note: !Sub 'runs ${Pipe}'}\n");
	const struct cfh_graph *g = graph(t);
	const char **path = NULL;

	ck_assert_int_eq(cfh_graph_find(g, "Pipe")->nin, 0);
	ck_assert_int_eq(cfh_graph_cycle(g, &path), 0);
	ck_assert_ptr_nonnull(path);
	ck_assert_str_eq(path[0], "Pipe");
	ck_assert_str_eq(path[1], "Pipe");
	ck_assert_ptr_null(path[2]);
	free(path);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_cycle_long)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: {Type: X, Properties: {P: !GetAtt B.Arn}}\n"
					   "  B: {Type: X, Properties: {P: !Sub '${C}'}}\n"
					   "  C: {Type: X, DependsOn: [A]}\n"
					   "  D: {Type: X, DependsOn: [A]}\n");
	const struct cfh_graph *g = graph(t);
	const char **path = NULL;
	size_t n;

	ck_assert_int_eq(cfh_graph_cycle(g, &path), 0);
	ck_assert_ptr_nonnull(path);
	for (n = 0; path[n]; n++)
		;
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(path[3], path[0]);
	/* Each step of the path is an edge. */
	for (n = 0; n < 3; n++)
		ck_assert_msg(cfh_graph_refers(g, path[n], path[n + 1]),
			      "%s does not refer to %s", path[n], path[n + 1]);
	free(path);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_no_cycle)
{
	struct cfh_template *t = test_load(
		"Parameters:\n"
		"  P: {Type: String}\n"
		"Conditions:\n"
		"  C: !Equals [!Ref P, x]\n"
		"Resources:\n"
		"  A: {Type: X, Condition: C}\n"
		"  B: {Type: X, Properties: {P: !Ref A}}\n"
		"  C2: {Type: X, DependsOn: [A, B]}\n"
		"  D: {Type: X, Properties: {P: !If [C, !Ref B, !Ref C2]}}\n"
		"Outputs:\n"
		"  O: {Value: !Ref D}\n");
	const struct cfh_graph *g = graph(t);
	const char **path = (const char **)1;

	ck_assert_int_eq(cfh_graph_cycle(g, &path), 0);
	ck_assert_ptr_null(path);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fresh_id)
{
	struct cfh_template *t = test_load("Parameters:\n"
					   "  LogBucket: {Type: String}\n"
					   "Mappings:\n"
					   "  LogBucket2: {a: {b: c}}\n"
					   "Conditions:\n"
					   "  LogBucket3: !Equals [a, b]\n"
					   "Resources:\n"
					   "  LogBucket4: {Type: X}\n"
					   "  Key: {Type: X}\n"
					   "Outputs:\n"
					   "  LogBucket5: {Value: x}\n"
					   "  Alarm: {Value: y}\n");
	const char *id;

	id = cfh_fresh_id(t, "LogBucket");
	ck_assert_str_eq(id, "LogBucket6");
	ck_assert_str_eq(cfh_fresh_id(t, "Key"), "Key2");
	ck_assert_str_eq(cfh_fresh_id(t, "Alarm"), "Alarm2");
	ck_assert_str_eq(cfh_fresh_id(t, "Unused"), "Unused");
	cfh_template_free(t);
}
END_TEST

/* An ID a pass just took is no longer fresh. */
START_TEST(test_fresh_id_after_edit)
{
	struct cfh_template *t = test_load("Resources:\n  Key: {Type: X}\n");
	struct cfh_run *r = cfh_run_new(t, NULL);
	const char *id = cfh_fresh_id(t, "Key");

	ck_assert_str_eq(id, "Key2");
	ck_assert_int_eq(cfh_edit_add_resource_take(r, id, NULL,
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 0);
	ck_assert_str_eq(cfh_fresh_id(t, "Key"), "Key3");
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_rebuild_after_edit)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties: {}\n"
					   "  B:\n"
					   "    Type: X\n");
	struct cfh_run *r = cfh_run_new(t, NULL);
	struct cfh_graph *g = graph(t);
	const struct cfh_vertex *v;

	ck_assert(!cfh_graph_refers(g, "A", "B"));
	ck_assert_uint_eq(vertex(g, "A")->nout, 0);
	/* Unchanged template: the same graph. */
	ck_assert_ptr_eq(cfh_graph_get(t), g);
	ck_assert_int_eq(cfh_edit_set_take(r, cfh_node_at(t, "/Resources/A/Properties"),
					   "Target", json_pack("{ss}", "Ref", "B"),
					   "r", NULL),
			 0);
	g = graph(t);
	ck_assert(cfh_graph_refers(g, "A", "B"));
	v = vertex(g, "B");
	ck_assert_uint_eq(v->nin, 1);
	ck_assert(in_has(g, v, "A"));
	/* New resources are vertices too. */
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "C", NULL,
						    json_pack("{sss[s]}", "Type", "X",
							      "DependsOn", "A"),
						    "r", NULL),
			 0);
	g = graph(t);
	ck_assert(cfh_graph_refers(g, "C", "A"));
	ck_assert_uint_eq(vertex(g, "A")->nin, 1);
	/* Removing the reference removes the edge. */
	ck_assert_int_eq(cfh_edit_remove(r, cfh_node_at(t, "/Resources/A/Properties"),
					 "Target", "r"),
			 0);
	g = graph(t);
	ck_assert(!cfh_graph_refers(g, "A", "B"));
	ck_assert_uint_eq(vertex(g, "B")->nin, 0);
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* References through aliases count like any other. */
START_TEST(test_edges_through_alias)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  T: {Type: X}\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties: &p {P: !Ref T}\n"
					   "  B:\n"
					   "    Type: X\n"
					   "    Properties: *p\n");
	const struct cfh_graph *g = graph(t);

	ck_assert(cfh_graph_refers(g, "A", "T"));
	ck_assert(cfh_graph_refers(g, "B", "T"));
	ck_assert_uint_eq(vertex(g, "T")->nin, 2);
	cfh_template_free(t);
}
END_TEST

/* A template without a single reference has a graph without edges. */
START_TEST(test_no_edges)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: {Type: X}\n"
					   "  B: {Type: X, Properties: {P: plain}}\n");
	/* BUG: build() in src/graph.c calls qsort(b.e, 0, ...) with b.e ==
	 * NULL when there is no edge; qsort's first argument must not be
	 * NULL, and under `make asan` (UBSan, no recovery) this aborts. */
	const struct cfh_graph *g = graph(t);
	const char **path = NULL;

	ck_assert_uint_eq(g->n, 2);
	ck_assert_uint_eq(vertex(g, "A")->nout, 0);
	ck_assert_uint_eq(vertex(g, "B")->nin, 0);
	ck_assert_int_eq(cfh_graph_cycle(g, &path), 0);
	ck_assert_ptr_null(path);
	cfh_template_free(t);
}
END_TEST

Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_edges);
	tcase_add_test(tc, test_edges_ref);
	tcase_add_test(tc, test_edges_getatt);
	tcase_add_test(tc, test_edges_sub);
	tcase_add_test(tc, test_edges_depends_on);
	tcase_add_test(tc, test_edges_conditions);
	tcase_add_test(tc, test_no_false_edges);
	tcase_add_test(tc, test_in_lists);
	tcase_add_test(tc, test_edges_dedup);
	tcase_add_test(tc, test_of_type);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_cycle_long);
	tcase_add_test(tc, test_cycle_self);
	tcase_add_test(tc, test_no_cycle);
	tcase_add_test(tc, test_fresh_id);
	tcase_add_test(tc, test_fresh_id_after_edit);
	tcase_add_test(tc, test_rebuild_after_edit);
	tcase_add_test(tc, test_edges_through_alias);
	suite_add_tcase(s, tc);
	return s;
}

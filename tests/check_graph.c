/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the reference graph (src/graph.c): edges from every kind
 * of reference, in-lists and out-lists, resources by type, cycles, fresh
 * IDs, rebuilding after an edit (reading again only what changed), the
 * names a resource's Properties hold against cfh_refers_to(), and the
 * index of resources by type that the edit API keeps current.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "graph.h"
#include "passlib.h"
#include "suites.h"
#include "testlib.h"
#include "usage.h"

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

/* cfh_referrers() as it was: the in-list, then a walk of each referrer's
 * Properties. */
static size_t referrers_by_walk(struct cfh_graph *g, const char *id,
				const char **out)
{
	const struct cfh_vertex *v = cfh_graph_find(g, id);
	size_t i, n = 0;

	for (i = 0; v && i < v->nin; i++) {
		const struct cfh_vertex *w = &g->v[v->in[i]];

		if (w->kind == CFH_V_RESOURCE &&
		    cfh_refers_to(cfh_map_get(w->node, "Properties"), id))
			out[n++] = w->id;
	}
	return n;
}

static void assert_referrers(struct cfh_template *t, const char *id)
{
	const char *want[64], **got = NULL;
	size_t n, m, i;

	n = referrers_by_walk(cfh_graph_get(t), id, want);
	ck_assert_int_eq(cfh_referrers(t, id, NULL, &got, &m), 0);
	ck_assert_msg(m == n, "'%s': %zu referrers, want %zu", id, m, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(got[i], want[i]);
	free(got);
}

/* The names the graph records for each resource's Properties are what
 * cfh_refers_to() finds there, for every parameter and resource, in
 * every spelling of refs_src (GetAtt forms, Sub with and without a
 * variable map, ${!X}, conditions, DependsOn outside Properties). */
START_TEST(test_names_as_refers_to)
{
	struct cfh_template *t = test_load(refs_src);
	struct cfh_graph *g = graph(t);
	size_t i, k;
	int named = 0;

	ck_assert(cfh_names_exact(t));
	for (i = 0; i < g->n; i++) {
		const struct cfh_node *props =
			cfh_map_get(g->v[i].node, "Properties");

		if (g->v[i].kind != CFH_V_RESOURCE)
			continue;
		for (k = 0; k < g->n; k++) {
			int got;

			if (g->v[k].kind != CFH_V_RESOURCE &&
			    g->v[k].kind != CFH_V_PARAM)
				continue;
			got = cfh_graph_names(g, &g->v[i], k);
			ck_assert_msg(got == cfh_refers_to(props, g->v[k].id),
				      "%s names %s: %d", g->v[i].id,
				      g->v[k].id, got);
			named += got;
		}
	}
	ck_assert_int_gt(named, 10);
	for (i = 0; i < g->n; i++)
		if (g->v[i].kind == CFH_V_RESOURCE || g->v[i].kind == CFH_V_PARAM)
			assert_referrers(t, g->v[i].id);
	cfh_template_free(t);
}
END_TEST

/* While a pass runs the graph stays as the pass found it, but the names
 * of a resource an edit changed are read again: referrers agree with a
 * walk of the Properties as they are now. */
START_TEST(test_names_after_edit)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  B: {Type: X}\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    DependsOn: B\n"
					   "    Properties: {P: !Ref B}\n");
	struct cfh_run *r = cfh_run_new(t, NULL);
	struct cfh_graph *g = graph(t);

	assert_referrers(t, "B");
	t->graph_pinned = true;
	ck_assert_int_eq(cfh_edit_remove(r, test_at(t, "/Resources/A/Properties"),
					 "P", "r"),
			 0);
	ck_assert_ptr_eq(cfh_graph_get(t), g);
	assert_referrers(t, "B");
	ck_assert_int_eq(cfh_graph_names(g, (struct cfh_vertex *)
					 cfh_graph_find(g, "A"),
					 (size_t)(cfh_graph_find(g, "B") - g->v)),
			 0);
	ck_assert_int_eq(cfh_edit_set_take(r, test_at(t, "/Resources/A/Properties"),
					   "Q", json_pack("{s:[s,s]}", "Fn::GetAtt",
							  "B", "Arn"),
					   "r", NULL),
			 0);
	assert_referrers(t, "B");
	t->graph_pinned = false;
	assert_referrers(t, "B");
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* An ID with '.' in it: names cannot be read the way cfh_refers_to()
 * matches them, and the queries walk instead. */
START_TEST(test_names_inexact)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  My.Bucket: {Type: X}\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties: {P: !GetAtt My.Bucket.Arn}\n");
	struct cfh_graph *g = graph(t);

	ck_assert(!cfh_names_exact(t));
	ck_assert_int_eq(cfh_graph_names(g, (struct cfh_vertex *)
					 cfh_graph_find(g, "A"), 0),
			 -1);
	assert_referrers(t, "My.Bucket");
	cfh_template_free(t);
}
END_TEST

/* cfh_names_each() gives each name as written, repeats included. */
static int collect_name(void *arg, const char *s, size_t len)
{
	char *buf = arg;

	strncat(buf, s, len);
	strcat(buf, ",");
	return 0;
}

START_TEST(test_names_each)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
		"  A:\n"
		"    Type: X\n"
		"    Properties:\n"
		"      P: [!Ref B, !GetAtt C.Arn, !GetAtt [D, Arn], x]\n"
		"      Q: !Sub ['${E}-${F.Arn}-${!G}', {V: !Ref H}]\n"
		"      R: !Join ['', [!Ref I]]\n");
	char buf[256] = "";

	ck_assert_int_eq(cfh_names_each(test_at(t, "/Resources/A/Properties"),
					collect_name, buf),
			 0);
	ck_assert_str_eq(buf, "B,C,D,E,F,!G,H,I,");
	cfh_template_free(t);
}
END_TEST

/* The live resources of a type, in template order, by a walk. */
static size_t of_type_by_walk(struct cfh_template *t, const char *type,
			      const char **out)
{
	struct cfh_entry *e;
	size_t n = 0;

	cfh_for_each_resource(t, e)
		if (cfh_res_is(e->value, type))
			out[n++] = e->key->text;
	return n;
}

static void assert_of_type(struct cfh_template *t, const char *type)
{
	struct cfh_node *const *keys;
	const char *want[64];
	size_t n = of_type_by_walk(t, type, want), m, i;

	m = cfh_resources_of_type(t, type, &keys);
	ck_assert_msg(m == n, "%s: %zu, want %zu", type, m, n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(keys[i]->text, want[i]);
		ck_assert_ptr_eq(cfh_resource_key_entry(t, keys[i])->key, keys[i]);
		/* Callers compare slots: they are numbered, in order. */
		ck_assert(!i || keys[i - 1]->slot < keys[i]->slot);
	}
}

/* Resources added in the middle, removed, replaced whole, and a Type
 * changed: the index follows every edit, on a pinned graph too. */
START_TEST(test_resources_of_type)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  X1: {Type: X}\n"
					   "  Y1: {Type: Y}\n"
					   "  X2: {Type: X}\n"
					   "  Odd: {Type: !Ref T}\n"
					   "  X3: {Type: X}\n");
	struct cfh_run *r = cfh_run_new(t, NULL);

	assert_of_type(t, "X");
	assert_of_type(t, "Y");
	assert_of_type(t, "Z");
	t->graph_pinned = true;
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "X4", "X1",
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "Z1", "Y1",
						    json_pack("{ss}", "Type", "Z"),
						    "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "X5", NULL,
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 0);
	assert_of_type(t, "X");
	assert_of_type(t, "Z");
	ck_assert_int_eq(cfh_edit_remove_node(r, test_at(t, "/Resources/X2"),
					      "r"),
			 0);
	ck_assert_int_eq(cfh_edit_remove_node(r, test_at(t, "/Resources/Z1"),
					      "r"),
			 0);
	assert_of_type(t, "X");
	assert_of_type(t, "Z");
	ck_assert_int_eq(cfh_edit_replace_take(r, test_at(t, "/Resources/X3"),
					       json_pack("{ss}", "Type", "Y"),
					       "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_replace_take(r, test_at(t, "/Resources/Y1/Type"),
					       json_string("X"), "r", NULL),
			 0);
	assert_of_type(t, "X");
	assert_of_type(t, "Y");
	t->graph_pinned = false;
	/* A rebuild keeps the index, current. */
	graph(t);
	assert_of_type(t, "X");
	assert_of_type(t, "Y");
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* A resource written as an alias: no index, and the caller walks. */
START_TEST(test_resources_of_type_alias)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: &a {Type: X}\n"
					   "  B: *a\n");
	struct cfh_node *const *keys;

	ck_assert_uint_eq(cfh_resources_of_type(t, "X", &keys), (size_t)-1);
	cfh_template_free(t);
}
END_TEST

/* A rebuild reads again the resources an edit changed and keeps what it
 * read of the others, resolved anew: the edges are those of a graph built
 * from nothing. */
START_TEST(test_rebuild_reads_changed)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: {Type: X, Properties: {P: !Ref B}}\n"
					   "  B: {Type: X, Properties: {P: !Ref C}}\n"
					   "  C: {Type: X}\n");
	struct cfh_run *r = cfh_run_new(t, NULL);
	struct cfh_graph *g = graph(t);
	const struct cfh_gname *brefs = vertex(g, "B")->refs;
	unsigned agen = vertex(g, "A")->walked_gen;

	ck_assert_int_eq(cfh_edit_set_take(r, test_at(t, "/Resources/A/Properties"),
					   "Q", json_pack("{ss}", "Ref", "D"), "r",
					   NULL),
			 0);
	/* D, added after the reference, resolves in the rebuild though A
	 * is read again anyway; B's names are kept. */
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "D", NULL,
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 0);
	g = graph(t);
	ck_assert_ptr_eq(vertex(g, "B")->refs, brefs);
	ck_assert_uint_gt(vertex(g, "A")->walked_gen, agen);
	ck_assert(cfh_graph_refers(g, "A", "B"));
	ck_assert(cfh_graph_refers(g, "A", "D"));
	ck_assert(cfh_graph_refers(g, "B", "C"));
	ck_assert_uint_eq(vertex(g, "D")->nin, 1);
	ck_assert_uint_eq(vertex(g, "C")->nin, 1);
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* Searches mark vertices with a number of their own: many searches, and
 * the number wrapping round, answer as the first. */
START_TEST(test_reaches_many)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: {Type: X, Properties: {P: !Ref B}}\n"
					   "  B: {Type: X, Properties: {P: !Ref C}}\n"
					   "  C: {Type: X}\n"
					   "  D: {Type: X}\n");
	struct cfh_graph *g = graph(t);
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert(cfh_graph_reaches(g, "A", "C"));
		ck_assert(!cfh_graph_reaches(g, "C", "A"));
		ck_assert(!cfh_graph_reaches(g, "A", "D"));
		g->mark_gen = ~0u - 1;
	}
	ck_assert_int_eq(cfh_graph_has_cycle(g), 0);
	ck_assert_int_eq(cfh_graph_has_cycle(g), 0);
	cfh_template_free(t);
}
END_TEST

/* The usage model walks a principal's Properties through both spellings
 * of a call; the tag form's argument is the tagged node itself, which
 * it once walked again and again until the stack overflowed. */
START_TEST(test_usage_foreign_tagged_call)
{
	static const char *const forms[] = {
		"!If [IsProd, !Ref DataBucket, none]",
		"{Fn::If: [IsProd, !Ref DataBucket, none]}",
	};
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(forms); i++) {
		char src[512], why[128] = "";
		struct cfh_template *t;

		snprintf(src, sizeof(src),
			 "Parameters:\n"
			 "  DataBucket: {Type: String}\n"
			 "Conditions:\n"
			 "  IsProd: !Equals [a, b]\n"
			 "Resources:\n"
			 "  F:\n"
			 "    Type: AWS::Lambda::Function\n"
			 "    Properties:\n"
			 "      MemorySize: !If [IsProd, 512, 128]\n"
			 "      Environment: {Variables: {X: %s}}\n",
			 forms[i]);
		t = test_load(src);
		ck_assert_int_eq(cfh_usage_foreign(t, "F", "s3", why, sizeof(why)),
				 1);
		ck_assert_str_eq(why, "parameter 'DataBucket'");
		ck_assert_int_eq(cfh_usage_foreign(t, "F", "sqs", why, sizeof(why)),
				 0);
		cfh_template_free(t);
	}
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
	tcase_add_test(tc, test_names_as_refers_to);
	tcase_add_test(tc, test_names_after_edit);
	tcase_add_test(tc, test_names_inexact);
	tcase_add_test(tc, test_names_each);
	tcase_add_test(tc, test_resources_of_type);
	tcase_add_test(tc, test_resources_of_type_alias);
	tcase_add_test(tc, test_rebuild_reads_changed);
	tcase_add_test(tc, test_reaches_many);
	tcase_add_test(tc, test_usage_foreign_tagged_call);
	suite_add_tcase(s, tc);
	return s;
}

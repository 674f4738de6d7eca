# SPDX-License-Identifier: MIT
"""Queries on a template read as JSON, for examples_checklist.py: its
resources and properties, the names a value refers to, identity policy
statements and actions, tags and which types take them (from cfn-lint's
resource schemas), explicit names, KMS key use, dependency cycles and
pipeline actions.

Kept apart from examples_checklist.py, whose checks are one per
fix-catalogue row of a seed: these questions are asked of every seed.
"""
import importlib
import importlib.resources
import json
import os
import re

import cfnlint.data.AdditionalSpecs as _specs

STATEFUL = set(json.load(open(os.path.join(
    os.path.dirname(_specs.__file__), 'StatefulResources.json')))['ResourceTypes'])
# The resource schemas cfn-lint ships, found as cfn-lint finds them (as
# tools/gen-schema-table.py does): type name -> hash -> resources/<hash>.json.
_TYPES = importlib.import_module('cfnlint.data.schemas.providers.us_east_1').types


# ---- queries on a template ----

def resources(t, rtype=None):
    return [(k, v) for k, v in t.get('Resources', {}).items()
            if isinstance(v, dict) and (rtype is None or v.get('Type') == rtype)]


def props(r):
    p = r.get('Properties', {})
    return p if isinstance(p, dict) else {}


def refs(x):
    """Logical IDs and parameters that x names (Ref, GetAtt, Sub)."""
    out = set()
    if isinstance(x, dict):
        for k, v in x.items():
            if k == 'Ref' and isinstance(v, str):
                out.add(v)
            elif k == 'Fn::GetAtt':
                if isinstance(v, list) and v:
                    out.add(v[0])
                elif isinstance(v, str):
                    out.add(v.split('.')[0])
            elif k == 'Fn::Sub':
                s = v[0] if isinstance(v, list) else v
                if isinstance(s, str):
                    out |= {m.split('.')[0] for m in re.findall(r'\$\{([^!}][^}]*)\}', s)}
                if isinstance(v, list) and len(v) > 1:
                    out |= refs(v[1])
            else:
                out |= refs(v)
    elif isinstance(x, list):
        for v in x:
            out |= refs(v)
    return out


def names(x):
    return x if isinstance(x, list) else [x]


def getatt(x, lid, attr):
    return x == {'Fn::GetAtt': [lid, attr]} or x == {'Fn::GetAtt': lid + '.' + attr}


def statements(t, role_id=None):
    """(where, statement) of every identity policy, optionally of one role."""
    out = []
    for lid, r in resources(t):
        p = props(r)
        if r.get('Type') == 'AWS::IAM::Role' and (role_id is None or lid == role_id):
            for pol in p.get('Policies', []) or []:
                for s in names(pol.get('PolicyDocument', {}).get('Statement', [])):
                    out.append((lid, s))
        if r.get('Type') in ('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'):
            if role_id is not None and role_id not in refs(p.get('Roles', [])):
                continue
            for s in names(p.get('PolicyDocument', {}).get('Statement', [])):
                out.append((lid, s))
    return out


def actions(t, role_id):
    return {a for _, s in statements(t, role_id) if s.get('Effect') == 'Allow'
            for a in names(s.get('Action', []))}


def managed(t, lid):
    return [str(a) for a in props(t['Resources'][lid]).get('ManagedPolicyArns', []) or []]


def tags(r):
    tg = props(r).get('Tags')
    if isinstance(tg, list):
        return {x.get('Key'): x.get('Value') for x in tg if isinstance(x, dict)}
    if isinstance(tg, dict):
        return tg
    return {}


_taggable = {}


def taggable(rtype):
    if rtype not in _taggable:
        h = _TYPES.get(rtype)
        if h is None:
            _taggable[rtype] = False
        else:
            text = importlib.resources.files('cfnlint.data.schemas.resources') \
                .joinpath(h + '.json').read_text()
            _taggable[rtype] = 'Tags' in json.loads(text).get('properties', {})
    return _taggable[rtype]


NAME_PROPS = ('BucketName', 'RepositoryName', 'ClusterName', 'ServiceName',
              'TopicName', 'QueueName', 'TableName', 'FunctionName',
              'DBInstanceIdentifier', 'DBSubnetGroupName', 'CacheSubnetGroupName',
              'ReplicationGroupId', 'LogGroupName', 'Family', 'Name', 'AlarmName',
              'ProjectName', 'RoleName', 'PolicyName')


def explicit_names(t):
    out = []
    for lid, r in resources(t):
        for k in NAME_PROPS:
            v = props(r).get(k)
            if v is not None and k != 'PolicyName':
                out.append((lid, k, v))
    return out


def key_ids(t):
    return {lid for lid, _ in resources(t, 'AWS::KMS::Key')}


def uses_key(t, x):
    return bool(refs(x) & key_ids(t))


def cycle(t):
    """A dependency cycle among resources, or None."""
    res = t.get('Resources', {})
    deps = {}
    for lid, r in res.items():
        d = refs({k: v for k, v in r.items() if k in ('Properties', 'Metadata')})
        d |= set(names(r.get('DependsOn', [])))
        deps[lid] = {x for x in d if x in res and x != lid}
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in sorted(deps[n]):
            if state.get(m) == 1:
                return path + [m]
            if not state.get(m):
                c = visit(m, path + [m])
                if c:
                    return c
        state[n] = 2
        return None
    for n in sorted(deps):
        if not state.get(n):
            c = visit(n, [n])
            if c:
                return c
    return None


def pipeline_actions(t, lid):
    return [(st.get('Name'), a) for st in props(t['Resources'][lid]).get('Stages', [])
            for a in st.get('Actions', [])]


def event_rules(t):
    return [(lid, props(r)) for lid, r in resources(t, 'AWS::Events::Rule')]

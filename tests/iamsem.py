# SPDX-License-Identifier: MIT
"""IAM semantics for never_broader.py: intrinsic values, resources in a
normal form, IAM action and resource matching, conditions, and the
principals of a template with the (action, resource) pairs they are
allowed or denied. never_broader.py's docstring says what each means.

Kept apart from never_broader.py, which holds the check itself (what an
output may add, and its exceptions) and its command line, so that the
reading of policies can be read and changed without the check's rules.
"""
import json
import re
from functools import lru_cache

from iamdata import ARN_FORMS, MANAGED, RETIRED, SAM_TEMPLATES

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
        self.from_managed = set()   # id() of allow/nots from AWS managed policies

    def merge(self, other):
        self.allow += other.allow
        self.nots += other.nots
        self.deny += other.deny
        self.notcanon |= other.notcanon
        self.denynot.update(other.denynot)
        self.markers.update(other.markers)
        self.from_managed |= other.from_managed

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
        n0, m0 = len(p.allow), len(p.nots)
        for st in MANAGED[name]:
            add_stmt(p, tpl, st)
        p.from_managed.update(id(x) for x in p.allow[n0:] + p.nots[m0:])
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



# ---- for never_narrower.py ------------------------------------------------

def principals_effective(tpl, collisions=None):
    """principals() as IAM ends up with them, for never_narrower.py.

    A principal's inline policies are keyed by PolicyName: its Policies
    entries and the AWS::IAM::Policy / RolePolicy / UserPolicy / GroupPolicy
    resources naming it (by Ref or by its literal name) with the same
    PolicyName overwrite one another, and which one is kept is not defined.
    None of such colliding documents counts for that principal unless they
    are all the same. Managed policies AWS retired (RETIRED) grant nothing:
    the deployment fails with them. principals() itself is unchanged:
    this reads a copy of the template with those grants taken out. If
    collisions is a dict, it gets {principal key: {PolicyName: count}}."""
    import copy
    res = copy.deepcopy(tpl.res)
    types = tpl.types
    byname = {}
    for lid, t in types.items():
        if t in (ROLE, USER, GROUP):
            n = tpl.props[lid].get(NAME_PROP[t])
            if n is not None:
                byname[(t, canon(n))] = lid

    def who(kind, x):
        k, v = intrinsic(x)
        if k == "Ref" and isinstance(v, str) and types.get(v) == kind:
            return v
        return byname.get((kind, canon(x)), "%s %s" % (KIND[kind], show(x)))

    def props(lid):
        p = res[lid].get("Properties")
        return p if isinstance(p, dict) else {}

    # (principal, PolicyName) -> [(document, where)]; where is ("inline",
    # lid, index) or ("attach", policy lid, property, index).
    named = {}
    for lid, t in types.items():
        if t in (ROLE, USER, GROUP):
            pols = items(props(lid).get("Policies", []))
            props(lid)["Policies"] = pols
            for i, pol in enumerate(pols):
                if isinstance(pol, dict):
                    named.setdefault((lid, canon(pol.get("PolicyName"))), []).append(
                        (canon(pol.get("PolicyDocument")), ("inline", lid, i)))
        elif t in ATTACH and t != MANAGED_POLICY:
            pr = props(lid)
            for prop, kind in ATTACH[t]:
                if prop not in pr:
                    continue
                xs = items(pr[prop])
                pr[prop] = xs
                for i, x in enumerate(xs):
                    named.setdefault((who(kind, x), canon(pr.get("PolicyName"))), []).append(
                        (canon(pr.get("PolicyDocument")), ("attach", lid, prop, i)))
    drop = {}
    for (pkey, pname), docs in named.items():
        if len(docs) > 1 and len({d for d, _ in docs}) > 1:
            if collisions is not None:
                collisions.setdefault(pkey, {})[show(json.loads(pname))] = len(docs)
            for _, where in docs:
                drop.setdefault(where[:-1], set()).add(where[-1])
    for where, idx in drop.items():
        pr = props(where[1])
        prop = "Policies" if where[0] == "inline" else where[2]
        pr[prop] = [x for i, x in enumerate(pr[prop]) if i not in idx]
    # Retired managed policies.
    for lid, t in types.items():
        key = "ManagedPolicyArns" if t in (ROLE, USER, GROUP) else \
            "Policies" if t in SAM_TYPES else None
        if key is None or key not in props(lid):
            continue
        keep = []
        for x in items(props(lid)[key]):
            tk = tpl.toks(x) if isinstance(x, str) or intrinsic(x)[0] else None
            name = None
            if tk and all(isinstance(c, str) for c in tk):
                s = "".join(tk)
                m = POLICY_ARN.match(s)
                name = m.group(1) if m else (s if t in SAM_TYPES else None)
            if name not in RETIRED:
                keep.append(x)
        props(lid)[key] = keep
    return principals(Template(tpl.path, {"Resources": res}))

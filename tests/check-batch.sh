#!/bin/sh
# SPDX-License-Identifier: MIT
# Batch runs (-r, -j, --out-dir, --in-place, --check), the configuration
# file, the report formats (SARIF validated against the SARIF 2.1.0 schema
# committed in tests/, JSON Patch applied by python3-jsonpatch, unified
# diff applied by git apply) and training pairs, end to end through the
# command line. Nothing is downloaded.
#
# The corpus parts run on ../shared/corpus (CORPUS=DIR names another) when
# it is there, else on the sample committed in tests/corpus/.
set -u
build=${1:-build}
exe="$PWD/$build/cfn-harden"
tmp="$PWD/$build/batch-test"
rm -rf "$tmp"
mkdir -p "$tmp"
suite=batch
. tests/lib.sh
corpus=${CORPUS:-../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "batch: $corpus not found: skipped (the committed sample in tests/corpus/ was checked)"
	corpus=tests/corpus
fi


# A small repository: templates at several depths, a file that is YAML but
# not a template, a file that is not YAML, a broken template, and a hidden
# directory that must not be entered.
make_tree() {
	rm -rf "$1"
	mkdir -p "$1/a/b" "$1/.git"
	cp tests/golden/dlq/yaml-sam/input.yaml "$1/a/sam.yaml"
	cp tests/golden/encryption/json-all-stores/input.json "$1/a/b/stores.json"
	cp tests/golden/alarms/yaml-services/input.yaml "$1/services.yml"
	printf 'version: "3"\nservices: {}\n' > "$1/compose.yaml"
	echo "hello" > "$1/README.md"
	cp tests/golden/errors/duplicate-key-yaml/input.yaml "$1/a/bad.yaml"
	cp tests/golden/dlq/yaml-sam/input.yaml "$1/.git/hidden.yaml"
}
tree="$tmp/tree"
make_tree "$tree"

# ---- a batch, with one and two workers: the same bytes ----
for j in 1 2; do
	"$exe" -r "$tree" --out-dir "$tmp/out$j" -j "$j" \
		--report "sarif:$tmp/r$j.sarif" --report "json:$tmp/r$j.json" \
		--report "md:$tmp/r$j.md" > "$tmp/stdout$j" 2> "$tmp/err$j"
	echo $? > "$tmp/status$j"
done
check "a failed template makes the batch exit 3" grep -qx 3 "$tmp/status1"
check "-j 1 and -j 2 write the same trees" diff -r "$tmp/out1" "$tmp/out2"
for f in r1.sarif r1.json r1.md err1; do
	check "-j 1 and -j 2 give the same $f" cmp "$tmp/$f" "$tmp/$(echo $f | tr 1 2)"
done
check "the bad template is named with its position" \
	grep -q "a/bad.yaml:[0-9]*:[0-9]*: error: duplicate key" "$tmp/err1"
check "summary: 3 hardened" grep -Eq "^hardened +3$" "$tmp/err1"
check "summary: 2 skipped (a non-template YAML, a README)" \
	grep -Eq "^skipped +2$" "$tmp/err1"
check "summary: 1 failed" grep -Eq "^failed +1$" "$tmp/err1"
check "summary: changes per pass" grep -Eq "^encryption +[0-9]+$" "$tmp/err1"
check "hidden directories are not entered" test ! -e "$tmp/out1/.git"
check "non-templates are not written" test ! -e "$tmp/out1/compose.yaml"
check "the failed template is not written" test ! -e "$tmp/out1/a/bad.yaml"
check "--out-dir mirrors the tree" test -f "$tmp/out1/a/b/stores.json"
"$exe" "$tree/a/sam.yaml" > "$tmp/single.yaml" 2>/dev/null
check "a batch output equals the one-template output" \
	cmp "$tmp/single.yaml" "$tmp/out1/a/sam.yaml"
check "no progress line when stderr is not a terminal" \
	sh -c "! grep -q 'ETA' '$tmp/err1'"
if command -v script >/dev/null 2>&1; then
	script -qec "'$exe' -r '$corpus' --check -j 2 > /dev/null" \
		"$tmp/tty.log" > /dev/null 2>&1
	check "a progress line on a terminal: done/total, rate" \
		grep -aq "/[0-9]* templates, [0-9]*/s" "$tmp/tty.log"
	check "the progress line is redrawn a few times a second, not per template" \
		test "$(tr '\r' '\n' < "$tmp/tty.log" | grep -ac ' templates, ')" -lt 100
fi

# ---- the whole corpus: -j 2 writes what -j 1 writes ----
for j in 1 2; do
	"$exe" -r "$corpus" --out-dir "$tmp/corpus$j" -j "$j" \
		--report "json:$tmp/corpus$j.json" > /dev/null 2> "$tmp/corpus-err$j"
done
check "corpus: -j 1 and -j 2 write byte-identical trees" \
	diff -r "$tmp/corpus1" "$tmp/corpus2"
check "corpus: and the same report and summary" \
	sh -c "cmp '$tmp/corpus1.json' '$tmp/corpus2.json' && cmp '$tmp/corpus-err1' '$tmp/corpus-err2'"
# A batch writes its JSON and SARIF reports a template at a time, with
# the framing around each part written by hand: the file must be what
# one dump of the whole document gives (Python's indent=2 lays JSON out
# as jansson's JSON_INDENT(2) does).
cat > "$tmp/whole.py" <<'EOF'
import json, sys
for f in sys.argv[1:]:
    t = open(f, encoding="utf-8").read()
    if t != json.dumps(json.loads(t), indent=2, ensure_ascii=False) + "\n":
        sys.exit("%s: not laid out as one dump of the document" % f)
EOF
check "a streamed report is laid out as one dump of the whole (json, sarif)" \
	python3 "$tmp/whole.py" "$tmp/corpus1.json" "$tmp/r1.json" "$tmp/r1.sarif"
# Every template but those tests/corpus-refused.txt lists as bad input.
templates=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o \
	-name '*.json' -o -name '*.template' \) | wc -l)
refused=$(grep -v '^#' tests/corpus-refused.txt | cut -f1 | while read -r f; do
	[ ! -e "$corpus/$f" ] || echo "$f"; done | wc -l)
check "corpus: every template but the known bad input is written" \
	test "$(find "$tmp/corpus1" -type f | wc -l)" -eq $((templates - refused))
rm -rf "$tmp/corpus1" "$tmp/corpus2"

# ---- SARIF: valid against the 2.1.0 schema, one result per finding ----
# The schema is committed (tests/sarif-schema-2.1.0.json.license says
# where it comes from and under what terms); python3-jsonschema is one of
# the Makefile's DEB_PKGS.
schema=tests/sarif-schema-2.1.0.json
cat > "$tmp/sarif.py" <<'EOF'
import json, os, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
report = json.load(open(sys.argv[3]))
tree, out = sys.argv[4], sys.argv[5]
jsonschema.validators.validator_for(schema)(schema).validate(log)
# GitHub code scanning's limits: 20 runs, 25,000 results a run, and runs
# of one tool told apart by their automationDetails.id.
runs = log["runs"]
assert 1 <= len(runs) <= 20 and all(len(r["results"]) <= 25000 for r in runs)
if len(runs) > 1:
    ids = [r["automationDetails"]["id"] for r in runs]
    assert len(set(ids)) == len(ids), ids
results = [res for r in runs for res in r["results"]]
uri = lambda r: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
# One result per finding: the records of one pass on one resource (or one
# entry of another section), advisories apart; scaffolding (an empty
# object or list that a later record fills) is no finding.
def subject(c):
    if c.get("resource"):
        return ("R", c["resource"])
    return ("S",) + tuple(c["path"].split("/")[1:3])
findings = {}
for t in report["templates"]:
    ch = t["changes"]
    for i, c in enumerate(ch):
        if c["op"] == "add" and c.get("new") in ({}, []) and any(
                d["path"].startswith(c["path"] + "/") for d in ch[i + 1:]):
            continue
        key = (t["template"], c["pass"], subject(c), c["op"] == "advisory")
        findings.setdefault(key, []).append((c["op"], c["path"]))
want = sorted((k[0], k[1], k[3], v) for k, v in findings.items())
got = sorted((uri(r), r["properties"]["pass"], r["kind"] == "review",
              [(c["op"], c["pointer"]) for c in r["properties"]["changes"]])
             for r in results)
assert got == want, (len(got), len(want))
# Rules: a stable id that is not the name, help, a help URI.
level = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
for run in runs:
    rules = run["tool"]["driver"]["rules"]
    assert all(r["id"] == "cfn-harden/" + r["properties"]["pass"] != r["name"]
               and r["help"]["text"] and r["helpUri"] for r in rules)
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        # An advisory is for review: level none, as SARIF 3.27.9 wants.
        if r["kind"] == "review":
            assert r["level"] == "none" and "fixes" not in r
        else:
            assert r["kind"] == "fail"
            assert r["level"] == level[r["properties"]["severity"]]
fps = [r["partialFingerprints"]["cfnHardenFinding/v1"] for r in results]
assert len(set(fps)) == len(fps)
# The fixes of all results, applied to each input, give its output: lines
# and columns (code points) as SARIF counts them, no two replacements in a
# template overlapping.
reps = {}
for r in results:
    for f in r.get("fixes", []):
        for a in f["artifactChanges"]:
            assert a["artifactLocation"]["uri"] == uri(r)
            reps.setdefault(uri(r), []).extend(a["replacements"])
for t in report["templates"]:
    path = t["template"]
    text = open(path, "rb").read().decode("utf-8")
    bom = text.startswith("\ufeff")
    text = text[bom:]
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    def at(line, col):
        if col is None:
            end = starts[line] if line < len(starts) else len(text)
            body = text[starts[line - 1]:end]
            return end - (2 if body.endswith("\r\n") else body.endswith("\n"))
        return (starts[line - 1] if line <= len(starts) else len(text)) + col - 1
    spans = sorted((at(d["startLine"], d.get("startColumn", 1)),
                    at(d.get("endLine", d["startLine"]), d.get("endColumn")),
                    rep["insertedContent"]["text"])
                   for rep in reps.get(path, []) for d in [rep["deletedRegion"]])
    assert all(x[1] <= y[0] for x, y in zip(spans, spans[1:])), path
    for s, e, new in reversed(spans):
        text = text[:s] + new + text[e:]
    hardened = open(os.path.join(out, os.path.relpath(path, tree)), "rb").read()
    assert ("\ufeff" * bom + text).encode("utf-8") == hardened, path
# The validator is not a rubber stamp: a wrong level is refused.
results[0]["level"] = "fatal"
try:
    jsonschema.validators.validator_for(schema)(schema).validate(log)
except jsonschema.ValidationError:
    sys.exit(0)
sys.exit(1)
EOF
check "SARIF is valid 2.1.0, one result per finding, fixes that give the output" \
	python3 "$tmp/sarif.py" "$schema" "$tmp/r1.sarif" "$tmp/r1.json" "$tree" "$tmp/out1"
# The corpus: within GitHub's limits (split into runs past 25,000
# results), and every fix applies.
"$exe" -r "$corpus" --out-dir "$tmp/corpus-sarif" --report "sarif:$tmp/corpus.sarif" \
	--report "json:$tmp/corpus.json" > /dev/null 2>&1
check "corpus: SARIF within GitHub's limits, fixes that give the outputs" \
	python3 "$tmp/sarif.py" "$schema" "$tmp/corpus.sarif" "$tmp/corpus.json" \
	"$corpus" "$tmp/corpus-sarif"
check "corpus: the SARIF log (several runs) is laid out as one dump of the whole" \
	python3 "$tmp/whole.py" "$tmp/corpus.sarif"
rm -rf "$tmp/corpus-sarif"

# ---- JUnit: well-formed XML, a testsuite per template, a testcase per finding ----
junit_tree="$tmp/junit"
make_tree "$junit_tree"
# A name XML must escape, in attributes and in text.
mv "$junit_tree/a/sam.yaml" "$junit_tree/a/R&D <\"sam\"> 'x'.yaml"
"$exe" -r "$junit_tree" --report "junit:$tmp/r.xml" --report "sarif:$tmp/r.sarif" \
	> /dev/null 2>&1
cat > "$tmp/junit.py" <<'EOF'
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
log = json.load(open(sys.argv[2]))
results = [r for run in log["runs"] for r in run["results"]]
uri = lambda r: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
assert root.tag == "testsuites"
suites = root.findall("testsuite")
names = [s.get("name") for s in suites]
# Every template hardened, once; the broken one has no suite.
assert len(names) == len(set(names)) == 3, names
assert any(n.endswith("/a/R&D <\"sam\"> 'x'.yaml") for n in names), names
for s in suites:
    mine = [r for r in results if uri(r) == s.get("name")]
    cases = s.findall("testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    skips = [c for c in cases if c.find("skipped") is not None]
    assert int(s.get("tests")) == len(cases) == max(len(mine), 1)
    assert int(s.get("failures")) == len(fails) == sum(r["kind"] == "fail" for r in mine)
    assert int(s.get("skipped")) == len(skips) == sum(r["kind"] == "review" for r in mine)
    assert all(c.get("classname") == c.get("file") == s.get("name") for c in cases)
    for c in fails:
        f = c.find("failure")
        assert f.get("type") in ("critical", "high", "medium", "low")
        assert f.get("message") and f.text.startswith(f.get("type") + ": ")
assert sum(1 for s in suites for c in s.iter("testcase")
           if c.find("failure") is not None) > 10
EOF
check "JUnit is well-formed, a testsuite per template, a testcase per finding" \
	python3 "$tmp/junit.py" "$tmp/r.xml" "$tmp/r.sarif"

# ---- --check over a tree: exit 1 and the list; then --in-place ----
rm "$tree/a/bad.yaml"
chmod 0640 "$tree/a/sam.yaml"
"$exe" -r "$tree" --check > "$tmp/check.out" 2>/dev/null
check "--check -r exits 1 when templates would change" test $? -eq 1
check "--check -r lists them" test "$(grep -c 'changes\{0,1\} needed' "$tmp/check.out")" -eq 3
# Under -r a file named is one found (a pre-commit hook names every YAML
# file): skipped unless it is a template.
"$exe" -r --check "$tree/compose.yaml" > /dev/null 2>&1
check "-r: a named file that is no template is skipped (exit 0)" test $? -eq 0
"$exe" --check "$tree/compose.yaml" > /dev/null 2>&1
check "without -r: a named file that is no template is bad input (exit 3)" test $? -eq 3

# The gate: a minimum severity, a baseline, --quiet.
"$exe" -r "$tree" --check --min-severity critical > "$tmp/gate-crit" 2>/dev/null
check "--min-severity critical still fails on critical changes" test $? -eq 1
"$exe" -r "$tree" --check --only tags --min-severity medium > /dev/null 2>&1
check "--min-severity medium passes when only low changes remain" test $? -eq 0
"$exe" -r "$tree" --check --write-baseline "$tmp/base.json" > /dev/null 2>&1
check "--write-baseline accepts what it writes (exit 0)" test $? -eq 0
check "--write-baseline lists findings by template, pass, resource" \
	python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['findings']; assert f and all(set(x)=={'template','pass','resource'} for x in f)" "$tmp/base.json"
"$exe" -r "$tree" --check --baseline "$tmp/base.json" > "$tmp/gate-base" 2>&1
check "--baseline: nothing new, the gate passes" test $? -eq 0
cp tests/golden/encryption/yaml-all-stores/input.yaml "$tree/new.yaml"
"$exe" -r "$tree" --check --baseline "$tmp/base.json" -q > "$tmp/gate-new" 2> "$tmp/gate-new-err"
check "--baseline: a new template's findings fail the gate" test $? -eq 1
check "--quiet: nothing on stderr, nothing listed" \
	sh -c "test ! -s '$tmp/gate-new-err' && test ! -s '$tmp/gate-new'"
rm "$tree/new.yaml"
printf '{"findings": 3}' > "$tmp/notbase.json"
"$exe" -r "$tree" --check --baseline "$tmp/notbase.json" > /dev/null 2> "$tmp/gate-bad"
check "--baseline: a file that is not a baseline is exit 2" test $? -eq 2
check "... said with the file's name" grep -q "notbase.json:1:1: error: not a baseline" "$tmp/gate-bad"
"$exe" -r "$tree" --in-place 2>/dev/null
check "--in-place hardens" cmp "$tree/a/sam.yaml" "$tmp/out1/a/sam.yaml"
check "--in-place keeps the mode" test "$(stat -c %a "$tree/a/sam.yaml")" = 640
check "--in-place leaves non-templates alone" grep -q '^version: "3"' "$tree/compose.yaml"
"$exe" -r "$tree" --check > /dev/null 2>&1
check "a hardened tree passes --check" test $? -eq 0
check "/dev/null is still a device after -o /dev/null" \
	sh -c "'$exe' -o /dev/null '$tree/a/sam.yaml' && test -c /dev/null"

# ---- a batch killed at any moment: every file old or complete ----
kill_tree="$tmp/kill"
mkdir -p "$tmp/kill-src"
ls "$build"/corpus-sample/*.yaml "$build"/corpus-sample/*.json 2>/dev/null | head -n 200 |
	while read -r f; do cp "$f" "$tmp/kill-src/"; done
if [ "$(ls "$tmp/kill-src" | wc -l)" -lt 50 ]; then
	# The corpus's first 200 YAML templates; the sample's are copied under
	# several names until there are as many, so that a kill still lands in
	# the middle of the run.
	i=0
	while [ "$(ls "$tmp/kill-src" | wc -l)" -lt 200 ] && [ "$i" -lt 50 ]; do
		i=$((i + 1))
		find "$corpus" -name '*.yaml' | sort | head -n 200 | while read -r f; do
			cp "$f" "$tmp/kill-src/$i$(echo "$f" | tr / _)"
		done
	done
fi
"$exe" -r "$tmp/kill-src" --out-dir "$tmp/kill-ref" -j 2 2>/dev/null
broken=0
for delay in 0.01 0.03 0.06 0.1; do
	rm -rf "$kill_tree"
	cp -r "$tmp/kill-src" "$kill_tree"
	"$exe" -r "$kill_tree" --in-place -j 2 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for f in "$kill_tree"/*; do
		b=${f##*/}
		if ! cmp -s "$f" "$tmp/kill-src/$b" &&
		   { [ ! -f "$tmp/kill-ref/$b" ] || ! cmp -s "$f" "$tmp/kill-ref/$b"; }; then
			echo "batch: killed run left $b neither old nor hardened"
			broken=$((broken + 1))
		fi
	done
done
check "a killed --in-place run leaves every file old or hardened" test "$broken" -eq 0

# ---- the configuration file ----
make_tree "$tree"
rm "$tree/a/bad.yaml"
cat > "$tree/.cfn-harden.yaml" <<'EOF'
# Repository settings for cfn-harden.
skip: [alarms]
mode: new-stack
settings:
  logs:
    retention-days: 90
exclude:
  - "a/b/*"
EOF
"$exe" -r "$tree" --out-dir "$tmp/conf-out" 2> "$tmp/conf-err"
check "config: exclude globs skip templates" test ! -e "$tmp/conf-out/a/b/stores.json"
check "config: skip turns passes off" sh -c "! grep -q 'AWS::CloudWatch::Alarm' '$tmp/conf-out/a/sam.yaml'"
check "config: settings apply" grep -q "RetentionInDays: 90" "$tmp/conf-out/a/sam.yaml"
"$exe" --skip logs "$tree/a/sam.yaml" > "$tmp/conf-skip.yaml" 2>/dev/null
check "config: --skip adds to the file's skip" \
	sh -c "! grep -q 'RetentionInDays' '$tmp/conf-skip.yaml' && ! grep -q 'CloudWatch::Alarm' '$tmp/conf-skip.yaml'"
"$exe" --set logs.retention-days=7 "$tree/a/sam.yaml" > "$tmp/conf-set.yaml" 2>/dev/null
check "config: --set wins over the file" grep -q "RetentionInDays: 7" "$tmp/conf-set.yaml"
# The file says new-stack: in a deployed stack (the command line wins) the
# existing log groups keep theirs, with an advisory.
"$exe" --mode deployed "$tree/a/sam.yaml" > "$tmp/conf-mode.yaml" 2>/dev/null
check "config: mode applies, --mode wins over the file" \
	sh -c "! grep -q 'RetentionInDays' '$tmp/conf-mode.yaml'"
printf 'skip: [alarms]\ncolour: blue\n' > "$tree/.cfn-harden.yaml"
"$exe" "$tree/a/sam.yaml" > /dev/null 2> "$tmp/conf-bad"
check "config: an unknown key is a usage error (exit 2)" test $? -eq 2
check "config: the unknown key is named at its line and column" \
	grep -q "\.cfn-harden\.yaml:2:1: error: unknown key 'colour'" "$tmp/conf-bad"
printf 'skip: [alarms\n' > "$tree/.cfn-harden.yaml"
"$exe" "$tree/a/sam.yaml" > /dev/null 2> "$tmp/conf-yaml"
check "config: a file that is not YAML is a configuration error (exit 2)" test $? -eq 2
check "config: its YAML error is at its line and column" \
	grep -q "\.cfn-harden\.yaml:2:1: error:" "$tmp/conf-yaml"
printf 'settings:\n  dlq:\n    max-receive-count: 0\n' > "$tmp/other.yaml"
"$exe" --config "$tmp/other.yaml" "$tree/a/sam.yaml" > /dev/null 2> "$tmp/conf-range"
check "config: --config replaces the nearest file, values are checked" \
	grep -q "other.yaml:3:5: error: dlq.max-receive-count must be" "$tmp/conf-range"
# A template named on the command line that its configuration excludes:
# not hardened, said on stderr, written unchanged rather than empty.
printf 'exclude: ["a/b/*"]\n' > "$tree/.cfn-harden.yaml"
"$exe" "$tree/a/b/stores.json" -o "$tmp/conf-excl.json" 2> "$tmp/conf-excl"
check "config: an excluded template named on the command line is exit 0" test $? -eq 0
check "config: ... and said on stderr" \
	grep -q "stores.json: note: excluded by its configuration" "$tmp/conf-excl"
check "config: ... and written unchanged, not empty" \
	cmp -s "$tree/a/b/stores.json" "$tmp/conf-excl.json"
"$exe" "$tree/a/b/stores.json" > "$tmp/conf-excl-out.json" 2> /dev/null
check "config: ... to standard output too" \
	cmp -s "$tree/a/b/stores.json" "$tmp/conf-excl-out.json"
rm "$tree/.cfn-harden.yaml"

# ---- training pairs: deterministic ----
for n in 1 2; do
	"$exe" -r "$tree" --pairs-dir "$tmp/pairs$n" -j "$n" 2>/dev/null
done
check "pairs: the same bytes for -j 1 and -j 2" diff -r "$tmp/pairs1" "$tmp/pairs2"
check "pairs: one line per template" test "$(wc -l < "$tmp/pairs1/pairs.jsonl")" -eq 3
check "pairs: input, output and analysis per template" \
	test -f "$tmp/pairs1/a_sam.yaml/MODEL_RESPONSE.yaml" -a \
	-f "$tmp/pairs1/a_sam.yaml/IDEAL_RESPONSE.yaml" -a \
	-f "$tmp/pairs1/a_sam.yaml/MODEL_FAILURES.md"
check "pairs: the analysis is the seed format" \
	grep -q "^\*\*Impact Level\*\*" "$tmp/pairs1/a_sam.yaml/MODEL_FAILURES.md"
check "pairs: jsonl lines carry before, after and findings" python3 -c "
import json, sys
for line in open('$tmp/pairs1/pairs.jsonl'):
    p = json.loads(line)
    assert {'id', 'source', 'format', 'before', 'after', 'findings'} <= set(p)
    assert p['findings'] and all({'severity', 'pass'} <= set(f) for f in p['findings'])
"

# ---- --diff and the JSON Patch report, over the golden inputs ----
dfail=0
pfail=0
n=0
: > "$tmp/patch-cases"
for input in tests/golden/encryption/*/input.* tests/golden/iam/*/input.* \
	     tests/golden/dlq/*/input.* tests/golden/alarms/*/input.* \
	     tests/golden/logs/*/input.* tests/golden/lambda/*/input.*; do
	[ -f "$input" ] || continue
	n=$((n + 1))
	args=$(cat "$(dirname "$input")/args" 2>/dev/null | sed 's/--report @OUT@//; s/-o @OUT@//')
	name=${input##*/}
	rm -rf "$tmp/d" && mkdir -p "$tmp/d" && cp "$input" "$tmp/d/$name"
	# shellcheck disable=SC2086
	(cd "$tmp/d" && "$exe" $args --diff "$name" > ../p.diff 2>/dev/null &&
	 "$exe" $args "$name" > ../want 2>/dev/null &&
	 { [ ! -s ../p.diff ] || git apply ../p.diff; } && cmp -s "$name" ../want) ||
		{ echo "batch: --diff does not apply to $input"; dfail=$((dfail + 1)); }
	printf '%s\t%s\n' "$input" "$args" >> "$tmp/patch-cases"
done
python3 tests/check_patch.py "$exe" < "$tmp/patch-cases" || pfail=1
check "--diff gives a patch that git apply turns into the output ($n)" test "$dfail" -eq 0
check "JSON Patch applied to the input gives the output ($n)" test "$pfail" -eq 0

# A full standard output is an I/O error (exit 4), whatever went there.
if [ -w /dev/full ]; then
	one=examples/media-processing.yaml
	for what in "--diff" "--report - -o $tmp/full.yaml" "" "--list-passes"; do
		# shellcheck disable=SC2086
		"$exe" $what $one > /dev/full 2> "$tmp/full-err"
		st=$?
		check "exit 4 when standard output is full (${what:-the template})" \
			test "$st" -eq 4
		check "a full standard output is said on stderr (${what:-the template})" \
			grep -q "error: cannot write" "$tmp/full-err"
	done
fi

# A template and its reports are written together or not at all: a
# report of an earlier run survives an output that cannot be written.
cp examples/media-processing.yaml "$tmp/t.yaml"
echo "earlier report" > "$tmp/kept.md"
"$exe" --report "md:$tmp/kept.md" -o "$tmp/no/such/dir/out.yaml" "$tmp/t.yaml" 2>/dev/null
st=$?
check "a failed output is exit 4" test "$st" -eq 4
check "a failed output leaves an earlier report as it was" grep -qx "earlier report" "$tmp/kept.md"
"$exe" --report "md:$tmp/kept.md" --report "json:$tmp/no/such/r.json" -o "$tmp/t-out.yaml" "$tmp/t.yaml" 2>/dev/null
check "a failed report writes neither the output nor the other reports" \
	sh -c "test ! -e '$tmp/t-out.yaml' && grep -qx 'earlier report' '$tmp/kept.md'"
check "no staged file is left behind" sh -c "! ls -a '$tmp' | grep -q '^.cfn-harden'"
# A report over a template would destroy it: a usage error.
"$exe" --report "md:$tmp/t.yaml" "$tmp/t.yaml" > /dev/null 2>&1
st=$?
check "a report over the template is refused (exit 2)" test "$st" -eq 2
check "the template is left as it was" cmp -s "$tmp/t.yaml" examples/media-processing.yaml

# An --out-dir inside the input tree holds outputs, not inputs: a second
# run does not harden the first run's outputs again.
mkdir -p "$tmp/own/a"
cp examples/media-processing.yaml "$tmp/own/a/t.yaml"
"$exe" -r "$tmp/own" --out-dir "$tmp/own/out" 2>/dev/null
"$exe" -r "$tmp/own" --out-dir "$tmp/own/out" 2>/dev/null
check "an --out-dir inside the tree is not read back as input" \
	test ! -e "$tmp/own/out/out"

# An error is one line, whatever the file's name: a newline in it is
# shown as '?'.
mkdir -p "$tmp/nl"
printf 'Resources: [\n' > "$tmp/nl/bad
name.yaml"
"$exe" -r "$tmp/nl" --check > /dev/null 2> "$tmp/nl-err"
check "a newline in a file name does not split its error line" \
	grep -q "bad?name.yaml:2:1: error:" "$tmp/nl-err"

# Reading is capped: /dev/zero is refused as input, not read until the
# memory runs out.
if [ -r /dev/zero ]; then
	"$exe" /dev/zero > /dev/null 2> "$tmp/zero-err"
	st=$?
	check "a file past the input cap is refused (exit 3)" test "$st" -eq 3
	check "the input cap is said at line 1" grep -q "^/dev/zero:1:1: error: larger than" "$tmp/zero-err"
fi

check_summary

# SPDX-License-Identifier: MIT
"""Read a template as JSON data, for the checkers written apart from the
passes: through `cfn-harden --only "" --to json`, which reads YAML and JSON
as the tool does.

`--to json` refuses a tag that is no CloudFormation function (the
`!Rain::Embed` of a preprocessor): it has no long form. The checkers still
have to read such a template, so they fall back to PyYAML (cfn-lint's own
dependency) with every tag read the way cfn-lint reads it: `!Ref` and
`!Condition` as themselves, `!GetAtt A.B` as a list, any other `!X` as
`Fn::X`.
"""
import json
import subprocess

NOT_A_FUNCTION = "is not a CloudFormation function"


def _yaml(path):
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {"Fn::" + suffix: value}

    Loader.add_multi_constructor("!", construct)
    with open(path) as f:
        return yaml.load(f, Loader)


def read(tool, path):
    """(data, None), or (None, the first line of why it cannot be read)."""
    r = subprocess.run([tool, "--only", "", "--to", "json", path],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return json.loads(r.stdout), None
    why = (r.stderr.strip().splitlines() or
           ["exit status %d" % r.returncode])[0]
    if NOT_A_FUNCTION in why:
        try:
            return _yaml(path), None
        except Exception as e:  # the fallback's own failure, said
            return None, "%s (and PyYAML: %s)" % (why, e)
    return None, why


def command_line(prog, description, argv):
    """The checkers' common command line: (the cfn-harden to read with,
    [[input, output, report?], ...]) from `[--cfn-harden PATH] INPUT
    OUTPUT [REPORT.json]` or `--pairs FILE` (one input<TAB>output
    [<TAB>report] a line). Bad usage exits 2 through argparse."""
    import argparse
    import os
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--cfn-harden", dest="tool")
    ap.add_argument("--pairs", help="a file of input<TAB>output[<TAB>report] lines")
    ap.add_argument("files", nargs="*", metavar="INPUT OUTPUT [REPORT.json]")
    args = ap.parse_args(argv)
    pairs = []
    if args.pairs:
        if args.files:
            ap.error("--pairs takes no other files")
        try:
            with open(args.pairs) as f:
                for line in f:
                    fields = line.rstrip("\n").split("\t")
                    if len(fields) >= 2 and fields[0]:
                        pairs.append(fields[:3])
        except OSError as e:
            ap.error("%s: %s" % (args.pairs, e.strerror))
    elif len(args.files) in (2, 3):
        pairs.append(args.files)
    else:
        ap.error("give INPUT OUTPUT [REPORT.json], or --pairs FILE")
    tool = args.tool or os.environ.get("CFN_HARDEN") or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "cfn-harden")
    return tool, pairs

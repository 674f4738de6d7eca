/* SPDX-License-Identifier: MIT */
/* cfn-harden: option parsing only; the work is in the library (run.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfharden.h"

/* The option descriptions are the man page's, word for word: a test
 * compares them. */
static const char usage[] =
	"usage: cfn-harden [options] TEMPLATE|-\n"
	"       cfn-harden [options] -r DIR... | TEMPLATE...\n"
	"\n"
	"Harden AWS CloudFormation templates (JSON or YAML) and write the\n"
	"result; text the passes do not change is kept byte for byte.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE          write the hardened template to FILE instead of standard output\n"
	"  -c, --check                write nothing; exit 1 if any pass would change a template\n"
	"      --min-severity LEVEL   with --check, count only changes of this severity or above: low, medium, high or critical (default low)\n"
	"      --baseline FILE        with --check, count only findings that FILE (from --write-baseline) does not list\n"
	"      --write-baseline FILE  write every finding (template, pass, resource) to FILE, for --baseline\n"
	"  -q, --quiet                say nothing on stderr but errors\n"
	"      --diff                 write a unified diff of each template and its hardened form instead\n"
	"      --report [FMT:]FILE    write a report of every change to FILE (repeatable)\n"
	"  -f, --report-format FMT    json, md, sarif, junit, json-patch or diff (default: from the FILE extension, else json)\n"
	"      --only IDS             run only these passes or groups: security, reliability, bookkeeping (comma-separated)\n"
	"      --skip IDS             do not run these passes or groups (comma-separated)\n"
	"      --no-replace           skip changes that would replace a resource, and report them (always so under --mode deployed)\n"
	"      --set PASS.KEY=VALUE   change a setting of a pass (repeatable; see --list-settings)\n"
	"      --profile NAME         prod (keep data: the default) or dev (let environments tear down)\n"
	"      --mode NAME            deployed (the template may already run: the default) or new-stack (a first draft)\n"
	"      --config FILE          read this configuration instead of the nearest .cfn-harden.yaml\n"
	"      --to FORMAT            write the template in another format: json or yaml\n"
	"  -r, --recursive            harden every template found under the DIR arguments (a FILE argument that is no template is skipped)\n"
	"      --out-dir DIR          write the hardened templates under DIR, mirroring the inputs' tree\n"
	"  -i, --in-place             rewrite each template that changes, atomically\n"
	"  -j, --jobs N               harden N templates at a time (default: one per core)\n"
	"      --pairs-dir DIR        write before/after training pairs and their analyses under DIR\n"
	"      --list-passes          list the passes in run order and exit\n"
	"      --explain ID           explain a pass, a fix ID or another tool's check and exit\n"
	"      --list-settings        list the settings with their defaults and exit\n"
	"  -h, --help                 show this help and exit\n"
	"  -V, --version              show the version and exit\n"
	"\n"
	"exit status:\n"
	"  0  success; with --check, nothing to change\n"
	"  1  with --check, some pass would change a template\n"
	"  2  bad command line or configuration\n"
	"  3  a template is not valid input (in a batch: the others are done)\n"
	"  4  a file could not be read or written\n"
	"  5  internal error or out of memory\n"
	"  129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM (no staged file is left)\n";

enum {
	OPT_ONLY = 256,
	OPT_SKIP,
	OPT_NO_REPLACE,
	OPT_TO,
	OPT_LIST,
	OPT_EXPLAIN,
	OPT_SET,
	OPT_PROFILE,
	OPT_MODE,
	OPT_LIST_SETTINGS,
	OPT_REPORT,
	OPT_CONFIG,
	OPT_OUT_DIR,
	OPT_PAIRS_DIR,
	OPT_DIFF,
	OPT_MIN_SEVERITY,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "check", no_argument, NULL, 'c' },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "min-severity", required_argument, NULL, OPT_MIN_SEVERITY },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "report-format", required_argument, NULL, 'f' },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
	{ "set", required_argument, NULL, OPT_SET },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "to", required_argument, NULL, OPT_TO },
	{ "recursive", no_argument, NULL, 'r' },
	{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
	{ "in-place", no_argument, NULL, 'i' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "pairs-dir", required_argument, NULL, OPT_PAIRS_DIR },
	{ "list-passes", no_argument, NULL, OPT_LIST },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "list-settings", no_argument, NULL, OPT_LIST_SETTINGS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char *const formats[] = {
	[CFH_REPORT_JSON] = "json",
	[CFH_REPORT_MD] = "md",
	[CFH_REPORT_SARIF] = "sarif",
	[CFH_REPORT_JSON_PATCH] = "json-patch",
	[CFH_REPORT_DIFF] = "diff",
	[CFH_REPORT_JUNIT] = "junit",
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "cfn-harden: error: %s%s%s%s\n", msg,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "Try 'cfn-harden --help' for more information.\n");
	return CFH_EXIT_USAGE;
}

/* Is @path one of the templates named on the command line (the same
 * file, by device and inode)? Directories are walked later: a report
 * inside one is not a template unless it looks like one. */
static bool names_an_input(const struct cfh_cli *cli, const char *path)
{
	struct stat a, b;
	size_t i;

	if (!strcmp(path, "-") || stat(path, &a))
		return false;
	for (i = 0; i < cli->ninputs; i++)
		if (strcmp(cli->inputs[i], "-") && !stat(cli->inputs[i], &b) &&
		    S_ISREG(b.st_mode) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return true;
	return false;
}

static int format_of(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strlen(formats[i]) == n && !strncmp(s, formats[i], n))
			return (int)i;
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* "FMT:FILE", or FILE with the format of --report-format or of its
 * extension. A prefix that reads like a format but names none
 * ("sarfi:x.sarif", "jsonpatch:-") is a mistake, not a file name: -1. */
static int report_req(struct cfh_report_req *r, const char *arg, int deflt)
{
	const char *colon = strchr(arg, ':');
	int f = colon ? format_of(arg, (size_t)(colon - arg)) : -1;

	if (f >= 0) {
		r->fmt = (enum cfh_report_format)f;
		r->path = colon + 1;
		return 0;
	}
	if (colon && colon > arg &&
	    strspn(arg, "abcdefghijklmnopqrstuvwxyz-") == (size_t)(colon - arg))
		return -1;
	r->path = arg;
	if (deflt >= 0)
		r->fmt = (enum cfh_report_format)deflt;
	else if (ends_with(arg, ".md"))
		r->fmt = CFH_REPORT_MD;
	else if (ends_with(arg, ".sarif") || ends_with(arg, ".sarif.json"))
		r->fmt = CFH_REPORT_SARIF;
	else if (ends_with(arg, ".diff") || ends_with(arg, ".patch"))
		r->fmt = CFH_REPORT_DIFF;
	else if (ends_with(arg, ".xml"))
		r->fmt = CFH_REPORT_JUNIT;
	else
		r->fmt = CFH_REPORT_JSON;
	return 0;
}

int main(int argc, char **argv)
{
	/* Every --set, --profile, --mode and --report, in order: at most one per
	 * argument. */
	const char **settings = calloc((size_t)argc, sizeof(*settings));
	const char **reports = calloc((size_t)argc, sizeof(*reports));
	struct cfh_report_req *reqs = calloc((size_t)argc, sizeof(*reqs));
	char **profiles = calloc((size_t)argc, sizeof(*profiles));
	char err[256];
	size_t nreports = 0, nprofiles = 0, i;
	int c, deflt = -1, rc;
	struct cfh_cli cli;
	char *end;

	/* First, while this is the only thread: the workers inherit the
	 * blocked signals, and the signal thread alone receives them. */
	if (cfh_signals_start()) {
		fprintf(stderr, "cfn-harden: error: cannot set up signal "
				"handling\n");
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	if (!settings || !reports || !reqs || !profiles) {
		fprintf(stderr, "cfn-harden: error: out of memory\n");
		rc = CFH_EXIT_INTERNAL;
		goto out;
	}
	memset(&cli, 0, sizeof(cli));
	cli.min_severity = CFH_SEV_LOW;
	cli.run.settings = settings;
	cli.reports = reqs;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:cf:rij:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cli.output = optarg;
			break;
		case 'c':
			cli.check = true;
			break;
		case OPT_DIFF:
			cli.diff = true;
			break;
		case OPT_REPORT:
			reports[nreports++] = optarg;
			break;
		case 'f':
			deflt = format_of(optarg, strlen(optarg));
			if (deflt < 0) {
				rc = usage_error("unknown report format",
						optarg);
				goto out;
			}
			break;
		case OPT_ONLY:
			cli.run.only = optarg;
			break;
		case OPT_SKIP:
			cli.run.skip = optarg;
			break;
		case OPT_NO_REPLACE:
			cli.run.no_replace = true;
			break;
		case OPT_SET:
		case OPT_PROFILE:
		case OPT_MODE:
			/* --profile and --mode are general settings. */
			if (c != OPT_SET) {
				const char *key = c == OPT_MODE ? "mode"
								: "profile";
				size_t len = strlen(optarg) + 18;

				profiles[nprofiles] = malloc(len);
				if (!profiles[nprofiles]) {
					rc = usage_error("out of memory", NULL);
					goto out;
				}
				snprintf(profiles[nprofiles], len,
					 "general.%s=%s", key, optarg);
				optarg = profiles[nprofiles++];
			}
			if (cfh_setting_check(optarg, err, sizeof(err))) {
				rc = usage_error(err, NULL);
				goto out;
			}
			settings[cli.run.nsettings++] = optarg;
			break;
		case OPT_CONFIG:
			cli.config = optarg;
			break;
		case OPT_MIN_SEVERITY:
			for (i = 0; i < CFH_SEV_COUNT; i++)
				if (!strcmp(optarg, cfh_severity_name(
							    (enum cfh_severity)i)))
					break;
			if (i == CFH_SEV_COUNT) {
				rc = usage_error("--min-severity takes low, "
						 "medium, high or critical, not",
						 optarg);
				goto out;
			}
			cli.min_severity = (enum cfh_severity)i;
			break;
		case OPT_BASELINE:
			cli.baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			cli.write_baseline = optarg;
			break;
		case 'q':
			cli.quiet = true;
			break;
		case OPT_TO:
			if (strcmp(optarg, "json") && strcmp(optarg, "yaml")) {
				rc = usage_error("unknown format", optarg);
				goto out;
			}
			cli.to = optarg;
			break;
		case 'r':
			cli.recursive = true;
			break;
		case OPT_OUT_DIR:
			cli.out_dir = optarg;
			break;
		case 'i':
			cli.in_place = true;
			break;
		case 'j':
			cli.jobs = (int)strtol(optarg, &end, 10);
			if (*end || cli.jobs < 1 || cli.jobs > 1024) {
				rc = usage_error("--jobs takes a number from "
						"1 to 1024, not", optarg);
				goto out;
			}
			break;
		case OPT_PAIRS_DIR:
			cli.pairs_dir = optarg;
			break;
		case OPT_LIST:
			rc = cfh_cli_list_passes();
			goto out;
		case OPT_EXPLAIN:
			rc = cfh_cli_explain(optarg);
			goto out;
		case OPT_LIST_SETTINGS:
			rc = cfh_cli_list_settings();
			goto out;
		case 'h':
			fputs(usage, stdout);
			rc = CFH_EXIT_OK;
			goto out;
		case 'V':
			printf("cfn-harden %s\n", CFH_VERSION);
			rc = CFH_EXIT_OK;
			goto out;
		default:
			rc = usage_error(optopt ? "bad option or missing argument"
						  : "unknown option",
					optopt ? NULL : argv[optind - 1]);
			goto out;
		}
	}
	if (optind >= argc) {
		rc = usage_error("no template given", NULL);
		goto out;
	}
	/* Training pairs are made from first drafts: --pairs-dir means
	 * --mode new-stack unless a --mode says otherwise. The slot is free:
	 * --pairs-dir took an argument and added no setting. */
	if (cli.pairs_dir) {
		for (i = 0; i < cli.run.nsettings; i++)
			if (!strncmp(settings[i], "general.mode=", 13))
				break;
		if (i == cli.run.nsettings)
			settings[cli.run.nsettings++] = "general.mode=new-stack";
	}
	if (deflt >= 0 && !nreports) {
		rc = usage_error("--report-format needs --report", NULL);
		goto out;
	}
	if ((cli.output != NULL) + cli.in_place + (cli.out_dir != NULL) > 1) {
		rc = usage_error("choose one of --output, --in-place and "
				"--out-dir", NULL);
		goto out;
	}
	if (cli.in_place && cli.to) {
		rc = usage_error("--in-place keeps each file's format: "
				"--to needs --output or --out-dir", NULL);
		goto out;
	}
	for (i = 0; i < nreports; i++)
		if (report_req(&reqs[i], reports[i], deflt)) {
			rc = usage_error("unknown report format (json, md, "
					 "sarif, json-patch, diff or junit) in",
					 reports[i]);
			goto out;
		}
	cli.nreports = nreports;
	cli.inputs = (const char *const *)argv + optind;
	cli.ninputs = (size_t)(argc - optind);
	for (i = 0; i < cli.ninputs; i++)
		if (!strcmp(cli.inputs[i], "-") &&
		    (cli.ninputs > 1 || cli.in_place || cli.recursive)) {
			rc = usage_error("standard input is one template, "
					"on its own", NULL);
			goto out;
		}
	/* A report written over a template would destroy it. */
	for (i = 0; i < nreports; i++)
		if (names_an_input(&cli, reqs[i].path)) {
			rc = usage_error("the report would overwrite a template",
					 reqs[i].path);
			goto out;
		}
	rc = cfh_cli_run(&cli);
out:
	/* Whatever went to standard output (a template, a diff, a report,
	 * a list) must have got there: a full disk or a closed pipe is an
	 * I/O error, not a success. */
	if ((fflush(stdout) || ferror(stdout)) &&
	    (rc == CFH_EXIT_OK || rc == CFH_EXIT_CHANGES)) {
		fprintf(stderr, "cfn-harden: error: cannot write to standard "
				"output: %s\n",
			strerror(errno ? errno : EIO));
		rc = CFH_EXIT_IO;
	}
	for (i = 0; i < nprofiles; i++)
		free(profiles[i]);
	free(profiles);
	free(reports);
	free(reqs);
	free(settings);
	cfh_signals_stop();
	return rc;
}

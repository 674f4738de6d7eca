/* SPDX-License-Identifier: MIT */
/* cfn-harden: option parsing only; the work is in the library (cli.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfharden.h"

/* The option descriptions are the man page's, word for word: a test
 * compares them. */
static const char usage[] =
	"usage: cfn-harden [options] TEMPLATE|-\n"
	"\n"
	"Harden an AWS CloudFormation template (JSON or YAML) and write the\n"
	"result; text the passes do not change is kept byte for byte.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE          write the hardened template to FILE instead of standard output\n"
	"  -c, --check                write nothing; exit 1 if any pass would change the template\n"
	"  -r, --report FILE          write a report of every change to FILE\n"
	"  -f, --report-format FMT    report format: json or md (default: from the FILE extension, else json)\n"
	"      --only IDS             run only these passes (comma-separated)\n"
	"      --skip IDS             do not run these passes (comma-separated)\n"
	"      --no-replace           skip changes that would replace a deployed resource, and report them\n"
	"      --set PASS.KEY=VALUE   change a setting of a pass (repeatable; see --list-settings)\n"
	"      --profile NAME         prod (keep data: the default) or dev (let environments tear down)\n"
	"      --to FORMAT            write the template in another format: json or yaml\n"
	"      --list-passes          list the passes in run order and exit\n"
	"      --explain ID           explain a pass or a fix-catalogue ID and exit\n"
	"      --list-settings        list the settings with their defaults and exit\n"
	"  -h, --help                 show this help and exit\n"
	"  -V, --version              show the version and exit\n"
	"\n"
	"exit status:\n"
	"  0  success; with --check, nothing to change\n"
	"  1  with --check, some pass would change the template\n"
	"  2  bad command line\n"
	"  3  the template is not valid input\n"
	"  4  a file could not be read or written\n"
	"  5  internal error or out of memory\n";

enum {
	OPT_ONLY = 256,
	OPT_SKIP,
	OPT_NO_REPLACE,
	OPT_TO,
	OPT_LIST,
	OPT_EXPLAIN,
	OPT_SET,
	OPT_PROFILE,
	OPT_LIST_SETTINGS,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "check", no_argument, NULL, 'c' },
	{ "report", required_argument, NULL, 'r' },
	{ "report-format", required_argument, NULL, 'f' },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
	{ "to", required_argument, NULL, OPT_TO },
	{ "list-passes", no_argument, NULL, OPT_LIST },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "set", required_argument, NULL, OPT_SET },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "list-settings", no_argument, NULL, OPT_LIST_SETTINGS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "cfn-harden: error: %s%s%s%s\n", msg,
		arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "Try 'cfn-harden --help' for more information.\n");
	return CFH_EXIT_USAGE;
}

#define PROFILE_MAX 64

/* @settings: room for every --set and --profile, in order, at most one per
 * argument; @profiles: room for the setting each --profile stands for. */
static int parse_and_run(int argc, char **argv, const char **settings,
			 char *profiles)
{
	char err[256], *profile;
	struct cfh_cli cli;
	int c, nprofiles = 0;

	memset(&cli, 0, sizeof(cli));
	cli.run.settings = settings;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:cr:f:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cli.output = optarg;
			break;
		case 'c':
			cli.check = true;
			break;
		case 'r':
			cli.report = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "md"))
				return usage_error("unknown report format",
						   optarg);
			cli.report_format = optarg;
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
		case OPT_TO:
			if (strcmp(optarg, "json") && strcmp(optarg, "yaml"))
				return usage_error("unknown format", optarg);
			cli.to = optarg;
			break;
		case OPT_SET:
		case OPT_PROFILE:
			if (c == OPT_PROFILE) {
				profile = profiles + PROFILE_MAX * nprofiles++;
				snprintf(profile, PROFILE_MAX,
					 "general.profile=%s", optarg);
				optarg = profile;
			}
			if (cfh_setting_check(optarg, err, sizeof(err)))
				return usage_error(err, NULL);
			settings[cli.run.nsettings++] = optarg;
			break;
		case OPT_LIST_SETTINGS:
			return cfh_cli_list_settings();
		case OPT_LIST:
			return cfh_cli_list_passes();
		case OPT_EXPLAIN:
			return cfh_cli_explain(optarg);
		case 'h':
			fputs(usage, stdout);
			return CFH_EXIT_OK;
		case 'V':
			printf("cfn-harden %s\n", CFH_VERSION);
			return CFH_EXIT_OK;
		default:
			return usage_error(optopt ? "bad option or missing argument"
						  : "unknown option",
					   optopt ? NULL : argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error(optind < argc ? "one template at a time"
						 : "no template given",
				   NULL);
	if (cli.report_format && !cli.report)
		return usage_error("--report-format needs --report", NULL);
	cli.input = argv[optind];
	return cfh_cli_run(&cli);
}

int main(int argc, char **argv)
{
	const char **settings = calloc((size_t)argc, sizeof(*settings));
	char *profiles = calloc((size_t)argc, PROFILE_MAX);
	int rc;

	if (!settings || !profiles) {
		fprintf(stderr, "cfn-harden: error: out of memory\n");
		rc = CFH_EXIT_INTERNAL;
	} else {
		rc = parse_and_run(argc, argv, settings, profiles);
	}
	free(profiles);
	free(settings);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * zpoolctl.c - the command line: options, the command table, dispatch.
 *
 * Options may come before or after the command.  Each command accepts only
 * the options that mean something to it; anything else is a usage error
 * (exit 2) reported on one line before anything is read or written.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zpoolctl.h"

struct options opt = {
	.root = "",
	.interval_ms = 1000,
	.samples = 1024,
};

enum {
	O_OUTPUT = 1 << 0,	/* -o, --output-all */
	O_NOHEAD = 1 << 1,	/* -n */
	O_RAW = 1 << 2,		/* --raw */
	O_BYTES = 1 << 3,	/* -b */
	O_JSON = 1 << 4,	/* -J */
	O_TOP = 1 << 5,		/* --interval, --iterations */
	O_ADVISE = 1 << 6,	/* --file, --pid, --samples */
	O_BPF = 1 << 7,		/* --run */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	int min_args, max_args;
	const char *args;	/* for messages */
	unsigned opts;
};

static const struct command commands[] = {
	{ "status", cmd_status, 0, 1, "[POOL]",
	  O_OUTPUT | O_NOHEAD | O_RAW | O_BYTES | O_JSON },
	{ "set-backend", cmd_set_backend, 1, 1,
	  "zbud|zsmalloc|zpoolx_zbud|zpoolx_zsmalloc|kernel:zbud|kernel:zsmalloc|kernel:z3fold",
	  0 },
	{ "set-compressor", cmd_set_compressor, 1, 1, "NAME", 0 },
	{ "set-limit", cmd_set_limit, 1, 1,
	  "PERCENT (1..100) or SIZE (400M, 1.5G: up to MemTotal)", 0 },
	{ "set-accept-threshold", cmd_set_accept_threshold, 1, 1,
	  "PERCENT (0..100)", 0 },
	{ "enable", cmd_enable, 0, 0, "", 0 },
	{ "disable", cmd_disable, 0, 0, "", 0 },
	{ "compact", cmd_compact, 0, 1, "[POOL]", 0 },
	{ "writeback", cmd_writeback, 2, 2, "POOL PAGES (PAGES 1..262144)", 0 },
	{ "stats", cmd_stats, 1, 1, "POOL",
	  O_OUTPUT | O_NOHEAD | O_RAW | O_BYTES | O_JSON },
	{ "top", cmd_top, 0, 0, "", O_BYTES | O_TOP },
	{ "doctor", cmd_doctor, 0, 0, "", O_JSON },
	{ "advise", cmd_advise, 0, 0, "", O_JSON | O_ADVISE },
	{ "bpf", cmd_bpf, 0, 0, "", O_JSON | O_TOP | O_BPF },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct option long_opts[] = {
	{ "root", required_argument, NULL, 'R' },
	{ "output", required_argument, NULL, 'o' },
	{ "output-all", no_argument, NULL, 'A' },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "raw", no_argument, NULL, 'r' },
	{ "bytes", no_argument, NULL, 'b' },
	{ "json", no_argument, NULL, 'J' },
	{ "interval", required_argument, NULL, 'i' },
	{ "iterations", required_argument, NULL, 'c' },
	{ "file", required_argument, NULL, 'f' },
	{ "pid", required_argument, NULL, 'p' },
	{ "samples", required_argument, NULL, 's' },
	{ "run", required_argument, NULL, 'X' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char accepted_opts[] =
	"--root, -o/--output, --output-all, -n/--noheadings, --raw, -b/--bytes, "
	"-J/--json, -i/--interval, --iterations, -f/--file, -p/--pid, "
	"-s/--samples, --run, -h/--help, -V/--version";

static void usage(FILE *f)
{
	fputs("Usage: zpoolctl [options] [command] [arguments]\n"
	      "\n"
	      "Show and steer zswap and the zpoolx compressed-memory pools.\n"
	      "\n"
	      "Commands:\n"
	      "  status                    zswap, pools, swap devices, zram swap (default)\n"
	      "  status POOL               one pool's row of the pool table (POOL: an\n"
	      "                            id, or a pool's name)\n"
	      "  set-backend BACKEND       zbud, zsmalloc (zpoolx; or zpoolx_zbud,\n"
	      "                            zpoolx_zsmalloc) or kernel:zbud,\n"
	      "                            kernel:zsmalloc, kernel:z3fold\n"
	      "  set-compressor NAME       zswap's compressor (lz4, zstd, lzo, ...)\n"
	      "  set-limit PERCENT|SIZE    max_pool_percent, 1..100; or a size of RAM\n"
	      "                            (400M, 1.5G: KiB-based), converted against\n"
	      "                            MemTotal, rounded up to a whole percent\n"
	      "  set-accept-threshold PERCENT  accept_threshold_percent, 0..100\n"
	      "  enable | disable          turn zswap on or off\n"
	      "  compact [POOL]            compact one or every zsmalloc pool\n"
	      "  writeback POOL PAGES      write back PAGES pages' worth (1..262144)\n"
	      "  stats POOL                a pool's counters and size classes\n"
	      "  top                       live view, a bar per pool\n"
	      "  doctor                    why zswap is not storing, and what to do\n"
	      "                            (zram swap next to zswap included)\n"
	      "  advise                    sample memory, recommend backend and compressor\n"
	      "  bpf                       BPF counters and histograms per pool\n"
	      "\n"
	      "Options:\n"
	      "      --root DIR            prefix for every /sys and /proc path\n"
	      "  -o, --output LIST         columns (status: pools; stats: classes);\n"
	      "                            +LIST adds to the defaults\n"
	      "      --output-all          every column\n"
	      "  -n, --noheadings          no table headings (status: pool table only)\n"
	      "      --raw                 unaligned tables, an unknown value an empty\n"
	      "                            field (status: pool table only)\n"
	      "  -b, --bytes               sizes in bytes, not 1.5M\n"
	      "  -J, --json                JSON output (status, stats, doctor, advise);\n"
	      "                            with -o or status POOL the table's columns:\n"
	      "                            {\"pools\": [{\"id\": 1, ...}]}\n"
	      "  -i, --interval SECS       top: seconds between redraws (0.01..3600);\n"
	      "                            bpf: seconds to count before printing\n"
	      "      --iterations N        top, bpf: stop after N redraws (1..1000000)\n"
	      "  -f, --file PATH           advise: sample pages of this file\n"
	      "  -p, --pid PID             advise: sample the memory of this process\n"
	      "  -s, --samples N           advise: pages to sample (1..65536, default 1024)\n"
	      "      --run CMD             bpf: count while /bin/sh -c CMD runs\n"
	      "  -h, --help                this help\n"
	      "  -V, --version             version\n"
	      "\n"
	      "Available output columns of status (the pool table):\n",
	      f);
	status_columns_help(f);
	fputs("\n"
	      "Available output columns of stats POOL (the zsmalloc size classes):\n",
	      f);
	stats_columns_help(f);
	fputs("\n"
	      "Exit codes: 0 ok, 1 failed (doctor: not healthy), 2 bad usage or value,\n"
	      "3 zswap/zpoolx/feature not available, 4 permission denied.\n"
	      "See zpoolctl(8).\n",
	      f);
}

static const char *opt_name(int c)
{
	switch (c) {
	case 'o': return "--output";
	case 'A': return "--output-all";
	case 'n': return "--noheadings";
	case 'r': return "--raw";
	case 'b': return "--bytes";
	case 'J': return "--json";
	case 'i': return "--interval";
	case 'c': return "--iterations";
	case 'f': return "--file";
	case 'p': return "--pid";
	case 's': return "--samples";
	case 'X': return "--run";
	}
	return "?";
}

static unsigned opt_bit(int c)
{
	switch (c) {
	case 'o': case 'A': return O_OUTPUT;
	case 'n': return O_NOHEAD;
	case 'r': return O_RAW;
	case 'b': return O_BYTES;
	case 'J': return O_JSON;
	case 'i': case 'c': return O_TOP;
	case 'f': case 'p': case 's': return O_ADVISE;
	case 'X': return O_BPF;
	}
	return 0;
}

/* seconds with up to 3 decimals -> milliseconds */
static bool parse_interval(const char *s, long *ms)
{
	char ip[16], *dot;
	uint64_t whole, frac = 0;
	size_t fl = 0;

	if (strlen(s) >= sizeof(ip))
		return false;
	strcpy(ip, s);
	dot = strchr(ip, '.');
	if (dot) {
		*dot = '\0';
		fl = strlen(dot + 1);
		if (fl < 1 || fl > 3 || !parse_u64(dot + 1, &frac))
			return false;
		while (fl++ < 3)
			frac *= 10;
	}
	if (!parse_u64(ip, &whole) || whole > 3600)
		return false;
	*ms = (long)(whole * 1000 + frac);
	return *ms >= 10 && *ms <= 3600000;
}

static int set_root(const char *arg)
{
	static char root[2048];
	size_t n = strlen(arg);

	if (n == 0 || n >= sizeof(root))
		return fail(EXIT_USAGE,
			    "--root: expected a directory path of 1..%zu characters",
			    sizeof(root) - 1);
	if (!is_dir(arg))
		return fail(EXIT_USAGE, "--root: '%.200s' is not a directory",
			    arg);
	memcpy(root, arg, n + 1);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
	opt.root = root;
	opt.root_given = true;
	zx_set_root(root);
	return 0;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void command_list(char *buf, size_t size)
{
	size_t i, len = 0;

	for (i = 0; i < NCOMMANDS && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				 commands[i].name);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* getopt took "-5" for an option: name the command and its range */
static int negative_number(int argc, char **argv)
{
	const struct command *cmd = NULL;
	const char *val = "-";
	int i;

	for (i = 1; i < argc; i++) {
		if (!cmd && argv[i][0] != '-')
			cmd = find_command(argv[i]);
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9' &&
		    val[1] == '\0')
			val = argv[i];
	}
	if (cmd && cmd->args[0])
		return fail(EXIT_USAGE,
			    "%s: invalid value '%.32s': negative numbers are not accepted; expected %s",
			    cmd->name, val, cmd->args);
	return fail(EXIT_USAGE,
		    "invalid value '%.32s': negative numbers are not accepted; see zpoolctl --help",
		    val);
}

void cmdline_reset(void)
{
	static const struct options defaults = {
		.root = "",
		.interval_ms = 1000,
		.samples = 1024,
	};

	opt = defaults;
	zx_set_root("");
}

int parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	const struct command *cmd = NULL;
	int seen[128] = { 0 };
	char list[512];
	uint64_t v;
	int c, ret, nargs;
	char **args;

	opterr = 0;
	optind = 0;	/* glibc: start afresh (a harness parses many times) */
	while ((c = getopt_long(argc, argv, ":o:nrbJi:f:p:s:hV", long_opts,
				NULL)) != -1) {
		if (c > 0 && c < 128)
			seen[c] = 1;
		switch (c) {
		case 'R':
			ret = set_root(optarg);
			if (ret)
				return ret;
			break;
		case 'o':
			opt.columns = optarg;
			break;
		case 'A':
			opt.columns = "*";
			break;
		case 'n':
			opt.noheadings = true;
			break;
		case 'r':
			opt.raw = true;
			break;
		case 'b':
			opt.bytes = true;
			break;
		case 'J':
			opt.json = true;
			break;
		case 'i':
			if (!parse_interval(optarg, &opt.interval_ms))
				return fail(EXIT_USAGE,
					    "--interval: invalid value '%.32s': expected seconds 0.01..3600, at most 3 decimals",
					    optarg);
			opt.interval_given = true;
			break;
		case 'c':
			if (!parse_arg_range(optarg, 1, 1000000, false, &v))
				return fail(EXIT_USAGE,
					    "--iterations: invalid value '%.32s': expected an integer 1..1000000",
					    optarg);
			opt.iterations = (long)v;
			break;
		case 'f':
			if (!*optarg)
				return fail(EXIT_USAGE,
					    "--file: expected a file path");
			opt.file = optarg;
			break;
		case 'p':
			if (!parse_arg_range(optarg, 1, 4194304, false, &v))
				return fail(EXIT_USAGE,
					    "--pid: invalid value '%.32s': expected a process id 1..4194304",
					    optarg);
			opt.pid = (long)v;
			break;
		case 's':
			if (!parse_arg_range(optarg, 1, 65536, false, &v))
				return fail(EXIT_USAGE,
					    "--samples: invalid value '%.32s': expected an integer 1..65536",
					    optarg);
			opt.samples = (long)v;
			break;
		case 'X':
			opt.run = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("zpoolctl %s\n", ZPOOLCTL_VERSION);
			return EXIT_OK;
		case ':':
			return fail(EXIT_USAGE,
				    "option '%.64s' needs a value; see zpoolctl --help",
				    argv[optind - 1]);
		default:
			if (optopt >= '0' && optopt <= '9')
				return negative_number(argc, argv);
			if (optopt)
				return fail(EXIT_USAGE,
					    "unknown option '-%c'; accepted: %s",
					    optopt, accepted_opts);
			return fail(EXIT_USAGE,
				    "unknown option '%.64s'; accepted: %s",
				    argv[optind - 1], accepted_opts);
		}
	}

	args = argv + optind;
	nargs = argc - optind;
	if (nargs == 0) {
		cmd = find_command("status");
	} else {
		cmd = find_command(args[0]);
		if (!cmd) {
			command_list(list, sizeof(list));
			return fail(EXIT_USAGE,
				    "unknown command '%.64s'; commands: %s",
				    args[0], list);
		}
		args++;
		nargs--;
	}
	for (c = 0; c < 128; c++) {
		if (!seen[c] || !opt_bit(c))
			continue;
		if (!(cmd->opts & opt_bit(c)))
			return fail(EXIT_USAGE,
				    "%s: option %s does not apply to this command; see zpoolctl --help",
				    cmd->name, opt_name(c));
	}
	if (opt.file && opt.pid)
		return fail(EXIT_USAGE,
			    "advise: give either --file or --pid, not both");
	if (nargs < cmd->min_args)
		return fail(EXIT_USAGE, "%s: missing argument: usage: zpoolctl %s %s",
			    cmd->name, cmd->name, cmd->args);
	if (nargs > cmd->max_args) {
		if (cmd->max_args == 0)
			return fail(EXIT_USAGE,
				    "%s: takes no arguments (got '%.64s')",
				    cmd->name, args[0]);
		return fail(EXIT_USAGE,
			    "%s: too many arguments: usage: zpoolctl %s %s",
			    cmd->name, cmd->name, cmd->args);
	}
	cl->cmd = cmd;
	cl->name = cmd->name;
	cl->args = args;
	cl->nargs = nargs;
	return -1;
}

#ifndef ZPOOLCTL_NO_MAIN
int main(int argc, char **argv)
{
	struct cmdline cl;
	int ret;

	zx_progname = "zpoolctl";
	zx_warn_hook = warn_escaped;
	ret = parse_cmdline(argc, argv, &cl);
	if (ret >= 0)
		return ret;
	ret = cl.cmd->fn(cl.nargs, cl.args);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_err("error writing output: %s", strerror(errno));
		if (ret == EXIT_OK)
			ret = EXIT_FAIL;
	}
	return ret;
}
#endif

void json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

struct json_object *json_num(struct num n)
{
	return n.has ? json_object_new_uint64(n.v) : NULL;
}

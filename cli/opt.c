/*
 * opt.c: table-driven option parsing and generated usage text, plus the
 * helpers every command uses to find and load contract files.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void opt_usage(const struct opt *opts, const char *const *usage, int to_err)
{
	FILE *f = to_err ? stderr : stdout;
	const struct opt *o;
	fprintf(f, "usage: %s\n", usage[0]);
	for (usage++; *usage; usage++)
		fprintf(f, "   or: %s\n", *usage);
	fputc('\n', f);
	for (o = opts; o->type != OPT_END; o++) {
		char left[64];
		if (o->type == OPT_GROUP) {
			fprintf(f, "%s\n", o->help);
			continue;
		}
		if (o->shortname && o->longname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->shortname, o->longname, o->argh ? " " : "",
				 o->argh ? o->argh : "");
		else if (o->longname)
			snprintf(left, sizeof(left), "--%s%s%s", o->longname,
				 o->argh ? " " : "", o->argh ? o->argh : "");
		else
			snprintf(left, sizeof(left), "-%c%s%s", o->shortname,
				 o->argh ? " " : "", o->argh ? o->argh : "");
		fprintf(f, "    %-26s %s\n", left, o->help);
	}
}

static int set_value(const struct opt *o, const char *arg, const char *shown)
{
	long v;
	switch (o->type) {
	case OPT_FLAG:
		(*(int *)o->value)++;
		return 0;
	case OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_INT:
		if (parse_long(arg, -2147483647L, 2147483647L, &v)) {
			fprintf(stderr,
				"accord: error: option '%s' expects a number, not '%s'\n",
				shown, arg);
			return -1;
		}
		*(int *)o->value = (int)v;
		return 0;
	default:
		return -1;
	}
}

int opt_parse(int argc, char **argv, const struct opt *opts,
	      const char *const *usage)
{
	int i, nrest = 0, only_args = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;
		const char *val = NULL;
		char shown[64];
		if (only_args || a[0] != '-' || !a[1]) {
			argv[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			opt_usage(opts, usage, 0);
			return -2;
		}
		for (o = opts; o->type != OPT_END; o++) {
			if (o->type == OPT_GROUP)
				continue;
			if (a[1] == '-' && o->longname) {
				size_t n = strlen(o->longname);
				if (!strncmp(a + 2, o->longname, n) &&
				    (a[2 + n] == '\0' || a[2 + n] == '=')) {
					if (a[2 + n] == '=')
						val = a + 3 + n;
					break;
				}
			} else if (a[1] != '-' && o->shortname == a[1]) {
				if (a[2])
					val = a + 2;
				break;
			}
		}
		if (o->type == OPT_END) {
			fprintf(stderr, "accord: error: unknown option '%s'\n",
				a);
			opt_usage(opts, usage, 1);
			return -1;
		}
		snprintf(shown, sizeof(shown), "%s", a);
		if (o->type == OPT_FLAG) {
			if (val && a[1] == '-') {
				fprintf(stderr,
					"accord: error: option '%s' takes no value\n",
					shown);
				return -1;
			}
			if (val) {
				/* -vv: count each letter */
				const char *p;
				for (p = a + 1; *p; p++)
					if (*p == o->shortname)
						(*(int *)o->value)++;
				continue;
			}
			set_value(o, NULL, shown);
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr,
					"accord: error: option '%s' needs a value\n",
					shown);
				return -1;
			}
			val = argv[++i];
		}
		if (set_value(o, val, shown))
			return -1;
	}
	argv[nrest] = NULL;
	return nrest;
}

static int has_ext(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && !strcmp(name + n - 5, ".json")) ||
	       (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(struct path_list *l, size_t *cap, const char *p)
{
	l->v = xgrow(l->v, cap, l->n + 1, sizeof(char *));
	l->v[l->n++] = xstrdup(p);
}

/*
 * A directory walk: the list it fills, and every directory and file it has
 * met, by device and inode, so that symbolic links that lead back into the
 * tree (a -> ., up -> ..) neither loop nor fan out (two such links under
 * each of 16 levels are 65,536 walks) and a file reached by two names is
 * listed once. An open-addressing set, grown at half full.
 */
struct devino {
	dev_t dev;
	ino_t ino;
	int used;
};

struct walk {
	struct path_list *l;
	size_t *cap;
	struct devino *seen;
	size_t nseen, capseen; /* capseen: 0 or a power of two */
};

/* The walk never goes deeper than this, links or not. */
#define WALK_MAX_DEPTH 16

static size_t devino_slot(const struct walk *w, dev_t dev, ino_t ino)
{
	uint64_t h = hash_mix64((uint64_t)dev * HASH_GOLDEN ^ (uint64_t)ino);
	return (size_t)h & (w->capseen - 1);
}

/* Marks (dev, ino) as met; returns 1 if it was met before, else 0. */
static int walk_seen(struct walk *w, const struct stat *st)
{
	size_t i;
	if (2 * (w->nseen + 1) > w->capseen) {
		struct devino *old = w->seen;
		size_t oldcap = w->capseen;
		w->capseen = oldcap ? 2 * oldcap : 64;
		w->seen = xcalloc(w->capseen, sizeof(*w->seen));
		for (i = 0; i < oldcap; i++) {
			size_t j;
			if (!old[i].used)
				continue;
			j = devino_slot(w, old[i].dev, old[i].ino);
			while (w->seen[j].used)
				j = (j + 1) & (w->capseen - 1);
			w->seen[j] = old[i];
		}
		free(old);
	}
	i = devino_slot(w, st->st_dev, st->st_ino);
	while (w->seen[i].used) {
		if (w->seen[i].dev == st->st_dev &&
		    w->seen[i].ino == st->st_ino)
			return 1;
		i = (i + 1) & (w->capseen - 1);
	}
	w->seen[i].dev = st->st_dev;
	w->seen[i].ino = st->st_ino;
	w->seen[i].used = 1;
	w->nseen++;
	return 0;
}

/*
 * Adds the contract files of a directory, recursively, sorted by name; a
 * directory or file already met (through a link) is skipped.
 */
static int add_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	struct path_list here = { 0 };
	size_t hcap = 0, i;
	if (depth > WALK_MAX_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: error: cannot open directory: %s\n", dir,
			strerror(errno));
		return -1;
	}
	for (de = readdir(d); de; de = readdir(d)) {
		struct buf p;
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", dir, de->d_name);
		if (!stat(p.ptr, &st) &&
		    (S_ISDIR(st.st_mode) || has_ext(de->d_name)))
			add_path(&here, &hcap, p.ptr);
		buf_release(&p);
	}
	closedir(d);
	if (here.n)
		qsort(here.v, here.n, sizeof(char *), cmp_str);
	for (i = 0; i < here.n; i++) {
		struct stat st;
		if (stat(here.v[i], &st) || walk_seen(w, &st))
			continue; /* gone since, or met before */
		if (S_ISDIR(st.st_mode)) {
			if (add_dir(w, here.v[i], depth + 1)) {
				path_list_release(&here);
				return -1;
			}
		} else {
			add_path(w->l, w->cap, here.v[i]);
		}
	}
	path_list_release(&here);
	return 0;
}

int collect_paths(char **args, int n, struct path_list *out)
{
	size_t cap = 0;
	int i, status = 0;
	struct walk w = { out, &cap, NULL, 0, 0 };
	memset(out, 0, sizeof(*out));
	/* a missing argument is reported; the others are still collected */
	for (i = 0; i < n; i++) {
		struct stat st;
		if (stat(args[i], &st)) {
			fprintf(stderr, "%s: error: cannot open: %s\n", args[i],
				strerror(errno));
			status = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (!walk_seen(&w, &st) && add_dir(&w, args[i], 0))
				status = -1;
		} else {
			add_path(out, &cap, args[i]);
		}
	}
	free(w.seen);
	return status;
}

void path_list_release(struct path_list *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void print_err(const struct err *e)
{
	struct buf b, v;
	const char *s;
	buf_init(&b, 0);
	buf_init(&v, 0);
	/* messages quote contracts and the network: no control bytes out */
	s = err_format(e, &b);
	buf_add_visible(&v, s, strlen(s));
	fprintf(stderr, "%s\n", v.ptr);
	buf_release(&v);
	buf_release(&b);
}

int read_input(const char *path, struct buf *out)
{
	struct err e;
	err_clear(&e);
	if (!read_file(path, CONTRACT_MAX_FILE, out, &e))
		return 0;
	err_setsource(&e, path);
	print_err(&e);
	return -1;
}

int opt_duration(const char *name, const char *s, long min_ms, long *ms)
{
	struct err e;
	double d;
	err_clear(&e);
	/* a bare number has always meant seconds on the command line */
	if (duration_parse(s, 1000, &d, &e)) {
		fprintf(stderr, "accord: error: %s: %s\n", name, e.msg);
		return -1;
	}
	if ((long)d < min_ms) {
		fprintf(stderr,
			"accord: error: %s must be at least %ldms, not '%s'\n",
			name, min_ms, s);
		return -1;
	}
	*ms = (long)d;
	return 0;
}

int write_stdout(const struct buf *b)
{
	fwrite(b->ptr, 1, b->len, stdout);
	if (!fflush(stdout) && !ferror(stdout))
		return 0;
	fprintf(stderr, "accord: error: cannot write output\n");
	return -1;
}

struct contract *load_contract(const char *path)
{
	struct buf b;
	struct err e;
	struct contract *c;
	buf_init(&b, 0);
	err_clear(&e);
	if (read_input(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	c = contract_read(path, b.ptr, b.len, &e);
	if (!c)
		print_err(&e);
	buf_release(&b);
	return c;
}

int opt_parse_some(int argc, char **argv, const struct opt *opts,
		   const char *const *usage, int *status)
{
	int n = opt_parse(argc, argv, opts, usage);
	if (n > 0)
		return n;
	*status = n == -2 ? EXIT_OK : EXIT_ERROR;
	if (!n)
		opt_usage(opts, usage, 1);
	return -1;
}

int opt_range(const char *name, long v, long min, long max)
{
	if (v >= min && v <= max)
		return 0;
	fprintf(stderr, "accord: error: %s must be from %ld to %ld, not %ld\n",
		name, min, max, v);
	return -1;
}

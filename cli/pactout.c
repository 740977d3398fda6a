/*
 * pactout.c: what `accord mock` and `accord record` share: where the pact
 * goes (--out FILE or DIR), writing it merged with the file already there
 * under a lock so that concurrent test processes lose nothing, the
 * --consumer/--provider/--spec options, and the `-- CMD ARGS...` mode.
 *
 * The lock is a POSIX record lock (fcntl F_SETLKW, portable to macOS) on
 * a file beside the pact, PACT.lock, which is never removed: removing it
 * would let two writers hold locks on different files. fcntl locks belong
 * to the process, so writers inside one process also take a mutex.
 *
 * CMD runs as a child (posix_spawnp, ACCORD_URL in its environment) once
 * the server listens. A thread of ours waits for it (waitpid) and then
 * stops the server through its control (no signal: one raised while the
 * server shuts down would find no handler), so the loops never block on
 * the child.
 */
#include "cli/cli.h"

#include "stubserver/stubserver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Appends a consumer or provider name as part of one file name: a name
 * comes from a contract, another team's file, so '/' and '\\' (a way out
 * of --out: "../../x") and control characters (NUL cannot occur in a C
 * string) become '_'. With ".json" after it, the whole name is one path
 * component that is never "." or "..", so the file is always directly
 * inside --out.
 */
static void add_name_part(struct buf *b, const char *name)
{
	const unsigned char *p;
	for (p = (const unsigned char *)name; *p; p++)
		buf_addch(b, *p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f
				     ? '_'
				     : (char)*p);
}

char *pact_out_path(const char *out, const char *consumer, const char *provider)
{
	struct stat st;
	struct buf b;
	size_t n = strlen(out);
	buf_init(&b, 0);
	if ((n && out[n - 1] == '/') ||
	    (!stat(out, &st) && S_ISDIR(st.st_mode))) {
		buf_addf(&b, "%s%s", out, n && out[n - 1] == '/' ? "" : "/");
		add_name_part(&b, consumer);
		buf_addch(&b, '-');
		add_name_part(&b, provider);
		buf_addstr(&b, ".json");
	} else {
		buf_addstr(&b, out);
	}
	return buf_detach(&b, NULL);
}

/* Creates the directories above path (mkdir -p of its dirname). */
static int make_parents(const char *path, struct err *e)
{
	char *copy = xstrdup(path), *p;
	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) && errno != EEXIST) {
			err_setsource(e, copy);
			err_set(e, ERR_IO, "cannot create the directory: %s",
				strerror(errno));
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static int lock_file(const char *path, struct err *e)
{
	struct buf lp;
	struct flock fl;
	int fd, r;
	buf_init(&lp, 0);
	buf_addf(&lp, "%s.lock", path);
	/* O_NOFOLLOW: a link planted in the lock's place would make us
	 * create (or lock) a file elsewhere */
	fd = open(lp.ptr, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		err_setsource(e, lp.ptr);
		err_set(e, ERR_IO, "cannot open the lock file: %s",
			strerror(errno));
		buf_release(&lp);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	do
		r = fcntl(fd, F_SETLKW, &fl);
	while (r && errno == EINTR);
	if (r) {
		err_setsource(e, lp.ptr);
		err_set(e, ERR_IO, "cannot lock: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	buf_release(&lp);
	return fd;
}

/*
 * Removes PATH.tmp.* beside PATH: the temporary files of writers that were
 * killed between creating and renaming theirs. Only a writer holding the
 * pact's lock calls this, so no live writer of PATH owns one of them.
 */
static void remove_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + 1))
			  : xstrdup(".");
	size_t blen = strlen(base);
	struct dirent *de;
	DIR *d = opendir(dir);
	if (d) {
		for (de = readdir(d); de; de = readdir(d)) {
			struct buf p;
			if (strncmp(de->d_name, base, blen) ||
			    strncmp(de->d_name + blen, ".tmp.", 5))
				continue;
			buf_init(&p, 0);
			buf_addf(&p, "%s%s%s", dir, slash ? "" : "/",
				 de->d_name);
			unlink(p.ptr); /* a link is removed, not followed */
			buf_release(&p);
		}
		closedir(d);
	}
	free(dir);
}

int pact_write_merged(const char *path, const struct contract *c,
		      enum spec_version spec, struct err *e)
{
	struct contract *old = NULL, *merged;
	struct buf b;
	struct stat st;
	int fd, rc = -1;
	if (make_parents(path, e))
		return -1;
	fd = lock_file(path, e);
	if (fd < 0)
		return -1;
	remove_stale_temps(path);
	buf_init(&b, 0);
	if (!stat(path, &st)) {
		if (read_file(path, CONTRACT_MAX_FILE, &b, e))
			goto out;
		old = contract_read(path, b.ptr, b.len, e);
		if (!old)
			goto out; /* a broken file is not overwritten */
		buf_reset(&b);
	}
	merged = contract_merge(old, c, spec, e);
	if (!merged) {
		err_setsource(e, path);
		goto out;
	}
	rc = contract_write_json(merged, spec, &b, e);
	contract_free(merged);
	if (!rc)
		rc = write_file_atomic(path, b.ptr, b.len, e);
out:
	contract_free(old);
	buf_release(&b);
	close(fd); /* releases the lock */
	return rc;
}

int spec_option(const char *s, enum spec_version *v)
{
	enum spec_version p = spec_parse(s);
	if (p == SPEC_V3 || p == SPEC_V4) {
		*v = p;
		return 0;
	}
	fprintf(stderr, "accord: error: --spec is v3 or v4, not '%s'\n", s);
	return -1;
}

int split_command(int argc, char **argv, char ***cmd)
{
	int i;
	*cmd = NULL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 < argc)
				*cmd = argv + i + 1;
			argv[i] = NULL;
			return i;
		}
	}
	return argc;
}

static void *waiter(void *arg)
{
	struct child *ch = arg;
	int st, r;
	do
		r = waitpid(ch->pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		ch->status = EXIT_ERROR;
	else if (WIFEXITED(st))
		ch->status = WEXITSTATUS(st);
	else
		ch->status = 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	atomic_store(&ch->exited, 1);
	stub_control_stop(ch->control);
	return NULL;
}

int child_start(struct child *ch, const char *url)
{
	static const char name[] = "ACCORD_URL=";
	size_t n = 0, i, k = 0;
	char **env;
	struct buf var;
	int r;
	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	buf_init(&var, 0);
	buf_addf(&var, "%s%s", name, url);
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], name, sizeof(name) - 1))
			env[k++] = environ[i];
	env[k++] = var.ptr;
	env[k] = NULL;
	r = posix_spawnp(&ch->pid, ch->argv[0], NULL, NULL, ch->argv, env);
	free(env);
	buf_release(&var);
	if (r) {
		fprintf(stderr, "accord: error: cannot run '%s': %s\n",
			ch->argv[0], strerror(r));
		ch->status = 127;
		stub_control_stop(ch->control);
		return -1;
	}
	ch->started = 1;
	r = pthread_create(&ch->thread, NULL, waiter, ch);
	if (r) {
		/* cannot wait in the background: the server is stopped and
		 * the child waited for in child_finish */
		ch->started = 2;
		stub_control_stop(ch->control);
	}
	return 0;
}

int child_finish(struct child *ch)
{
	if (ch->started && !atomic_load(&ch->exited))
		kill(ch->pid, SIGTERM); /* the server stopped first */
	if (ch->started == 1) {
		pthread_join(ch->thread, NULL);
	} else if (ch->started == 2) {
		int st;
		while (waitpid(ch->pid, &st, 0) < 0 && errno == EINTR)
			;
		ch->status = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_ERROR;
	}
	return ch->status;
}

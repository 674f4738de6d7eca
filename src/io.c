/* SPDX-License-Identifier: MIT */
/* Reading templates and writing results without ever leaving a partial
 * file behind. */
/* syncfs() is Linux's, declared for _GNU_SOURCE. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cfharden.h"

/*
 * Temporary files. A staged file is ".cfn-harden.<pid>.XXXXXX" beside its
 * destination. Every one that exists is in this registry, from mkstemp()
 * (which runs under the lock, so that none exists unregistered) to its
 * rename or removal (also under the lock), so that the signal thread can
 * remove them all on SIGINT, SIGTERM or SIGHUP. The pointers are the
 * cfh_staged's own @tmp strings: a staged file leaves the registry before
 * its string is freed.
 */
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;
static char **tmp_live;
static size_t tmp_n, tmp_cap;

/* The directories swept of stale temporary files in this run, as a set
 * (keys of a JSON object): each is read once, not once per file. */
static pthread_mutex_t swept_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *swept;

/* The signal thread, when cfh_signals_start() started one; @sig_stopping
 * (under tmp_lock) tells it that the signal it got is
 * cfh_signals_stop()'s, to end the thread, not the process. */
static pthread_t sig_thread;
static bool sig_started, sig_stopping;
static sigset_t sig_set;
static int sig_wake;

/* An old-style temporary file (".cfn-harden.XXXXXX", from before names
 * carried the pid) is removed only this long after it was last written:
 * its writer cannot be known, and no write takes ten minutes. */
#define OLD_TMP_AGE (10 * 60)

static void io_error(struct cfh_diag *diag, const char *what, const char *path)
{
	memset(diag, 0, sizeof(*diag));
	diag->code = CFH_EXIT_IO;
	snprintf(diag->msg, sizeof(diag->msg), "cannot %s '%s': %s", what,
		 path, strerror(errno));
}

char *cfh_read_file(const char *path, size_t *lenp, struct cfh_diag *diag)
{
	struct cfh_buf b;
	char chunk[65536];
	FILE *f;
	size_t n;
	struct stat st;

	memset(diag, 0, sizeof(*diag));
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		io_error(diag, "open", path);
		return NULL;
	}
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		io_error(diag, "read", path);
		fclose(f);
		return NULL;
	}
	cfh_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		/* A template is at most a megabyte to CloudFormation: a file
		 * far past that (/dev/zero, a log) is refused before it
		 * fills the memory. */
		if (b.len + n > CFH_MAX_INPUT) {
			memset(diag, 0, sizeof(*diag));
			diag->code = CFH_EXIT_INPUT;
			diag->line = 1;
			diag->col = 1;
			snprintf(diag->msg, sizeof(diag->msg),
				 "larger than %d MiB: not a template "
				 "(CloudFormation takes 1 MB)",
				 CFH_MAX_INPUT >> 20);
			cfh_buf_release(&b);
			if (f != stdin)
				fclose(f);
			return NULL;
		}
		cfh_buf_add(&b, chunk, n);
	}
	if (ferror(f)) {
		io_error(diag, "read", path);
		cfh_buf_release(&b);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	return cfh_buf_steal(&b, lenp);
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* A device, a FIFO or a socket (/dev/null, /dev/stdout, a pipe from a
 * shell's process substitution) is written to, never renamed over:
 * replacing /dev/null with a regular file would break the machine. */
static int write_special(const char *path, const char *data, size_t len,
			 struct cfh_diag *diag)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write_all(fd, data, len)) {
		io_error(diag, "write", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd)) {
		io_error(diag, "write", path);
		return -1;
	}
	return 0;
}

/* ---- the registry of temporary files ---- */

/* Called with tmp_lock held. */
static void tmp_forget(const char *tmp)
{
	size_t i;

	for (i = 0; i < tmp_n; i++)
		if (tmp_live[i] == tmp) {
			tmp_live[i] = tmp_live[--tmp_n];
			return;
		}
}

/*
 * mkstemp() of @tmp (a template ending in XXXXXX), registered at once.
 * The slot is made first: once the file exists, registering it cannot
 * fail. Returns the descriptor, or -1 with errno set.
 */
static int tmp_create(char *tmp)
{
	int fd = -1, err = 0;

	pthread_mutex_lock(&tmp_lock);
	if (tmp_n == tmp_cap) {
		size_t cap = tmp_cap ? 2 * tmp_cap : 16;
		char **v = realloc(tmp_live, cap * sizeof(*v));

		if (!v) {
			err = ENOMEM;
			goto out;
		}
		tmp_live = v;
		tmp_cap = cap;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		err = errno;
	else
		tmp_live[tmp_n++] = tmp;
out:
	pthread_mutex_unlock(&tmp_lock);
	errno = err;
	return fd;
}

/*
 * Is @name in the directory @dfd a temporary file that no run will ever
 * rename? One whose pid names no live process (its run was killed), or an
 * old-style name untouched for OLD_TMP_AGE. Only a regular file of exactly
 * that shape qualifies; an old-style name must look random (a digit or a
 * capital in its six characters), so that ".cfn-harden.backup", a name a
 * person chose, is never taken for one.
 */
static bool tmp_is_stale(int dfd, const char *name, time_t now)
{
	const char *rest, *p;
	struct stat st;
	bool random = false;
	long pid;
	char *end;
	int i;

	if (strncmp(name, ".cfn-harden.", 12))
		return false;
	rest = name + 12;
	if (*rest >= '0' && *rest <= '9') {
		errno = 0;
		pid = strtol(rest, &end, 10);
		if (errno || *end != '.' || pid <= 0 || pid > INT_MAX)
			return false;
		rest = end + 1;
	} else {
		pid = 0;
	}
	for (i = 0, p = rest; i < 6; i++, p++) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z'))
			random = true;
		else if (!(*p >= 'a' && *p <= 'z'))
			return false;
	}
	if (*p || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(st.st_mode))
		return false;
	if (pid)
		/* Ours (or an earlier process with our pid): left alone. A
		 * process of another user (EPERM) is alive. */
		return pid != (long)getpid() && kill((pid_t)pid, 0) &&
		       errno == ESRCH;
	return random && st.st_mtime < now - OLD_TMP_AGE;
}

/*
 * Remove the stale temporary files (tmp_is_stale()) of an interrupted
 * run from @dir, the first time this run stages a file there. A failure
 * to read or remove is not this run's problem: it is ignored.
 */
static void sweep(const char *dir)
{
	time_t now = time(NULL);
	struct dirent *e;
	DIR *d;
	bool done;

	pthread_mutex_lock(&swept_lock);
	if (!swept)
		swept = json_object();
	/* Keys are file names: not necessarily UTF-8, hence _nocheck. */
	done = !swept || json_object_get(swept, dir) ||
	       json_object_set_new_nocheck(swept, dir, json_true());
	pthread_mutex_unlock(&swept_lock);
	if (done)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (tmp_is_stale(dirfd(d), e->d_name, now))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* ---- staging and committing ---- */

/*
 * Create the temporary file of @path beside it, registered, with the mode
 * of the file it replaces. @follow: a link at @path is followed to see
 * what it names (-o /dev/stdout is written to the descriptor); without
 * it, what is at @path is replaced whatever it is, and nothing is
 * written through it. Returns the descriptor; -2 for a device, FIFO or
 * socket, which is written at commit (s->tmp NULL); -1 with errno set.
 */
static int stage_open(struct cfh_staged *s, const char *path, bool follow)
{
	char *copy = strdup(path);
	const char *dir;
	struct stat st;
	mode_t mode = 0644;
	int fd = -1, err;

	memset(s, 0, sizeof(*s));
	s->path = strdup(path);
	if (!copy || !s->path) {
		errno = ENOMEM;
		goto fail;
	}
	dir = dirname(copy);
	if ((follow ? stat(path, &st) : lstat(path, &st)) == 0) {
		if (follow && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			free(copy);
			return -2;
		}
		if (S_ISREG(st.st_mode))
			mode = st.st_mode & 07777;
	}
	sweep(dir);
	s->tmp = malloc(strlen(dir) + 48);
	if (!s->tmp) {
		errno = ENOMEM;
		goto fail;
	}
	sprintf(s->tmp, "%s/.cfn-harden.%ld.XXXXXX", dir, (long)getpid());
	fd = tmp_create(s->tmp);
	if (fd < 0) {
		free(s->tmp);
		s->tmp = NULL;
		goto fail;
	}
	if (fchmod(fd, mode))
		goto fail;
	free(copy);
	return fd;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	cfh_abort_file(s);
	errno = err;
	return -1;
}

/*
 * @sync: flush the file to the disk before it is renamed into place, so
 * that a power loss leaves the old file or the new one. Skipped only for
 * files the next run writes again (cfh_write_file_nosync()).
 */
static int stage(struct cfh_staged *s, const char *path, const char *data,
		 size_t len, bool follow, bool sync, struct cfh_diag *diag)
{
	int fd = stage_open(s, path, follow), err;

	if (fd == -2) {
		s->data = data;
		s->len = len;
		return 0;
	}
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) || (sync && fsync(fd)))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	/* Said before the clean-up, which may change errno. */
	io_error(diag, "write", path);
	err = errno;
	if (fd >= 0)
		close(fd);
	cfh_abort_file(s);
	errno = err;
	return -1;
}

int cfh_stage_file(struct cfh_staged *s, const char *path, const char *data,
		   size_t len, struct cfh_diag *diag)
{
	return stage(s, path, data, len, true, true, diag);
}

FILE *cfh_scratch_file(const char *near)
{
	char *copy, *tmp;
	FILE *f = NULL;
	int fd, err;

	if (!near || !strcmp(near, "-"))
		return tmpfile();
	copy = strdup(near);
	tmp = copy ? malloc(strlen(near) + 48) : NULL;
	if (!tmp) {
		free(copy);
		errno = ENOMEM;
		return NULL;
	}
	sprintf(tmp, "%s/.cfn-harden.%ld.XXXXXX", dirname(copy),
		(long)getpid());
	/* Registered from its creation to its unlink: a signal in between
	 * still removes it. */
	fd = tmp_create(tmp);
	if (fd >= 0) {
		pthread_mutex_lock(&tmp_lock);
		unlink(tmp);
		tmp_forget(tmp);
		pthread_mutex_unlock(&tmp_lock);
		f = fdopen(fd, "w+");
		err = errno;
		if (!f)
			close(fd);
		errno = err;
	}
	err = errno;
	free(tmp);
	free(copy);
	errno = err;
	return f;
}

static int stage_stream(struct cfh_staged *s, const char *path, bool follow,
			struct cfh_diag *diag)
{
	int fd = stage_open(s, path, follow), err;

	/* A device is written at commit: the bytes wait in a scratch file,
	 * which tmpfile() puts where the system keeps temporary files. */
	s->f = fd == -2 ? tmpfile() : fd >= 0 ? fdopen(fd, "w") : NULL;
	if (s->f)
		return 0;
	io_error(diag, "write", path);
	err = errno;
	if (fd >= 0)
		close(fd);
	cfh_abort_file(s);
	errno = err;
	return -1;
}

int cfh_stage_stream(struct cfh_staged *s, const char *path,
		     struct cfh_diag *diag)
{
	return stage_stream(s, path, true, diag);
}

int cfh_replace_stream(struct cfh_staged *s, const char *path,
		       struct cfh_diag *diag)
{
	if (stage_stream(s, path, false, diag))
		return -1;
	s->nosync = true;
	return 0;
}

int cfh_stage_close(struct cfh_staged *s, struct cfh_diag *diag)
{
	int rc = 0;

	if (!s->f)
		return 0;
	if (fflush(s->f) || ferror(s->f)) {
		if (!s->err)
			s->err = errno ? errno : EIO;
	} else if (s->tmp && !s->nosync && fsync(fileno(s->f)) && !s->err) {
		s->err = errno;
	}
	if (s->err) {
		errno = s->err;
		io_error(diag, "write", s->path);
		rc = -1;
	}
	/* A device's scratch file stays open: cfh_commit_file() copies it. */
	if (s->tmp) {
		if (fclose(s->f) && !rc) {
			io_error(diag, "write", s->path);
			rc = -1;
		}
		s->f = NULL;
	}
	return rc;
}

/* A device's bytes from its scratch file @f. */
static int write_special_from(const char *path, FILE *f, struct cfh_diag *diag)
{
	char chunk[65536];
	size_t n;
	int fd = open(path, O_WRONLY);

	if (fd < 0 || fseek(f, 0, SEEK_SET))
		goto fail;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (write_all(fd, chunk, n))
			goto fail;
	if (ferror(f))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	io_error(diag, "write", path);
	if (fd >= 0)
		close(fd);
	return -1;
}

int cfh_commit_file(struct cfh_staged *s, struct cfh_diag *diag)
{
	int rc;

	if (!s->tmp && s->f) {
		rc = write_special_from(s->path, s->f, diag);
	} else if (!s->tmp) {
		rc = write_special(s->path, s->data, s->len, diag);
	} else {
		/* Under the lock: the signal thread never removes a file
		 * that is being renamed into place. */
		pthread_mutex_lock(&tmp_lock);
		rc = rename(s->tmp, s->path);
		if (rc)
			io_error(diag, "write", s->path);
		else
			tmp_forget(s->tmp);
		pthread_mutex_unlock(&tmp_lock);
		if (!rc) {
			free(s->tmp);
			s->tmp = NULL;
		}
	}
	cfh_abort_file(s);
	return rc ? -1 : 0;
}

void cfh_abort_file(struct cfh_staged *s)
{
	if (s->f)
		fclose(s->f);
	if (s->tmp) {
		pthread_mutex_lock(&tmp_lock);
		unlink(s->tmp);
		tmp_forget(s->tmp);
		pthread_mutex_unlock(&tmp_lock);
	}
	free(s->tmp);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

int cfh_write_file(const char *path, const char *data, size_t len,
		   struct cfh_diag *diag)
{
	struct cfh_staged s;

	if (stage(&s, path, data, len, true, true, diag))
		return -1;
	return cfh_commit_file(&s, diag);
}

int cfh_replace_file(const char *path, const char *data, size_t len,
		     struct cfh_diag *diag)
{
	struct cfh_staged s;

	if (stage(&s, path, data, len, false, true, diag))
		return -1;
	return cfh_commit_file(&s, diag);
}

int cfh_write_file_nosync(const char *path, const char *data, size_t len,
			  struct cfh_diag *diag)
{
	struct cfh_staged s;

	if (stage(&s, path, data, len, false, false, diag))
		return -1;
	return cfh_commit_file(&s, diag);
}

int cfh_sync_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0)
		return -1;
	rc = syncfs(fd);
	close(fd);
	return rc;
}

/* ---- signals ---- */

/*
 * The signal thread: waits for SIGINT, SIGTERM or SIGHUP (blocked in
 * every thread, so that only this one receives them), removes every
 * registered temporary file, and ends the process the way the signal
 * would have, so that a shell sees 128+signo. It keeps the registry's
 * lock to the end: no worker stages a new file after the removal.
 */
static void *on_signal(void *arg)
{
	struct sigaction sa;
	sigset_t one;
	size_t i;
	int sig;

	(void)arg;
	if (sigwait(&sig_set, &sig))
		return NULL;
	pthread_mutex_lock(&tmp_lock);
	if (sig_stopping) {
		pthread_mutex_unlock(&tmp_lock);
		return NULL;
	}
	for (i = 0; i < tmp_n; i++)
		unlink(tmp_live[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(128 + sig);
}

int cfh_signals_start(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i, n = 0;

	sigemptyset(&sig_set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A signal ignored when we started stays ignored: nohup, or
		 * a shell's background job, asked for that. */
		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(&sig_set, sigs[i]);
		sig_wake = sigs[i];
		n++;
	}
	/* Past `ulimit -f`, write() then fails with EFBIG: an I/O error
	 * like any other, reported, with the staged file removed, instead
	 * of a kill that leaves it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGXFSZ, &sa, NULL))
		return -1;
	if (!n)
		return 0;
	if (pthread_sigmask(SIG_BLOCK, &sig_set, NULL))
		return -1;
	if (pthread_create(&sig_thread, NULL, on_signal, NULL)) {
		pthread_sigmask(SIG_UNBLOCK, &sig_set, NULL);
		return -1;
	}
	sig_started = true;
	return 0;
}

void cfh_signals_stop(void)
{
	if (sig_started) {
		/* Woken by one of its own signals, sent to it alone: not
		 * pthread_cancel(), which sanitizers do not survive. Had a
		 * real signal come first, the thread ends the process and
		 * the join never returns. */
		pthread_mutex_lock(&tmp_lock);
		sig_stopping = true;
		pthread_mutex_unlock(&tmp_lock);
		pthread_kill(sig_thread, sig_wake);
		pthread_join(sig_thread, NULL);
		sig_started = false;
	}
	pthread_mutex_lock(&swept_lock);
	json_decref(swept);
	swept = NULL;
	pthread_mutex_unlock(&swept_lock);
	pthread_mutex_lock(&tmp_lock);
	free(tmp_live);
	tmp_live = NULL;
	tmp_n = tmp_cap = 0;
	pthread_mutex_unlock(&tmp_lock);
}

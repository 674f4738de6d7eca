/* SPDX-License-Identifier: MIT */
/* Reading templates and writing results without ever leaving a partial
 * file behind. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cfharden.h"

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

int cfh_stage_file(struct cfh_staged *s, const char *path, const char *data,
		   size_t len, struct cfh_diag *diag)
{
	char *copy = strdup(path);
	const char *dir;
	struct stat st;
	mode_t mode = 0644;
	int fd = -1;

	memset(s, 0, sizeof(*s));
	s->path = strdup(path);
	if (!copy || !s->path)
		goto fail;
	dir = dirname(copy);
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			s->data = data;
			s->len = len;
			free(copy);
			return 0;
		}
		mode = st.st_mode & 07777;
	}
	s->tmp = malloc(strlen(dir) + 32);
	if (!s->tmp)
		goto fail;
	sprintf(s->tmp, "%s/.cfn-harden.XXXXXX", dir);
	fd = mkstemp(s->tmp);
	if (fd < 0) {
		free(s->tmp);
		s->tmp = NULL;
		goto fail;
	}
	if (write_all(fd, data, len) || fchmod(fd, mode) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	free(copy);
	return 0;
fail:
	io_error(diag, "write", path);
	if (fd >= 0)
		close(fd);
	free(copy);
	cfh_abort_file(s);
	return -1;
}

int cfh_commit_file(struct cfh_staged *s, struct cfh_diag *diag)
{
	int rc;

	if (!s->tmp)
		rc = write_special(s->path, s->data, s->len, diag);
	else if ((rc = rename(s->tmp, s->path)) != 0)
		io_error(diag, "write", s->path);
	else {
		free(s->tmp);
		s->tmp = NULL;
	}
	cfh_abort_file(s);
	return rc ? -1 : 0;
}

void cfh_abort_file(struct cfh_staged *s)
{
	if (s->tmp)
		unlink(s->tmp);
	free(s->tmp);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

int cfh_write_file(const char *path, const char *data, size_t len,
		   struct cfh_diag *diag)
{
	struct cfh_staged s;

	if (cfh_stage_file(&s, path, data, len, diag))
		return -1;
	return cfh_commit_file(&s, diag);
}

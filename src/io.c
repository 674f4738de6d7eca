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

int cfh_write_file(const char *path, const char *data, size_t len,
		   struct cfh_diag *diag)
{
	char *copy = strdup(path), *tmp = NULL;
	const char *dir;
	struct stat st;
	mode_t mode = 0644;
	int fd = -1, rc = -1;

	if (!copy)
		goto fail;
	dir = dirname(copy);
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			free(copy);
			return write_special(path, data, len, diag);
		}
		mode = st.st_mode & 07777;
	}
	tmp = malloc(strlen(dir) + 32);
	if (!tmp)
		goto fail;
	sprintf(tmp, "%s/.cfn-harden.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len))
		goto fail;
	if (fchmod(fd, mode) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	rc = 0;
	goto out;
fail:
	io_error(diag, "write", path);
	if (fd >= 0)
		close(fd);
	if (tmp && tmp[0])
		unlink(tmp);
out:
	free(tmp);
	free(copy);
	return rc;
}

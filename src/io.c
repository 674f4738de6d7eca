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
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cfh_buf_add(&b, chunk, n);
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

int cfh_write_file(const char *path, const char *data, size_t len,
		   struct cfh_diag *diag)
{
	char *copy = strdup(path), *tmp = NULL;
	const char *dir;
	struct stat st;
	mode_t mode = 0644;
	size_t off = 0;
	int fd = -1, rc = -1;

	if (!copy)
		goto fail;
	dir = dirname(copy);
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	tmp = malloc(strlen(dir) + 32);
	if (!tmp)
		goto fail;
	sprintf(tmp, "%s/.cfn-harden.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
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

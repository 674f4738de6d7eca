/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffers and the arena that owns every model node.
 *
 * Ownership: a struct cfh_buf owns its data until cfh_buf_steal() hands it
 * to the caller; an arena owns everything allocated from it and frees it all
 * at once in cfh_arena_release().
 */
#ifndef CFH_BUF_H
#define CFH_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct cfh_buf {
	char *data;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	bool failed;	/* an allocation failed; later appends are no-ops */
};

void cfh_buf_init(struct cfh_buf *b);
void cfh_buf_release(struct cfh_buf *b);
void cfh_buf_add(struct cfh_buf *b, const void *data, size_t len);
void cfh_buf_adds(struct cfh_buf *b, const char *s);
void cfh_buf_addc(struct cfh_buf *b, char c);
void cfh_buf_addf(struct cfh_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cfh_buf_pad(struct cfh_buf *b, char c, size_t n);

/**
 * cfh_buf_steal() - take the buffer's contents
 * @b: the buffer, left empty
 * @lenp: receives the length, may be NULL
 *
 * Returns: the NUL-terminated data (the caller frees it), or NULL if any
 * allocation failed while the buffer was being filled.
 */
char *cfh_buf_steal(struct cfh_buf *b, size_t *lenp);

struct cfh_arena_chunk;

struct cfh_arena {
	struct cfh_arena_chunk *head;
	size_t used;	/* bytes used in head */
};

void cfh_arena_init(struct cfh_arena *a);
void cfh_arena_release(struct cfh_arena *a);

/**
 * cfh_arena_alloc() - zeroed, pointer-aligned memory from the arena
 * Returns: memory owned by the arena, or NULL when out of memory.
 */
void *cfh_arena_alloc(struct cfh_arena *a, size_t size);

/**
 * cfh_arena_strndup() - copy @len bytes and add a NUL
 * Returns: a string owned by the arena, or NULL when out of memory.
 */
char *cfh_arena_strndup(struct cfh_arena *a, const char *s, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Buffers grow geometrically so that appending is amortised O(1); a failed
 * allocation is remembered rather than reported at every call, so builders
 * can append freely and check once at the end (as git's strbuf dies, we
 * cannot: a library must not exit).
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfh_buf_init(struct cfh_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void cfh_buf_release(struct cfh_buf *b)
{
	free(b->data);
	cfh_buf_init(b);
}

static bool buf_reserve(struct cfh_buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void cfh_buf_add(struct cfh_buf *b, const void *data, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void cfh_buf_adds(struct cfh_buf *b, const char *s)
{
	cfh_buf_add(b, s, strlen(s));
}

void cfh_buf_addc(struct cfh_buf *b, char c)
{
	cfh_buf_add(b, &c, 1);
}

void cfh_buf_pad(struct cfh_buf *b, char c, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void cfh_buf_addf(struct cfh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Straight into the room there is, most of the time: formatting
	 * twice (once to measure) was the most of a report's formatting. */
	if (b->failed)
		return;
	if (b->data && b->cap > b->len) {
		va_start(ap, fmt);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->data[b->len] = '\0';
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		/* Cut short: drop it, make room and write it again. */
		b->data[b->len] = '\0';
	} else {
		va_start(ap, fmt);
		n = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *cfh_buf_steal(struct cfh_buf *b, size_t *lenp)
{
	char *p;

	if (b->failed) {
		cfh_buf_release(b);
		return NULL;
	}
	if (!b->data) {
		if (!buf_reserve(b, 0))
			return NULL;
		b->data[0] = '\0';
	}
	p = b->data;
	if (lenp)
		*lenp = b->len;
	cfh_buf_init(b);
	return p;
}

/* Chunks of 64 KiB keep the per-allocation cost to a pointer bump; larger
 * requests get a chunk of their own. */
#define ARENA_CHUNK (64 * 1024)
#define ARENA_ALIGN (sizeof(void *) > sizeof(double) ? sizeof(void *) : sizeof(double))

struct cfh_arena_chunk {
	struct cfh_arena_chunk *next;
	size_t size;
	max_align_t data[];
};

void cfh_arena_init(struct cfh_arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void cfh_arena_release(struct cfh_arena *a)
{
	struct cfh_arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	cfh_arena_init(a);
}

/* @size bytes at a multiple of @align (a power of two) in the head
 * chunk, or in a new one. Only the start is aligned, not the size: a
 * string takes its length, not a multiple of 16 (a template has a string
 * per scalar and key, so that is a tenth of the arena). */
static void *arena_take(struct cfh_arena *a, size_t size, size_t align)
{
	struct cfh_arena_chunk *c;
	size_t csize, at = (a->used + align - 1) & ~(align - 1);
	void *p;

	if (!size)
		size = 1;
	if (!a->head || at > a->head->size || a->head->size - at < size) {
		csize = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	p = (char *)a->head->data + at;
	a->used = at + size;
	return p;
}

void *cfh_arena_alloc(struct cfh_arena *a, size_t size)
{
	/* Pointer alignment, which every structure of the model needs (and
	 * the header promises): max_align_t's 16 would pad a 40-byte entry
	 * to 48. */
	void *p = arena_take(a, size, ARENA_ALIGN);

	if (p)
		memset(p, 0, size);
	return p;
}

char *cfh_arena_strndup(struct cfh_arena *a, const char *s, size_t len)
{
	char *p = arena_take(a, len + 1, 1);

	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

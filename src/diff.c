/* SPDX-License-Identifier: MIT */
/*
 * A unified diff of the input and the hardened output, for --diff and the
 * diff report: what a reviewer sees in a pull request, without running
 * diff(1). Myers' O(ND) algorithm in its linear-space form (E. W. Myers,
 * "An O(ND) Difference Algorithm and Its Variations", 1986): find the
 * middle snake of an optimal path, recurse on both sides. Passes edit
 * locally, so D is small next to the size of the template.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define CONTEXT 3

struct line {
	const char *p;
	size_t len;		/* newline included, if there is one */
	uint64_t h;
};

struct diff {
	const struct line *a, *b;
	char *del, *ins;	/* per line: deleted from a, inserted in b */
	long *vf, *vb;		/* furthest x per diagonal, offset by ... */
	long off;		/* ... this, so that k = -off is index 0 */
};

static struct line *split(const char *s, size_t n, size_t *cnt)
{
	struct line *v;
	size_t i, k = 0, start = 0;

	for (i = 0; i < n; i++)
		k += s[i] == '\n';
	v = calloc(k + 2, sizeof(*v));
	if (!v)
		return NULL;
	k = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		if (i == n && start == n)
			break;
		v[k].p = s + start;
		v[k].len = (i < n ? i + 1 : n) - start;
		/* FNV-1a: equal lines hash equal, and most unequal ones
		 * differ here without a memcmp. */
		v[k].h = 1469598103934665603ull;
		for (size_t j = 0; j < v[k].len; j++)
			v[k].h = (v[k].h ^ (unsigned char)v[k].p[j]) *
				 1099511628211ull;
		k++;
		start = i + 1;
	}
	*cnt = k;
	return v;
}

static int eq(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->len == y->len &&
	       !memcmp(x->p, y->p, x->len);
}

/*
 * A point (*sx, *sy) on an optimal path from (a0, b0) to (a1, b1) that is
 * neither end: both ranges are non-empty and differ at both ends, so D is
 * at least 2, and the middle snake is met after about D/2 steps from each
 * side.
 */
static void middle(struct diff *d, long a0, long a1, long b0, long b1,
		   long *sx, long *sy)
{
	const struct line *A = d->a + a0, *B = d->b + b0;
	long n = a1 - a0, m = b1 - b0, delta = n - m, off = d->off;
	long *vf = d->vf, *vb = d->vb, dd, k, x, y;
	int odd = delta & 1;

	vf[off + 1] = 0;
	vb[off + 1] = 0;
	for (dd = 0; dd <= (n + m + 1) / 2; dd++) {
		for (k = -dd; k <= dd; k += 2) {
			if (k == -dd || (k != dd && vf[off + k - 1] < vf[off + k + 1]))
				x = vf[off + k + 1];
			else
				x = vf[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && eq(&A[x], &B[y]))
				x++, y++;
			vf[off + k] = x;
			if (odd && delta - k >= -(dd - 1) && delta - k <= dd - 1 &&
			    x + vb[off + delta - k] >= n) {
				*sx = a0 + x;
				*sy = b0 + y;
				return;
			}
		}
		for (k = -dd; k <= dd; k += 2) {
			if (k == -dd || (k != dd && vb[off + k - 1] < vb[off + k + 1]))
				x = vb[off + k + 1];
			else
				x = vb[off + k - 1] + 1;
			y = x - k;
			while (x < n && y < m &&
			       eq(&A[n - 1 - x], &B[m - 1 - y]))
				x++, y++;
			vb[off + k] = x;
			if (!odd && delta - k >= -dd && delta - k <= dd &&
			    x + vf[off + delta - k] >= n) {
				*sx = a0 + n - x;
				*sy = b0 + m - y;
				return;
			}
		}
	}
	/* Not reached: the paths meet by D/2. Split anywhere valid. */
	*sx = a0 + n / 2;
	*sy = b0 + m / 2;
}

static void compare(struct diff *d, long a0, long a1, long b0, long b1)
{
	long x, y;

	for (;;) {
		while (a0 < a1 && b0 < b1 && eq(&d->a[a0], &d->b[b0]))
			a0++, b0++;
		while (a0 < a1 && b0 < b1 && eq(&d->a[a1 - 1], &d->b[b1 - 1]))
			a1--, b1--;
		if (a0 == a1 || b0 == b1)
			break;
		middle(d, a0, a1, b0, b1, &x, &y);
		compare(d, a0, x, b0, y);
		a0 = x;
		b0 = y;
	}
	if (a0 == a1)
		memset(d->ins + b0, 1, (size_t)(b1 - b0));
	else
		memset(d->del + a0, 1, (size_t)(a1 - a0));
}

static void put_line(struct cfh_buf *o, char mark, const struct line *l)
{
	cfh_buf_addc(o, mark);
	cfh_buf_add(o, l->p, l->len);
	if (!l->len || l->p[l->len - 1] != '\n')
		cfh_buf_adds(o, "\n\\ No newline at end of file\n");
}

/* "-l,s": a range of 0 lines starts at the line before it; 1 line has no
 * count, as GNU diff writes them. */
static void put_range(struct cfh_buf *o, char mark, long start, long len)
{
	if (len == 1)
		cfh_buf_addf(o, " %c%ld", mark, start + 1);
	else
		cfh_buf_addf(o, " %c%ld,%ld", mark, len ? start + 1 : start,
			     len);
}

/* Hunks: runs of changes with CONTEXT lines around them, merged when the
 * context of two runs would touch. */
static void emit(struct diff *d, long n, long m, struct cfh_buf *o)
{
	long i = 0, j = 0;

	while (i < n || j < m) {
		long hi, hj, ei, ej, ci, cj, gap;

		/* The next change. */
		while (i < n && j < m && !d->del[i] && !d->ins[j])
			i++, j++;
		if (i >= n && j >= m)
			break;
		hi = i - CONTEXT > 0 ? i - CONTEXT : 0;
		hj = j - (i - hi);
		ei = i;
		ej = j;
		/* Extend over changes and short gaps between them. */
		for (;;) {
			while ((ei < n && d->del[ei]) || (ej < m && d->ins[ej])) {
				if (ei < n && d->del[ei])
					ei++;
				else
					ej++;
			}
			for (gap = 0; ei + gap < n && ej + gap < m &&
				      !d->del[ei + gap] && !d->ins[ej + gap] &&
				      gap <= 2 * CONTEXT;
			     gap++)
				;
			if (gap <= 2 * CONTEXT && (ei + gap < n || ej + gap < m)) {
				ei += gap;
				ej += gap;
				continue;
			}
			break;
		}
		ci = ei + CONTEXT < n ? ei + CONTEXT : n;
		cj = ej + (ci - ei);
		cfh_buf_adds(o, "@@");
		put_range(o, '-', hi, ci - hi);
		put_range(o, '+', hj, cj - hj);
		cfh_buf_adds(o, " @@\n");
		i = hi;
		j = hj;
		while (i < ci || j < cj) {
			if (i < ci && d->del[i])
				put_line(o, '-', &d->a[i++]);
			else if (j < cj && d->ins[j])
				put_line(o, '+', &d->b[j++]);
			else {
				put_line(o, ' ', &d->a[i]);
				i++, j++;
			}
		}
	}
}

char *cfh_diff(const char *a, size_t alen, const char *b, size_t blen,
	       const char *name)
{
	struct diff d = { 0 };
	struct cfh_buf o;
	size_t n = 0, m = 0;
	struct line *la = split(a, alen, &n), *lb = split(b, blen, &m);
	char *res = NULL;

	cfh_buf_init(&o);
	if (!la || !lb)
		goto out;
	d.a = la;
	d.b = lb;
	d.off = (long)(n + m) + 1;
	d.del = calloc(n + 1, 1);
	d.ins = calloc(m + 1, 1);
	d.vf = calloc(2 * (n + m) + 3, sizeof(long));
	d.vb = calloc(2 * (n + m) + 3, sizeof(long));
	if (!d.del || !d.ins || !d.vf || !d.vb)
		goto out;
	compare(&d, 0, (long)n, 0, (long)m);
	cfh_buf_adds(&o, "");
	if (memchr(d.del, 1, n) || memchr(d.ins, 1, m)) {
		cfh_buf_addf(&o, "--- a/%s\n+++ b/%s\n", name, name);
		emit(&d, (long)n, (long)m, &o);
	}
	res = cfh_buf_steal(&o, NULL);
out:
	cfh_buf_release(&o);
	free(d.del);
	free(d.ins);
	free(d.vf);
	free(d.vb);
	free(la);
	free(lb);
	return res;
}

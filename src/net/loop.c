/*
 * The poll() event loop.  See loop.h.  Ready descriptors are collected
 * before any callback runs and each watcher carries a generation number,
 * so a callback that closes an fd (which may be reused at once by an
 * accept in the same pass) never gets another owner's events.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "net/loop.h"

#define LOOP_NO_INDEX ((size_t)-1)

struct loop_io {
	loop_io_cb *cb;
	void *arg;
	size_t pidx; /* index in pfds, or LOOP_NO_INDEX */
	unsigned gen;
};

struct loop_timer {
	uint64_t when; /* heap key: at most due */
	uint64_t due; /* when it fires; later than when if pushed back */
	uint64_t seq;
	size_t hidx; /* index in the heap, or LOOP_NO_INDEX */
	loop_timer_cb *cb;
	void *arg;
	int firing;
	int cancelled;
};

struct loop_sig {
	int sig;
	loop_signal_cb *cb;
	void *arg;
};

struct loop_childw {
	pid_t pid;
	loop_child_cb *cb;
	void *arg;
};

struct loop_deferred {
	loop_defer_cb *cb;
	void *arg;
};

struct loop_ready {
	int fd;
	int events;
	unsigned gen;
};

struct loop {
	struct loop_io *io;
	size_t nio;
	struct pollfd *pfds;
	size_t npfds, cappfds;
	struct loop_ready *ready;
	size_t capready;
	struct loop_timer **heap;
	size_t nheap, capheap;
	uint64_t timer_seq;
	struct loop_sig *sigs;
	size_t nsigs;
	struct loop_childw *children;
	size_t nchildren;
	struct loop_deferred *defers, *spare;
	size_t ndefers, capdefers, capspare;
	loop_defer_cb *before_cb;
	void *before_arg;
	int sigpipe[2];
	uint64_t now;
	unsigned gen;
	int stop;
};

/* The one loop that owns the signal pipe (signals are process-wide). */
static int loop_sigfd = -1;

struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->sigpipe[0] = l->sigpipe[1] = -1;
	l->now = clock_mono_ms();
	return l;
}

static void loop_run_defers(struct loop *);

void
loop_free(struct loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	/* Deferred callbacks are mostly frees of closed objects: run what
	 * the last pass (and its owner's teardown) left, bounded. */
	for (i = 0; i < 16 && l->ndefers > 0; i++)
		loop_run_defers(l);
	for (i = 0; i < l->nheap; i++)
		free(l->heap[i]);
	if (l->sigpipe[0] != -1) {
		for (i = 0; i < l->nsigs; i++)
			signal(l->sigs[i].sig, SIG_DFL);
		close(l->sigpipe[0]);
		close(l->sigpipe[1]);
		loop_sigfd = -1;
	}
	free(l->io);
	free(l->pfds);
	free(l->ready);
	free(l->heap);
	free(l->sigs);
	free(l->children);
	free(l->defers);
	free(l->spare);
	free(l);
}

static int
loop_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	if ((n = realloc(*p, ncap * elem)) == NULL)
		return -1;
	*p = n;
	*cap = ncap;
	return 0;
}

static short
loop_pevents(int events)
{
	short e = 0;

	if (events & LOOP_READ)
		e |= POLLIN;
	if (events & LOOP_WRITE)
		e |= POLLOUT;
	return e;
}

int
loop_io_add(struct loop *l, int fd, int events, loop_io_cb *cb, void *arg)
{
	size_t old = l->nio, i;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= l->nio) {
		if (loop_grow((void **)&l->io, &l->nio, (size_t)fd + 1,
			sizeof(*l->io)) == -1)
			return -1;
		for (i = old; i < l->nio; i++) {
			l->io[i].cb = NULL;
			l->io[i].pidx = LOOP_NO_INDEX;
			l->io[i].gen = 0;
		}
	}
	if (l->io[fd].pidx != LOOP_NO_INDEX)
		return -1;
	if (loop_grow((void **)&l->pfds, &l->cappfds, l->npfds + 1,
		sizeof(*l->pfds)) == -1)
		return -1;
	l->io[fd].cb = cb;
	l->io[fd].arg = arg;
	l->io[fd].gen = ++l->gen;
	l->io[fd].pidx = l->npfds;
	l->pfds[l->npfds].fd = fd;
	l->pfds[l->npfds].events = loop_pevents(events);
	l->pfds[l->npfds].revents = 0;
	l->npfds++;
	return 0;
}

void
loop_io_set(struct loop *l, int fd, int events)
{
	if (fd < 0 || (size_t)fd >= l->nio || l->io[fd].pidx == LOOP_NO_INDEX)
		return;
	l->pfds[l->io[fd].pidx].events = loop_pevents(events);
}

void
loop_io_del(struct loop *l, int fd)
{
	size_t i, last;

	if (fd < 0 || (size_t)fd >= l->nio ||
	    (i = l->io[fd].pidx) == LOOP_NO_INDEX)
		return;
	last = l->npfds - 1;
	if (i != last) {
		l->pfds[i] = l->pfds[last];
		l->io[l->pfds[i].fd].pidx = i;
	}
	l->npfds--;
	l->io[fd].pidx = LOOP_NO_INDEX;
	l->io[fd].cb = NULL;
	l->io[fd].gen = 0;
}

/* Timers: a binary min-heap ordered by (when, seq). */
static int
loop_timer_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
loop_heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->hidx = a;
	l->heap[b]->hidx = b;
}

static void
loop_heap_up(struct loop *l, size_t i)
{
	while (i > 0 && loop_timer_less(l->heap[i], l->heap[(i - 1) / 2])) {
		loop_heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
loop_heap_down(struct loop *l, size_t i)
{
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap &&
		    loop_timer_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!loop_timer_less(l->heap[c], l->heap[i]))
			break;
		loop_heap_swap(l, i, c);
		i = c;
	}
}

static int
loop_heap_insert(struct loop *l, struct loop_timer *t)
{
	if (loop_grow((void **)&l->heap, &l->capheap, l->nheap + 1,
		sizeof(*l->heap)) == -1)
		return -1;
	t->hidx = l->nheap;
	l->heap[l->nheap++] = t;
	loop_heap_up(l, t->hidx);
	return 0;
}

static void
loop_heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->hidx;

	if (i == LOOP_NO_INDEX)
		return;
	l->nheap--;
	if (i != l->nheap) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->hidx = i;
		loop_heap_down(l, i);
		loop_heap_up(l, i);
	}
	t->hidx = LOOP_NO_INDEX;
}

struct loop_timer *
loop_timer_add(struct loop *l, uint64_t ms, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->when = t->due = l->now + ms;
	t->seq = ++l->timer_seq;
	t->cb = cb;
	t->arg = arg;
	if (loop_heap_insert(l, t) == -1) {
		free(t);
		return NULL;
	}
	return t;
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (t == NULL)
		return;
	loop_heap_remove(l, t);
	if (t->firing)
		t->cancelled = 1;
	else
		free(t);
}

void
loop_timer_reset(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	uint64_t due = l->now + ms;

	t->cancelled = 0;
	if (t->hidx != LOOP_NO_INDEX && due >= t->when) {
		/* Pushed back (a connection's timeout, once per request):
		 * the heap keeps its place and re-keys it when it comes up,
		 * so the usual reset costs no heap work. */
		t->due = due;
		return;
	}
	loop_heap_remove(l, t);
	t->when = t->due = due;
	t->seq = ++l->timer_seq;
	if (loop_heap_insert(l, t) == -1)
		t->cancelled = 1; /* cannot re-arm: treat as cancelled */
}

/* Fires the timers that are due.  Timers added or re-armed by these
 * callbacks carry a newer seq and wait for the next pass, so a timer that
 * re-arms itself with 0 ms cannot keep the loop from polling. */
static void
loop_run_timers(struct loop *l)
{
	struct loop_timer *t;
	uint64_t last = l->timer_seq;

	while (l->nheap > 0 && l->heap[0]->when <= l->now &&
	    l->heap[0]->seq <= last) {
		t = l->heap[0];
		loop_heap_remove(l, t);
		if (t->due > l->now) {
			/* Pushed back since it was queued: queue it again at
			 * its real time (cannot fail: its slot was just
			 * freed). */
			t->when = t->due;
			t->seq = ++l->timer_seq;
			(void)loop_heap_insert(l, t);
			continue;
		}
		t->firing = 1;
		t->cb(l, t->arg);
		t->firing = 0;
		/* Re-armed from its own callback: keep it. */
		if (t->hidx == LOOP_NO_INDEX)
			free(t);
	}
}

static void
loop_sig_handler(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (loop_sigfd != -1)
		(void)!write(loop_sigfd, &c, 1);
	errno = saved;
}

static void loop_sig_readable(struct loop *, int, int, void *);

static int
loop_sig_setup(struct loop *l)
{
	int i;

	if (l->sigpipe[0] != -1)
		return 0;
	if (pipe(l->sigpipe) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(l->sigpipe[i], F_SETFL,
		    fcntl(l->sigpipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(l->sigpipe[i], F_SETFD, FD_CLOEXEC);
	}
	loop_sigfd = l->sigpipe[1];
	return loop_io_add(l, l->sigpipe[0], LOOP_READ, loop_sig_readable, l);
}

static int
loop_install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

int
loop_signal(struct loop *l, int sig, loop_signal_cb *cb, void *arg)
{
	struct loop_sig *n;

	if (loop_sig_setup(l) == -1)
		return -1;
	if ((n = realloc(l->sigs, (l->nsigs + 1) * sizeof(*n))) == NULL)
		return -1;
	l->sigs = n;
	l->sigs[l->nsigs].sig = sig;
	l->sigs[l->nsigs].cb = cb;
	l->sigs[l->nsigs].arg = arg;
	l->nsigs++;
	return loop_install(sig);
}

static void
loop_reap(struct loop *l)
{
	size_t i = 0;
	int status;
	pid_t r;
	struct loop_childw c;

	while (i < l->nchildren) {
		r = waitpid(l->children[i].pid, &status, WNOHANG);
		if (r == 0 || (r == -1 && errno == EINTR)) {
			i++;
			continue;
		}
		c = l->children[i];
		l->children[i] = l->children[--l->nchildren];
		if (r == -1)
			status = -1;
		c.cb(l, c.pid, status, c.arg);
	}
}

static void
loop_reap_deferred(struct loop *l, void *arg)
{
	loop_reap(l);
}

static void
loop_sig_readable(struct loop *l, int fd, int events, void *arg)
{
	unsigned char sigs[64];
	ssize_t n;
	size_t i, j;

	while ((n = read(fd, sigs, sizeof(sigs))) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			if (sigs[i] == SIGCHLD)
				loop_reap(l);
			for (j = 0; j < l->nsigs; j++)
				if (l->sigs[j].sig == sigs[i] &&
				    l->sigs[j].cb != NULL)
					l->sigs[j].cb(
					    l, sigs[i], l->sigs[j].arg);
		}
	}
}

int
loop_child(struct loop *l, pid_t pid, loop_child_cb *cb, void *arg)
{
	struct loop_childw *n;
	size_t i;
	int have = 0;

	if (loop_sig_setup(l) == -1)
		return -1;
	for (i = 0; i < l->nsigs; i++)
		if (l->sigs[i].sig == SIGCHLD)
			have = 1;
	if (!have && loop_signal(l, SIGCHLD, NULL, NULL) == -1)
		return -1;
	n = realloc(l->children, (l->nchildren + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	l->children = n;
	l->children[l->nchildren].pid = pid;
	l->children[l->nchildren].cb = cb;
	l->children[l->nchildren].arg = arg;
	l->nchildren++;
	/* The child may have exited before we watched it. */
	return loop_defer(l, loop_reap_deferred, NULL);
}

int
loop_defer(struct loop *l, loop_defer_cb *cb, void *arg)
{
	if (loop_grow((void **)&l->defers, &l->capdefers, l->ndefers + 1,
		sizeof(*l->defers)) == -1)
		return -1;
	l->defers[l->ndefers].cb = cb;
	l->defers[l->ndefers].arg = arg;
	l->ndefers++;
	return 0;
}

void
loop_before_poll(struct loop *l, loop_defer_cb *cb, void *arg)
{
	l->before_cb = cb;
	l->before_arg = arg;
}

static void
loop_run_defers(struct loop *l)
{
	struct loop_deferred *d;
	size_t n, cap, i;

	/* Run only what was queued before this pass: the callbacks queue
	 * into the (empty) spare array, which runs on the next pass. */
	if ((n = l->ndefers) == 0)
		return;
	d = l->defers;
	cap = l->capdefers;
	l->defers = l->spare;
	l->capdefers = l->capspare;
	l->ndefers = 0;
	l->spare = NULL;
	l->capspare = 0;
	for (i = 0; i < n; i++)
		d[i].cb(l, d[i].arg);
	l->spare = d;
	l->capspare = cap;
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

uint64_t
loop_update_time(struct loop *l)
{
	l->now = clock_mono_ms();
	return l->now;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

int
loop_run(struct loop *l)
{
	struct loop_io *w;
	size_t i, nready;
	int timeout, n, ev;

	l->stop = 0;
	while (!l->stop) {
		loop_update_time(l);
		loop_run_timers(l);
		loop_run_defers(l);
		if (l->stop)
			break;
		if (l->before_cb != NULL)
			l->before_cb(l, l->before_arg);
		timeout = -1;
		if (l->ndefers > 0)
			timeout = 0;
		else if (l->nheap > 0) {
			uint64_t when = l->heap[0]->when;
			loop_update_time(l);
			timeout = when <= l->now    ? 0
			    : when - l->now > 60000 ? 60000
						    : (int)(when - l->now);
		}
		n = poll(l->pfds, (nfds_t)l->npfds, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		loop_update_time(l);
		if (n == 0)
			continue;
		if (loop_grow((void **)&l->ready, &l->capready, l->npfds,
			sizeof(*l->ready)) == -1)
			return -1;
		nready = 0;
		for (i = 0; i < l->npfds; i++) {
			if (l->pfds[i].revents == 0)
				continue;
			ev = 0;
			if (l->pfds[i].revents &
			    (POLLIN | POLLHUP | POLLERR | POLLNVAL))
				ev |= LOOP_READ;
			if (l->pfds[i].revents & (POLLOUT | POLLERR | POLLHUP))
				ev |= LOOP_WRITE;
			l->ready[nready].fd = l->pfds[i].fd;
			l->ready[nready].events = ev;
			l->ready[nready].gen = l->io[l->pfds[i].fd].gen;
			nready++;
		}
		for (i = 0; i < nready; i++) {
			w = &l->io[l->ready[i].fd];
			if (w->gen != l->ready[i].gen || w->cb == NULL)
				continue;
			w->cb(l, l->ready[i].fd, l->ready[i].events, w->arg);
		}
	}
	return 0;
}

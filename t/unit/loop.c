/*
 * Unit tests for net/loop: timer order, cancel, reset and self re-arming;
 * deferred callbacks and their passes; pipe watchers (readiness, hang-up,
 * removal inside a callback, an fd closed and reused within one pass);
 * signals through the self-pipe; child reaping; loop_stop.  A watchdog
 * alarm turns a hung loop into a failure instead of a stuck test run.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/loop.h"
#include "tap.h"

int main(void);

static char trace[256];
static unsigned passes; /* counted by the before-poll hook */

static void
trace_add(const char *what)
{
	if (trace[0] != '\0')
		strncat(trace, ",", sizeof(trace) - strlen(trace) - 1);
	strncat(trace, what, sizeof(trace) - strlen(trace) - 1);
}

static void
watchdog(int sig)
{
	static const char msg[] =
	    "not ok - the loop hung (watchdog alarm)\nBail out!\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void
count_pass(struct loop *l, void *arg)
{
	(void)l;
	(void)arg;
	passes++;
}

static struct loop *
fresh_loop(void)
{
	struct loop *l = loop_new();

	if (l == NULL) {
		printf("Bail out! loop_new failed\n");
		exit(1);
	}
	trace[0] = '\0';
	passes = 0;
	loop_before_poll(l, count_pass, NULL);
	return l;
}

static void
stop_cb(struct loop *l, void *arg)
{
	(void)arg;
	loop_stop(l);
}

static void
trace_timer(struct loop *l, void *arg)
{
	(void)l;
	trace_add(arg);
}

static void
test_timer_order(void)
{
	struct loop *l = fresh_loop();

	ok(loop_timer_add(l, 30, trace_timer, "c") != NULL, "timer added");
	loop_timer_add(l, 10, trace_timer, "a");
	loop_timer_add(l, 20, trace_timer, "b1");
	loop_timer_add(l, 20, trace_timer, "b2");
	loop_timer_add(l, 0, trace_timer, "now");
	loop_timer_add(l, 40, stop_cb, NULL);
	is_int(loop_run(l), 0, "loop_run returns 0 after loop_stop");
	is_str(trace, "now,a,b1,b2,c",
	    "timers fire by deadline, ties in the order they were added");
	loop_free(l);
}

static void
test_timer_cancel(void)
{
	struct loop *l = fresh_loop();
	struct loop_timer *t;

	t = loop_timer_add(l, 10, trace_timer, "cancelled");
	loop_timer_add(l, 5, trace_timer, "kept");
	loop_timer_cancel(l, t);
	loop_timer_cancel(l, NULL);
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_str(trace, "kept", "a cancelled timer never fires");
	loop_free(l);
}

struct reset_ctx {
	struct loop_timer *target;
	uint64_t fired_at, reset_at;
};

static void
reset_target(struct loop *l, void *arg)
{
	struct reset_ctx *c = arg;

	c->fired_at = loop_now(l);
	c->target = NULL;
}

static void
reset_other(struct loop *l, void *arg)
{
	struct reset_ctx *c = arg;

	c->reset_at = loop_now(l);
	loop_timer_reset(l, c->target, 60);
}

static void
test_timer_reset(void)
{
	struct loop *l = fresh_loop();
	struct reset_ctx c;

	memset(&c, 0, sizeof(c));
	c.target = loop_timer_add(l, 20, reset_target, &c);
	loop_timer_add(l, 5, reset_other, &c);
	loop_timer_add(l, 40, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(c.fired_at, 0, "a reset timer does not fire at its old time");
	ok(c.target != NULL, "and is still pending");
	loop_timer_add(l, 100, stop_cb, NULL);
	(void)!loop_run(l);
	ok(c.fired_at != 0, "it fires after the new delay");
	ok(c.fired_at >= c.reset_at + 60,
	    "no earlier than 60 ms after the reset (%llu >= %llu + 60)",
	    (unsigned long long)c.fired_at, (unsigned long long)c.reset_at);
	loop_free(l);
}

/* Reset to an earlier time (the heap must move it up), and a pushed-back
 * timer ordered against one due in between. */
struct order_ctx {
	int order[3];
};

static void
first_cb(struct loop *l, void *arg)
{
	struct order_ctx *c = arg;

	(void)l;
	c->order[++c->order[0]] = 1;
}

static void
second_cb(struct loop *l, void *arg)
{
	struct order_ctx *c = arg;

	(void)l;
	c->order[++c->order[0]] = 2;
}

static void
test_timer_reset_order(void)
{
	struct loop *l = fresh_loop();
	struct order_ctx c;
	struct loop_timer *a, *b;
	uint64_t t0;

	memset(&c, 0, sizeof(c));
	/* a at 80 ms, b at 30 ms; a reset to 10 ms must fire first. */
	a = loop_timer_add(l, 80, first_cb, &c);
	b = loop_timer_add(l, 30, second_cb, &c);
	(void)b;
	t0 = loop_now(l);
	loop_timer_reset(l, a, 10);
	loop_timer_add(l, 60, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(c.order[0], 2, "both timers fired");
	ok(c.order[1] == 1 && c.order[2] == 2,
	    "a timer reset to an earlier time fires before one due later");
	ok(loop_now(l) - t0 >= 30, "the loop ran until the later one");
	/* a pushed back past b: b first, then a. */
	memset(&c, 0, sizeof(c));
	a = loop_timer_add(l, 10, first_cb, &c);
	loop_timer_add(l, 30, second_cb, &c);
	loop_timer_reset(l, a, 50);
	loop_timer_add(l, 80, stop_cb, NULL);
	(void)!loop_run(l);
	ok(c.order[0] == 2 && c.order[1] == 2 && c.order[2] == 1,
	    "a timer pushed back past another fires after it");
	loop_free(l);
}

struct rearm_ctx {
	struct loop_timer *t;
	int count;
	unsigned pass[5];
	int count_at_defer, count_at_io;
	int fds[2];
};

static void
rearm_cb(struct loop *l, void *arg)
{
	struct rearm_ctx *c = arg;

	c->pass[c->count] = passes;
	c->count++;
	if (c->count < 5)
		loop_timer_reset(l, c->t, 0);
	else
		loop_stop(l);
}

static void
rearm_defer(struct loop *l, void *arg)
{
	struct rearm_ctx *c = arg;

	(void)l;
	c->count_at_defer = c->count;
}

static void
rearm_io(struct loop *l, int fd, int events, void *arg)
{
	struct rearm_ctx *c = arg;

	(void)events;
	c->count_at_io = c->count;
	loop_io_del(l, fd);
}

static void
test_timer_rearm_self(void)
{
	struct loop *l = fresh_loop();
	struct rearm_ctx c;
	int i, distinct = 1;

	memset(&c, 0, sizeof(c));
	c.count_at_defer = c.count_at_io = -1;
	if (pipe(c.fds) == -1)
		exit(1);
	(void)!write(c.fds[1], "x", 1);
	c.t = loop_timer_add(l, 0, rearm_cb, &c);
	ok(loop_defer(l, rearm_defer, &c) == 0, "defer queued");
	ok(loop_io_add(l, c.fds[0], LOOP_READ, rearm_io, &c) == 0,
	    "watcher added");
	(void)!loop_run(l);
	is_int(c.count, 5,
	    "a timer re-arming itself from its callback fires "
	    "each time");
	for (i = 1; i < 5; i++)
		if (c.pass[i] <= c.pass[i - 1])
			distinct = 0;
	ok(distinct, "each 0 ms re-arm fires on a later pass (%u %u %u %u %u)",
	    c.pass[0], c.pass[1], c.pass[2], c.pass[3], c.pass[4]);
	is_int(c.count_at_defer, 1,
	    "deferred work runs between the re-armed firings");
	ok(c.count_at_io >= 1 && c.count_at_io < 5,
	    "a ready descriptor is served while the timer keeps re-arming "
	    "(at %d)",
	    c.count_at_io);
	close(c.fds[0]);
	close(c.fds[1]);
	loop_free(l);
}

struct cancel_ctx {
	struct loop_timer *victim;
};

static void
cancel_other(struct loop *l, void *arg)
{
	struct cancel_ctx *c = arg;

	trace_add("killer");
	loop_timer_cancel(l, c->victim);
	c->victim = NULL;
}

static void
test_timer_cancel_in_pass(void)
{
	struct loop *l = fresh_loop();
	struct cancel_ctx c;

	/* Both are due in the same pass; the first cancels the second. */
	loop_timer_add(l, 10, cancel_other, &c);
	c.victim = loop_timer_add(l, 10, trace_timer, "victim");
	loop_timer_add(l, 10, trace_timer, "bystander");
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_str(trace, "killer,bystander",
	    "a timer cancelled by another timer's callback in the same pass "
	    "does not fire");
	loop_free(l);
}

/* Deferred callbacks. */
struct defer_ctx {
	int fds[2][2];
	unsigned pass_first, pass_second;
};

static void
defer_note(struct loop *l, void *arg)
{
	(void)l;
	trace_add(arg);
}

static void
defer_io(struct loop *l, int fd, int events, void *arg)
{
	char b[8];

	(void)events;
	(void)!read(fd, b, sizeof(b));
	loop_io_del(l, fd);
	trace_add("io");
	if (arg != NULL && loop_defer(l, defer_note, "deferred") == -1)
		trace_add("defer-failed");
}

static void
defer_second(struct loop *l, void *arg)
{
	struct defer_ctx *c = arg;

	(void)l;
	c->pass_second = passes;
	trace_add("second");
}

static void
defer_first(struct loop *l, void *arg)
{
	struct defer_ctx *c = arg;

	c->pass_first = passes;
	trace_add("first");
	if (loop_defer(l, defer_second, c) == -1)
		trace_add("defer-failed");
}

static void
test_defer(void)
{
	struct loop *l = fresh_loop();
	struct defer_ctx c;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2; i++) {
		if (pipe(c.fds[i]) == -1)
			exit(1);
		(void)!write(c.fds[i][1], "x", 1);
	}
	/* The first watcher queues a defer; it must wait for the second. */
	(void)!loop_io_add(l, c.fds[0][0], LOOP_READ, defer_io, "queue");
	(void)!loop_io_add(l, c.fds[1][0], LOOP_READ, defer_io, NULL);
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_str(trace, "io,io,deferred",
	    "a deferred callback runs after the whole dispatch pass");
	for (i = 0; i < 2; i++) {
		close(c.fds[i][0]);
		close(c.fds[i][1]);
	}
	loop_free(l);

	l = fresh_loop();
	memset(&c, 0, sizeof(c));
	(void)!loop_defer(l, defer_first, &c);
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_str(trace, "first,second", "both deferred callbacks ran");
	ok(c.pass_second > c.pass_first,
	    "one queued by a deferred callback runs on the next pass "
	    "(passes %u then %u)",
	    c.pass_first, c.pass_second);
	loop_free(l);
}

/* Descriptor watchers. */
struct io_ctx {
	int fds[2];
	int calls, events;
};

static void
io_record(struct loop *l, int fd, int events, void *arg)
{
	struct io_ctx *c = arg;

	(void)l;
	(void)fd;
	c->calls++;
	c->events |= events;
}

static void
io_del_self(struct loop *l, int fd, int events, void *arg)
{
	struct io_ctx *c = arg;

	(void)events;
	c->calls++;
	loop_io_del(l, fd); /* the byte stays unread */
}

static void
test_io(void)
{
	struct loop *l = fresh_loop();
	struct io_ctx r, w, d, h;

	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	if (pipe(r.fds) == -1)
		exit(1);
	ok(loop_io_add(l, r.fds[0], LOOP_READ, io_record, &r) == 0,
	    "read watcher added");
	ok(loop_io_add(l, r.fds[0], LOOP_READ, io_record, &r) == -1,
	    "a second watcher on the same fd is refused");
	ok(loop_io_add(l, -1, LOOP_READ, io_record, &r) == -1,
	    "a negative fd is refused");
	ok(loop_io_add(l, r.fds[1], LOOP_WRITE, io_record, &w) == 0,
	    "write watcher added");
	loop_timer_add(l, 20, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(r.calls, 0, "an empty pipe is not readable");
	ok(w.calls > 0 && w.events == LOOP_WRITE,
	    "an empty pipe's write end reports LOOP_WRITE only (%d calls, "
	    "events %d)",
	    w.calls, w.events);
	loop_io_set(l, r.fds[1], 0);
	w.calls = 0;
	(void)!write(r.fds[1], "x", 1);
	loop_timer_add(l, 20, stop_cb, NULL);
	(void)!loop_run(l);
	ok(r.calls > 0 && r.events == LOOP_READ,
	    "a written pipe's read end reports LOOP_READ (%d calls, events "
	    "%d)",
	    r.calls, r.events);
	is_int(w.calls, 0, "loop_io_set(fd, 0) silences a watcher");
	loop_io_del(l, r.fds[0]);
	loop_io_del(l, r.fds[1]);
	loop_io_del(l, r.fds[1]); /* twice is harmless */
	r.calls = 0;
	loop_timer_add(l, 20, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(r.calls, 0, "a removed watcher gets nothing");

	/* Removal from inside the callback, with the data still there. */
	memset(&d, 0, sizeof(d));
	d.fds[0] = r.fds[0];
	ok(loop_io_add(l, r.fds[0], LOOP_READ, io_del_self, &d) == 0,
	    "the fd can be watched again after removal");
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(d.calls, 1, "loop_io_del inside the callback: called once");
	close(r.fds[0]);
	close(r.fds[1]);

	/* Hang-up is reported as readable. */
	memset(&h, 0, sizeof(h));
	if (pipe(h.fds) == -1)
		exit(1);
	(void)!loop_io_add(l, h.fds[0], LOOP_READ, io_del_self, &h);
	close(h.fds[1]);
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(h.calls, 1, "a closed peer wakes the reader (LOOP_READ)");
	close(h.fds[0]);
	loop_free(l);
}

/* An fd closed and reused inside one dispatch pass. */
struct reuse_ctx {
	int a[2], b[2], n[2];
	int old_b_calls, new_calls, reused;
	unsigned pass_closed, pass_new;
};

static void
reuse_new(struct loop *l, int fd, int events, void *arg)
{
	struct reuse_ctx *c = arg;
	char x[8];

	(void)events;
	c->new_calls++;
	c->pass_new = passes;
	(void)!read(fd, x, sizeof(x));
	loop_io_del(l, fd);
}

static void
reuse_old_b(struct loop *l, int fd, int events, void *arg)
{
	struct reuse_ctx *c = arg;

	(void)l;
	(void)fd;
	(void)events;
	c->old_b_calls++;
}

static void
reuse_a(struct loop *l, int fd, int events, void *arg)
{
	struct reuse_ctx *c = arg;
	int oldfd = c->b[0];
	char x[8];

	(void)events;
	(void)!read(fd, x, sizeof(x));
	loop_io_del(l, fd);
	/* Close b (ready in this same pass) and reuse its number at once. */
	loop_io_del(l, c->b[0]);
	close(c->b[0]);
	if (pipe(c->n) == -1)
		exit(1);
	c->reused = c->n[0] == oldfd;
	(void)!write(c->n[1], "y", 1);
	c->pass_closed = passes;
	if (loop_io_add(l, c->n[0], LOOP_READ, reuse_new, c) == -1)
		c->reused = -1;
}

static void
test_io_reuse(void)
{
	struct loop *l = fresh_loop();
	struct reuse_ctx c;

	memset(&c, 0, sizeof(c));
	if (pipe(c.a) == -1 || pipe(c.b) == -1)
		exit(1);
	(void)!write(c.a[1], "x", 1);
	(void)!write(c.b[1], "x", 1);
	/* a is watched first, so its callback runs first in the pass. */
	(void)!loop_io_add(l, c.a[0], LOOP_READ, reuse_a, &c);
	(void)!loop_io_add(l, c.b[0], LOOP_READ, reuse_old_b, &c);
	loop_timer_add(l, 30, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(c.reused, 1, "the new pipe got the closed descriptor's number");
	is_int(c.old_b_calls, 0,
	    "the closed descriptor's watcher gets none of its pending events");
	is_int(c.new_calls, 1, "the new watcher is served");
	ok(c.pass_new > c.pass_closed,
	    "but only from the next pass (closed in %u, served in %u)",
	    c.pass_closed, c.pass_new);
	close(c.a[0]);
	close(c.a[1]);
	close(c.b[1]);
	close(c.n[0]);
	close(c.n[1]);
	loop_free(l);
}

/* Signals. */
struct sig_ctx {
	int calls, sig;
	void *arg;
};

static void
sig_cb(struct loop *l, int sig, void *arg)
{
	struct sig_ctx *c = arg;

	(void)l;
	c->calls++;
	c->sig = sig;
	c->arg = arg;
}

static void
raise_usr1(struct loop *l, void *arg)
{
	(void)l;
	(void)arg;
	raise(SIGUSR1);
}

static void
test_signals(void)
{
	struct loop *l = fresh_loop();
	struct sig_ctx c;

	memset(&c, 0, sizeof(c));
	ok(loop_signal(l, SIGUSR1, sig_cb, &c) == 0, "SIGUSR1 watched");
	raise(SIGUSR1);
	is_int(c.calls, 0, "the callback does not run in the signal handler");
	loop_timer_add(l, 20, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(c.calls, 1, "raise(SIGUSR1) reaches the callback from the loop");
	is_int(c.sig, SIGUSR1, "with the signal number");
	ok(c.arg == &c, "and its argument");
	c.calls = 0;
	loop_timer_add(l, 5, raise_usr1, NULL);
	loop_timer_add(l, 6, raise_usr1, NULL);
	loop_timer_add(l, 40, stop_cb, NULL);
	(void)!loop_run(l);
	is_int(
	    c.calls, 2, "signals raised inside callbacks are each delivered");
	loop_free(l);
}

/* Children. */
struct child_ctx {
	pid_t pid[3];
	int status[3];
	int calls;
};

static void
child_cb(struct loop *l, pid_t pid, int status, void *arg)
{
	struct child_ctx *c = arg;
	int i;

	(void)l;
	for (i = 0; i < 3; i++)
		if (c->pid[i] == pid)
			c->status[i] = status;
	c->calls++;
}

static pid_t
spawn(int code, int delay_ms)
{
	pid_t pid = fork();

	if (pid == -1) {
		printf("Bail out! fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		struct timespec ts;

		ts.tv_sec = 0;
		ts.tv_nsec = delay_ms * 1000000L;
		nanosleep(&ts, NULL);
		_exit(code);
	}
	return pid;
}

static void
test_children(void)
{
	struct loop *l = fresh_loop();
	struct child_ctx c;
	siginfo_t si;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 3; i++)
		c.status[i] = -2;
	c.pid[0] = spawn(3, 30);
	c.pid[1] = spawn(5, 0);
	/* Wait until the second child has exited, without reaping it. */
	memset(&si, 0, sizeof(si));
	ok(waitid(P_PID, (id_t)c.pid[1], &si, WEXITED | WNOWAIT) == 0,
	    "the second child exited before it is watched");
	ok(loop_child(l, c.pid[0], child_cb, &c) == 0, "child 1 watched");
	ok(loop_child(l, c.pid[1], child_cb, &c) == 0, "child 2 watched");
	for (i = 0; i < 300 && c.calls < 2; i++) {
		loop_timer_add(l, 10, stop_cb, NULL);
		(void)!loop_run(l);
	}
	is_int(c.calls, 2, "both children reaped");
	ok(WIFEXITED(c.status[0]) && WEXITSTATUS(c.status[0]) == 3,
	    "the child that exits 3 reports status 3 (status %d)", c.status[0]);
	ok(WIFEXITED(c.status[1]) && WEXITSTATUS(c.status[1]) == 5,
	    "the child that exited before loop_child reports 5 (status %d)",
	    c.status[1]);
	ok(waitpid(c.pid[0], NULL, WNOHANG) == -1 && errno == ECHILD,
	    "no zombie is left");
	loop_free(l);
}

/* loop_stop. */
static void
stop_from_io(struct loop *l, int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	trace_add("io-stop");
	loop_stop(l);
}

static void
test_stop(void)
{
	struct loop *l = fresh_loop();
	int fds[2];
	uint64_t t0;

	if (pipe(fds) == -1)
		exit(1);
	(void)!write(fds[1], "x", 1);
	(void)!loop_io_add(l, fds[0], LOOP_READ, stop_from_io, NULL);
	loop_timer_add(l, 5000, trace_timer, "late");
	t0 = loop_update_time(l);
	is_int(loop_run(l), 0, "loop_stop from a watcher returns 0");
	ok(loop_update_time(l) - t0 < 1000, "at once, not at the next timer");
	is_str(trace, "io-stop", "nothing else ran");
	loop_io_del(l, fds[0]);
	trace[0] = '\0';
	loop_timer_add(l, 5, stop_cb, NULL);
	is_int(loop_run(l), 0, "the loop runs again after a stop");
	ok(loop_update_time(l) - t0 < 1000, "and stops again");
	close(fds[0]);
	close(fds[1]);
	loop_free(l);
}

int
main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sigaction(SIGALRM, &sa, NULL);
	alarm(30);
	test_timer_order();
	test_timer_cancel();
	test_timer_reset();
	test_timer_reset_order();
	test_timer_rearm_self();
	test_timer_cancel_in_pass();
	test_defer();
	test_io();
	test_io_reuse();
	test_signals();
	test_children();
	test_stop();
	return done_testing();
}

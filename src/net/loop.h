/*
 * The event loop: one poll() over every watched descriptor, monotonic
 * timers in a binary heap, signals through a self-pipe, child reaping,
 * and deferred callbacks that run after the current dispatch pass (so a
 * callback may close or free anything, including its own watcher).
 */
#ifndef FABRIK_LOOP_H
#define FABRIK_LOOP_H

#include <sys/types.h>

#include <stdint.h>

#include "base/buf.h"

#define LOOP_READ 0x1
#define LOOP_WRITE 0x2

struct loop;
struct loop_timer;

typedef void loop_io_cb(struct loop *, int fd, int events, void *arg);
typedef void loop_timer_cb(struct loop *, void *arg);
typedef void loop_signal_cb(struct loop *, int sig, void *arg);
typedef void loop_child_cb(struct loop *, pid_t, int status, void *arg);
typedef void loop_defer_cb(struct loop *, void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *);

/* Watches fd for events (LOOP_READ|LOOP_WRITE); one watcher per fd.
 * The events reported to cb also include LOOP_READ on hang-up or error so
 * the owner notices (a read then returns 0 or an error). */
int loop_io_add(
    struct loop *, int fd, int events, loop_io_cb *, void *arg) FAB_WUR;
void loop_io_set(struct loop *, int fd, int events);
/* Stops watching fd (does not close it).  Safe inside any callback. */
void loop_io_del(struct loop *, int fd);

/* One-shot timer after ms milliseconds.  The handle stays valid until the
 * timer fires or is cancelled; cancelling inside its own callback or after
 * it fired is not allowed (set the caller's pointer to NULL in the cb). */
struct loop_timer *loop_timer_add(
    struct loop *, uint64_t ms, loop_timer_cb *, void *arg);
void loop_timer_cancel(struct loop *, struct loop_timer *);
/* Re-arms a pending timer to fire ms from now. */
void loop_timer_reset(struct loop *, struct loop_timer *, uint64_t ms);

/* Delivers sig to cb from the loop (not from the signal handler). */
int loop_signal(struct loop *, int sig, loop_signal_cb *, void *arg) FAB_WUR;
/* Calls cb when child pid exits (reaped with waitpid from the loop). */
int loop_child(struct loop *, pid_t, loop_child_cb *, void *arg) FAB_WUR;
/* Runs cb after the current dispatch pass. */
int loop_defer(struct loop *, loop_defer_cb *, void *arg) FAB_WUR;
/* Called before every poll(): flush writes, service buffered TLS. */
void loop_before_poll(struct loop *, loop_defer_cb *, void *arg);

/* Runs until loop_stop(); returns 0, or -1 if poll() failed. */
int loop_run(struct loop *) FAB_WUR;
void loop_stop(struct loop *);
/* Cached monotonic time of this loop turn, in ms. */
uint64_t loop_now(const struct loop *);
/* Refreshes and returns the cached time. */
uint64_t loop_update_time(struct loop *);

#endif

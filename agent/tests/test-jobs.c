/* SPDX-License-Identifier: Apache-2.0 */
/* The job pool: bounded parallelism, completions on the dispatching thread, cancellation. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "sys/jobs.h"
#include "tap.h"
#include "time-util.h"

static atomic_int running, most_running;

struct work {
    int64_t wait_ns; /* job_wait for this long on a pipe that never becomes readable */
    int result;      /* job_wait's answer */
    bool ran, done;
    int order;
};

static int done_count;
static int pipe_fds[2];

static void work_run(struct job *job, void *arg)
{
    struct work *w = arg;
    int now = atomic_fetch_add(&running, 1) + 1;
    int prev = atomic_load(&most_running);
    while (now > prev && !atomic_compare_exchange_weak(&most_running, &prev, now))
        ;
    w->ran = true;
    w->result = job_wait(job, pipe_fds[0], POLLIN, orc_time_mono_ns() + w->wait_ns);
    atomic_fetch_sub(&running, 1);
}

static void work_done(void *arg)
{
    struct work *w = arg;
    w->done = true;
    w->order = done_count++;
}

/* Dispatches until n jobs are done or the deadline passes. */
static void dispatch_until(struct job_pool *p, int n, int64_t timeout_ns)
{
    int64_t end = orc_time_mono_ns() + timeout_ns;
    while (done_count < n && orc_time_mono_ns() < end) {
        struct pollfd pf = {.fd = job_pool_fd(p), .events = POLLIN};
        if (poll(&pf, 1, 100) > 0)
            job_pool_dispatch(p);
    }
}

int main(void)
{
    tap_is_int(pipe2(pipe_fds, 0), 0, "pipe");
    struct job_pool *p = NULL;
    tap_is_int(job_pool_new(2, &p, NULL), 0, "a pool of 2 threads");

    /* 6 jobs of 50 ms: never more than 2 at once, all done, each done() once */
    struct work w[6] = {0};
    for (int i = 0; i < 6; i++) {
        w[i].wait_ns = 50 * NSEC_PER_MSEC;
        job_submit(p, work_run, work_done, &w[i]);
    }
    tap_ok(job_pool_pending(p) == 6, "6 pending");
    dispatch_until(p, 6, 10 * NSEC_PER_SEC);
    int done = 0;
    for (int i = 0; i < 6; i++)
        done += w[i].done && w[i].ran && w[i].result == 0;
    tap_is_int(done, 6, "every job ran to its deadline and reported done");
    tap_is_int(atomic_load(&most_running), 2, "at most 2 at once, and 2 did run together");
    tap_ok(job_pool_pending(p) == 0, "none pending");

    /* cancelling a job that waits 60 s ends its wait at once */
    struct work slow = {.wait_ns = 60 * NSEC_PER_SEC};
    int64_t t0 = orc_time_mono_ns();
    struct job *j = job_submit(p, work_run, work_done, &slow);
    while (!slow.ran)
        usleep(1000);
    job_cancel(j);
    dispatch_until(p, 7, 10 * NSEC_PER_SEC);
    tap_ok(slow.done, "the cancelled job reported done");
    tap_is_int(slow.result, -ECANCELED, "its wait returned -ECANCELED");
    tap_ok(orc_time_mono_ns() - t0 < 5 * NSEC_PER_SEC, "promptly");

    /* freeing the pool with jobs queued and running: each done() runs once, none is lost */
    struct work left[4] = {0};
    for (int i = 0; i < 4; i++) {
        left[i].wait_ns = 60 * NSEC_PER_SEC;
        job_submit(p, work_run, work_done, &left[i]);
    }
    while (atomic_load(&running) < 2)
        usleep(1000);
    t0 = orc_time_mono_ns();
    p = job_pool_free(p);
    int reported = 0, ran = 0;
    for (int i = 0; i < 4; i++) {
        reported += left[i].done;
        ran += left[i].ran;
    }
    tap_is_int(reported, 4, "freeing the pool reports every job done");
    tap_is_int(ran, 2, "the 2 running were cancelled, the 2 queued never ran");
    tap_ok(orc_time_mono_ns() - t0 < 5 * NSEC_PER_SEC, "without waiting out their deadlines");
    return tap_done();
}

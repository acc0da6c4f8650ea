/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's pool of threads for slow steps; the rule it serves is in ARCHITECTURE.md. */
#include "sys/jobs.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "time-util.h"
#include "xalloc.h"

enum job_state {
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_FINISHED,
    _JOB_STATE_MAX,
    _JOB_STATE_INVALID = -EINVAL,
};

struct job {
    job_run_fn run;
    job_done_fn done;
    void *arg;
    enum job_state state;
    int cancel_fd; /* eventfd, written once on cancel */
    _Atomic bool cancelled;
    struct job *next;
};

struct worker {
    struct job_pool *pool;
    pthread_t thread;
    struct job *current; /* under the pool's lock */
};

struct job_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was queued, or the pool stops */
    struct worker *workers;
    unsigned n_workers;
    struct job *queue, **queue_tail; /* FIFO: pods are served in the order they asked */
    struct job *finished;            /* waiting for dispatch */
    unsigned pending;
    int done_fd; /* eventfd: finished jobs wait */
    bool stopping;
};

static struct job *job_free(struct job *job)
{
    if (job) {
        safe_close(job->cancel_fd);
        free(job);
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    struct worker *self = arg;
    struct job_pool *p = self->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->queue && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stopping)
            break;
        struct job *job = p->queue;
        p->queue = job->next;
        if (!p->queue)
            p->queue_tail = &p->queue;
        job->state = JOB_RUNNING;
        self->current = job;
        pthread_mutex_unlock(&p->lock);
        job->run(job, job->arg);
        pthread_mutex_lock(&p->lock);
        self->current = NULL;
        job->state = JOB_FINISHED;
        job->next = p->finished;
        p->finished = job;
        uint64_t one = 1;
        (void) !write(p->done_fd, &one, sizeof(one));
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int job_pool_new(unsigned threads, struct job_pool **ret, orc_error_t *err)
{
    struct job_pool *p = xzalloc(sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    p->queue_tail = &p->queue;
    p->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (p->done_fd < 0) {
        job_pool_free(p);
        return orc_error_make(err, errno, "eventfd");
    }
    p->workers = new0(struct worker, threads);
    for (; p->n_workers < threads; p->n_workers++) {
        struct worker *w = &p->workers[p->n_workers];
        w->pool = p;
        int r = pthread_create(&w->thread, NULL, worker_main, w);
        if (r != 0) {
            job_pool_free(p);
            return orc_error_make(err, r, "start a worker thread");
        }
    }
    *ret = p;
    return 0;
}

struct job_pool *job_pool_free(struct job_pool *p)
{
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    /* a running job sees its cancel fd; a queued one never starts */
    for (unsigned i = 0; i < p->n_workers; i++)
        job_cancel(p->workers[i].current);
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n_workers; i++)
        pthread_join(p->workers[i].thread, NULL);
    /* every job's done() still runs, once, so that its owner can free what it gave; the
     * queued ones never ran (they are cancelled) */
    while (p->queue) {
        struct job *next = p->queue->next;
        p->queue->cancelled = true;
        p->queue->next = p->finished;
        p->finished = p->queue;
        p->queue = next;
    }
    job_pool_dispatch(p);
    free(p->workers);
    safe_close(p->done_fd);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
}

int job_pool_fd(const struct job_pool *p)
{
    return p->done_fd;
}

unsigned job_pool_pending(const struct job_pool *p)
{
    return p->pending;
}

struct job *job_submit(struct job_pool *p, job_run_fn run, job_done_fn done, void *arg)
{
    struct job *job = xzalloc(sizeof(*job));
    *job = (struct job){.run = run, .done = done, .arg = arg, .state = JOB_QUEUED};
    job->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_lock(&p->lock);
    *p->queue_tail = job;
    p->queue_tail = &job->next;
    p->pending++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return job;
}

void job_pool_dispatch(struct job_pool *p)
{
    uint64_t v;
    (void) !read(p->done_fd, &v, sizeof(v));
    pthread_mutex_lock(&p->lock);
    struct job *list = p->finished;
    p->finished = NULL;
    pthread_mutex_unlock(&p->lock);
    /* oldest first: the list was pushed at its head */
    struct job *rev = NULL;
    while (list) {
        struct job *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    while (rev) {
        struct job *next = rev->next;
        p->pending--;
        rev->done(rev->arg);
        job_free(rev);
        rev = next;
    }
}

void job_cancel(struct job *job)
{
    if (!job || job->cancelled)
        return;
    job->cancelled = true;
    uint64_t one = 1;
    if (job->cancel_fd >= 0)
        (void) !write(job->cancel_fd, &one, sizeof(one));
}

bool job_cancelled(struct job *job)
{
    return job->cancelled;
}

int job_cancel_fd(struct job *job)
{
    return job->cancel_fd;
}

int job_wait(struct job *job, int fd, short events, int64_t deadline_ns)
{
    for (;;) {
        if (job->cancelled)
            return -ECANCELED;
        int timeout = -1;
        if (deadline_ns) {
            int64_t left = deadline_ns - orc_time_mono_ns();
            if (left <= 0)
                return 0;
            timeout = (int) ((left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
        }
        struct pollfd p[2] = {{.fd = fd, .events = events},
                              {.fd = job->cancel_fd, .events = POLLIN}};
        int r = poll(p, 2, timeout);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r > 0 && p[1].revents)
            return -ECANCELED;
        if (r > 0 && p[0].revents)
            return 1;
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "images/pull-jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "images/keyring.h"
#include "images/pull.h"
#include "xalloc.h"

struct job {
    char *ref;
    char *fingerprint;       /* of its keyring: "" for none */
    struct keyring *keyring; /* NULL = none */
    enum pull_job_state state;
    orc_error_t err; /* FAILED: why */
    struct pull_jobs *owner;
    struct job *next;
};

struct pull_jobs {
    struct images *images;
    const struct registry_options *registry;
    void (*on_done)(void *ctx);
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    struct job *jobs;
    int running;
};

struct pull_jobs *pull_jobs_new(struct images *images, const struct registry_options *registry,
                                void (*on_done)(void *ctx), void *ctx)
{
    struct pull_jobs *j = xzalloc(sizeof(*j));
    j->images = images;
    j->registry = registry;
    j->on_done = on_done;
    j->ctx = ctx;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->idle, NULL);
    return j;
}

static void job_free(struct job *job)
{
    free(job->ref);
    free(job->fingerprint);
    keyring_free(job->keyring);
    orc_error_release(&job->err);
    free(job);
}

struct pull_jobs *pull_jobs_free(struct pull_jobs *j)
{
    if (!j)
        return NULL;
    pthread_mutex_lock(&j->lock);
    while (j->running > 0)
        pthread_cond_wait(&j->idle, &j->lock);
    pthread_mutex_unlock(&j->lock);
    while (j->jobs) {
        struct job *next = j->jobs->next;
        job_free(j->jobs);
        j->jobs = next;
    }
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->idle);
    free(j);
    return NULL;
}

void pull_jobs_enter(struct pull_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    j->running++;
    pthread_mutex_unlock(&j->lock);
}

void pull_jobs_leave(struct pull_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    if (--j->running == 0)
        pthread_cond_broadcast(&j->idle);
    pthread_mutex_unlock(&j->lock);
}

static void *pull_thread(void *arg)
{
    struct job *job = arg;
    struct pull_jobs *j = job->owner;
    orc_error_t err = NULL;
    struct registry_options opts = *j->registry;
    opts.keyring = job->keyring;
    int r = image_pull(j->images, &opts, job->ref, NULL, NULL, NULL, &err);
    pthread_mutex_lock(&j->lock);
    job->state = r < 0 ? PULL_JOB_FAILED : PULL_JOB_DONE;
    job->err = TAKE_PTR(err);
    pthread_mutex_unlock(&j->lock);
    j->on_done(j->ctx); /* before leaving: pull_jobs_free() waits for that */
    pull_jobs_leave(j);
    return NULL;
}

enum pull_job_state pull_jobs_poll(struct pull_jobs *j, const char *ref,
                                   const struct keyring *keyring, orc_error_t *ret_err)
{
    _cleanup_free_ char *fingerprint = keyring_fingerprint(keyring);
    pthread_mutex_lock(&j->lock);
    struct job **p = &j->jobs;
    while (*p && (strcmp((*p)->ref, ref) != 0 || strcmp((*p)->fingerprint, fingerprint) != 0))
        p = &(*p)->next;
    if (*p && (*p)->state != PULL_JOB_RUNNING) {
        struct job *done = *p;
        enum pull_job_state st = done->state;
        *p = done->next;
        pthread_mutex_unlock(&j->lock);
        if (ret_err && done->err)
            *ret_err = TAKE_PTR(done->err);
        job_free(done);
        return st;
    }
    if (!*p) {
        struct job *job = xzalloc(sizeof(*job));
        *job = (struct job){.ref = xstrdup(ref),
                            .fingerprint = TAKE_PTR(fingerprint),
                            .keyring = keyring_size(keyring) ? keyring_copy(keyring) : NULL,
                            .owner = j,
                            .next = j->jobs};
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        j->running++;
        if (pthread_create(&t, &attr, pull_thread, job) != 0) {
            j->running--;
            job->state = PULL_JOB_FAILED;
            orc_error_make(&job->err, EAGAIN, "cannot start a pull thread");
        }
        pthread_attr_destroy(&attr);
        j->jobs = job;
    }
    pthread_mutex_unlock(&j->lock);
    return PULL_JOB_RUNNING;
}

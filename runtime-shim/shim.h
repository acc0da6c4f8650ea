/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* What `orc-shim run` was told on its command line. */
struct shim_args {
    char *pod_uid, *pod_name, *pod_namespace;
    char *run_dir;
    char *userns;
    char *runtime, *runtime_root;
    int sync_fd;
};

enum ctr_state {
    CTR_CREATED,
    CTR_RUNNING,
    CTR_EXITED,
    _CTR_STATE_MAX,
    _CTR_STATE_INVALID = -22,
};

/* Collects a stream's bytes into CRI log lines (cri-log.c). */
/* Every epoll entry's data.ptr points at a struct whose first member is its kind. */
enum watch_kind {
    WATCH_LISTEN = 1,
    WATCH_SIGNAL,
    WATCH_TIMER,
    WATCH_CLIENT,
    WATCH_STREAM,
    WATCH_LINK,
};

struct ctr;
struct cri_stream {
    int kind; /* WATCH_STREAM */
    struct ctr *owner;
    const char *name; /* "stdout" / "stderr" */
    int fd;           /* pipe read end, -1 when closed */
    char *partial;
    size_t len;
};

struct ctr {
    char *name;
    int attempt;
    char *id; /* runtime container id */
    char *bundle;
    char *log_path;
    int log_fd;
    struct cri_stream out, err;
    pid_t pid;
    enum ctr_state state;
    int64_t started_at, finished_at;
    int exit_code, signal;
    char *reason, *message;
    int64_t kill_at; /* SIGKILL deadline (CLOCK_MONOTONIC ns), 0 = none */
    bool mounted;
};

struct shim {
    struct shim_args args;
    int epoll_fd, listen_fd, signal_fd, timer_fd;
    int link_fd; /* rtnetlink: interfaces leaving the pod's network namespace */
    struct ctr **ctrs;
    size_t n_ctrs;
    char **writable_dirs; /* removed at shutdown */
    struct client **clients;
    size_t n_clients;
    int64_t runtime_timeout_ns; /* deadline of each runtime call (the request's timeout_ms) */
    bool shutting_down;
    struct client *shutdown_client;
    long long shutdown_id;
};

/* holder.c */
int holder_main(int sync_fd);

/* sandbox.c: joins the user namespace and creates the pod's namespaces. */
int sandbox_setup(const struct shim_args *a, orc_error_t *err);

/* server.c */
int server_run(struct shim *s, orc_error_t *err);
int server_watch(struct shim *s, int fd, void *ptr);
/* Sends msg to every client and releases it (takes the caller's reference). */
void server_broadcast(struct shim *s, json_t *msg);

/* container.c */
int ctr_start(struct shim *s, const json_t *spec, struct ctr **ret, orc_error_t *err);
void ctr_stop(struct shim *s, struct ctr *c, int64_t grace_s);
/* A child exited: returns true if it was a container. */
bool ctr_reap(struct shim *s, pid_t pid, int status);
void ctr_on_output(struct shim *s, struct ctr *c, struct cri_stream *st);
void ctr_kill_due(struct shim *s, int64_t now);
int64_t ctr_next_deadline(const struct shim *s);
void ctr_cleanup_all(struct shim *s);
bool ctr_any_running(const struct shim *s);
json_t *ctr_status_json(const struct ctr *c);
struct ctr *ctr_find(struct shim *s, const char *name);

/* cri-log.c: pure formatting */
/* Appends CRI lines for data to *out (allocated, *out_len bytes); keeps an unterminated tail
 * in st->partial, flushing it as a "P" line when it exceeds the limit. */
void cri_feed(struct cri_stream *st, const char *data, size_t len, int64_t now_ns, char **out,
              size_t *out_len);
/* Flushes a pending tail as a final "F" line. */
void cri_flush(struct cri_stream *st, int64_t now_ns, char **out, size_t *out_len);
#define CRI_MAX_LINE 16384

/* link-watch.c: reports interfaces that vanish from the pod (a network helper died). */
int link_watch_open(struct shim *s, orc_error_t *err);
void link_watch_on_readable(struct shim *s);

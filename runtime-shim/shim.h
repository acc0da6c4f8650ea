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
    char *hostname;    /* the UTS hostname, NULL = pod_name */
    bool share_pid;    /* a PID namespace for the pod, its init the pause process */
    bool host_network; /* the host's network and UTS namespaces: none of the pod's own */
    bool host_ipc;     /* the host's IPC namespace */
    char *run_dir;
    char *userns;
    char *runtime, *runtime_root;
    int sync_fd;
};

enum ctr_state {
    CTR_CREATED,
    CTR_STARTING, /* the runtime's `run --detach` is under way */
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
struct client;
struct cri_stream {
    int kind; /* WATCH_STREAM */
    struct ctr *owner;
    const char *name; /* "stdout" / "stderr" */
    int fd;           /* pipe read end (or the terminal's master), -1 when closed */
    bool crlf;        /* a terminal's: "\r\n" ends a line (ONLCR's \r is not the program's) */
    char *partial;
    size_t len;
};

/* log-file.c: a container's log, rotated as kubelet rotates it */
struct log_file {
    char *path;
    int fd;
    int64_t size, max_size; /* max_size 0 = never rotated */
    int max_files;          /* the current file and max_files - 1 rotated ones */
};
int log_file_open(struct log_file *l, const char *path, int64_t max_size, int max_files,
                  orc_error_t *err);
/* 0, or -errno when the data could not be written (-ENOSPC, -EDQUOT: the disk is full). */
int log_file_write(struct log_file *l, const char *data, size_t len);
void log_file_close(struct log_file *l);

struct ctr {
    char *name;
    int attempt;
    char *id; /* runtime container id */
    char *bundle;
    char *log_path;
    int64_t log_max_size;
    int log_max_files;
    struct log_file log;
    bool disk_full; /* writing its log failed for want of space: reported once */
    struct cri_stream out, err;
    bool tty;           /* a terminal: its output is the out stream, as "stdout" */
    bool stdin_open;    /* stdin kept open: a pipe (or the terminal) nothing writes to yet */
    int console_fd;     /* the terminal's master, kept for the container's life, -1 = none */
    int console_sock;   /* while CTR_STARTING: where the runtime sends the master, -1 = none */
    char *console_path; /* that socket's path, in the run directory */
    int stdin_fd;       /* the write end of its stdin pipe, kept for its life, -1 = none */
    pid_t pid;
    enum ctr_state state;
    int64_t started_at, finished_at;
    int exit_code, signal;
    char *reason, *message;
    /* its termination message (termination-message.h): the file bound at its
     * terminationMessagePath (NULL: none), FallbackToLogsOnError, the bytes it may have */
    char *termination_log;
    bool termination_fallback;
    size_t termination_max;
    int64_t kill_at; /* SIGKILL deadline (CLOCK_MONOTONIC ns), 0 = none */
    bool mounted;
    /* while CTR_STARTING: */
    pid_t runtime_pid;
    int64_t start_deadline;      /* CLOCK_MONOTONIC ns */
    char *start_failure;         /* why the runtime was killed, if it was */
    struct client *start_client; /* who asked, answered when the runtime is done */
    long long start_id;
};

/* An exit the loop reaped before it knew whose it was (a container that ended before its
 * runtime's start was seen through): kept until the start claims it. */
struct early_exit {
    pid_t pid;
    int status;
};

struct shim {
    struct shim_args args;
    int epoll_fd, listen_fd, signal_fd, timer_fd;
    int link_fd; /* rtnetlink: interfaces leaving the pod's network namespace */
    struct ctr **ctrs;
    size_t n_ctrs;
    char **writable_dirs; /* removed at shutdown */
    char **tmpfs_dirs;    /* where the `tmpfs` op mounted one (binds.h) */
    struct client **clients;
    size_t n_clients;
    int64_t runtime_timeout_ns; /* deadline of each runtime call (the request's timeout_ms) */
    struct early_exit early[32];
    size_t n_early;
    bool shutting_down;
    struct client *shutdown_client;
    long long shutdown_id;
};

/* runtime.c: the OCI runtime (--root from the arguments) */
/* Starts it with args in a process group of its own; stdin/stdout/stderr from the fds (or
 * /dev/null for -1). */
int runtime_spawn(struct shim *s, char **args, int in_fd, int out_fd, int err_fd, pid_t *ret_pid);
void runtime_kill(pid_t pid);
/* Runs it to completion, at most timeout_ns (-ETIMEDOUT: killed). */
int runtime_exec(struct shim *s, char **args, int64_t timeout_ns);
/* The last error the runtime logged to BUNDLE/runtime.log. */
char *runtime_last_error(const char *bundle);

/* holder.c */
int holder_main(int sync_fd, const char *join);

/* sandbox.c: joins the user namespace and creates the pod's namespaces. */
int sandbox_setup(const struct shim_args *a, orc_error_t *err);
/* The pod's PID namespace init (argv[0] "/pause", as Kubernetes' pause shows in ps): reaps
 * orphans, exits on SIGTERM or SIGINT, and with its parent, the shim. */
int pause_main(void);

/* server.c */
int server_run(struct shim *s, orc_error_t *err);
int server_watch(struct shim *s, int fd, void *ptr);
/* Sends msg to every client and releases it (takes the caller's reference). */
void server_broadcast(struct shim *s, json_t *msg);
/* Answers request id of client c (fields stolen, may be NULL; error NULL = ok). */
void server_reply(struct client *c, long long id, json_t *fields, const char *error);

/* container.c */
/* Prepares the container and starts the runtime in the background; the answer to
 * (client, id) follows when it is done (or killed at its deadline). < 0: failed at once. */
int ctr_start(struct shim *s, const json_t *spec, struct client *client, long long id,
              orc_error_t *err);
/* A client went away: nobody waits for its starts' answers any more. */
void ctr_forget_client(struct shim *s, struct client *c);
/* Kills the runtime of every start under way (the sandbox shuts down). */
void ctr_abort_starts(struct shim *s, const char *why);
void ctr_stop(struct shim *s, struct ctr *c, int64_t grace_s);
/* A child exited: returns true if it was a container. */
bool ctr_reap(struct shim *s, pid_t pid, int status);
void ctr_on_output(struct shim *s, struct ctr *c, struct cri_stream *st);
void ctr_kill_due(struct shim *s, int64_t now);
int64_t ctr_next_deadline(const struct shim *s);
void ctr_cleanup_all(struct shim *s);
/* Running or starting: the shim may not exit yet. */
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

/* console.c: a tty container's terminal (--console-socket) */
/* A listening socket at path (non-blocking, 0600) for the runtime to send the master to. */
int console_listen(const char *path, orc_error_t *err);
/* Takes the pty master the runtime sent (non-blocking: it was sent before `run --detach`
 * returned); *ret_master is non-blocking. */
int console_receive(int listen_fd, int *ret_master, orc_error_t *err);
/* Gives a terminal the runtime left without a size cols x rows: 1 if it did, 0 if it had one,
 * -errno. */
int console_default_size(int master, unsigned short cols, unsigned short rows);
#define CONSOLE_COLS 80 /* as CRI runtimes (and orcd's OCI consoleSize) */
#define CONSOLE_ROWS 24

/* link-watch.c: reports interfaces that vanish from the pod (a network helper died). */
int link_watch_open(struct shim *s, orc_error_t *err);
void link_watch_on_readable(struct shim *s);

/* SPDX-License-Identifier: Apache-2.0 */
/* The I/O half of pod networking: loading the list and executing plugins as CNI says. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "default-conflist.h"
#include "exec-path.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "pods/cni.h"
#include "strv.h"
#include "sys/spawn-util.h"
#include "time-util.h"
#include "xalloc.h"

#define PLUGIN_OUTPUT_MAX (1 << 20)

extern char **environ;

struct network {
    json_t *list;
    char *bin_path;
};

int network_load(const char *path, const char *bin_path, struct network **ret, orc_error_t *err)
{
    json_error_t jerr;
    json_t *list = path ? json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)
                        : json_loads(default_conflist, JSON_REJECT_DUPLICATES, &jerr);
    const char *what = path ? path : "built-in orc.conflist";
    if (!list)
        return orc_error_make(err, 0, "%s:%d: %s", what, jerr.line, jerr.text);
    if (network_conflist_check(list, err) < 0) {
        json_decref(list);
        return orc_error_wrap(err, "%s", what);
    }
    struct network *n = xcalloc(1, sizeof(*n));
    n->list = list;
    n->bin_path = xstrdup(bin_path);
    *ret = n;
    return 0;
}

struct network *network_free(struct network *n)
{
    if (n) {
        json_decref(n->list);
        free(n->bin_path);
        free(n);
    }
    return NULL;
}

const char *network_name(const struct network *n)
{
    return orc_json_str(n->list, "name");
}

static char *find_plugin(const struct network *n, const char *type)
{
    char *path = NULL;
    return orc_find_program(type, n->bin_path, &path, NULL) == 0 ? path : NULL;
}

static char **push_fmt(char **v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char **push_fmt(char **v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return strv_push(v, s);
}

/* The agent's environment without CNI_ variables, plus this invocation's. */
static char **plugin_env(const struct network *n, const char *cmd, const struct network_pod *p)
{
    char **env = NULL;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "CNI_", 4) != 0)
            env = strv_push(env, *e);
    env = push_fmt(env, "CNI_COMMAND=%s", cmd);
    env = push_fmt(env, "CNI_CONTAINERID=%s", p->id);
    env = push_fmt(env, "CNI_NETNS=%s", p->netns ? p->netns : "");
    env = push_fmt(env, "CNI_IFNAME=eth0");
    env = push_fmt(env, "CNI_PATH=%s", n->bin_path);
    return push_fmt(env,
                    "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;"
                    "K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
                    p->ns, p->name, p->id, p->id);
}

struct output {
    char *buf[2]; /* stdout, stderr */
    size_t len[2];
};

/* Feeds stdin, collects stdout and stderr until both close, the deadline passes (-ETIMEDOUT)
 * or cancel_fd is readable (-ECANCELED). */
static int collect(int in, int out, int err_fd, const char *conf, int64_t timeout_ns, int cancel_fd,
                   struct output *o)
{
    size_t conf_len = strlen(conf), sent = 0;
    int64_t deadline = orc_time_mono_ns() + timeout_ns;
    struct pollfd p[4] = {{.fd = out, .events = POLLIN},
                          {.fd = err_fd, .events = POLLIN},
                          {.fd = in, .events = POLLOUT},
                          {.fd = cancel_fd, .events = POLLIN}};
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int64_t left = (deadline - orc_time_mono_ns() + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
        if (left <= 0)
            return -ETIMEDOUT;
        int r = poll(p, 4, (int) left);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r > 0 && p[3].fd >= 0 && p[3].revents)
            return -ECANCELED;
        if (p[2].fd >= 0 && p[2].revents) {
            ssize_t n = write(in, conf + sent, conf_len - sent);
            if (n > 0)
                sent += (size_t) n;
            if (n < 0 || sent == conf_len) {
                close(in);
                p[2].fd = -1;
            }
        }
        for (int k = 0; k < 2; k++) {
            if (p[k].fd < 0 || !p[k].revents)
                continue;
            char chunk[8192];
            ssize_t n = read(p[k].fd, chunk, sizeof(chunk));
            if (n <= 0 || o->len[k] + (size_t) n > PLUGIN_OUTPUT_MAX) {
                p[k].fd = -1;
                continue;
            }
            o->buf[k] = xrealloc(o->buf[k], o->len[k] + (size_t) n + 1);
            memcpy(o->buf[k] + o->len[k], chunk, (size_t) n);
            o->len[k] += (size_t) n;
            o->buf[k][o->len[k]] = '\0';
        }
    }
    if (p[2].fd >= 0)
        close(in);
    return 0;
}

static int spawn_plugin(const char *path, char **env, int fds[3][2], pid_t *ret_pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0][0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[1][1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[2][1], STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t dfl;
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    /* the agent blocks signals for its signalfd and ignores SIGPIPE: plugins get neither; a
     * group of its own, so that a plugin killed at its deadline takes its children along */
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);
    char *argv[] = {(char *) path, NULL};
    int r = posix_spawn(ret_pid, path, &fa, &attr, argv, env);
    if (r == 0)
        spawn_restore_limits(*ret_pid);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return -r;
}

/* The plugin's error object, or its stderr, as a message. */
static int plugin_failed(const char *type, const char *cmd, int status, const struct output *o,
                         orc_error_t *err)
{
    json_auto_t *e = o->buf[0] ? json_loads(o->buf[0], 0, NULL) : NULL;
    const char *msg = orc_json_str(e, "msg");
    if (msg)
        return orc_error_make(err, 0, "plugin %s %s: %s (CNI error %lld)", type, cmd, msg,
                              orc_json_int(e, "code", 0));
    if (WIFSIGNALED(status))
        return orc_error_make(err, 0, "plugin %s %s: killed by signal %d", type, cmd,
                              WTERMSIG(status));
    return orc_error_make(err, 0, "plugin %s %s: exit status %d%s%s", type, cmd,
                          WEXITSTATUS(status), o->buf[1] ? ": " : "", o->buf[1] ? o->buf[1] : "");
}

/* Runs one plugin; for ADD the result goes to *ret_result. */
static int exec_plugin(const struct network *n, const char *cmd, const struct network_pod *p,
                       const json_t *conf, json_t **ret_result, orc_error_t *err)
{
    const char *type = orc_json_str(conf, "type");
    _cleanup_free_ char *path = find_plugin(n, type);
    if (!path)
        return orc_error_make(err, ENOENT, "plugin '%s' not found in '%s'", type, n->bin_path);
    _cleanup_free_ char *text = json_dumps(conf, JSON_COMPACT);
    char **env = plugin_env(n, cmd, p);
    int fds[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    struct output o = {0};
    pid_t pid = -1;
    int r = 0, status = 0;
    for (int i = 0; i < 3 && r == 0; i++)
        if (pipe2(fds[i], O_CLOEXEC) < 0)
            r = -errno;
    if (r == 0)
        r = spawn_plugin(path, env, fds, &pid);
    for (int i = 0; i < 3; i++) { /* keep our ends: stdin's write end, the others' read ends */
        int theirs = fds[i][i == 0 ? 0 : 1];
        if (theirs >= 0)
            close(theirs);
    }
    if (r == 0)
        r = collect(fds[0][1], fds[1][0], fds[2][0], text, p->timeout_ns, p->cancel_fd, &o);
    else if (fds[0][1] >= 0)
        close(fds[0][1]);
    for (int i = 1; i < 3; i++)
        if (fds[i][0] >= 0)
            close(fds[i][0]);
    if (pid > 0) {
        if (r == -ETIMEDOUT || r == -ECANCELED)
            (void) kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    strv_free(env);
    if (o.buf[1] && *o.buf[1])
        log_debug("cni %s %s stderr: %s", type, cmd, o.buf[1]);
    if (r == -ETIMEDOUT) {
        char d[32];
        orc_duration_format(p->timeout_ns, d, sizeof(d));
        r = orc_error_make_as(err, ETIMEDOUT, "plugin %s %s: no answer within %s; killed", type,
                              cmd, d);
    } else if (r < 0)
        r = orc_error_make(err, -r, "plugin %s %s", type, cmd);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        r = plugin_failed(type, cmd, status, &o, err);
    else if (ret_result) {
        json_t *res = o.buf[0] ? json_loads(o.buf[0], 0, NULL) : NULL;
        if (!json_is_object(res)) {
            json_decref(res);
            r = orc_error_make(err, 0, "plugin %s %s: no result on its output", type, cmd);
        } else
            *ret_result = res;
    }
    free(o.buf[0]);
    free(o.buf[1]);
    return r;
}

static json_t *capabilities(const struct network_pod *p)
{
    json_t *caps = json_object();
    if (p->port_mappings)
        json_object_set(caps, "portMappings", p->port_mappings);
    return caps;
}

int network_del(const struct network *n, const struct network_pod *p, const json_t *result,
                orc_error_t *err)
{
    json_auto_t *caps = capabilities(p);
    size_t count = json_array_size(json_object_get(n->list, "plugins"));
    int r = 0;
    for (size_t i = count; i > 0; i--) {
        json_auto_t *conf = network_plugin_config(n->list, i - 1, result, caps);
        orc_error_t e = NULL;
        if (exec_plugin(n, "DEL", p, conf, NULL, &e) < 0) {
            if (r == 0) {
                *err = e;
                r = -1;
            } else
                orc_error_release(&e);
        }
    }
    return r;
}

int network_add(const struct network *n, const struct network_pod *p, json_t **ret_result,
                orc_error_t *err)
{
    json_auto_t *caps = capabilities(p);
    size_t count = json_array_size(json_object_get(n->list, "plugins"));
    json_t *prev = NULL;
    for (size_t i = 0; i < count; i++) {
        json_auto_t *conf = network_plugin_config(n->list, i, prev, caps);
        json_t *next = NULL;
        if (exec_plugin(n, "ADD", p, conf, &next, err) < 0) {
            orc_error_t e = NULL; /* undo what the chain did so far, as the spec asks, */
            struct network_pod undo = *p;
            undo.cancel_fd = -1; /* even when cancelled */
            if (network_del(n, &undo, prev, &e) < 0)
                orc_error_release(&e);
            json_decref(prev);
            return -1;
        }
        json_decref(prev);
        prev = next;
    }
    *ret_result = prev;
    return 0;
}

int network_check(const struct network *n, const struct network_pod *p, const json_t *result,
                  orc_error_t *err)
{
    json_auto_t *caps = capabilities(p);
    size_t count = json_array_size(json_object_get(n->list, "plugins"));
    for (size_t i = 0; i < count; i++) {
        json_auto_t *conf = network_plugin_config(n->list, i, result, caps);
        if (exec_plugin(n, "CHECK", p, conf, NULL, err) < 0)
            return -1;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /healthz, /livez and /readyz as the Kubernetes API server serves them: each a list of
 * named checks; ?verbose lists them ("[+]loop ok", "[-]store failed: ..."), ?exclude=NAME
 * (repeatable) skips one; /healthz/NAME runs one. Every check looks at something real, so
 * that a supervisor asking "healthy?" learns whether orcd would do its work.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "cleanup.h"
#include "loop.h"
#include "orcd.h"
#include "store/store.h"
#include "strv.h"
#include "sys/userns.h"
#include "text-buf.h"
#include "time-util.h"
#include "xalloc.h"

/* a turn of the loop that takes longer than this means a step is blocking it */
#define LOOP_BUSY_LIMIT_NS NSEC_PER_SEC
#define STORE_WRITE_TIMEOUT_MS 1000

enum check_set {
    CHECK_LIVE = 1 << 0,
    CHECK_READY = 1 << 1,
};

struct check {
    const char *name;
    unsigned sets;
    /* NULL = ok, else why not (allocated) */
    char *(*run)(struct orcd *o);
};

static char *check_ping(struct orcd *o)
{
    (void) o;
    return NULL;
}

static char *check_loop(struct orcd *o)
{
    int64_t busy = loop_busy_ns(&o->loop);
    if (busy <= LOOP_BUSY_LIMIT_NS)
        return NULL;
    return xasprintf("the reconcile loop has been busy for %.1fs", (double) busy / 1e9);
}

static char *check_store(struct orcd *o)
{
    _cleanup_(store_closep) struct store *s = NULL;
    orc_error_t err = NULL;
    int r = store_open(o->paths.db, o->feed, &s, &err);
    if (r >= 0) {
        store_set_busy_timeout(s, STORE_WRITE_TIMEOUT_MS);
        r = store_ping(s, &err);
    }
    if (r >= 0)
        return NULL;
    char *why = xstrdup(orc_error_message(err));
    orc_error_release(&err);
    return why;
}

static char *check_userns(struct orcd *o)
{
    if (userns_holder_alive(&o->userns))
        return NULL;
    return xasprintf("the user namespace holder (pid %d) is gone: new pods cannot start",
                     (int) userns_holder_pid(&o->userns));
}

static const struct check checks[] = {
    {"ping", CHECK_LIVE | CHECK_READY, check_ping},
    {"loop", CHECK_LIVE | CHECK_READY, check_loop},
    {"store", CHECK_READY, check_store},
    {"userns", CHECK_READY, check_userns},
};

static unsigned set_of(const char *path)
{
    return !strcmp(path, "livez")    ? CHECK_LIVE
           : !strcmp(path, "readyz") ? CHECK_READY
                                     : CHECK_LIVE | CHECK_READY;
}

int api_health_check(struct orcd *o, const char *name, char **ret_why)
{
    for (size_t i = 0; i < ELEMENTSOF(checks); i++)
        if (!strcmp(checks[i].name, name)) {
            *ret_why = checks[i].run(o);
            return 0;
        }
    return -ENOENT;
}

static enum MHD_Result one_check(struct request *r, const char *name)
{
    for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
        if (strcmp(checks[i].name, name) != 0)
            continue;
        _cleanup_free_ char *why = checks[i].run(r->o);
        if (!why)
            return api_reply_text(r, 200, "ok");
        _cleanup_free_ char *text = xasprintf("internal server error: %s\n", why);
        return api_reply_text(r, 500, text);
    }
    return api_reply_status(r, 404, "NotFound", "no such health check", NULL);
}

/* Every value of the query's "exclude" (it may repeat: ?exclude=store&exclude=userns). */
static enum MHD_Result add_excluded(void *arg, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    char ***names = arg;
    (void) kind;
    if (key && !strcmp(key, "exclude") && value && !strv_contains(*names, value))
        *names = strv_push(*names, value);
    return MHD_YES;
}

static bool in_set(const char *name, unsigned set)
{
    for (size_t i = 0; i < ELEMENTSOF(checks); i++)
        if ((checks[i].sets & set) && !strcmp(checks[i].name, name))
            return true;
    return false;
}

/* The checks of the path's set, as kube-apiserver lists them: those named by ?exclude are not
 * run ("[+]NAME excluded: ok"), and a warning names the excluded names that match none. */
static char *run_checks(struct request *r, unsigned set, char *const *excluded, bool verbose,
                        bool *ret_ok)
{
    struct text_buf text = {0};
    bool ok = true;
    for (size_t i = 0; i < ELEMENTSOF(checks); i++) {
        if (!(checks[i].sets & set))
            continue;
        if (strv_contains(excluded, checks[i].name)) {
            text_buf_printf(&text, "[+]%s excluded: ok\n", checks[i].name);
            continue;
        }
        _cleanup_free_ char *why = checks[i].run(r->o);
        ok &= why == NULL;
        if (why)
            text_buf_printf(&text, "[-]%s failed: %s\n", checks[i].name,
                            verbose ? why : "reason withheld");
        else
            text_buf_printf(&text, "[+]%s ok\n", checks[i].name);
    }
    size_t unmatched = 0;
    for (size_t i = 0; excluded[i]; i++)
        if (!in_set(excluded[i], set))
            text_buf_printf(&text, "%s\"%s\"",
                            unmatched++ ? ", "
                                        : "warn: some health checks cannot be excluded: no "
                                          "matches for ",
                            excluded[i]);
    if (unmatched)
        text_buf_puts(&text, "\n");
    *ret_ok = ok;
    return text_buf_steal(&text, NULL);
}

enum MHD_Result api_health(struct request *r)
{
    const char *path = r->segs[0];
    if (r->n_segs == 2)
        return one_check(r, r->segs[1]);
    bool verbose = api_query_has(r, "verbose"), ok = true;
    char **excluded = new0(char *, 1);
    (void) MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_excluded, &excluded);
    strv_sort(excluded); /* as named back */
    _cleanup_free_ char *list = run_checks(r, set_of(path), excluded, verbose, &ok);
    strv_free(excluded);
    if (ok && !verbose)
        return api_reply_text(r, 200, "ok");
    _cleanup_free_ char *text = xasprintf("%s%s check %s\n", list, path, ok ? "passed" : "failed");
    return api_reply_text(r, ok ? 200 : 500, text);
}

enum MHD_Result api_debug_block_loop(struct request *r)
{
    if (!r->o->config.debug_hooks)
        return api_reply_status(r, 404, "NotFound",
                                "debug hooks are off (orcd --debug-hooks turns them on)", NULL);
    const char *sec = api_query(r, "seconds");
    int64_t ns = 0;
    char *end = NULL;
    double v = sec ? strtod(sec, &end) : 0;
    if (!sec || !end || *end || v <= 0 || v > 3600)
        return api_reply_status(r, 400, "BadRequest", "seconds must be a number from 0 to 3600",
                                NULL);
    ns = (int64_t) (v * 1e9);
    loop_block(&r->o->loop, ns);
    return api_reply_text(r, 200, "ok");
}

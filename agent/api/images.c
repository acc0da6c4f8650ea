/* SPDX-License-Identifier: Apache-2.0 */
/* Images: list, load, pull, remove, prune. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "api/internal.h"
#include "cleanup.h"
#include "fd-util.h"
#include "images/pull.h"
#include "images/gc.h"
#include "images/images.h"
#include "json-util.h"
#include "orcd.h"
#include "store/store.h"
#include "images/pull-jobs.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

static enum MHD_Result unavailable(struct request *r)
{
    return api_reply_status(r, 503, "ServiceUnavailable", "image store unavailable", NULL);
}

enum MHD_Result api_images_list(struct request *r)
{
    if (!r->o->images)
        return unavailable(r);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:o}", "kind", "ImageList", "apiVersion",
                                    "orc.dev/v1", "items", images_list(r->o->images)));
}

/* Why an image load or pull failed, as an HTTP status and a Kubernetes reason: an image
 * refused for what it is, or a path that is not one, is the client's (400); a path orcd may
 * not read 403; a full disk 507; anything else 500. */
static unsigned image_failure(int status, const char **ret_reason)
{
    switch (status) {
    case ENOENT:
    case ENOTDIR:
    case EINVAL:
    case EBADMSG: /* content that does not match its digest */
    case EFBIG:   /* a layer above --image-max-layer-size */
    case E2BIG:   /* too many names */
    case EIO:     /* not a readable archive */
        *ret_reason = "BadRequest";
        return 400;
    case EACCES:
    case EPERM:
        *ret_reason = "Forbidden";
        return 403;
    case ENOSPC:
    case EDQUOT:
        *ret_reason = "InsufficientStorage";
        return 507;
    default:
        *ret_reason = "InternalError";
        return 500;
    }
}

/* The message keeps its cause ("No space left on device"). */
static enum MHD_Result load_failed(struct request *r, orc_error_t *err)
{
    const char *reason = NULL;
    unsigned code = image_failure((*err)->status, &reason);
    enum MHD_Result ret = api_reply_status(r, code, reason, orc_error_message(*err), NULL);
    orc_error_release(err);
    return ret;
}

enum MHD_Result api_images_load(struct request *r)
{
    if (!r->o->images)
        return unavailable(r);
    json_auto_t *body = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
    const char *path = orc_json_str(body, "path");
    if (!path || path[0] != '/')
        return api_reply_status(r, 400, "BadRequest",
                                "the body must be {\"path\": \"/absolute/path\"}", NULL);
    char **names = NULL;
    orc_error_t err = NULL;
    if (images_load(r->o->images, path, &names, &err) < 0)
        return load_failed(r, &err);
    orcd_wake(r->o); /* pods waiting for this image can start */
    json_t *n = json_array();
    for (size_t i = 0; names[i]; i++)
        json_array_append_new(n, json_string(names[i]));
    strv_free(names);
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:o}", "kind", "ImageLoadResult", "apiVersion",
                                    "orc.dev/v1", "names", n));
}

/* Ids of images that pods use, from the store. */
static int in_use(struct request *r, char ***ret, orc_error_t *err)
{
    _cleanup_(store_closep) struct store *s = NULL;
    if (api_open_store(r, &s, err) < 0)
        return -1;
    return image_gc_in_use(r->o->images, s, ret, err);
}

/* Whether removing ref would delete the image (its last name, or its id), not untag it. */
static bool removes_image(struct request *r, const char *ref, char **ret_id)
{
    json_auto_t *rec = NULL;
    orc_error_t err = NULL;
    if (images_inspect(r->o->images, ref, &rec, &err) < 0) {
        orc_error_release(&err);
        return false;
    }
    *ret_id = xstrdup(orc_json_str(rec, "id") ?: "");
    _cleanup_free_ char *norm = orc_image_ref_normalize(ref);
    json_t *names = json_object_get(rec, "names");
    bool is_name = false;
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
        is_name |= norm && !strcmp(json_string_value(v), norm);
    return !is_name || json_array_size(names) <= 1;
}

enum MHD_Result api_images_remove(struct request *r, const char *ref)
{
    if (!r->o->images)
        return unavailable(r);
    orc_error_t err = NULL;
    _cleanup_free_ char *id = NULL;
    char **used = NULL;
    if (!api_query_bool(r, "force") && removes_image(r, ref, &id) && in_use(r, &used, &err) == 0 &&
        strv_contains(used, id)) {
        /* as podman: an image a pod runs stays until the pod goes */
        _cleanup_free_ char *msg = xasprintf("image \"%s\" is in use by a pod; delete the pod "
                                             "first, or remove it with force",
                                             ref);
        strv_free(used);
        return api_reply_status(r, 409, "Conflict", msg, NULL);
    }
    strv_free(used);
    orc_error_release(&err);
    if (images_remove(r->o->images, ref, &err) < 0)
        return api_reply_error(r, &err, "images", ref);
    return api_reply_json(
        r, 200,
        json_pack("{s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1", "status", "Success"));
}

/* A pull answered as it goes: NDJSON progress lines on a pipe, the last one says how it
 * ended ({"status":"done",...} or {"status":"error",...}), as docker's pull API does. */
struct pull_stream {
    struct orcd *o;
    char *ref;
    int fd;
    int64_t last_ns;
};

static void stream_line(struct pull_stream *s, json_t *line)
{
    _cleanup_free_ char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (text && s->fd >= 0) {
        _cleanup_free_ char *l = xasprintf("%s\n", text);
        if (orc_write_all(s->fd, l, strlen(l)) < 0)
            s->fd = safe_close(s->fd); /* the client went away; the pull goes on */
    }
}

static void on_pull_report(void *arg, const struct pull_report *p)
{
    struct pull_stream *s = arg;
    int64_t now = orc_time_mono_ns();
    switch (p->event) {
    case PULL_RESOLVED:
        stream_line(s, json_pack("{s:s,s:s,s:i}", "status", "resolved", "digest", p->digest,
                                 "blobs", p->n_blobs));
        break;
    case PULL_LAYER:
        if (now - s->last_ns < 100 * NSEC_PER_MSEC)
            return; /* at most ten progress lines a second */
        s->last_ns = now;
        stream_line(s, json_pack("{s:s,s:s,s:I,s:I}", "status", "progress", "digest", p->digest,
                                 "done", (json_int_t) p->done, "total", (json_int_t) p->total));
        break;
    case PULL_LAYER_DONE:
        stream_line(s, json_pack("{s:s,s:s,s:I}", "status", "blob", "digest", p->digest, "total",
                                 (json_int_t) p->total));
        break;
    case PULL_STORING:
        stream_line(s, json_pack("{s:s}", "status", "storing"));
        break;
    case _PULL_EVENT_MAX:
    case _PULL_EVENT_INVALID:
        break;
    }
}

/* A pull's NDJSON error line: the registry's answers first, then what a load would say. */
static const char *pull_reason(orc_error_t err)
{
    int st = err ? err->status : 0;
    const char *reason = NULL;
    if (st == ENOENT)
        return "NotFound";
    if (st == EACCES)
        return "Unauthorized";
    if (st == REGISTRY_UNREACHABLE)
        return "ServiceUnavailable";
    if (st == ETIMEDOUT)
        return "Timeout";
    (void) image_failure(st, &reason);
    return reason;
}

static void *pull_stream_thread(void *arg)
{
    struct pull_stream *s = arg;
    orc_error_t err = NULL;
    _cleanup_free_ char *id = NULL;
    _cleanup_free_ char *name = orc_image_ref_normalize(s->ref);
    if (image_pull(s->o->images, &s->o->registry, s->ref, on_pull_report, s, &id, &err) < 0) {
        stream_line(s, json_pack("{s:s,s:s,s:s}", "status", "error", "message",
                                 orc_error_message(err), "reason", pull_reason(err)));
        orc_error_release(&err);
    } else {
        atomic_store(&s->o->loop.gc_due, true);
        orcd_wake(s->o); /* pods waiting for this image can start */
        stream_line(s, json_pack("{s:s,s:s,s:s}", "status", "done", "id", id, "name", name));
    }
    safe_close(s->fd);
    pull_jobs_leave(s->o->pulls);
    free(s->ref);
    free(s);
    return NULL;
}

enum MHD_Result api_images_pull(struct request *r)
{
    if (!r->o->images)
        return unavailable(r);
    json_auto_t *body = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
    const char *ref = orc_json_str(body, "image");
    _cleanup_free_ char *norm = ref ? orc_image_ref_normalize(ref) : NULL;
    if (!norm)
        return api_reply_status(
            r, 400, "BadRequest",
            ref ? "invalid image reference" : "the body must be {\"image\": \"REFERENCE\"}", NULL);
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return api_reply_status(r, 500, "InternalError", "pipe", NULL);
    struct pull_stream *s = xzalloc(sizeof(*s));
    *s = (struct pull_stream){.o = r->o, .ref = xstrdup(ref), .fd = p[1]};
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pull_jobs_enter(r->o->pulls);
    if (pthread_create(&t, &attr, pull_stream_thread, s) != 0) {
        pull_jobs_leave(r->o->pulls);
        close(p[0]), close(p[1]);
        free(s->ref), free(s);
        pthread_attr_destroy(&attr);
        return api_reply_status(r, 500, "InternalError", "cannot start the pull", NULL);
    }
    pthread_attr_destroy(&attr);
    struct MHD_Response *resp = MHD_create_response_from_pipe(p[0]);
    MHD_add_response_header(resp, "Content-Type", "application/x-ndjson");
    return api_queue_response(r, 200, resp);
}

enum MHD_Result api_images_prune(struct request *r)
{
    if (!r->o->images)
        return unavailable(r);
    orc_error_t err = NULL;
    char **used = NULL;
    json_t *removed = NULL;
    if (in_use(r, &used, &err) < 0 || images_prune(r->o->images, used, &removed, &err) < 0) {
        strv_free(used);
        return api_reply_error(r, &err, NULL, NULL);
    }
    strv_free(used);
    json_int_t bytes = 0;
    size_t i;
    json_t *v;
    json_array_foreach(removed, i, v)
        bytes += json_integer_value(json_object_get(v, "size"));
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:o,s:I}", "kind", "ImagePruneResult", "apiVersion",
                                    "orc.dev/v1", "deleted", removed, "spaceReclaimed", bytes));
}

/* podman image inspect's shape, for what orc knows of an image. */
enum MHD_Result api_images_inspect(struct request *r, const char *ref)
{
    if (!r->o->images)
        return unavailable(r);
    json_auto_t *rec = NULL;
    orc_error_t err = NULL;
    if (images_inspect(r->o->images, ref, &rec, &err) < 0)
        return api_reply_error(r, &err, "images", ref);
    json_t *diff_ids = json_array(), *names = json_object_get(rec, "names");
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(rec, "layers"), i, l)
        json_array_append(diff_ids, json_object_get(l, "diffID"));
    const char *id = orc_json_str(rec, "id") ?: "";
    char stored[64]; /* an image without a time of its own: when it was stored */
    orc_time_format_rfc3339(orc_json_int(rec, "created", 0), true, stored, sizeof(stored));
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s?,s:O,s:s,s:I,s:O,s:{s:s,s:o}}", "Id",
                                    strncmp(id, "sha256:", 7) ? id : id + 7, "Digest",
                                    orc_json_str(rec, "manifestDigest"), "RepoTags",
                                    names ?: json_null(), "Created",
                                    orc_json_str(rec, "imageCreated") ?: stored, "Size",
                                    (json_int_t) orc_json_int(rec, "size", 0), "Config",
                                    json_object_get(rec, "config") ?: json_null(), "RootFS", "Type",
                                    "layers", "Layers", diff_ids));
}

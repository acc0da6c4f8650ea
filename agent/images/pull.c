/* SPDX-License-Identifier: Apache-2.0 */
#include "images/pull.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images/source.h"
#include "images/images.h"
#include "images/keyring.h"
#include "log.h"
#include "images/registries-conf.h"
#include "images/registry-manifest.h"
#include "strv.h"
#include "xalloc.h"

#define PARALLEL_BLOBS 3
#define MAX_INDEX_DEPTH 2

int image_ref_split(const char *norm, char **ret_registry, char **ret_repository,
                    char **ret_reference)
{
    const char *slash = norm ? strchr(norm, '/') : NULL;
    if (!slash)
        return -EINVAL;
    const char *at = strchr(slash, '@');
    const char *end = at ? at : norm + strlen(norm);
    const char *colon = NULL;
    for (const char *p = slash; p < end; p++)
        if (*p == ':')
            colon = p;
    const char *repo_end = colon ? colon : end;
    if (repo_end <= slash + 1)
        return -EINVAL;
    *ret_registry = xstrndup(norm, (size_t) (slash - norm));
    *ret_repository = xstrndup(slash + 1, (size_t) (repo_end - slash - 1));
    *ret_reference = at ? xstrdup(at + 1) : xstrdup(colon ? colon + 1 : "latest");
    return 0;
}

struct pull {
    struct images *im;
    struct registry_client *client;
    pull_report_fn report;
    void *arg;
    char *dir;
    pthread_mutex_t lock; /* reports come from several threads */
};

static void report(struct pull *p, enum pull_event ev, const char *digest, int64_t done,
                   int64_t total, int n)
{
    if (!p->report)
        return;
    struct pull_report r = {
        .event = ev, .digest = digest, .done = done, .total = total, .n_blobs = n};
    pthread_mutex_lock(&p->lock);
    p->report(p->arg, &r);
    pthread_mutex_unlock(&p->lock);
}

static void on_progress(void *arg, const struct descriptor *d, int64_t done)
{
    report(arg, PULL_LAYER, d->digest, done, d->size, 0);
}

/* The image manifest for this machine: follows an index (and one nested index). */
static int resolve(struct pull *p, const char *reference, struct registry_manifest **ret,
                   char **ret_digest, char **ret_body, size_t *ret_len, orc_error_t *err)
{
    _cleanup_free_ char *ref = xstrdup(reference);
    for (int depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
        char *body = NULL, *ctype = NULL, *digest = NULL;
        size_t len = 0;
        struct registry_manifest *m = NULL;
        if (registry_get_manifest(p->client, ref, &body, &len, &ctype, &digest, err) < 0)
            return -1;
        int r = registry_manifest_parse(body, len, ctype, &m, err);
        free(ctype);
        if (r < 0) {
            free(body), free(digest);
            return orc_error_wrap(err, "manifest %s", ref);
        }
        if (!m->is_index) {
            *ret = m, *ret_digest = digest, *ret_body = body, *ret_len = len;
            return 0;
        }
        const struct descriptor *d = NULL;
        r = registry_manifest_select(m, "linux", registry_host_architecture(), NULL, &d, err);
        free(body), free(digest);
        if (r == 0) {
            free(ref);
            ref = xstrdup(d->digest);
        }
        registry_manifest_free(m);
        if (r < 0)
            return -1;
    }
    return orc_error_make(err, EINVAL, "indexes nested too deeply");
}

struct fetch {
    struct pull *p;
    const struct descriptor *d;
    char *path;
    orc_error_t err;
};

static void *fetch_thread(void *arg)
{
    struct fetch *f = arg;
    _cleanup_free_ char *have = images_blob_path(f->p->im, f->d->digest);
    if (have) { /* present already: content-addressed, verified when it came */
        free(f->path);
        f->path = TAKE_PTR(have);
    } else if (registry_get_blob(f->p->client, f->d, f->path, on_progress, f->p, &f->err) < 0) {
        return NULL;
    }
    report(f->p, PULL_LAYER_DONE, f->d->digest, f->d->size, f->d->size, 0);
    return NULL;
}

/* Fetches the blobs, PARALLEL_BLOBS at a time; the first failure wins. */
static int fetch_all(struct fetch *fs, size_t n, orc_error_t *err)
{
    for (size_t start = 0; start < n; start += PARALLEL_BLOBS) {
        pthread_t t[PARALLEL_BLOBS];
        size_t k = n - start < PARALLEL_BLOBS ? n - start : PARALLEL_BLOBS;
        for (size_t i = 0; i < k; i++)
            if (pthread_create(&t[i], NULL, fetch_thread, &fs[start + i]) != 0)
                fetch_thread(&fs[start + i]), t[i] = 0;
        for (size_t i = 0; i < k; i++)
            if (t[i])
                pthread_join(t[i], NULL);
    }
    int r = 0;
    for (size_t i = 0; i < n; i++)
        if (fs[i].err && r == 0) {
            *err = fs[i].err;
            fs[i].err = NULL;
            r = -1;
        } else
            orc_error_release(&fs[i].err);
    return r;
}

static void fetches_done(struct fetch *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(fs[i].path);
        orc_error_release(&fs[i].err);
    }
    free(fs);
}

/* Downloads what m names into p->dir and installs it under name. */
static int download_and_install(struct pull *p, const struct registry_manifest *m, const char *name,
                                const char *digest, const char *body, size_t len, orc_error_t *err)
{
    _cleanup_free_ char *mpath = orc_path_join(p->dir, "manifest.json");
    if (orc_write_file_atomic(mpath, body, len, 0600, err) < 0)
        return -1;
    size_t n = m->n_layers + 1;
    struct fetch *fs = xcalloc(n, sizeof(*fs));
    for (size_t i = 0; i < n; i++) {
        const struct descriptor *d = i == 0 ? &m->config : &m->layers[i - 1];
        fs[i] = (struct fetch){.p = p, .d = d, .path = orc_path_join(p->dir, d->digest + 7)};
    }
    report(p, PULL_RESOLVED, digest, 0, 0, (int) n);
    if (fetch_all(fs, n, err) < 0) {
        fetches_done(fs, n);
        return -1;
    }
    report(p, PULL_STORING, digest, 0, 0, 0);
    char **paths = NULL, **digests = NULL, *names[] = {(char *) name, NULL};
    for (size_t i = 1; i < n; i++) {
        paths = strv_push(paths, fs[i].path);
        digests = strv_push(digests, fs[i].d->digest);
    }
    struct image_source src = {.names = names,
                               .manifest_digest = (char *) digest,
                               .manifest_path = mpath,
                               .config_path = fs[0].path,
                               .config_digest = m->config.digest,
                               .layer_paths = paths ? paths : (char *[]){NULL},
                               .layer_digests = digests,
                               .verified = true};
    int r = images_install(p->im, &src, err);
    strv_free(paths);
    strv_free(digests);
    fetches_done(fs, n);
    return r;
}

/* Endpoints for registry/repository: its mirrors from registries.conf, then itself. */
static char **endpoints(const struct registry_options *opts, const char *registry,
                        const char *repository, orc_error_t *err)
{
    const struct registry_entry *e =
        opts ? registries_conf_find(opts->conf, registry, repository) : NULL;
    if (e && e->blocked) {
        orc_error_make(err, EACCES, "registry '%s' is blocked in registries.conf", e->location);
        return NULL;
    }
    char **v = e && e->mirrors ? strv_copy(e->mirrors) : new0(char *, 1);
    return strv_push(v, registry);
}

/* The manifest a source gave: what download_and_install() takes. */
struct source {
    struct registry_manifest *m;
    char *digest, *body;
    size_t len;
};

static void source_done(struct source *s)
{
    registry_manifest_free(s->m);
    free(s->digest);
    free(s->body);
    *s = (struct source){0};
}

/* A client of host, answering challenges with cred (NULL: the auth files' credentials), and
 * the manifest from it. 1 without asking when only_with_files and the auth files have no
 * credentials for host. */
static int open_source(struct pull *p, const struct registry_options *opts, const char *host,
                       const char *repository, const char *reference,
                       const struct keyring_cred *cred, bool only_with_files, struct source *ret,
                       orc_error_t *err)
{
    p->client = registry_client_free(p->client);
    if (registry_client_new(opts, host, repository, &p->client, err) < 0)
        return -1;
    if (cred)
        registry_client_set_credential(p->client, cred->user, cred->password);
    else if (only_with_files && !registry_client_has_credential(p->client))
        return 1;
    return resolve(p, reference, &ret->m, &ret->digest, &ret->body, &ret->len, err);
}

/* "[a, b]" as Kubernetes' aggregate error prints several; one error as it is. */
static int aggregate(char **msgs, size_t n, int status, orc_error_t *err)
{
    if (n == 1)
        return orc_error_make_as(err, status, "%s", msgs[0]);
    _cleanup_free_ char *all = strv_join(msgs, ", ");
    return orc_error_make_as(err, status, "[%s]", all);
}

/*
 * The image's own registry, as kubelet pulls (kubeGenericRuntimeManager.PullImage with its
 * union keyring): without a pod secret's credentials for it, once with the auth files';
 * else with each of them in turn, then the auth files' if they have some, until one is not
 * refused (a 401, 403 or 404: another credential may be let in). Several failures are
 * reported together.
 */
static int open_registry(struct pull *p, const struct registry_options *opts, const char *registry,
                         const char *repository, const char *reference, struct source *ret,
                         orc_error_t *err)
{
    struct keyring_cred creds[KEYRING_LOOKUP_MAX];
    _cleanup_free_ char *image = xasprintf("%s/%s", registry, repository);
    size_t n = opts ? keyring_lookup(opts->keyring, image, creds, KEYRING_LOOKUP_MAX) : 0;
    if (n == 0)
        return open_source(p, opts, registry, repository, reference, NULL, false, ret, err);
    char **msgs = new0(char *, 1);
    int status = 0, r = -1;
    for (size_t k = 0; k <= n && r < 0; k++) {
        orc_error_t e = NULL;
        r = open_source(p, opts, registry, repository, reference, k < n ? &creds[k] : NULL, true,
                        ret, &e);
        if (r > 0) /* the auth files have none */
            break;
        if (r == 0)
            break;
        msgs = strv_push(msgs, orc_error_message(e));
        status = e->status;
        orc_error_release(&e);
        source_done(ret);
        if (status != EACCES && status != ENOENT)
            break;
    }
    if (r < 0 || r > 0)
        r = aggregate(msgs, strv_length(msgs), status, err);
    strv_free(msgs);
    return r;
}

/* Pulls one fully qualified name, trying mirrors first. */
static int pull_name(struct pull *p, const struct registry_options *opts, const char *norm,
                     char **ret_id, orc_error_t *err)
{
    _cleanup_free_ char *registry = NULL, *repository = NULL, *reference = NULL;
    if (image_ref_split(norm, &registry, &repository, &reference) < 0)
        return orc_error_make(err, EINVAL, "invalid image reference '%s'", norm);
    char **hosts = endpoints(opts, registry, repository, err);
    if (!hosts)
        return -1;
    struct source src = {0};
    int r = -1;
    for (size_t i = 0; hosts[i] && r < 0; i++) {
        if (i > 0) /* a mirror failed: the next one, or the registry itself */
            orc_error_release(err);
        source_done(&src);
        r = hosts[i + 1]
                ? open_source(p, opts, hosts[i], repository, reference, NULL, false, &src, err)
                : open_registry(p, opts, registry, repository, reference, &src, err);
        if (r < 0 && hosts[i + 1])
            log_info("pull '%s': mirror '%s' failed, trying the next source", norm, hosts[i]);
    }
    strv_free(hosts);
    if (r == 0)
        r = download_and_install(p, src.m, norm, src.digest, src.body, src.len, err);
    if (r == 0 && ret_id)
        *ret_id = xstrdup(src.m->config.digest);
    if (r == 0)
        log_info("pulled '%s' (%s)", norm, src.digest);
    source_done(&src);
    return r;
}

/* A qualified reference is itself; a short one is tried in each unqualified-search registry
 * (docker.io when none are configured), as podman resolves short names. */
static char **candidates(const struct registry_options *opts, const char *ref)
{
    char **v = new0(char *, 1);
    char *const *search = opts && opts->conf ? opts->conf->search : NULL;
    if (!orc_image_ref_is_short(ref) || !search || !search[0]) {
        _cleanup_free_ char *n = orc_image_ref_normalize(ref);
        return n ? strv_push(v, n) : v;
    }
    for (size_t i = 0; search[i]; i++) {
        _cleanup_free_ char *q = xasprintf("%s/%s", search[i], ref);
        _cleanup_free_ char *n = orc_image_ref_normalize(q);
        if (n)
            v = strv_push(v, n);
    }
    return v;
}

int image_pull(struct images *im, const struct registry_options *opts, const char *ref,
               pull_report_fn report_fn, void *arg, char **ret_id, orc_error_t *err)
{
    char **names = candidates(opts, ref);
    if (!names[0]) {
        strv_free(names);
        return orc_error_make(err, EINVAL, "invalid image reference '%s'", ref ? ref : "");
    }
    struct pull p = {.im = im, .report = report_fn, .arg = arg};
    pthread_mutex_init(&p.lock, NULL);
    _cleanup_free_ char *tried = NULL;
    int r = -1;
    for (size_t i = 0; names[i] && r < 0; i++) {
        orc_error_t e = NULL;
        p.dir = images_scratch_dir(im, "pull");
        r = orc_mkdir_p(p.dir, 0700, &e);
        if (r == 0)
            r = pull_name(&p, opts, names[i], ret_id, &e);
        images_scratch_remove(im, p.dir);
        free(p.dir);
        p.dir = NULL;
        p.client = registry_client_free(p.client);
        if (r == 0)
            break;
        char *t = xasprintf("%s%s%s", tried ? tried : "", tried ? "; " : "", orc_error_message(e));
        free(tried);
        tried = t;
        if (!names[i + 1] || (e->status != ENOENT && e->status != EACCES)) {
            *err = e; /* the last candidate's error, or one that is not "not here" */
            break;
        }
        orc_error_release(&e);
    }
    bool several = names[1] != NULL;
    strv_free(names);
    pthread_mutex_destroy(&p.lock);
    if (r < 0 && several) {
        /* "not here" everywhere is not found; a registry that could not be reached says so */
        int st = (*err)->status == EACCES ? ENOENT : (*err)->status;
        orc_error_release(err);
        return orc_error_make_as(
            err, st, "short name '%s': no unqualified-search registry has it: %s", ref, tried);
    }
    if (r < 0)
        return orc_error_wrap(err, "pull '%s'", ref);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* /openapi/v3: Kubernetes' OpenAPI v3 documents for what orcd serves, as kube-apiserver serves
 * them (its hashes, redirects and cache headers). /openapi/v2 is not served: client-go reads
 * it as protobuf only, and kubectl falls back to v3 on a 404. */
#include "api/openapi.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/internal.h"
#include "api/negotiate.h"
#include "cleanup.h"
#include "xalloc.h"

const struct openapi_doc *openapi_find(const char *path)
{
    for (const struct openapi_doc *d = openapi_docs; d->path; d++)
        if (!strcmp(d->path, path))
            return d;
    return NULL;
}

static enum MHD_Result not_found(struct request *r)
{
    return api_reply_status(r, 404, "NotFound", "the server could not find the requested resource",
                            NULL);
}

/* If-None-Match names the document's ETag (or is "*"): the client's copy is current. */
static bool not_modified(struct request *r, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    return inm && (strstr(inm, etag) || !strcmp(inm, "*"));
}

/* The document d with its ETag; with ?hash= (the index's URLs) cacheable for good, as
 * kube-apiserver makes it: the hash changes with the content. */
static enum MHD_Result serve(struct request *r, const struct openapi_doc *d, bool immutable)
{
    _cleanup_free_ char *etag = xasprintf("\"%s\"", d->hash);
    bool unchanged = not_modified(r, etag);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        unchanged ? 0 : d->len, (void *) d->text, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Etag", etag);
    if (*d->path)
        MHD_add_response_header(resp, "Vary", "Accept");
    if (immutable) {
        char expires[64];
        time_t later = time(NULL) + 365 * 24 * 3600;
        struct tm tm;
        strftime(expires, sizeof(expires), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&later, &tm));
        MHD_add_response_header(resp, "Cache-Control", "public, immutable");
        MHD_add_response_header(resp, "Expires", expires);
    }
    return api_queue_response(r, unchanged ? 304 : 200, resp);
}

/* A hash that is not the document's: 301 to the current one (a client's index was stale). */
static enum MHD_Result redirect(struct request *r, const struct openapi_doc *d)
{
    _cleanup_free_ char *url = xasprintf("/openapi/v3/%s?hash=%s", d->path, d->hash);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Location", url);
    return api_queue_response(r, 301, resp);
}

enum MHD_Result api_openapi(struct request *r)
{
    if (r->n_segs < 2 || strcmp(r->segs[1], "v3"))
        return not_found(r);
    if (strcmp(r->method, "GET"))
        return api_reply_status(r, 405, "MethodNotAllowed", "method not allowed", NULL);
    if (r->n_segs == 2)
        return serve(r, &openapi_index, false);
    char path[256] = "";
    for (size_t i = 2; i < r->n_segs; i++)
        if (snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s%s", i > 2 ? "/" : "",
                     r->segs[i]) < 0)
            return not_found(r);
    const struct openapi_doc *d = openapi_find(path);
    if (!d)
        return not_found(r);
    struct api_media media;
    const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
    if (api_negotiate(accept, &media) < 0 || media.as != API_AS_OBJECT)
        return api_reply_status(r, 406, "NotAcceptable",
                                "only application/json is served for OpenAPI v3 documents", NULL);
    const char *hash = api_query(r, "hash");
    if (hash && *hash && strcmp(hash, d->hash))
        return redirect(r, d);
    return serve(r, d, hash && *hash);
}

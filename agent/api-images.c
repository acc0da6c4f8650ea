/* SPDX-License-Identifier: Apache-2.0 */
/* Images: list, load, remove. */
#include <errno.h>
#include <string.h>

#include "api-internal.h"
#include "cleanup.h"
#include "images.h"
#include "json-util.h"
#include "orcd.h"
#include "strv.h"

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
    if (images_load(r->o->images, path, &names, &err) < 0) {
        if (err->status != ENOENT && err->status != EINVAL && err->status != EIO)
            return api_reply_error(r, &err, NULL, NULL);
        enum MHD_Result ret =
            api_reply_status(r, 400, "BadRequest", orc_error_message(err), NULL);
        orc_error_release(&err);
        return ret;
    }
    orcd_wake(r->o); /* pods waiting for this image can start */
    json_t *n = json_array();
    for (size_t i = 0; names[i]; i++)
        json_array_append_new(n, json_string(names[i]));
    strv_free(names);
    return api_reply_json(r, 200, json_pack("{s:s,s:s,s:o}", "kind", "ImageLoadResult",
                                            "apiVersion", "orc.dev/v1", "names", n));
}

enum MHD_Result api_images_remove(struct request *r, const char *ref)
{
    if (!r->o->images)
        return unavailable(r);
    orc_error_t err = NULL;
    if (images_remove(r->o->images, ref, &err) < 0)
        return api_reply_error(r, &err, "images", ref);
    return api_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1",
                                            "status", "Success"));
}

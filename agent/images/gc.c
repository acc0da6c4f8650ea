/* SPDX-License-Identifier: Apache-2.0 */
#include "images/gc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cleanup.h"
#include "images/images.h"
#include "json-util.h"
#include "log.h"
#include "store/store.h"
#include "strv.h"
#include "xalloc.h"

int image_gc_in_use(struct images *im, struct store *s, char ***ret_ids, orc_error_t *err)
{
    json_auto_t *pods = NULL;
    if (store_pod_list(s, NULL, &pods, err) < 0)
        return -1;
    char **ids = new0(char *, 1);
    size_t i, k;
    json_t *pod, *c;
    json_array_foreach(pods, i, pod) {
        json_array_foreach(json_object_get(json_object_get(pod, "status"), "containerStatuses"), k,
                           c) {
            const char *id = orc_json_str(c, "imageID");
            if (id && *id)
                ids = strv_push(ids, id);
        }
        json_array_foreach(json_object_get(json_object_get(pod, "spec"), "containers"), k, c) {
            struct image *img = NULL;
            orc_error_t e = NULL;
            if (images_resolve(im, orc_json_str(c, "image"), &img, &e) == 0)
                ids = strv_push(ids, img->id);
            image_free(img);
            orc_error_release(&e);
        }
    }
    *ret_ids = ids;
    return 0;
}

static int by_loaded(const void *a, const void *b)
{
    long long x = orc_json_int(*(json_t *const *) a, "loaded", 0);
    long long y = orc_json_int(*(json_t *const *) b, "loaded", 0);
    return x < y ? -1 : x > y;
}

char **image_gc_plan(const json_t *images, char *const *in_use, long long used, long long target)
{
    size_t n = json_array_size(images);
    json_t **v = new0(json_t *, n + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(images, i);
    qsort(v, n, sizeof(*v), by_loaded);
    char **plan = new0(char *, 1);
    for (size_t i = 0; i < n && used > target; i++) {
        const char *id = orc_json_str(v[i], "id");
        if (!id || strv_contains(in_use, id))
            continue;
        plan = strv_push(plan, id);
        used -= orc_json_int(v[i], "size", 0);
    }
    free(v);
    return plan;
}

int image_gc_run(struct images *im, struct store *s, int high, int low, int *ret_removed,
                 orc_error_t *err)
{
    struct statvfs fs;
    *ret_removed = 0;
    if (statvfs(images_storage_dir(im), &fs) < 0 || fs.f_blocks == 0)
        return 0;
    long long total = (long long) fs.f_blocks * (long long) fs.f_frsize;
    long long used = total - (long long) fs.f_bavail * (long long) fs.f_frsize;
    if (used * 100 <= (long long) high * total)
        return 0;
    char **keep = NULL;
    if (image_gc_in_use(im, s, &keep, err) < 0)
        return -1;
    json_auto_t *all = images_list(im);
    char **plan = image_gc_plan(all, keep, used, (long long) low * total / 100);
    for (size_t i = 0; plan[i]; i++) {
        orc_error_t e = NULL;
        if (images_remove(im, plan[i], &e) < 0) {
            log_warn("image garbage collection: %s, ignoring", orc_error_message(e));
            orc_error_release(&e);
            continue;
        }
        log_info("image garbage collection: removed %s (disk %lld%% used, above %d%%)", plan[i],
                 used * 100 / total, high);
        (*ret_removed)++;
    }
    strv_free(plan);
    strv_free(keep);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* podman's image table and how `orc rmi` finds the image a reference names. */
#include <stdlib.h>
#include <string.h>

#include "images-view.h"
#include "tap.h"
#include "time-util.h"

#define ID "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char items_json[] =
    "[{\"id\":\"" ID "\",\"names\":[\"localhost/busybox:latest\",\"localhost/busybox:1.36\"],"
    "\"size\":1472000,\"created\":0},"
    "{\"id\":\"sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\","
    "\"names\":[\"docker.io/library/alpine:3.19\",\"registry.example:5000/team/app:v1\"],"
    "\"size\":512,\"created\":0},"
    "{\"id\":\"sha256:aaaa000000000000000000000000000000000000000000000000000000000000\","
    "\"names\":[],\"size\":0,\"created\":0}]";

static void find_case(const json_t *items, const char *ref, const char *want_id_prefix)
{
    const json_t *img = image_find(items, ref);
    const char *id = img ? json_string_value(json_object_get(img, "id")) : NULL;
    if (!want_id_prefix)
        tap_ok(!img, "'%s' names no image", ref);
    else
        tap_ok(id && !strncmp(id + 7, want_id_prefix, strlen(want_id_prefix)), "'%s' finds %s", ref,
               want_id_prefix);
}

static void text_case(char *s, const char *want, const char *what)
{
    tap_is_str(s, want, "%s", what);
    free(s);
}

int main(void)
{
    json_t *items = json_loads(items_json, 0, NULL);
    find_case(items, "localhost/busybox:1.36", "0123");
    find_case(items, "busybox", "0123");
    find_case(items, "busybox:latest", "0123");
    find_case(items, "alpine:3.19", "fedc");
    find_case(items, "registry.example:5000/team/app:v1", "fedc");
    find_case(items, "registry.example:5000/team/app", NULL);
    find_case(items, "alpine", NULL);
    find_case(items, "fedcba98", "fedc");
    find_case(items, "sha256:aaaa00", "aaaa");
    find_case(items, "ab", NULL);

    char id[13];
    image_short_id(ID, id);
    tap_is_str(id, "0123456789ab", "IMAGE ID: 12 hex characters");
    text_case(image_size_text(1472000), "1.47 MB", "SIZE in MB");
    text_case(image_size_text(512), "512 B", "SIZE in bytes");
    text_case(image_size_text(4300000000LL), "4.3 GB", "SIZE in GB");
    text_case(image_created_text(0), "Less than a second ago", "CREATED now");
    text_case(image_created_text(45 * NSEC_PER_SEC), "45 seconds ago", "CREATED seconds");
    text_case(image_created_text(90 * NSEC_PER_SEC), "About a minute ago", "CREATED a minute");
    text_case(image_created_text(3 * 86400 * NSEC_PER_SEC), "3 days ago", "CREATED days");

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    images_table_print(f, items, 3 * 3600 * NSEC_PER_SEC);
    fclose(f);
    tap_ok(!strncmp(buf, "REPOSITORY", 10) && strstr(buf, "IMAGE ID") &&
               strstr(buf, "\nlocalhost/busybox                latest   0123456789ab   "
                           "3 hours ago   1.47 MB\n") &&
               strstr(buf, "\nregistry.example:5000/team/app   v1   ") &&
               strstr(buf, "\n<none>                           <none>   aaaa00000000"),
           "one row per name, the registry port is not a tag:\n%s", buf);
    free(buf);
    json_decref(items);
    return tap_done();
}

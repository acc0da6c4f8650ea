/* SPDX-License-Identifier: Apache-2.0 */
/* Local storage eviction: the limit compared as kubelet compares it, and kubelet's message. */
#include <stdlib.h>

#include "scheduler.h"
#include "tap.h"

static struct volume empty_dir(const char *name, const char *limit, const char *medium)
{
    struct volume v = {.name = (char *) name, .type = VOLUME_EMPTY_DIR, .source = json_object()};
    if (limit)
        json_object_set_new(v.source, "sizeLimit", json_string(limit));
    if (medium)
        json_object_set_new(v.source, "medium", json_string(medium));
    return v;
}

static void test_over_limit(void)
{
    struct volume v = empty_dir("data", "1Mi", NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, 0), "an empty volume is within its limit");
    tap_ok(!sched_empty_dir_over_limit(&v, 1048576), "usage equal to the limit is no eviction");
    tap_ok(sched_empty_dir_over_limit(&v, 1048577), "a byte more is");
    tap_ok(sched_empty_dir_over_limit(&v, 5 << 20), "5 MiB in a 1Mi volume is");
    json_decref(v.source);

    v = empty_dir("data", "1M", NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, 1000000) && sched_empty_dir_over_limit(&v, 1000001),
           "a decimal limit: 1M is 1000000 bytes");
    json_decref(v.source);

    v = empty_dir("data", "1.5", NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, 1) && sched_empty_dir_over_limit(&v, 2),
           "a fractional limit is compared exactly: 1 byte is within 1.5, 2 are not");
    json_decref(v.source);

    v = empty_dir("data", NULL, NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, INT64_MAX), "no sizeLimit: never");
    json_decref(v.source);

    v = empty_dir("data", "0", NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, 1 << 30), "a zero sizeLimit: never (size.Sign() == 1)");
    json_decref(v.source);

    v = empty_dir("data", "8Ei", NULL);
    tap_ok(!sched_empty_dir_over_limit(&v, INT64_MAX), "a limit beyond what a quantity holds");
    json_decref(v.source);

    v = empty_dir("data", "1Mi", NULL);
    v.type = VOLUME_HOST_PATH;
    tap_ok(!sched_empty_dir_over_limit(&v, 5 << 20), "only emptyDir volumes");
    json_decref(v.source);
    tap_ok(!sched_empty_dir_over_limit(NULL, 5 << 20), "no volume");
}

static void test_message(void)
{
    static const struct {
        const char *limit, *want;
    } cases[] = {
        {"1Mi", "Usage of EmptyDir volume \"data\" exceeds the limit \"1Mi\". "},
        {"1024Ki", "Usage of EmptyDir volume \"data\" exceeds the limit \"1Mi\". "},
        {"1.5Gi", "Usage of EmptyDir volume \"data\" exceeds the limit \"1536Mi\". "},
        {"5000000", "Usage of EmptyDir volume \"data\" exceeds the limit \"5M\". "},
        {"500k", "Usage of EmptyDir volume \"data\" exceeds the limit \"500k\". "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct volume v = empty_dir("data", cases[i].limit, NULL);
        char *msg = sched_empty_dir_eviction_message(&v);
        tap_is_str(msg, cases[i].want, "kubelet's message for sizeLimit %s", cases[i].limit);
        free(msg);
        json_decref(v.source);
    }
}

int main(void)
{
    test_over_limit();
    test_message();
    return tap_done();
}

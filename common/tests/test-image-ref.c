/* SPDX-License-Identifier: Apache-2.0 */
/* Image references: normalisation as docker and podman do it, and what is refused. */
#include <stdlib.h>
#include <string.h>

#include "image-ref.h"
#include "tap.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_refs(void)
{
    const char *cases[][2] = {
        {"busybox", "docker.io/library/busybox:latest"},
        {"docker.io/nginx", "docker.io/library/nginx:latest"},
        {"docker.io/nginx:1.25", "docker.io/library/nginx:1.25"},
        {"index.docker.io/nginx", "docker.io/library/nginx:latest"},
        {"docker.io/team/app", "docker.io/team/app:latest"},
        {"quay.io/nginx", "quay.io/nginx:latest"},
        {"busybox:1.36", "docker.io/library/busybox:1.36"},
        {"user/app", "docker.io/user/app:latest"},
        {"localhost/x", "localhost/x:latest"},
        {"localhost:5000/a", "localhost:5000/a:latest"},
        {"reg:5000/a/b@sha256:" HEX64, "reg:5000/a/b@sha256:" HEX64},
        {"reg.example/a:v1@sha256:" HEX64, "reg.example/a:v1@sha256:" HEX64},
        {"docker.io/library/busybox:latest", "docker.io/library/busybox:latest"},
        {"quay.io/a/b__c.d-e--f:V1.0_x", "quay.io/a/b__c.d-e--f:V1.0_x"},
        {"Localhost:5000/a", "Localhost:5000/a:latest"},
        {"UPPER/case", NULL},
        {"busybox:", NULL},
        {"busybox:-x", NULL},
        {"a//b", NULL},
        {"a/-b", NULL},
        {"a..b", NULL},
        {"a___b", NULL},
        {"a b", NULL},
        {"/abs", NULL},
        {"reg:port/a", NULL},
        {"a@sha256:00", NULL},
        {"", NULL},
        {"<your-private-image>", NULL},
        {"nginx:<tag>", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = orc_image_ref_normalize(cases[i][0]);
        if (cases[i][1])
            tap_is_str(n, cases[i][1], "normalise %s", cases[i][0]);
        else
            tap_ok(n == NULL, "refuse %s", cases[i][0]);
        free(n);
    }
}

/* docker's bound: 255 characters of registry and repository, counted normalised */
static void test_length(void)
{
    char name[300];
    memset(name, 'a', sizeof(name));
    name[255 - strlen("docker.io/library/")] = '\0';
    char *n = orc_image_ref_normalize(name);
    tap_ok(n && strlen(n) == 255 + strlen(":latest"), "a short name that is 255 normalised");
    char *again = n ? orc_image_ref_normalize(n) : NULL;
    tap_ok(again && !strcmp(again, n), "is its own normal form");
    free(n);
    free(again);
    strcat(name, "a");
    tap_ok(orc_image_ref_normalize(name) == NULL, "one more is refused, as docker does");
}

int main(void)
{
    test_refs();
    test_length();
    tap_ok(orc_image_ref_is_short("busybox") && orc_image_ref_is_short("team/app:1"),
           "short names");
    tap_ok(!orc_image_ref_is_short("quay.io/a/b") && !orc_image_ref_is_short("localhost/x") &&
               !orc_image_ref_is_short("reg:5000/x") && !orc_image_ref_is_short("sha256:00"),
           "qualified names and ids");
    return tap_done();
}

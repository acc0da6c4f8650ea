/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what a registry sends — manifests, indexes, WWW-Authenticate headers —
 * what auth files hold, and image references as manifests write them. The first byte picks
 * the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image-ref.h"
#include "images/registry-auth.h"
#include "images/registry-manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void manifest(const char *text, size_t len, const char *ctype)
{
    struct registry_manifest *m = NULL;
    orc_error_t err = NULL;
    if (registry_manifest_parse(text, len, ctype, &m, &err) < 0) {
        if (!err || !err->msg)
            abort(); /* a refusal always says why */
        orc_error_release(&err);
        return;
    }
    if (m->is_index) {
        const struct descriptor *d = NULL;
        if (registry_manifest_select(m, "linux", "amd64", NULL, &d, &err) == 0 && !d)
            abort();
        orc_error_release(&err);
    } else if (!m->config.digest || m->config.size < 0) {
        abort();
    }
    registry_manifest_free(m);
}

/* A normalised reference is its own normal form, and names the same kind of thing. */
static void reference(const char *text)
{
    char *n = orc_image_ref_normalize(text);
    if (!n)
        return;
    char *again = orc_image_ref_normalize(n);
    if (!again || strcmp(again, n) != 0 || orc_image_ref_is_short(n))
        abort();
    free(again);
    free(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    orc_error_t err = NULL;
    switch (data[0] % 5) {
    case 0:
        manifest(text, size - 1, NULL);
        break;
    case 1:
        manifest(text, size - 1, MEDIA_DOCKER_LIST);
        break;
    case 2: {
        struct auth_challenge c;
        if (auth_challenge_parse(text, &c, &err) == 0) {
            if (!c.scheme)
                abort();
            auth_challenge_done(&c);
        }
        break;
    }
    case 4:
        reference(text);
        break;
    default: {
        char *u = NULL, *p = NULL;
        if (auth_file_lookup(text, size - 1, "reg.example:5000", "team/app", &u, &p, &err) == 0 &&
            (!u || !p))
            abort();
        free(u);
        free(p);
        break;
    }
    }
    orc_error_release(&err);
    free(text);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "images/pull-policy.h"

#include <stdlib.h>
#include <string.h>

#include "image-ref.h"
#include "images/registry-client.h"

enum image_need image_pull_need(const char *image, enum pull_policy policy, bool pulled)
{
    char *norm = orc_image_ref_normalize(image);
    bool valid = norm != NULL;
    free(norm);
    if (!valid)
        return IMAGE_NEED_INVALID;
    /* "localhost/..." names images loaded or built here, as in podman: never pulled */
    if (policy == PULL_NEVER || !strncmp(image, "localhost/", 10))
        return IMAGE_NEED_STORED;
    if (policy == PULL_ALWAYS && !pulled)
        return IMAGE_NEED_PULL;
    return IMAGE_NEED_PRESENT;
}

bool image_pull_may_use_stored(enum pull_policy policy, bool policy_implied, bool strict,
                               int pull_status)
{
    return policy == PULL_ALWAYS && policy_implied && !strict &&
           pull_status == REGISTRY_UNREACHABLE;
}

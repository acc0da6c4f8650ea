/* SPDX-License-Identifier: Apache-2.0 */
/* Local storage eviction: kubelet's emptyDirLimitEviction, its comparison and its message. */
#include "scheduler.h"

#include <stdlib.h>

#include "json-util.h"
#include "quantity.h"
#include "xalloc.h"

static const char *size_limit_text(const struct volume *v)
{
    return v && v->type == VOLUME_EMPTY_DIR ? orc_json_str(v->source, "sizeLimit") : NULL;
}

bool sched_empty_dir_over_limit(const struct volume *v, int64_t used)
{
    int64_t milli = 0;
    const char *limit = size_limit_text(v);
    if (!limit || quantity_parse_milli(limit, &milli) < 0 || milli <= 0 || used < 0)
        return false;
    /* used.Cmp(*size) > 0: in thousandths, so that a limit of "1.5" lets 1 byte and not 2 */
    return (__int128) used * 1000 > (__int128) milli;
}

char *sched_empty_dir_eviction_message(const struct volume *v)
{
    const char *limit = size_limit_text(v);
    char *size = NULL;
    if (limit && quantity_canonical(limit, &size) < 0)
        size = xstrdup(limit); /* it parsed when the pod was stored: never here */
    char *msg = xasprintf("Usage of EmptyDir volume \"%s\" exceeds the limit \"%s\". ", v->name,
                          size ? size : "");
    free(size);
    return msg;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "subid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

void orc_subid_range(const char *file, const char *user, unsigned id, unsigned *ret_start,
                     unsigned *ret_count)
{
    *ret_start = *ret_count = 0;
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    if (!f)
        return;
    char line[512];
    char idstr[32];
    snprintf(idstr, sizeof(idstr), "%u", id);
    while (fgets(line, sizeof(line), f)) {
        char *save = NULL;
        char *owner = strtok_r(line, ":\n", &save);
        char *start = strtok_r(NULL, ":\n", &save);
        char *count = strtok_r(NULL, ":\n", &save);
        if (!owner || !start || !count)
            continue;
        if ((user && strcmp(owner, user) == 0) || strcmp(owner, idstr) == 0) {
            unsigned long s = strtoul(start, NULL, 10), c = strtoul(count, NULL, 10);
            if (c > 0) {
                *ret_start = (unsigned) s;
                *ret_count = (unsigned) c;
                return;
            }
        }
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "time-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t orc_time_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t orc_time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void orc_time_format_rfc3339(int64_t ns, bool nanos, char *buf, size_t size)
{
    time_t sec = (time_t) (ns / NSEC_PER_SEC);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    if (nanos)
        snprintf(buf, size, "%s.%09lldZ", base, (long long) (ns % NSEC_PER_SEC));
    else
        snprintf(buf, size, "%sZ", base);
}

int orc_time_parse_rfc3339(const char *s, int64_t *ret_ns)
{
    struct tm tm = {0};
    const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return -EINVAL;
    int64_t frac = 0;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 9)
                frac = frac * 10 + (*rest - '0');
        for (; digits < 9; digits++)
            frac *= 10;
    }
    if (strcmp(rest, "Z") != 0)
        return -EINVAL;
    *ret_ns = (int64_t) timegm(&tm) * NSEC_PER_SEC + frac;
    return 0;
}

void orc_time_format_age(int64_t delta_ns, char *buf, size_t size)
{
    long long s = delta_ns / NSEC_PER_SEC;
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, size, "%llds", s);
    else if (s < 3600 * 2)
        snprintf(buf, size, "%lldm", s / 60);
    else if (s < 86400 * 2)
        snprintf(buf, size, "%lldh", s / 3600);
    else
        snprintf(buf, size, "%lldd", s / 86400);
}

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
    int64_t offset = 0; /* "+02:00": local time that much ahead of UTC */
    int h = 0, m = 0, n = 0;
    if ((*rest == '+' || *rest == '-') && sscanf(rest + 1, "%2d:%2d%n", &h, &m, &n) == 2 &&
        n == 5 && rest[6] == '\0' && h < 24 && m < 60)
        offset = (*rest == '+' ? 1 : -1) * (int64_t) (h * 3600 + m * 60);
    else if (strcmp(rest, "Z") != 0)
        return -EINVAL;
    *ret_ns = ((int64_t) timegm(&tm) - offset) * NSEC_PER_SEC + frac;
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

void orc_time_format_human(int64_t delta_ns, char *buf, size_t size)
{
    long long s = delta_ns / NSEC_PER_SEC, m = s / 60, h = s / 3600, d = h / 24;
    if (s < -1)
        snprintf(buf, size, "<invalid>");
    else if (s < 0)
        snprintf(buf, size, "0s");
    else if (s < 120)
        snprintf(buf, size, "%llds", s);
    else if (m < 10 && s % 60)
        snprintf(buf, size, "%lldm%llds", m, s % 60);
    else if (m < 180)
        snprintf(buf, size, "%lldm", m);
    else if (h < 8 && m % 60)
        snprintf(buf, size, "%lldh%lldm", h, m % 60);
    else if (h < 48)
        snprintf(buf, size, "%lldh", h);
    else if (h < 24 * 8 && h % 24)
        snprintf(buf, size, "%lldd%lldh", d, h % 24);
    else if (h < 24 * 365 * 2)
        snprintf(buf, size, "%lldd", d);
    else if (h < 24 * 365 * 8 && d % 365)
        snprintf(buf, size, "%lldy%lldd", d / 365, d % 365);
    else
        snprintf(buf, size, "%lldy", d / 365);
}

int orc_duration_parse(const char *s, int64_t *ret_ns)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"ns", 1},
                 {"us", 1000},
                 {"ms", NSEC_PER_MSEC},
                 {"s", NSEC_PER_SEC},
                 {"m", 60 * NSEC_PER_SEC},
                 {"h", 3600 * NSEC_PER_SEC}};
    if (!s || !*s)
        return -EINVAL;
    if (strcmp(s, "0") == 0) {
        *ret_ns = 0;
        return 0;
    }
    int64_t total = 0;
    while (*s) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        int64_t v = 0;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (v > (INT64_MAX - 9) / 10)
                return -EINVAL;
            v = v * 10 + (*s - '0');
        }
        size_t best = 0, k = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t n = strlen(units[i].unit);
            /* the longest unit that matches: "ms" before "m" */
            if (n > best && strncmp(s, units[i].unit, n) == 0)
                best = n, k = i;
        }
        if (!best || v > INT64_MAX / units[k].ns || total > INT64_MAX - v * units[k].ns)
            return -EINVAL;
        total += v * units[k].ns;
        s += best;
    }
    *ret_ns = total;
    return 0;
}

void orc_duration_format(int64_t ns, char *buf, size_t size)
{
    if (ns < NSEC_PER_SEC && ns % NSEC_PER_MSEC == 0) {
        snprintf(buf, size, "%lldms", (long long) (ns / NSEC_PER_MSEC));
        return;
    }
    long long h = ns / (3600 * NSEC_PER_SEC), m = ns / (60 * NSEC_PER_SEC) % 60;
    double sec = (double) (ns % (60 * NSEC_PER_SEC)) / 1e9;
    if (h)
        snprintf(buf, size, "%lldh%lldm%gs", h, m, sec);
    else if (m)
        snprintf(buf, size, "%lldm%gs", m, sec);
    else
        snprintf(buf, size, "%gs", sec);
}

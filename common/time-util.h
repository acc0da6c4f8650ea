/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL

/* Wall clock and monotonic clock in nanoseconds. */
int64_t orc_time_now_ns(void);
int64_t orc_time_mono_ns(void);

/* "2026-11-24T00:00:00Z", or with nanoseconds "2026-11-24T00:00:00.123456789Z". */
void orc_time_format_rfc3339(int64_t ns, bool nanos, char *buf, size_t size);

/* Parses the formats above, also with an offset for Z ("2026-11-24T02:00:00+02:00", as image
 * configs may carry); returns 0 or -EINVAL. */
int orc_time_parse_rfc3339(const char *s, int64_t *ret_ns);

/* Kubernetes-style short age: "5s", "3m", "2h", "4d". */
void orc_time_format_age(int64_t delta_ns, char *buf, size_t size);
/* apimachinery's duration.HumanDuration, the ages of the API server's tables: two or three
 * significant figures ("90s", "3m2s", "15m", "5h4m", "20h", "2d3h", "30d", "3y45d"); "0s" for
 * up to a second in the future (clock skew), "<invalid>" beyond. */
void orc_time_format_human(int64_t delta_ns, char *buf, size_t size);

/* Go-style durations, as kubelet's flags take them: "500ms", "3s", "2m", "1m30s", "1h"
 * (units ns, us, ms, s, m, h; a plain "0" is zero). Returns 0 or -EINVAL. */
int orc_duration_parse(const char *s, int64_t *ret_ns);
/* The shortest Go-style text of a duration: "3s", "2m0s", "1m30s", "500ms". */
void orc_duration_format(int64_t ns, char *buf, size_t size);

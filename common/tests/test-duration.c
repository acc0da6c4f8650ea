/* SPDX-License-Identifier: Apache-2.0 */
/* Go-style durations of flags such as --runtime-request-timeout. */
#include <errno.h>

#include "tap.h"
#include "time-util.h"

static void parses(const char *text, int64_t want)
{
    int64_t ns = -1;
    tap_is_int(orc_duration_parse(text, &ns), 0, "'%s' parses", text);
    tap_ok(ns == want, "'%s' is %lld ns (got %lld)", text, (long long) want, (long long) ns);
}

static void formats(int64_t ns, const char *want)
{
    char buf[64];
    orc_duration_format(ns, buf, sizeof(buf));
    tap_is_str(buf, want, "%lld ns reads '%s'", (long long) ns, want);
}

int main(void)
{
    parses("0", 0);
    parses("500ms", 500 * NSEC_PER_MSEC);
    parses("3s", 3 * NSEC_PER_SEC);
    parses("2m", 120 * NSEC_PER_SEC);
    parses("1m30s", 90 * NSEC_PER_SEC);
    parses("1h2m3s4ms", (3723 * NSEC_PER_SEC) + 4 * NSEC_PER_MSEC);
    parses("250us", 250000);
    const char *bad[] = {"", "3", "s", "-3s", "3x", "1.5s", "3s ", "99999999999999999999h"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ns = 42;
        tap_is_int(orc_duration_parse(bad[i], &ns), -EINVAL, "'%s' is refused", bad[i]);
        tap_ok(ns == 42, "'%s' leaves the result alone", bad[i]);
    }
    formats(3 * NSEC_PER_SEC, "3s");
    formats(120 * NSEC_PER_SEC, "2m0s");
    formats(90 * NSEC_PER_SEC, "1m30s");
    formats(500 * NSEC_PER_MSEC, "500ms");
    formats(1500 * NSEC_PER_MSEC, "1.5s");
    formats(3600 * NSEC_PER_SEC, "1h0m0s");
    return tap_done();
}

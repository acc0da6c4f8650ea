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

/* apimachinery's HumanDuration, as the API server's tables show ages */
static void human(int64_t s, const char *want)
{
    char buf[32];
    orc_time_format_human(s * NSEC_PER_SEC, buf, sizeof(buf));
    tap_is_str(buf, want, "%llds is shown as '%s'", (long long) s, want);
}

static void human_durations(void)
{
    const long long M = 60, H = 3600, D = 86400, Y = 365 * D;
    human(-5, "<invalid>");
    human(-1, "0s");
    human(0, "0s");
    human(59, "59s");
    human(119, "119s");
    human(2 * M, "2m");
    human(3 * M + 2, "3m2s");
    human(9 * M + 59, "9m59s");
    human(10 * M + 30, "10m");
    human(179 * M + 59, "179m");
    human(3 * H, "3h");
    human(5 * H + 4 * M + 3, "5h4m");
    human(8 * H + 30 * M, "8h");
    human(47 * H + 59 * M, "47h");
    human(2 * D, "2d");
    human(2 * D + 3 * H, "2d3h");
    human(8 * D + 3 * H, "8d");
    human(729 * D, "729d");
    human(2 * Y, "2y");
    human(3 * Y + 45 * D, "3y45d");
    human(9 * Y + 45 * D, "9y");
}

int main(void)
{
    human_durations();
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

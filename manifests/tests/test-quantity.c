/* SPDX-License-Identifier: Apache-2.0 */
/* quantity_canonical: resource.Quantity's String() of a quantity's text. */
#include <errno.h>
#include <stdlib.h>

#include "quantity.h"
#include "tap.h"

static void test_canonical(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        /* kept as written by the parser (already canonical, or not re-emitted) */
        {"1Mi", "1Mi"},
        {"1025Ki", "1025Ki"},
        {"1500k", "1500k"},
        {"1e6", "1e6"},
        {"1E6", "1E6"},
        {"12e-3", "12e-3"},
        {"+1Mi", "+1Mi"},
        {"01Mi", "01Mi"},
        {"100m", "100m"},
        {"1n", "1n"},
        {"0", "0"},
        /* binary: the largest power of 1024 that divides */
        {"1024Ki", "1Mi"},
        {"8Mi", "8Mi"},
        {"1.5Gi", "1536Mi"},
        {"2048Mi", "2Gi"},
        {"1048577Ki", "1048577Ki"},
        /* binary below 1024 or with a fraction: decimal */
        {"0.5Ki", "512"},
        {"1.1Ki", "1126400m"},
        /* decimal SI: the largest suffix that loses nothing */
        {"5000000", "5M"},
        {"1.5M", "1500k"},
        {"0.5", "500m"},
        {"1000m", "1"},
        {"1000M", "1G"},
        {"2048", "2048"},
        {"1.0", "1"},
        {"0.1n", "1n"},
        {"0Mi", "0"},
        {"-1.5", "-1500m"},
        /* an exponent: a multiple of 3, or none */
        {"1.5e3", "1500"},
        {"2000e3", "2e6"},
        {"0.5e1", "5"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = NULL;
        int r = quantity_canonical(cases[i].text, &got);
        tap_ok(r == 0, "\"%s\" parses", cases[i].text);
        tap_is_str(got, cases[i].want, "\"%s\" is written \"%s\"", cases[i].text, cases[i].want);
        free(got);
    }
    static const char *const bad[] = {"", "abc", "1.2.3", "5Zi", "1e", "1k3", "1Mx"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *got = NULL;
        tap_is_int(quantity_canonical(bad[i], &got), -EINVAL, "\"%s\" is no quantity", bad[i]);
        tap_ok(!got, "nothing made for \"%s\"", bad[i]);
    }
    char *got = NULL;
    tap_is_int(quantity_canonical("1e400", &got), -ERANGE, "a value too large");
}

int main(void)
{
    test_canonical();
    return tap_done();
}

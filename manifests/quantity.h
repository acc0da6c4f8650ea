/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/*
 * Kubernetes resource quantities ("500m", "0.5", "2", "64Mi", "1G", "1e9"): a signed
 * decimal with an optional binary (Ki..Ei), decimal (n u m k M G T P E) or exponent suffix.
 * Parsed into thousandths of the unit, rounded up as Kubernetes rounds; -EINVAL for text
 * that is not a quantity, -ERANGE beyond 2^63 thousandths. Pure.
 */
int quantity_parse_milli(const char *s, int64_t *ret);

/* bytes as Kubernetes writes a quantity of them: the largest binary suffix that divides them
 * ("128Mi", "16318132Ki"), else a decimal one ("1G"), else the number ("1500"). Allocated. */
char *quantity_format_bytes(int64_t bytes);

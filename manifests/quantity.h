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

/*
 * A quantity as Kubernetes prints it (resource.Quantity's String(), what kubelet's messages
 * quote): the text as written when the parser keeps it (already canonical: "1Mi", "1500k",
 * "1e6"), else its canonical form in the format its suffix chose: binary ("1024Ki" is "1Mi",
 * "1.5Gi" is "1536Mi"; below 1024 or fractional, decimal: "0.5Ki" is "512"), decimal SI with
 * the largest suffix that loses nothing ("1.5M" is "1500k", "0.5" is "500m", "2000000" is "2M")
 * or an exponent ("1.5e3" is "1500"). Fractions below a nano round up. *ret allocated; -EINVAL
 * for text that is not a quantity, -ERANGE where the value does not fit. Pure.
 */
int quantity_canonical(const char *s, char **ret);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/* Standard base64 with padding (RFC 4648 section 4), as Kubernetes keeps a Secret's data and
 * a ConfigMap's binaryData: *ret holds len bytes and a NUL after them. -EINVAL for text that
 * is not base64. */
int orc_base64_decode(const char *s, char **ret, size_t *ret_len);

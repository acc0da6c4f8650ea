/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The systemd user unit `orc install` writes (pure). */
/* extra: arguments for orcd (NULL-terminated, may be NULL). */
char *service_unit_text(const char *orcd_path, char *const *extra);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The systemd user unit `orc install` writes (pure). */
char *service_unit_text(const char *orcd_path);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "cleanup.h"
#include "error.h"

/* Owned references are declared json_auto_t (jansson >= 2.11) and released at scope end. */

/* Accessors that return NULL/default on missing or wrong type. */
const char *orc_json_str(const json_t *obj, const char *key);
long long orc_json_int(const json_t *obj, const char *key, long long def);
/* obj[key] as object, created if missing. */
json_t *orc_json_obj(json_t *obj, const char *key);
/* Parses at most max bytes of JSON text. */
int orc_json_parse(const char *buf, size_t len, json_t **ret, orc_error_t *err);
/* Compact dump; aborts on OOM. */
char *orc_json_dump(const json_t *j);
/* A JSON array of the strings of v (NULL-terminated; NULL gives []). */
json_t *orc_json_strv_array(char *const *v);
/* The strings of a JSON array (other elements skipped), NULL-terminated; NULL when a is no
 * array. Caller frees (strv_free). */
char **orc_json_array_strv(const json_t *a);
/* Sends j as one line (compact JSON and '\n') on a stream socket, without SIGPIPE: 0, or
 * -errno (-EAGAIN: a non-blocking socket is full). */
int orc_json_send_line(int fd, const json_t *j);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The query of a pods/log request as kube-apiserver reads a PodLogOptions: booleans are false
 * only for "0", "f", "false", "n", "no" (any case), present otherwise; integers and the time
 * refused as Go's parsers refuse them (status EBADMSG: 400), values out of range as
 * ValidatePodLogOptions words them (status EINVAL: 422, each in its message, "[a, b]" for
 * several). Pure.
 */
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct log_options {
    const char *container; /* NULL: the only one */
    bool follow, previous, timestamps;
    long long tail_lines;  /* -1: every line */
    long long limit_bytes; /* -1: no limit */
    int64_t since_ns;      /* 0: from the start (sinceSeconds counts back from now) */
};

/* The value of key in the query (NULL when absent; "" for a key without value). */
typedef const char *(*log_options_lookup)(void *arg, const char *key);

int log_options_parse(log_options_lookup lookup, void *arg, int64_t now_ns, struct log_options *ret,
                      orc_error_t *err);

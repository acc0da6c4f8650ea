/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

/* NULL-terminated string vectors. */
size_t strv_length(char *const *v);
char **strv_copy(char *const *v);
/* Appends a copy of s; returns the (possibly moved) vector. */
char **strv_push(char **v, const char *s);
bool strv_contains(char *const *v, const char *s);
/* The strings with sep between them ("" for none); caller frees. */
char *strv_join(char *const *v, const char *sep);
/* Sorts in place, by strcmp. */
void strv_sort(char **v);
char **strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

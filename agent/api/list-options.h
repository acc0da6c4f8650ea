/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The paging and consistency parameters of a list: limit and continue (a list in pages, each
 * with a continue token for the rest), resourceVersion and resourceVersionMatch, validated
 * with the API server's messages. The store keeps no history: a list is always of the current
 * objects, resourceVersion only says how recent they must be, and every page of a continued
 * list reports its first page's resourceVersion. Pure.
 *
 * Errors carry the status a handler answers with: EBADMSG 400 BadRequest, EINVAL 422 Invalid
 * (ListOptions.meta.k8s.io), EKEYEXPIRED 410 Expired, ETIMEDOUT 504 Timeout (a resourceVersion
 * the store has not reached).
 */
#include <stdbool.h>

#include "error.h"

struct list_options {
    long long limit;       /* > 0: at most this many items, then a continue token */
    char *after_namespace; /* continue: the list goes on after this object ("" when it */
    char *after_name;      /* is cluster-scoped); NULL from the start */
    long long continue_rv; /* the continued list's resourceVersion (0: not continued) */
    long long min_rv;      /* resourceVersion=N: not older than N (0: any) */
    bool exact;            /* resourceVersionMatch=Exact: exactly min_rv */
};

/* From the query's values (each NULL when absent). */
int list_options_parse(const char *limit, const char *cont, const char *rv, const char *rv_match,
                       struct list_options *ret, orc_error_t *err);
void list_options_done(struct list_options *o);
/* Whether a list of the store at resourceVersion current answers o. */
int list_options_check(const struct list_options *o, long long current, orc_error_t *err);
/* The resourceVersion a list of the store at current reports. */
long long list_options_rv(const struct list_options *o, long long current);
/* Whether namespace/name comes after where a continued list resumes (always, from the
 * start): lists are ordered by namespace, then name. */
bool list_options_after(const struct list_options *o, const char *ns, const char *name);
/* The token that continues a list after ns/name (ns NULL or "" when cluster-scoped), whose
 * first page was at resourceVersion rv. Caller frees. */
char *list_continue_token(long long rv, const char *ns, const char *name);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The CLI's view of orcd: HTTP over the agent's unix socket (libcurl). Nothing is sent unless
 * the socket's directory is this user's and private, and the process listening on it runs as
 * this user (SO_PEERCRED): another user's server never gets a request. */
struct client {
    char *socket;
    const char *ns;       /* -n, default "default" */
    bool ns_given;        /* -n was written */
    int all_ns;           /* -A */
    const char *progress; /* set: client_do shows a spinner with this label on a TTY */
    int conn_fd;          /* the request's socket (libcurl owns it) */
    orc_error_t refused;  /* why the last connection was refused (handed to the caller) */
};

struct reply {
    long code;
    char *body;
    size_t len;
};

/* Performs one request; transport failures become a clear "is the agent running?" error. */
int client_do(struct client *c, const char *method, const char *path, const char *body,
              size_t body_len, struct reply *ret, orc_error_t *err);
/* Streams the response body to fd 1 as it arrives (logs -f). */
int client_stream(struct client *c, const char *path, long *ret_code, struct reply *ret_err_body,
                  orc_error_t *err);
/* POSTs body and hands each line of a 2xx answer to on_line as it arrives (pull progress);
 * a non-2xx answer is collected into *ret_err_body. */
int client_post_lines(struct client *c, const char *path, const char *body,
                      void (*on_line)(void *arg, const char *line), void *arg, long *ret_code,
                      struct reply *ret_err_body, orc_error_t *err);
/* The same for a GET (a watch: one event per line), until the server ends the answer. */
int client_get_lines(struct client *c, const char *path,
                     void (*on_line)(void *arg, const char *line), void *arg, long *ret_code,
                     struct reply *ret_err_body, orc_error_t *err);
void reply_done(struct reply *r);
/* A request that should answer 200 with JSON: 0 and *ret on success; otherwise prints the
 * transport or server error as kubectl does and returns 1 (the exit status). */
int client_call(struct client *c, const char *method, const char *path, const char *body,
                size_t body_len, json_t **ret);
/* Parses a JSON reply body (NULL when it is not JSON). */
json_t *reply_json(const struct reply *r);
/* Prints a non-2xx reply as kubectl does ("Error from server (NotFound): ...") to stderr,
 * followed by every further cause of a Status on its own line. */
void print_server_error(const struct reply *r);
/* URL-escapes a path component or query value. Caller frees. */
char *client_escape(const char *s);

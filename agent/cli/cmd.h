/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "client.h"
#include "output.h"

/* One function per verb: argv[0] is the verb; returns 0 on success, 1 on failure (orc.c
 * turns that into the verb's exit status: 1, or 125 for the image verbs). */
int cmd_apply(struct client *c, int argc, char **argv);
int cmd_get(struct client *c, int argc, char **argv);
int cmd_describe(struct client *c, int argc, char **argv);
int cmd_delete(struct client *c, int argc, char **argv);
int cmd_logs(struct client *c, int argc, char **argv);
int cmd_events(struct client *c, int argc, char **argv);
int cmd_image(struct client *c, int argc, char **argv);
int cmd_pull(struct client *c, int argc, char **argv);
int cmd_check(struct client *c, int argc, char **argv);
int cmd_install(struct client *c, int argc, char **argv);
int cmd_top(struct client *c, int argc, char **argv);
int cmd_version(struct client *c, int argc, char **argv);
int cmd_kubeconfig(struct client *c, int argc, char **argv);
/* Returns the command's exit status (125: orc unshare itself failed). */
int cmd_unshare(struct client *c, int argc, char **argv);

/* get -w (get-watch.c): lists the pods (or the pod name), then prints every change of them
 * until interrupted; watch_only: not the list. */
int get_watch(struct client *c, const char *name, enum output_format fmt, bool watch_only);
/* get-objects.c: orc get configmaps|secrets (cm, configmap, secret): the kind a word names,
 * NULL for none; its list (names empty) or the objects named, in fmt. */
struct object_kind;
const struct object_kind *cli_object_kind(const char *word);
int cli_get_objects(struct client *c, const struct object_kind *k, char **names,
                    enum output_format fmt);

/* Shared by verbs. */
int cli_fail(orc_error_t *err); /* prints "error: ..." and returns 1 */
/* "error: ...\nSee 'orc VERB --help' for usage." and returns 1. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long (optstring starting with ':') returned '?' or ':': cobra's message. */
int cli_getopt_error(const char *verb, int ret, char **argv);
/* -h / --help before any "--": prints help to stdout and returns true. */
bool cli_help(int argc, char **argv, const char *help);

/* Reads FILE, DIR (its *.yaml *.yml *.json in name order) or "-": a list of (name, bytes). */
struct input_file {
    char *name;
    char *data;
    size_t len;
};
int cli_read_inputs(const char *arg, struct input_file **files, size_t *n, orc_error_t *err);
void cli_inputs_free(struct input_file *files, size_t n);

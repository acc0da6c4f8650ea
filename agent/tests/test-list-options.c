/* SPDX-License-Identifier: Apache-2.0 */
/* What a read asks for: the Accept header's form, limit, continue and resourceVersion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/list-options.h"
#include "api/negotiate.h"
#include "tap.h"

static void negotiates(const char *accept, enum api_as as, const char *version)
{
    struct api_media m = {_API_AS_INVALID, "unset"};
    tap_is_int(api_negotiate(accept, &m), 0, "'%s' is served", accept ? accept : "(none)");
    tap_is_int(m.as, as, "'%s': the form", accept ? accept : "(none)");
    if (version)
        tap_is_str(m.api_version, version, "'%s': the version", accept);
}

static void negotiation(void)
{
    negotiates(NULL, API_AS_OBJECT, NULL);
    negotiates("", API_AS_OBJECT, NULL);
    negotiates("*/*", API_AS_OBJECT, NULL);
    negotiates("application/json", API_AS_OBJECT, NULL);
    /* what kubectl get sends */
    negotiates("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;"
               "v=v1beta1;g=meta.k8s.io,application/json",
               API_AS_TABLE, "meta.k8s.io/v1");
    negotiates("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json", API_AS_TABLE,
               "meta.k8s.io/v1beta1");
    negotiates("application/json ; as=Table ; g=meta.k8s.io ; v=v1", API_AS_TABLE,
               "meta.k8s.io/v1");
    /* protobuf is not served: the next choice is */
    negotiates("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
               "application/json;as=Table;v=v1;g=meta.k8s.io",
               API_AS_TABLE, "meta.k8s.io/v1");
    negotiates("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", API_AS_OBJECT,
               NULL);
    negotiates("application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io", API_AS_TABLE,
               "meta.k8s.io/v1");
    negotiates("*/*,application/json;as=Table;v=v1;g=meta.k8s.io", API_AS_TABLE, "meta.k8s.io/v1");
    negotiates("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
               API_AS_PARTIAL_LIST, "meta.k8s.io/v1");
    struct api_media m;
    tap_is_int(api_negotiate("text/html", &m), -EINVAL, "text/html is not served");
    tap_is_int(api_negotiate("application/json;as=Table;v=v1;g=apps", &m), -EINVAL,
               "a Table of another group is not served");
    tap_is_int(api_negotiate("application/json;q=0", &m), -EINVAL, "q=0 refuses JSON");
}

static void parses(const char *limit, const char *cont, const char *rv, const char *match,
                   struct list_options *ret)
{
    orc_error_t err = NULL;
    int r = list_options_parse(limit, cont, rv, match, ret, &err);
    tap_is_int(r, 0, "limit=%s continue=%s resourceVersion=%s match=%s is accepted: %s",
               limit ? limit : "-", cont ? cont : "-", rv ? rv : "-", match ? match : "-",
               err ? orc_error_message(err) : "ok");
    orc_error_release(&err);
}

static void refused(const char *limit, const char *cont, const char *rv, const char *match,
                    int code, const char *msg)
{
    struct list_options o;
    orc_error_t err = NULL;
    tap_is_int(list_options_parse(limit, cont, rv, match, &o, &err), -code,
               "limit=%s resourceVersion=%s match=%s is refused", limit ? limit : "-",
               rv ? rv : "-", match ? match : "-");
    tap_is_str(err ? orc_error_message(err) : NULL, msg, "... with the API server's message");
    orc_error_release(&err);
}

static void options(void)
{
    struct list_options o;
    parses(NULL, NULL, NULL, NULL, &o);
    tap_ok(o.limit == 0 && !o.after_name && !o.min_rv, "no parameters: the whole current list");
    parses("2", NULL, "0", NULL, &o);
    tap_is_int(o.limit, 2, "limit");
    parses(NULL, NULL, "17", "NotOlderThan", &o);
    tap_ok(o.min_rv == 17 && !o.exact, "resourceVersion=17 NotOlderThan");
    orc_error_t err = NULL;
    tap_is_int(list_options_check(&o, 20, &err), 0, "a newer store answers NotOlderThan");
    tap_is_int(list_options_check(&o, 12, &err), -ETIMEDOUT, "an older one does not");
    tap_is_str(orc_error_message(err), "Too large resource version: 17, current: 12",
               "... as the API server says");
    orc_error_release(&err);
    parses(NULL, NULL, "17", "Exact", &o);
    tap_is_int(list_options_check(&o, 17, &err), 0, "Exact: the same version");
    tap_is_int(list_options_check(&o, 20, &err), -EKEYEXPIRED, "Exact: a store that moved on");
    tap_is_str(orc_error_message(err), "The resourceVersion for the provided list is too old.",
               "... is Expired");
    orc_error_release(&err);

    refused("x", NULL, NULL, NULL, EBADMSG, "strconv.ParseInt: parsing \"x\": invalid syntax");
    refused(NULL, NULL, "abc", NULL, EBADMSG,
            "resourceVersion: Invalid value: \"abc\": strconv.ParseUint: parsing \"abc\": "
            "invalid syntax");
    refused(NULL, NULL, NULL, "Exact", EINVAL,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch is forbidden unless resourceVersion is provided");
    refused(NULL, NULL, "0", "Exact", EINVAL,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: "
            "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    refused(NULL, "abc", NULL, "Newest", EINVAL,
            "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: "
            "resourceVersionMatch is forbidden unless resourceVersion is provided, "
            "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue "
            "is provided, resourceVersionMatch: Unsupported value: \"Newest\": supported "
            "values: \"Exact\", \"NotOlderThan\", \"\"]");
}

static void continue_tokens(void)
{
    char *token = list_continue_token(42, "default", "web-3");
    tap_ok(token && strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_") == strlen(token),
           "a token is URL-safe base64: %s", token);
    struct list_options o;
    parses("2", token, "0", NULL, &o);
    tap_is_int(o.continue_rv, 42, "the token keeps the first page's resourceVersion");
    tap_is_int(list_options_rv(&o, 50), 42, "... which every page reports");
    tap_is_str(o.after_namespace, "default", "the token's namespace");
    tap_is_str(o.after_name, "web-3", "... and name");
    tap_ok(!list_options_after(&o, "default", "web-3"), "the last object shown is not again");
    tap_ok(!list_options_after(&o, "default", "web-10"), "nor one before it");
    tap_ok(list_options_after(&o, "default", "web-4"), "the next one is");
    tap_ok(list_options_after(&o, "kube-system", "a"), "so is a later namespace");
    list_options_done(&o);
    refused(NULL, token, "5", NULL, EBADMSG,
            "specifying resource version is not allowed when using continue");
    free(token);
    token = list_continue_token(7, NULL, "host");
    parses(NULL, token, NULL, NULL, &o);
    tap_ok(!strcmp(o.after_namespace, "") && !strcmp(o.after_name, "host"),
           "a cluster-scoped object's token");
    list_options_done(&o);
    free(token);
    refused(NULL, "not base64!", NULL, NULL, EBADMSG,
            "invalid continue token: continue key is not valid: illegal base64 data");
    /* {"v":"meta.k8s.io/v1","rv":0,"start":"a\u0000"} */
    refused(NULL, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhXHUwMDAwIn0", NULL, NULL,
            EBADMSG,
            "invalid continue token: continue key is not valid: incorrect encoded start "
            "resourceVersion (version meta.k8s.io/v1)");
}

int main(void)
{
    negotiation();
    options();
    continue_tokens();
    return tap_done();
}

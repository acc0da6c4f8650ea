/* SPDX-License-Identifier: Apache-2.0 */
/* limit, continue and resourceVersion of list requests. A continue token is, as the API
 * server's, unpadded URL-safe base64 of {"v":"meta.k8s.io/v1","rv":RV,"start":KEY} where KEY
 * is "namespace/name\0" (or "name\0"), the first key after the page. */
#include "api/list-options.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "strv.h"
#include "xalloc.h"

static char *base64url_encode(const char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *) out, (const unsigned char *) data, (int) len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *c = out; *c; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
    return out;
}

/* -1 when s is not unpadded URL-safe base64 */
static int base64url_decode(const char *s, char **ret, size_t *ret_len)
{
    size_t n = strlen(s);
    if (n % 4 == 1 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-_") != n)
        return -1;
    size_t pad = (4 - n % 4) % 4;
    _cleanup_free_ char *std = xmalloc(n + pad + 1);
    for (size_t i = 0; i < n; i++)
        std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    memset(std + n, '=', pad);
    std[n + pad] = '\0';
    char *out = xmalloc((n + pad) / 4 * 3 + 1);
    int len = EVP_DecodeBlock((unsigned char *) out, (unsigned char *) std, (int) (n + pad));
    if (len < 0) {
        free(out);
        return -1;
    }
    *ret_len = (size_t) len - pad; /* the padding decodes as zero bytes */
    out[*ret_len] = '\0';
    *ret = out;
    return 0;
}

char *list_continue_token(long long rv, const char *ns, const char *name)
{
    _cleanup_free_ char *start = ns && *ns ? xasprintf("%s/%s", ns, name) : xstrdup(name);
    /* the key, then a NUL: the first key after it */
    json_auto_t *j = json_pack("{s:s,s:I,s:s%}", "v", "meta.k8s.io/v1", "rv", (json_int_t) rv,
                               "start", start, strlen(start) + 1);
    _cleanup_free_ char *text = orc_json_dump(j);
    return base64url_encode(text, strlen(text));
}

static int bad_token(orc_error_t *err, const char *why)
{
    return orc_error_make_as(err, EBADMSG, "invalid continue token: continue key is not valid: %s",
                             why);
}

static int decode_token(const char *token, struct list_options *o, orc_error_t *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    if (base64url_decode(token, &text, &len) < 0)
        return bad_token(err, "illegal base64 data");
    json_auto_t *j = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    if (!j)
        return bad_token(err, jerr.text);
    if (strcmp(orc_json_str(j, "v") ?: "", "meta.k8s.io/v1"))
        return bad_token(err, "server does not recognize this encoded version");
    o->continue_rv = orc_json_int(j, "rv", 0);
    if (o->continue_rv <= 0)
        return bad_token(err, "incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    const json_t *start = json_object_get(j, "start");
    size_t n = json_string_length(start);
    const char *key = json_string_value(start);
    if (!key || n < 2 || key[n - 1] != '\0' || memchr(key, '\0', n - 1))
        return bad_token(err, "encoded start key refers to a parent path");
    const char *slash = strchr(key, '/');
    o->after_namespace = slash ? xstrndup(key, (size_t) (slash - key)) : xstrdup("");
    o->after_name = xstrdup(slash ? slash + 1 : key);
    return 0;
}

/* A whole non-negative number, as the API server's strconv reads it. */
static int parse_number(const char *s, bool sign, long long *ret)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || (!sign && (v < 0 || *s == '+' || *s == '-')))
        return -1;
    *ret = v;
    return 0;
}

/* ValidateListOptions: every problem, as "ListOptions.meta.k8s.io "" is invalid: ..." */
static int validate_match(const char *rv, const char *cont, const char *match, orc_error_t *err)
{
    if (!match || !*match)
        return 0;
    _cleanup_(strv_freep) char **errs = NULL;
    if (!rv || !*rv)
        errs = strv_push(errs, "resourceVersionMatch: Forbidden: resourceVersionMatch is "
                               "forbidden unless resourceVersion is provided");
    if (cont && *cont)
        errs = strv_push(errs, "resourceVersionMatch: Forbidden: resourceVersionMatch is "
                               "forbidden when continue is provided");
    if (strcmp(match, "Exact") && strcmp(match, "NotOlderThan")) {
        _cleanup_free_ char *e = xasprintf("resourceVersionMatch: Unsupported value: \"%s\": "
                                           "supported values: \"Exact\", \"NotOlderThan\", \"\"",
                                           match);
        errs = strv_push(errs, e);
    }
    if (!strcmp(match, "Exact") && rv && !strcmp(rv, "0"))
        errs = strv_push(errs, "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" "
                               "is forbidden for resourceVersion \"0\"");
    if (!errs)
        return 0;
    _cleanup_free_ char *all = strv_join(errs, ", ");
    return orc_error_make_as(err, EINVAL, "ListOptions.meta.k8s.io \"\" is invalid: %s%s%s",
                             errs[1] ? "[" : "", all, errs[1] ? "]" : "");
}

int list_options_parse(const char *limit, const char *cont, const char *rv, const char *rv_match,
                       struct list_options *ret, orc_error_t *err)
{
    struct list_options o = {0};
    int r = validate_match(rv, cont, rv_match, err);
    if (r < 0)
        return r;
    if (limit && *limit && parse_number(limit, true, &o.limit) < 0)
        return orc_error_make_as(err, EBADMSG, "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                 limit);
    if (rv && *rv && parse_number(rv, false, &o.min_rv) < 0)
        return orc_error_make_as(err, EBADMSG,
                                 "resourceVersion: Invalid value: \"%s\": strconv.ParseUint: "
                                 "parsing \"%s\": invalid syntax",
                                 rv, rv);
    if (cont && *cont) {
        if (o.min_rv)
            return orc_error_make_as(err, EBADMSG,
                                     "specifying resource version is not allowed "
                                     "when using continue");
        r = decode_token(cont, &o, err);
        if (r < 0) {
            list_options_done(&o);
            return r;
        }
    }
    o.exact = rv_match && !strcmp(rv_match, "Exact");
    *ret = o;
    return 0;
}

void list_options_done(struct list_options *o)
{
    free(o->after_namespace);
    free(o->after_name);
    o->after_namespace = o->after_name = NULL;
}

int list_options_check(const struct list_options *o, long long current, orc_error_t *err)
{
    if (o->continue_rv || !o->min_rv || o->min_rv == current)
        return 0;
    if (o->min_rv > current)
        return orc_error_make_as(err, ETIMEDOUT, "Too large resource version: %lld, current: %lld",
                                 o->min_rv, current);
    if (o->exact)
        return orc_error_make_as(err, EKEYEXPIRED,
                                 "The resourceVersion for the provided list is too old.");
    return 0;
}

long long list_options_rv(const struct list_options *o, long long current)
{
    return o->continue_rv ? o->continue_rv : current;
}

bool list_options_after(const struct list_options *o, const char *ns, const char *name)
{
    if (!o->after_name)
        return true;
    int c = strcmp(ns ?: "", o->after_namespace);
    return c > 0 || (c == 0 && strcmp(name, o->after_name) > 0);
}

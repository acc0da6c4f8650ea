/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label selectors as apimachinery's pkg/labels reads them: the text is cut into tokens
 * (operators are keywords only where an operator may stand: "in" is a fine key or value),
 * parsed by recursive descent, and every key and value validated with the API server's
 * messages ("unable to parse requirement: <nil>: Invalid value: ...").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "manifest.h"
#include "selector.h"
#include "strv.h"
#include "xalloc.h"

enum token {
    TOK_END,
    TOK_ID,
    TOK_CLOSE,
    TOK_COMMA,
    TOK_NOT,
    TOK_DOUBLE_EQUALS,
    TOK_EQUALS,
    TOK_GT,
    TOK_IN,
    TOK_LT,
    TOK_NOT_EQUALS,
    TOK_NOT_IN,
    TOK_OPEN,
};

enum label_op {
    LABEL_IN,
    LABEL_NOT_IN,
    LABEL_EXISTS,
    LABEL_NOT_EXISTS,
    LABEL_GT,
    LABEL_LT,
};

struct requirement {
    char *key;
    enum label_op op;
    char **values; /* sorted, unique; "=" is "in" with one value, "!=" "notin" */
};

struct label_selector {
    struct requirement *reqs;
    size_t n;
};

struct item {
    enum token tok;
    char *lit;
};

struct parser {
    struct item *items;
    size_t n, pos;
    char *error; /* the first error, as the API server words it */
};

static const struct {
    const char *text;
    enum token tok;
} keywords[] = {
    {")", TOK_CLOSE},       {",", TOK_COMMA},      {"!", TOK_NOT},  {"==", TOK_DOUBLE_EQUALS},
    {"=", TOK_EQUALS},      {">", TOK_GT},         {"in", TOK_IN},  {"<", TOK_LT},
    {"!=", TOK_NOT_EQUALS}, {"notin", TOK_NOT_IN}, {"(", TOK_OPEN},
};

static int keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
        if (strlen(keywords[i].text) == n && !strncmp(keywords[i].text, s, n))
            return (int) keywords[i].tok;
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
    return c && strchr("=!(),><", c);
}

/* One token from *p: symbols take the longest operator ("!=" before "!"), words run to the
 * next symbol or blank and are keywords when they spell one. */
static struct item lex_one(const char **p)
{
    const char *s = *p;
    while (is_space(*s))
        s++;
    size_t n = 0;
    int tok;
    if (!*s) {
        tok = TOK_END;
    } else if (is_special(*s)) {
        n = is_special(s[1]) && keyword(s, 2) >= 0 ? 2 : 1;
        tok = keyword(s, n);
    } else {
        while (s[n] && !is_special(s[n]) && !is_space(s[n]))
            n++;
        tok = keyword(s, n);
        if (tok < 0)
            tok = TOK_ID;
    }
    *p = s + n;
    return (struct item){(enum token) tok, xstrndup(s, n)};
}

static void parser_scan(struct parser *p, const char *text)
{
    size_t cap = 0;
    for (;;) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 16;
            p->items = xrealloc(p->items, cap * sizeof(*p->items));
        }
        p->items[p->n] = lex_one(&text);
        if (p->items[p->n++].tok == TOK_END)
            return;
    }
}

/* Where a value may stand, "in" and "notin" are plain words. */
static enum token as_value(enum token t)
{
    return t == TOK_IN || t == TOK_NOT_IN ? TOK_ID : t;
}

static enum token peek(const struct parser *p, const char **ret_lit)
{
    if (ret_lit)
        *ret_lit = p->items[p->pos].lit;
    return as_value(p->items[p->pos].tok);
}

/* Takes the next token (END stays); value: read as a value, operators are words. */
static enum token next(struct parser *p, bool value, const char **ret_lit)
{
    const struct item *it = &p->items[p->pos];
    if (it->tok != TOK_END)
        p->pos++;
    *ret_lit = it->lit;
    return value ? as_value(it->tok) : it->tok;
}

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    if (!p->error) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&p->error, fmt, ap) < 0)
            abort();
        va_end(ap);
    }
    return -1;
}

/* apimachinery's RegexError: the rule, examples and the regular expression. */
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_RULE                                                                                 \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "    \
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "         \
    "validation is '" QNAME_FMT "')"
#define SUBDOMAIN_RULE                                                                             \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "   \
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "  \
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define VALUE_RULE                                                                                 \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "    \
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "             \
    "'my_value',  or '12345', regex used for validation is '(" QNAME_FMT ")?')"

static char **key_errors(const char *key)
{
    char **errs = NULL;
    const char *slash = strchr(key, '/');
    if (slash && strchr(slash + 1, '/'))
        return strv_push(errs, "a qualified name " QNAME_RULE " with an optional DNS subdomain "
                               "prefix and '/' (e.g. 'example.com/MyName')");
    const char *name = slash ? slash + 1 : key;
    if (slash && slash == key) {
        errs = strv_push(errs, "prefix part must be non-empty");
    } else if (slash) {
        _cleanup_free_ char *prefix = xstrndup(key, (size_t) (slash - key));
        if (strlen(prefix) > 253)
            errs = strv_push(errs, "prefix part must be no more than 253 characters");
        if (!manifest_is_dns1123_subdomain(prefix) || strlen(prefix) > 253)
            errs = strv_push(errs, "prefix part " SUBDOMAIN_RULE);
    }
    if (!*name)
        errs = strv_push(errs, "name part must be non-empty");
    else if (strlen(name) > 63)
        errs = strv_push(errs, "name part must be no more than 63 characters");
    if (!manifest_is_label_name(name, strlen(name)))
        errs = strv_push(errs, "name part " QNAME_RULE);
    return errs;
}

static char **value_errors(const char *v)
{
    char **errs = NULL;
    if (strlen(v) > 63)
        errs = strv_push(errs, "must be no more than 63 characters");
    if (*v && !manifest_is_label_name(v, strlen(v)))
        errs = strv_push(errs, VALUE_RULE);
    return errs;
}

/* The first message, or "[a, b]" for several, as an aggregate prints them; frees errs. */
static char *first_field_error(const char *field, const char *value, char **errs)
{
    _cleanup_free_ char *all = strv_join(errs, ", ");
    char *msg = xasprintf("%s: Invalid value: \"%s\": %s%s%s", field, value,
                          strv_length(errs) > 1 ? "[" : "", all, strv_length(errs) > 1 ? "]" : "");
    strv_free(errs);
    return msg;
}

#define ANNOTATIONS_MAX (256 * 1024)

char *label_meta_check(const json_t *labels, const json_t *annotations)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) labels, key, v) {
        if (!json_is_string(v))
            return xasprintf("metadata.labels[%s]: Invalid value: must be a string", key);
        char **errs = key_errors(key);
        if (errs)
            return first_field_error("metadata.labels", key, errs);
        if ((errs = value_errors(json_string_value(v))))
            return first_field_error("metadata.labels", json_string_value(v), errs);
    }
    size_t total = 0;
    json_object_foreach((json_t *) annotations, key, v) {
        if (!json_is_string(v))
            return xasprintf("metadata.annotations[%s]: Invalid value: must be a string", key);
        _cleanup_free_ char *lower = xstrdup(key);
        for (char *c = lower; *c; c++)
            *c = (char) tolower((unsigned char) *c);
        char **errs = key_errors(lower);
        if (errs)
            return first_field_error("metadata.annotations", key, errs);
        total += strlen(key) + strlen(json_string_value(v));
    }
    if (total > ANNOTATIONS_MAX)
        return xasprintf("metadata.annotations: Too long: may not be more than %d bytes",
                         ANNOTATIONS_MAX);
    return NULL;
}

static bool valid_int64(const char *s)
{
    char *end = NULL;
    errno = 0;
    (void) strtoll(s, &end, 10);
    return *s && !*end && errno == 0;
}

/* NewRequirement's checks; several errors read "[a, b]" as an aggregate does. */
static int check_requirement(struct parser *p, const struct requirement *r)
{
    _cleanup_(strv_freep) char **errs = NULL;
    for (size_t i = 0; r->values && r->values[i]; i++) {
        if ((r->op == LABEL_GT || r->op == LABEL_LT) && !valid_int64(r->values[i])) {
            _cleanup_free_ char *e = xasprintf("values[%zu]: Invalid value: \"%s\": for 'Gt', "
                                               "'Lt' operators, the value must be an integer",
                                               i, r->values[i]);
            errs = strv_push(errs, e);
        }
        _cleanup_(strv_freep) char **v = value_errors(r->values[i]);
        if (v) {
            _cleanup_free_ char *body = strv_join(v, "; ");
            _cleanup_free_ char *e = xasprintf("values[%zu][%s]: Invalid value: \"%s\": %s", i,
                                               r->key, r->values[i], body);
            errs = strv_push(errs, e);
        }
    }
    if (!errs)
        return 0;
    _cleanup_free_ char *all = strv_join(errs, ", ");
    return strv_length(errs) == 1 ? fail(p, "%s", all) : fail(p, "[%s]", all);
}

/* A set of values: sorted, each once. */
static char **values_add(char **v, const char *s)
{
    return strv_contains(v, s) ? v : strv_push(v, s);
}

/* "(a,b)", "()", "(,a)", "(a,,b)": an empty place is the empty value. */
static int parse_value_list(struct parser *p, char ***values)
{
    const char *lit;
    if (next(p, true, &lit) != TOK_OPEN)
        return fail(p, "found '%s' expected: '('", lit);
    enum token t = peek(p, &lit);
    if (t == TOK_CLOSE) {
        next(p, true, &lit);
        *values = values_add(*values, "");
        return 0;
    }
    if (t != TOK_ID && t != TOK_COMMA)
        return fail(p, "found '%s', expected: ',', ')' or identifier", lit);
    for (;;) {
        const char *lit2;
        t = next(p, true, &lit);
        if (t == TOK_ID) {
            *values = values_add(*values, lit);
            enum token t2 = peek(p, &lit2);
            if (t2 == TOK_CLOSE)
                break;
            if (t2 != TOK_COMMA)
                return fail(p, "found '%s', expected: ',' or ')'", lit2);
        } else if (t == TOK_COMMA) {
            if (!*values)
                *values = values_add(*values, "");
            enum token t2 = peek(p, NULL);
            if (t2 == TOK_CLOSE || t2 == TOK_COMMA)
                *values = values_add(*values, "");
            if (t2 == TOK_CLOSE)
                break;
            if (t2 == TOK_COMMA)
                next(p, true, &lit2);
        } else {
            return fail(p, "found '%s', expected: ',', or identifier", lit);
        }
    }
    next(p, true, &lit); /* the ')' */
    return 0;
}

/* "=x", "=" (the empty value) */
static int parse_exact_value(struct parser *p, char ***values)
{
    const char *lit;
    enum token t = peek(p, NULL);
    if (t == TOK_END || t == TOK_COMMA) {
        *values = values_add(*values, "");
        return 0;
    }
    if (next(p, true, &lit) != TOK_ID)
        return fail(p, "found '%s', expected: identifier", lit);
    *values = values_add(*values, lit);
    return 0;
}

static int parse_operator(struct parser *p, enum label_op *ret)
{
    static const struct {
        enum token tok;
        enum label_op op;
    } ops[] = {
        {TOK_IN, LABEL_IN},         {TOK_EQUALS, LABEL_IN},         {TOK_DOUBLE_EQUALS, LABEL_IN},
        {TOK_NOT_IN, LABEL_NOT_IN}, {TOK_NOT_EQUALS, LABEL_NOT_IN}, {TOK_GT, LABEL_GT},
        {TOK_LT, LABEL_LT},
    };
    const char *lit;
    enum token t = next(p, false, &lit);
    for (size_t i = 0; i < ELEMENTSOF(ops); i++)
        if (ops[i].tok == t) {
            *ret = ops[i].op;
            return 0;
        }
    return fail(p, "found '%s', expected: in, notin, =, ==, !=, gt, lt", lit);
}

/* "[!]key [op values]"; ret->key is set once the key is read. */
static int parse_requirement(struct parser *p, struct requirement *ret)
{
    const char *lit;
    enum token t = next(p, true, &lit);
    bool not = t == TOK_NOT;
    if (not )
        t = next(p, true, &lit);
    if (t != TOK_ID)
        return fail(p, "found '%s', expected: identifier", lit);
    _cleanup_(strv_freep) char **errs = key_errors(lit);
    if (errs) {
        _cleanup_free_ char *body = strv_join(errs, "; ");
        return fail(p, "<nil>: Invalid value: \"%s\": %s", lit, body);
    }
    ret->key = xstrdup(lit);
    enum token after = peek(p, NULL);
    if (not || after == TOK_END || after == TOK_COMMA) {
        ret->op = not ? LABEL_NOT_EXISTS : LABEL_EXISTS;
        return 0;
    }
    if (parse_operator(p, &ret->op) < 0)
        return -1;
    bool list = p->items[p->pos - 1].tok == TOK_IN || p->items[p->pos - 1].tok == TOK_NOT_IN;
    if ((list ? parse_value_list(p, &ret->values) : parse_exact_value(p, &ret->values)) < 0)
        return -1;
    strv_sort(ret->values);
    return check_requirement(p, ret);
}

static void requirement_clear(struct requirement *r)
{
    free(r->key);
    strv_free(r->values);
}

static int cmp_requirement(const void *a, const void *b)
{
    return strcmp(((const struct requirement *) a)->key, ((const struct requirement *) b)->key);
}

static int parse_all(struct parser *p, struct label_selector *sel)
{
    for (;;) {
        const char *lit;
        enum token t = peek(p, &lit);
        if (t == TOK_END)
            return 0;
        if (t != TOK_ID && t != TOK_NOT)
            return fail(p, "found '%s', expected: !, identifier, or 'end of string'", lit);
        sel->reqs = xrealloc(sel->reqs, (sel->n + 1) * sizeof(*sel->reqs));
        struct requirement *r = &sel->reqs[sel->n++];
        *r = (struct requirement){0};
        if (parse_requirement(p, r) < 0) {
            _cleanup_free_ char *why = p->error;
            p->error = NULL;
            return fail(p, "unable to parse requirement: %s", why);
        }
        t = next(p, true, &lit);
        if (t == TOK_END)
            return 0;
        if (t != TOK_COMMA)
            return fail(p, "found '%s', expected: ',' or 'end of string'", lit);
        enum token t2 = peek(p, &lit);
        if (t2 != TOK_ID && t2 != TOK_NOT)
            return fail(p, "found '%s', expected: identifier after ','", lit);
    }
}

int label_selector_parse(const char *text, struct label_selector **ret, orc_error_t *err)
{
    struct parser p = {0};
    struct label_selector *sel = new0(struct label_selector, 1);
    parser_scan(&p, text ? text : "");
    int r = parse_all(&p, sel);
    for (size_t i = 0; i < p.n; i++)
        free(p.items[i].lit);
    free(p.items);
    if (r < 0) {
        label_selector_free(sel);
        r = orc_error_make_as(err, EINVAL, "%s", p.error);
        free(p.error);
        return r;
    }
    if (sel->n) /* qsort of NULL (no requirement) is undefined, even for 0 items */
        qsort(sel->reqs, sel->n, sizeof(*sel->reqs), cmp_requirement);
    *ret = sel;
    return 0;
}

static bool requirement_matches(const struct requirement *r, const json_t *labels)
{
    const char *v = json_string_value(json_object_get(labels, r->key));
    switch (r->op) {
    case LABEL_IN:
        return v && strv_contains(r->values, v);
    case LABEL_NOT_IN:
        return !v || !strv_contains(r->values, v);
    case LABEL_EXISTS:
        return v;
    case LABEL_NOT_EXISTS:
        return !v;
    case LABEL_GT:
    case LABEL_LT:
        if (!v || !valid_int64(v))
            return false;
        long long have = strtoll(v, NULL, 10), want = strtoll(r->values[0], NULL, 10);
        return r->op == LABEL_GT ? have > want : have < want;
    }
    return false;
}

bool label_selector_matches(const struct label_selector *s, const json_t *labels)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!requirement_matches(&s->reqs[i], labels))
            return false;
    return true;
}

bool label_selector_matches_object(const struct label_selector *s, const json_t *obj)
{
    return label_selector_matches(s, json_object_get(json_object_get(obj, "metadata"), "labels"));
}

bool label_selector_empty(const struct label_selector *s)
{
    return !s || s->n == 0;
}

struct label_selector *label_selector_free(struct label_selector *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n; i++)
        requirement_clear(&s->reqs[i]);
    free(s->reqs);
    free(s);
    return NULL;
}

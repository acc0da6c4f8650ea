/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Build tool: Kubernetes' OpenAPI v3 documents cut down to what orcd serves, as C data.
 *
 *   openapi-filter LIST DIR OUT.c
 *
 * LIST names, one a line, a document and a resource ("api/v1 pods", "api/v1 pods/log",
 * "apis/events.k8s.io/v1 events"); DIR holds Kubernetes' documents as its repository names
 * them (api/openapi-spec/v3/api__v1_openapi.json). Each document keeps the paths of its
 * listed resources (collection, object and the listed subresources; not the deprecated
 * /watch/ paths) and the schemas they reference, transitively; OUT.c gets the documents as
 * compact JSON with their SHA-512 (kube-apiserver's hash), and the /openapi/v3 index.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MAX_DOCS 32
#define REF_PREFIX "#/components/schemas/"

struct doc {
    char *path;       /* "api/v1" */
    char **resources; /* "pods", "pods/log"; NULL-terminated */
    size_t n_resources;
    char *text; /* the filtered document */
    char hash[129];
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "openapi-filter: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static struct doc *doc_for(struct doc *docs, size_t *n, const char *path)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(docs[i].path, path))
            return &docs[i];
    if (*n == MAX_DOCS)
        die("more than %d documents", MAX_DOCS);
    docs[*n] = (struct doc){.path = strdup(path)};
    return &docs[(*n)++];
}

static size_t read_list(const char *file, struct doc *docs)
{
    FILE *f = fopen(file, "re");
    if (!f)
        die("open '%s': %s", file, strerror(errno));
    char line[512], path[256], res[256];
    size_t n = 0;
    for (int no = 1; fgets(line, sizeof(line), f); no++) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        int got = sscanf(line, "%255s %255s", path, res);
        if (got <= 0)
            continue;
        if (got != 2)
            die("%s:%d: expected DOCUMENT RESOURCE", file, no);
        struct doc *d = doc_for(docs, &n, path);
        d->resources = realloc(d->resources, sizeof(char *) * (d->n_resources + 2));
        d->resources[d->n_resources++] = strdup(res);
        d->resources[d->n_resources] = NULL;
    }
    fclose(f);
    return n;
}

static bool listed(const struct doc *d, const char *resource)
{
    for (size_t i = 0; i < d->n_resources; i++)
        if (!strcmp(d->resources[i], resource))
            return true;
    return false;
}

/* The resource (and subresource) a path of document d names, as "pods" or "pods/log"; NULL
 * for the /watch/ paths and what is not under the document's prefix. */
static char *path_resource(const struct doc *d, const char *path)
{
    size_t plen = strlen(d->path);
    if (path[0] != '/' || strncmp(path + 1, d->path, plen) || path[plen + 1] != '/')
        return NULL;
    char *rest = strdup(path + plen + 2), *segs[8], *save = NULL;
    size_t n = 0;
    for (char *s = strtok_r(rest, "/", &save); s && n < 8; s = strtok_r(NULL, "/", &save))
        segs[n++] = s;
    size_t at = n > 2 && !strcmp(segs[0], "namespaces") && !strcmp(segs[1], "{namespace}") ? 2 : 0;
    char *out = NULL;
    /* proxy/{path} (more segments) is no resource of its own */
    if (n > at && n - at <= 3 && strcmp(segs[0], "watch") &&
        asprintf(&out, "%s%s%s", segs[at], n - at == 3 ? "/" : "",
                 n - at == 3 ? segs[at + 2] : "") < 0)
        die("out of memory");
    free(rest);
    return out;
}

/* Adds every schema name v references to want. */
static void collect_refs(const json_t *v, json_t *want)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *) v, key, child) {
            const char *ref = json_string_value(child);
            if (!strcmp(key, "$ref") && ref && !strncmp(ref, REF_PREFIX, strlen(REF_PREFIX)))
                json_object_set_new(want, ref + strlen(REF_PREFIX), json_true());
            else
                collect_refs(child, want);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
            collect_refs(child, want);
    }
}

/* The schemas the kept paths need, found by following references until none is new. */
static json_t *needed_schemas(const json_t *paths, const json_t *schemas, const char *file)
{
    json_t *want = json_object(), *out = json_object();
    collect_refs(paths, want);
    for (size_t before = (size_t) -1; before != json_object_size(out);) {
        before = json_object_size(out);
        const char *name;
        json_t *v;
        json_object_foreach(want, name, v) {
            if (json_object_get(out, name))
                continue;
            json_t *schema = json_object_get(schemas, name);
            if (!schema)
                die("%s: no schema '%s'", file, name);
            json_object_set(out, name, schema);
        }
        collect_refs(out, want);
    }
    json_decref(want);
    return out;
}

static void filter(struct doc *d, const char *dir)
{
    /* Kubernetes' file names: "apis/events.k8s.io/v1" is apis__events.k8s.io__v1_openapi.json */
    char file[4096], name[512];
    size_t len = 0;
    for (const char *p = d->path; *p && len < sizeof(name) - 3; p++)
        len += (size_t) sprintf(name + len, "%s", *p == '/' ? "__" : (char[]){*p, '\0'});
    snprintf(file, sizeof(file), "%s/%s_openapi.json", dir, name);
    json_error_t jerr;
    json_t *in = json_load_file(file, 0, &jerr);
    if (!in)
        die("%s:%d: %s", file, jerr.line, jerr.text);
    json_t *paths = json_object(), *seen = json_object();
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(in, "paths"), path, item) {
        char *res = path_resource(d, path);
        if (res && listed(d, res)) {
            json_object_set(paths, path, item);
            json_object_set_new(seen, res, json_true());
        }
        free(res);
    }
    for (size_t i = 0; i < d->n_resources; i++)
        if (!json_object_get(seen, d->resources[i]))
            die("%s: no path of '%s'", file, d->resources[i]);
    json_t *comps = json_object_get(in, "components");
    json_t *out =
        json_pack("{s:O,s:O,s:o,s:{s:o,s:O}}", "openapi", json_object_get(in, "openapi"), "info",
                  json_object_get(in, "info"), "paths", paths, "components", "schemas",
                  needed_schemas(paths, json_object_get(comps, "schemas"), file), "securitySchemes",
                  json_object_get(comps, "securitySchemes"));
    d->text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(out);
    json_decref(seen);
    json_decref(in);
}

static void sha512_hex(const char *text, char out[129])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha512(), NULL))
        die("SHA-512 failed");
    for (unsigned i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02X", md[i]);
}

static void write_bytes(FILE *f, const char *name, const char *text)
{
    fprintf(f, "static const char %s[] = {", name);
    for (size_t i = 0; text[i]; i++)
        fprintf(f, "%s%d,", i % 24 ? "" : "\n   ", (unsigned char) text[i]);
    fprintf(f, "\n    0};\n\n");
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: openapi-filter LIST DIR OUT.c");
    struct doc docs[MAX_DOCS];
    size_t n = read_list(argv[1], docs);
    json_t *index = json_object();
    for (size_t i = 0; i < n; i++) {
        filter(&docs[i], argv[2]);
        sha512_hex(docs[i].text, docs[i].hash);
        char url[512];
        snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%s", docs[i].path, docs[i].hash);
        json_object_set_new(index, docs[i].path, json_pack("{s:s}", "serverRelativeURL", url));
    }
    char *index_text =
        json_dumps(json_pack("{s:o}", "paths", index), JSON_COMPACT | JSON_SORT_KEYS);
    char index_hash[129];
    sha512_hex(index_text, index_hash);
    FILE *f = fopen(argv[3], "we");
    if (!f)
        die("open '%s': %s", argv[3], strerror(errno));
    fprintf(f,
            "/* Generated by openapi-filter from %s: do not edit. */\n"
            "#include \"api/openapi.h\"\n\n",
            argv[1]);
    char name[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "doc%zu", i);
        write_bytes(f, name, docs[i].text);
    }
    write_bytes(f, "index_text", index_text);
    fprintf(f, "const struct openapi_doc openapi_index = {\"\", index_text, %zu, \"%s\"};\n\n",
            strlen(index_text), index_hash);
    fprintf(f, "const struct openapi_doc openapi_docs[] = {\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "    {\"%s\", doc%zu, %zu, \"%s\"},\n", docs[i].path, i, strlen(docs[i].text),
                docs[i].hash);
    fprintf(f, "    {0},\n};\n");
    if (fclose(f) != 0)
        die("write '%s': %s", argv[3], strerror(errno));
    return 0;
}

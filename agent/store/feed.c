/* SPDX-License-Identifier: Apache-2.0 */
/* The store's change feed: a bounded ring of committed changes that watches read. */
#include "store/feed.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

struct change_ref {
    struct feed_change pub;
    atomic_uint refs;
};

struct slot {
    struct feed_change *c;
    uint64_t ticket;
    bool pending;
};

struct feed_watcher {
    struct feed *feed;
    struct feed_watcher *prev, *next;
    int64_t rv;   /* under the feed's lock */
    bool waiting; /* found nothing: wake it on the next commit */
    int fd;       /* eventfd */
};

struct feed {
    pthread_mutex_t lock;
    struct slot *ring; /* slot of sequence number s: ring[s % cap] */
    size_t cap, max_bytes, bytes;
    uint64_t head, tail; /* sequence numbers of the oldest slot and the next one */
    size_t n_pending;
    int64_t base_rv; /* every change after it is in the ring */
    uint64_t next_ticket;
    struct feed_watcher *watchers;
    unsigned n_watchers, max_watchers;
    bool closed;
};

const char *feed_type_to_string(enum feed_type t)
{
    static const char *const names[_FEED_TYPE_MAX] = {"ADDED", "MODIFIED", "DELETED"};
    return t >= 0 && t < _FEED_TYPE_MAX ? names[t] : "ERROR";
}

struct feed_change *feed_change_new(enum feed_type type, int64_t rv, const char *kind,
                                    const char *ns, const char *name, const char *object,
                                    size_t object_len)
{
    struct change_ref *r = xzalloc(sizeof(*r));
    atomic_init(&r->refs, 1);
    r->pub = (struct feed_change){.type = type,
                                  .rv = rv,
                                  .kind = xstrdup(kind),
                                  .namespace = xstrdup(ns ? ns : ""),
                                  .name = xstrdup(name),
                                  .object = xmalloc(object_len + 1),
                                  .object_len = object_len};
    memcpy(r->pub.object, object, object_len);
    r->pub.object[object_len] = '\0';
    return &r->pub;
}

void feed_change_set_previous(struct feed_change *c, const char *previous, size_t len)
{
    free(c->previous);
    c->previous = xmalloc(len + 1);
    memcpy(c->previous, previous, len);
    c->previous[len] = '\0';
    c->previous_len = len;
}

/* What a change takes of the ring's byte budget. */
static size_t change_bytes(const struct feed_change *c)
{
    return c->object_len + c->previous_len;
}

struct feed_change *feed_change_ref(struct feed_change *c)
{
    atomic_fetch_add(&((struct change_ref *) c)->refs, 1);
    return c;
}

void feed_change_unref(struct feed_change *c)
{
    if (!c || atomic_fetch_sub(&((struct change_ref *) c)->refs, 1) != 1)
        return;
    free(c->kind), free(c->namespace), free(c->name), free(c->object), free(c->previous);
    free(c);
}

struct feed *feed_new(size_t max_changes, size_t max_bytes)
{
    struct feed *f = xzalloc(sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    f->cap = max_changes ? max_changes : 1;
    f->max_bytes = max_bytes;
    f->ring = new0(struct slot, f->cap);
    f->next_ticket = 1;
    return f;
}

static struct slot *slot_at(struct feed *f, uint64_t seq)
{
    return &f->ring[seq % f->cap];
}

/* Drops the oldest change (under the lock). */
static void drop_oldest(struct feed *f)
{
    struct slot *s = slot_at(f, f->head++);
    if (s->c->rv > f->base_rv)
        f->base_rv = s->c->rv;
    if (s->pending)
        f->n_pending--;
    f->bytes -= change_bytes(s->c);
    feed_change_unref(s->c);
    *s = (struct slot){0};
}

struct feed *feed_free(struct feed *f)
{
    if (!f)
        return NULL;
    while (f->head < f->tail)
        drop_oldest(f);
    pthread_mutex_destroy(&f->lock);
    free(f->ring);
    free(f);
    return NULL;
}

void feed_reset(struct feed *f, int64_t rv)
{
    pthread_mutex_lock(&f->lock);
    while (f->head < f->tail)
        drop_oldest(f);
    f->base_rv = rv;
    pthread_mutex_unlock(&f->lock);
}

/* Wakes every watcher that found nothing (under the lock). */
static void wake_waiting(struct feed *f)
{
    for (struct feed_watcher *w = f->watchers; w; w = w->next)
        if (w->waiting) {
            w->waiting = false;
            (void) !eventfd_write(w->fd, 1);
        }
}

void feed_shutdown(struct feed *f)
{
    pthread_mutex_lock(&f->lock);
    f->closed = true;
    for (struct feed_watcher *w = f->watchers; w; w = w->next)
        w->waiting = true;
    wake_waiting(f);
    pthread_mutex_unlock(&f->lock);
}

void feed_set_max_watchers(struct feed *f, unsigned n)
{
    pthread_mutex_lock(&f->lock);
    f->max_watchers = n;
    pthread_mutex_unlock(&f->lock);
}

uint64_t feed_append(struct feed *f, struct feed_change *const *changes, size_t n)
{
    pthread_mutex_lock(&f->lock);
    uint64_t ticket = f->next_ticket++;
    for (size_t i = 0; i < n; i++) {
        while (f->head < f->tail &&
               (f->tail - f->head >= f->cap || f->bytes + change_bytes(changes[i]) > f->max_bytes))
            drop_oldest(f);
        *slot_at(f, f->tail++) = (struct slot){.c = changes[i], .ticket = ticket, .pending = true};
        f->bytes += change_bytes(changes[i]);
        f->n_pending++;
    }
    pthread_mutex_unlock(&f->lock);
    return ticket;
}

/* Removes the ticket's changes, keeping the others in order (under the lock). */
static void remove_ticket(struct feed *f, uint64_t ticket)
{
    uint64_t out = f->head;
    for (uint64_t seq = f->head; seq < f->tail; seq++) {
        struct slot s = *slot_at(f, seq);
        if (s.pending && s.ticket == ticket) {
            f->n_pending--;
            f->bytes -= change_bytes(s.c);
            feed_change_unref(s.c);
            continue;
        }
        *slot_at(f, out++) = s;
    }
    for (uint64_t seq = out; seq < f->tail; seq++)
        *slot_at(f, seq) = (struct slot){0};
    f->tail = out;
}

void feed_commit(struct feed *f, uint64_t ticket, bool committed)
{
    pthread_mutex_lock(&f->lock);
    if (!committed) {
        remove_ticket(f, ticket);
    } else {
        /* pending changes are few and at the end: look back until all were seen */
        size_t seen = 0, found = 0, pending = f->n_pending;
        for (uint64_t seq = f->tail; seq > f->head && seen < pending; seq--) {
            struct slot *s = slot_at(f, seq - 1);
            if (!s->pending)
                continue;
            seen++;
            if (s->ticket == ticket) {
                s->pending = false;
                found++;
            }
        }
        f->n_pending -= found;
        if (found)
            wake_waiting(f);
    }
    pthread_mutex_unlock(&f->lock);
}

int feed_watch(struct feed *f, int64_t rv, struct feed_watcher **ret)
{
    pthread_mutex_lock(&f->lock);
    int r = f->closed                                             ? -ESHUTDOWN
            : f->max_watchers && f->n_watchers >= f->max_watchers ? -EMFILE
                                                                  : 0;
    int fd = r == 0 ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
    if (r == 0 && fd < 0)
        r = -errno;
    if (r == 0) {
        struct feed_watcher *w = xzalloc(sizeof(*w));
        *w = (struct feed_watcher){.feed = f, .rv = rv, .fd = fd, .next = f->watchers};
        if (f->watchers)
            f->watchers->prev = w;
        f->watchers = w;
        f->n_watchers++;
        *ret = w;
    }
    pthread_mutex_unlock(&f->lock);
    return r;
}

struct feed_watcher *feed_unwatch(struct feed_watcher *w)
{
    if (!w)
        return NULL;
    struct feed *f = w->feed;
    pthread_mutex_lock(&f->lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        f->watchers = w->next;
    if (w->next)
        w->next->prev = w->prev;
    f->n_watchers--;
    pthread_mutex_unlock(&f->lock);
    safe_close(w->fd);
    free(w);
    return NULL;
}

void feed_watcher_seek(struct feed_watcher *w, int64_t rv)
{
    pthread_mutex_lock(&w->feed->lock);
    w->rv = rv;
    pthread_mutex_unlock(&w->feed->lock);
}

int64_t feed_watcher_rv(const struct feed_watcher *w)
{
    pthread_mutex_lock(&w->feed->lock);
    int64_t rv = w->rv;
    pthread_mutex_unlock(&w->feed->lock);
    return rv;
}

int feed_watcher_fd(const struct feed_watcher *w)
{
    return w->fd;
}

/* The first sequence number whose change is after rv (the ring is in rv order). */
static uint64_t first_after(struct feed *f, int64_t rv)
{
    uint64_t lo = f->head, hi = f->tail;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (slot_at(f, mid)->c->rv > rv)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

ssize_t feed_next(struct feed_watcher *w, struct feed_change **out, size_t max, int64_t *ret_oldest)
{
    struct feed *f = w->feed;
    eventfd_t drained;
    (void) eventfd_read(w->fd, &drained);
    pthread_mutex_lock(&f->lock);
    ssize_t n = 0;
    if (f->closed) {
        n = -ESHUTDOWN;
    } else if (w->rv < f->base_rv) {
        if (ret_oldest)
            *ret_oldest = f->base_rv;
        n = -ESTALE;
    } else {
        for (uint64_t seq = first_after(f, w->rv); seq < f->tail && (size_t) n < max; seq++) {
            struct slot *s = slot_at(f, seq);
            if (s->pending)
                break; /* not committed yet: nothing after it either */
            out[n++] = feed_change_ref(s->c);
        }
        if (n)
            w->rv = out[n - 1]->rv;
        else
            w->waiting = true;
    }
    pthread_mutex_unlock(&f->lock);
    return n;
}

unsigned feed_watchers(struct feed *f)
{
    pthread_mutex_lock(&f->lock);
    unsigned n = f->n_watchers;
    pthread_mutex_unlock(&f->lock);
    return n;
}

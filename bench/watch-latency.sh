#!/bin/bash
# The delay from an apply to a watcher seeing its event (target median < 10 ms): N applies
# (default 200) of one running pod, each changing a label (a MODIFIED event), over the API
# socket; a watch of the namespace's pods reads the stream on its own thread. Printed: the
# median and p99 from the apply's response (0 for an event that came before it) and from
# the apply's request, first with that one watcher, then with WATCHERS (default 200) more
# watches open and read.
N=${N:-200} WATCHERS=${WATCHERS:-200}
source "$(dirname "$0")/lib.sh"
SOCK=$XDG_RUNTIME_DIR/orc/orcd.sock

pod_yaml w >"$BENCH_DIR/w.yaml"
"$ORC" apply -f "$BENCH_DIR/w.yaml" >/dev/null
wait_count 1 0.05 60 orc_running_count >/dev/null

measure() { # extra-watchers
    python3 - "$SOCK" "$N" "$1" "$BENCH_DIR/w.yaml" <<'PY'
import os, re, selectors, signal, socket, sys, threading, time

path, n, extra, manifest = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = open(manifest).read().replace("metadata: {name: w}", "metadata: {name: w, labels: {i: \"%d\"}}")
WATCH = b"GET /api/v1/namespaces/default/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n"


def watch():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(WATCH)
    return s


def lines(s):
    """Yields (arrival time, line) of a chunked watch stream."""
    buf, body, head = b"", b"", True
    while True:
        data = s.recv(1 << 16)
        t = time.monotonic()
        if not data:
            return
        buf += data
        if head:
            i = buf.find(b"\r\n\r\n")
            if i < 0:
                continue
            buf, head = buf[i + 4:], False
        while True:
            j = buf.find(b"\r\n")
            if j < 0:
                break
            size = int(buf[:j].split(b";")[0], 16)
            if len(buf) < j + 4 + size:
                break
            body += buf[j + 2:j + 2 + size]
            buf = buf[j + 4 + size:]
            if size == 0:
                return
        while b"\n" in body:
            line, body = body.split(b"\n", 1)
            yield t, line


seen, cond = {}, threading.Condition()
label = re.compile(rb'"labels":\{"i":"(\d+)"\}')


def read_main(s):
    for t, line in lines(s):
        m = label.search(line)
        if m and line.startswith(b'{"type":"MODIFIED"'):
            with cond:
                seen.setdefault(int(m.group(1)), t)
                cond.notify_all()


def drain(socks):
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if not key.fileobj.recv(1 << 16):
                sel.unregister(key.fileobj)


# the other watches are read by a process of their own (this one's threads share a lock)
ready_r, ready_w = os.pipe()
child = os.fork()
if child == 0:
    others = [watch() for _ in range(extra)]
    os.write(ready_w, b"x")
    try:
        drain(others)
    finally:
        os._exit(0)
os.read(ready_r, 1)
threading.Thread(target=read_main, args=(watch(),), daemon=True).start()
time.sleep(0.5)  # the watches' initial ADDED events pass


def apply(i):
    body = (base % i).encode()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    req = (b"POST /apis/orc.dev/v1/apply?filename=w.yaml HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/yaml\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    t0 = time.monotonic()
    s.sendall(req)
    resp = b""
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        resp += chunk
    t1 = time.monotonic()
    s.close()
    if b'"configured"' not in resp:
        sys.exit("apply %d: %r" % (i, resp[:300]))
    return t0, t1


from_resp, from_req, early = [], [], 0
for i in range(1, n + 1):
    t0, t1 = apply(i)
    with cond:
        if not cond.wait_for(lambda: i in seen, timeout=10):
            sys.exit("no event for apply %d" % i)
        t = seen[i]
    from_resp.append(max(0.0, t - t1) * 1000)
    from_req.append((t - t0) * 1000)
    early += t < t1


os.kill(child, signal.SIGTERM)
os.waitpid(child, 0)


def p50_p99(v):
    v = sorted(v)
    return v[(len(v) - 1) // 2], v[min(len(v) - 1, -(-len(v) * 99 // 100) - 1)]


a50, a99 = p50_p99(from_resp)
b50, b99 = p50_p99(from_req)
print("%d watches, %d applies: apply response -> event: median %.2f ms, p99 %.2f ms "
      "(%d events before the response); apply request -> event: median %.2f ms, p99 %.2f ms"
      % (extra + 1, n, a50, a99, early, b50, b99))
PY
}

echo "watch latency, target median < 10 ms"
measure 0
measure "$WATCHERS"

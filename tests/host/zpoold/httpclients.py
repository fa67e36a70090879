#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""HTTP clients for the zpoold host tests (55-starve.t).

  httpclients.py drip PORT N SECONDS [EVERY]
      N clients from 127.0.0.1 each send a request line and then one header
      line every EVERY seconds (default 4), never finishing the request; a
      client whose connection is closed connects again.  Meanwhile /healthz
      is polled from 127.0.0.2 on a new connection every 50 ms.
  httpclients.py keepalive PORT N SECONDS [PAUSE]
      N keep-alive clients from 127.0.0.1 GET /metrics on one connection
      each, PAUSE seconds between requests (default 0: back to back), while
      /healthz is polled from 127.0.0.2.
  httpclients.py raw PORT HEXBYTES
      send the bytes, print the status line and whether the server closed
      the connection within 5 s ("closed" / "open").

drip and keepalive print key=value lines: polls, fails (a poll that did not
get 200 "ok"), max_ms (the slowest poll), and for drip: cuts (connections
closed by the server), max_life_ms (the longest a dripping connection
lived), refused (connections closed before a byte was answered); for
keepalive: scrapes.
"""
import os
import select
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
PROBE_FROM = "127.0.0.2"


def now():
    return time.monotonic()


def probe(port):
    """one GET /healthz from PROBE_FROM; (ok, seconds)"""
    t0 = now()
    try:
        s = socket.socket()
        s.settimeout(5)
        s.bind((PROBE_FROM, 0))
        s.connect((HOST, port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        ok = data.startswith(b"HTTP/1.1 200") and data.endswith(b"ok\n")
    except OSError:
        ok = False
    return ok, now() - t0


class Prober(threading.Thread):
    def __init__(self, port, stop):
        super().__init__(daemon=True)
        self.port, self.stop = port, stop
        self.polls = self.fails = 0
        self.max = 0.0

    def run(self):
        while not self.stop.is_set():
            ok, dt = probe(self.port)
            self.polls += 1
            self.fails += not ok
            self.max = max(self.max, dt)
            time.sleep(0.05)


class Dripper(threading.Thread):
    def __init__(self, port, stop, every, stats, lock):
        super().__init__(daemon=True)
        self.port, self.stop, self.every = port, stop, every
        self.stats, self.lock = stats, lock

    def one(self):
        s = socket.socket()
        s.connect((HOST, self.port))
        t0 = now()
        s.sendall(b"GET /metrics HTTP/1.1\r\n")
        n = 0
        nxt = t0 + self.every
        answered = False
        while not self.stop.is_set():
            r, _, _ = select.select([s], [], [], min(0.2, max(0, nxt - now())))
            if r:
                try:
                    b = s.recv(4096)
                except OSError:
                    b = b""
                if b:
                    answered = True
                    continue
                life = now() - t0
                with self.lock:
                    if life < 0.5 and not answered:
                        self.stats["refused"] += 1
                    else:
                        self.stats["cuts"] += 1
                        self.stats["max_life"] = max(self.stats["max_life"], life)
                s.close()
                return
            if now() >= nxt:
                n += 1
                try:
                    s.sendall(b"X-Drip-%d: y\r\n" % n)
                except OSError:
                    pass
                nxt += self.every
        s.close()

    def run(self):
        while not self.stop.is_set():
            try:
                self.one()
            except OSError:
                with self.lock:
                    self.stats["refused"] += 1
            time.sleep(0.5)


class Scraper(threading.Thread):
    def __init__(self, port, stop, count, pause):
        super().__init__(daemon=True)
        self.port, self.stop, self.count = port, stop, count
        self.pause = pause

    def run(self):
        import http.client
        c = http.client.HTTPConnection(HOST, self.port, timeout=10)
        while not self.stop.is_set():
            try:
                c.request("GET", "/metrics")
                r = c.getresponse()
                r.read()
                self.count[0] += 1
                if self.pause:
                    time.sleep(self.pause)
            except (OSError, http.client.HTTPException):
                c.close()
                c = http.client.HTTPConnection(HOST, self.port, timeout=10)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "raw":
        s = socket.socket()
        s.settimeout(5)
        s.connect((HOST, port))
        s.sendall(bytes.fromhex(sys.argv[3]))
        data, closed = b"", False
        t_end = now() + 5
        try:
            while now() < t_end:
                b = s.recv(4096)
                if not b:
                    closed = True
                    break
                data += b
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        print("status=%s" % (line or "none"))
        print("conn=%s" % ("closed" if closed else "open"))
        return
    n, secs = int(sys.argv[3]), float(sys.argv[4])
    # the clients run in a child process, so that the prober's timing
    # does not include waiting for the interpreter behind them
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        stop = threading.Event()
        if mode == "drip":
            every = float(sys.argv[5]) if len(sys.argv) > 5 else 4.0
            stats = {"cuts": 0, "refused": 0, "max_life": 0.0}
            lock = threading.Lock()
            workers = [Dripper(port, stop, every, stats, lock) for _ in range(n)]
        else:
            count = [0]
            pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
            workers = [Scraper(port, stop, count, pause) for _ in range(n)]
        for w in workers:
            w.start()
        time.sleep(secs + 0.5)
        stop.set()
        for w in workers:
            w.join(10)
        if mode == "drip":
            out = "cuts=%d\nrefused=%d\nmax_life_ms=%d\n" % (
                stats["cuts"], stats["refused"], round(stats["max_life"] * 1000))
        else:
            out = "scrapes=%d\n" % count[0]
        os.write(wr, out.encode())
        os._exit(0)
    os.close(wr)
    stop = threading.Event()
    prober = Prober(port, stop)
    time.sleep(0.5)
    prober.start()
    time.sleep(secs)
    stop.set()
    prober.join()
    print("polls=%d" % prober.polls)
    print("fails=%d" % prober.fails)
    print("max_ms=%d" % round(prober.max * 1000))
    out = b""
    while True:
        b = os.read(rd, 4096)
        if not b:
            break
        out += b
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode())

if __name__ == "__main__":
    main()

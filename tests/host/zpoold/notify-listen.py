#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# notify-listen.py SOCKET SECONDS: a stand-in for systemd's notification
# socket (sd_notify); prints each datagram received within SECONDS, one
# per line, fields separated by '|'.
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
end = time.time() + float(sys.argv[2])
while time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        msg = s.recv(4096)
    except socket.timeout:
        break
    print(msg.decode(errors="replace").replace("\n", "|"), flush=True)

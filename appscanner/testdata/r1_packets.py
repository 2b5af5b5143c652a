#!/usr/bin/python3
"""Dump the packet records R1 (Thijsvanede/AppScanner) reads from each shared capture.

R1 reads captures with scapy (2.5, Debian's python3-scapy): every packet that
scapy dissects as TCP gives (time, IPv4 source, IPv4 destination, TCP ports,
IPv4 total-length field). This script writes those records, in capture order,
to OUT/<source>/<capture>.r1.csv as "time,src,dst,sport,dport,len" (time as
scapy's exact decimal), with a first line "ERROR ..." where R1's field access
fails (TCP without an IPv4 layer). The Go test TestGoldenPcapsScapyInput feeds
them to PcapFlows, which checks the extraction against the reference outputs
independently of the project's capture reader:

    apt-get install python3-scapy
    /usr/bin/python3 appscanner/testdata/r1_packets.py /work/shared /tmp/r1
    APPBENCH_SHARED=/work/shared APPBENCH_R1_PACKETS=/tmp/r1 \
        go test ./appscanner/ -run ScapyInput -v
"""
import glob
import os
import sys

from scapy.all import TCP, sniff

shared, out = sys.argv[1], sys.argv[2]
root = os.path.join(shared, "data", "pcaps")
for path in sorted(glob.glob(os.path.join(root, "*", "*"))):
    if path.endswith((".csv", ".txt", ".md")):
        continue
    rows, errors = [], []

    def record(p):
        if errors:
            return
        try:
            rows.append("%s,%s,%s,%d,%d,%d" % (p.time, p["IP"].src, p["IP"].dst,
                                               p["TCP"].sport, p["TCP"].dport, p["IP"].len))
        except (IndexError, AttributeError) as e:
            errors.append(repr(e))

    try:
        sniff(prn=record, lfilter=lambda x: TCP in x, offline=path)
    except Exception as e:  # unreadable capture
        errors.append("read: " + repr(e))
    dst = os.path.join(out, os.path.relpath(path, root)) + ".r1.csv"
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as fh:
        if errors:
            fh.write("ERROR " + errors[0] + "\n")
        fh.writelines(r + "\n" for r in rows)

#!/usr/bin/env python3
"""Writes the seed corpora of the targets whose input FuzzedDataProvider takes apart (bytes from
the front, integers and booleans from the back), which no fixture file can seed directly:
- event_record: a few lifecycle stories (fork, exec, scans, exits) as that target's operations,
  in the layouts of bpf/task_record.h and bpf/exec_context.h;
- name_template: process-exporter's templates with a process and a start time to render.

Usage: tests/fuzz/make_seeds.py tests/fuzz/corpus"""
import os
import struct
import sys

EVENT_FORK, EVENT_EXEC, EVENT_EXIT, EVENT_EXEC_CONTEXT = 1, 2, 3, 4
GROUP_DEAD, LEADER, GAUGES = 1, 2, 4
EXEC_EVENT_SIZE = 1344
MAX_RECORD = 2 * EXEC_EVENT_SIZE


class Input:
    """Builds bytes that FuzzedDataProvider consumes in the order the calls are made."""

    def __init__(self):
        self.front = bytearray()
        self.back = []  # in consumption order; stored reversed at the end of the input

    def integer_in_range(self, value, low, high):
        span, offset, chunks = high - low, 0, []
        while offset < 64 and (span >> offset) > 0:
            chunks.append(0)
            offset += 8
        value -= low
        for index in range(len(chunks) - 1, -1, -1):  # the first byte read is the most significant
            chunks[index] = value & 0xFF
            value >>= 8
        self.back.extend(chunks)

    def boolean(self, value):
        self.back.append(1 if value else 0)

    def raw(self, data):
        self.front += data

    def string(self, text):  # ConsumeRandomLengthString: a backslash and another byte end it
        self.front += text.replace(b"\\", b"\\\\") + b"\\ "

    def data(self):
        return bytes(self.front) + bytes(reversed(self.back))


def task_record(tid, tgid, parent, start_ns, process_start_ns, flags, comm, runtime_ns=0, uid=1000):
    counters = struct.pack("<16Q", runtime_ns, runtime_ns // 2, runtime_ns // 2, 3, 1, 2, 100, 4,
                           4096, 512, 8, 2, 0, 0, 50, 1)
    record = struct.pack("<4I2Q2I", tid, tgid, parent, uid, start_ns, process_start_ns, flags, 0)
    record += counters + bytes(128) + bytes(208) + comm.ljust(16, b"\0")[:16]
    record += struct.pack("<3Q2I", 1000, 200, 1024, 5, 0) + struct.pack("<Q", 0)
    assert len(record) == 560
    return record


def fork_event(pid, start_ns, parent, parent_start_ns, comm):
    return struct.pack("<2IQ2IQ", EVENT_FORK, pid, start_ns, parent, 0, parent_start_ns) + comm.ljust(16, b"\0")


def exec_event(record, filename, argv):
    args = b"".join(arg + b"\0" for arg in argv)
    event = struct.pack("<4I", EVENT_EXEC, struct.unpack_from("<I", record)[0], len(args), 0) + record
    event += filename.ljust(256, b"\0") + args.ljust(512, b"\0")
    assert len(event) == EXEC_EVENT_SIZE
    return event


def exit_event(record, time_ns):
    return struct.pack("<2IQ", EVENT_EXIT, 0, time_ns) + record


def exec_context(pid, start_ns, exe, cwd, cgroups, flags=0):
    paths = b"".join(path + b"\0" for path in cgroups)
    header = struct.pack("<2IQ4I", EVENT_EXEC_CONTEXT, pid, start_ns, len(exe), len(cwd), len(paths), flags)
    return header + exe + cwd + paths


def ring(stream, record):
    stream.integer_in_range(0, 0, 4)
    stream.integer_in_range(len(record), 0, MAX_RECORD)
    stream.raw(record)


def observe(stream, record, starts_scan, time_step=100_000_000, full=True):
    stream.integer_in_range(1, 0, 4)
    if starts_scan:
        stream.integer_in_range(time_step, 0, 2_000_000_000)
        stream.boolean(full)
    stream.raw(record)


def end_scan(stream, identities):
    """identities: one (comm, exe, argv0, argv1, uid, kernel_thread, cwd) or None per request."""
    stream.integer_in_range(2, 0, 4)
    for identity in identities:
        stream.boolean(identity is None)
        if identity is None:
            continue
        comm, exe, argv0, argv1, uid, kernel_thread, cwd = identity
        for text in (comm, exe, argv0, argv1):
            stream.string(text)
        stream.integer_in_range(uid, 0, 2**32 - 1)
        stream.boolean(kernel_thread)
        stream.string(cwd)


def report(stream):
    stream.integer_in_range(3, 0, 4)


def stories():
    shell = task_record(100, 100, 1, 5_000, 5_000, LEADER | GAUGES, b"bash", 2_000_000)
    child = task_record(101, 101, 100, 9_000, 9_000, LEADER, b"bash", 10_000)
    worker = task_record(101, 101, 100, 9_000, 9_000, LEADER, b"python3", 40_000_000)
    thread = task_record(102, 101, 100, 9_500, 9_000, 0, b"worker", 7_000_000)

    stream = Input()  # a shell forks a child that execs a worker with a thread, which exits
    observe(stream, shell, True)
    end_scan(stream, [(b"bash", b"/usr/bin/bash", b"bash", b"-l", 1000, False, b"/home/user")])
    ring(stream, fork_event(101, 9_000, 100, 5_000, b"bash"))
    ring(stream, exec_event(worker, b"/usr/bin/python3", [b"python3", b"--queue=jobs"]))
    ring(stream, exec_context(101, 9_000, b"/usr/bin/python3.11", b"/srv", [b"/", b"/system.slice/app.service"]))
    observe(stream, worker, True)
    observe(stream, thread, False)
    end_scan(stream, [(b"python3", b"/usr/bin/python3.11", b"python3", b"--queue=jobs", 1000, False, b"/srv")])
    report(stream)
    ring(stream, exit_event(thread, 20_000))
    ring(stream, exit_event(task_record(101, 101, 100, 9_000, 9_000, LEADER | GROUP_DEAD, b"python3", 50_000_000), 21_000))
    observe(stream, shell, True)
    end_scan(stream, [])
    report(stream)
    yield "lifecycle", stream.data()

    stream = Input()  # a short-lived process seen only in events, its exec context deleted
    ring(stream, fork_event(200, 30_000, 100, 5_000, b"sh"))
    ring(stream, exec_event(task_record(200, 200, 100, 30_000, 30_000, LEADER, b"x", 1_000), b"/bin/x", [b"x", b"-c", b"true"]))
    ring(stream, exec_context(200, 30_000, b"/usr/bin/x", b"/tmp/gone", [b"/user.slice"], flags=2))
    ring(stream, exit_event(task_record(200, 200, 100, 30_000, 30_000, LEADER | GROUP_DEAD, b"x", 2_000), 31_000))
    report(stream)
    yield "short_lived", stream.data()

    for name, record in [("fork", fork_event(7, 1, 1, 1, b"init")),
                         ("exec", exec_event(child, b"/usr/bin/bash", [b"bash"])),
                         ("exit", exit_event(child, 99)),
                         ("exec_context", exec_context(7, 1, b"/sbin/init", b"/", [b"/init.scope"])),
                         ("truncated_exec", exec_event(child, b"/bin/sh", [b"sh"])[:600])]:
        stream = Input()
        ring(stream, record)
        yield "record_" + name, stream.data()

    stream = Input()  # scans with changes passes and a thread that is never seen again
    for step in range(3):
        observe(stream, shell, True, full=step != 1)
        observe(stream, task_record(103 + step, 100, 1, 6_000 + step, 5_000, 0, b"t%d" % step, 1_000), False)
        end_scan(stream, [(b"bash", b"/usr/bin/bash", b"bash", b"-l", 0, False, b"/")] if step == 0 else [])
        report(stream)
    yield "scans", stream.data()


def templates():
    names = ["{{.Comm}}", "{{.ExeBase}}", "{{.ExeFull}}", "{{.ExePath}}", "{{.Username}}", "{{.PID}}",
             "{{.StartTime}}", "{{.Cwd}}", "{{.Cgroups}}", "{{.Matches}}", "{{.Matches.queue}}",
             "{{.Comm}}:{{.Matches.queue}} on {{.Username}}", "literal {{ .Comm }} {{.Unknown}}", "{{.Comm"]
    # Instants around what {{.StartTime}} must print: whole seconds, fractions, 1970, the extremes.
    start_times = [1_795_309_369_820_000_000, 1_795_309_369_000_000_000, 0, -1, -2**63, 2**63 - 1]
    for index, text in enumerate(names):
        stream = Input()
        stream.integer_in_range(4242 + 2**31, 0, 2**32 - 1)  # ConsumeIntegral<int>: offset from INT_MIN
        for part in (b"python3", b"/usr/bin/python3.11", b"/srv/app", b"/", b"/system.slice/app.service", b"user"):
            stream.string(part)
        stream.integer_in_range(start_times[index % len(start_times)] + 2**63, 0, 2**64 - 1)
        for part in (b"--queue=jobs", b"queue", b"jobs"):
            stream.string(part)
        stream.raw(text.encode())
        yield "template_%02d" % index, stream.data()


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds:
        with open(os.path.join(directory, name), "wb") as seed:
            seed.write(data)


def main():
    write(os.path.join(sys.argv[1], "event_record"), stories())
    write(os.path.join(sys.argv[1], "name_template"), templates())


if __name__ == "__main__":
    main()

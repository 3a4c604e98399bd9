#!/usr/bin/env python3
"""Run a command on a real pseudo terminal and play a script of keypresses into it.

Tests use it (through test/support/pty.ts) to check what only a terminal shows: a prompt
answered by one key with no Enter, a live progress bar, Ctrl-C. Usage:

    pty-run.py '<steps as JSON>' command [args...]

Each step is one of
    {"wait": "text"}            wait until the output (since the previous wait) contains text
    {"send": "s"}               write these bytes to the terminal (a keypress, or "\\u0003")
    {"mode": "label"}           record whether the terminal is in line mode now
                                (ICANON and ECHO on), as label in the result
    {"signal": "SIGINT"}        send a signal to the command's process group
    {"sleep": 0.2}              pause (seconds)
    {"touch": "/path"}          create this (empty) file: a signal to another process
It prints one JSON object: {"output", "code", "signal", "modes", "error"}; a step that times
out ends the run early with "error" set and the command killed.
"""
import json
import os
import pty
import select
import signal
import sys
import termios
import time

STEP_TIMEOUT = float(os.environ.get('PTY_STEP_TIMEOUT', '20'))


def main():
    steps = json.loads(sys.argv[1])
    command = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    output = b''
    seen = 0
    modes = {}
    error = None

    def read_some(timeout):
        nonlocal output
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        output += chunk
        return True

    alive = True
    for step in steps:
        if 'wait' in step:
            wanted = step['wait'].encode()
            deadline = time.time() + STEP_TIMEOUT
            while wanted not in output[seen:]:
                if not alive or time.time() > deadline:
                    error = 'timed out waiting for %r' % step['wait'] if alive else 'exited before %r' % step['wait']
                    break
                alive = read_some(0.05)
            if error:
                break
            seen = output.index(wanted, seen) + len(wanted)
        elif 'send' in step:
            os.write(fd, step['send'].encode())
        elif 'mode' in step:
            lflag = termios.tcgetattr(fd)[3]
            modes[step['mode']] = bool(lflag & termios.ICANON) and bool(lflag & termios.ECHO)
        elif 'signal' in step:
            os.killpg(os.getpgid(pid), getattr(signal, step['signal']))
        elif 'sleep' in step:
            time.sleep(step['sleep'])
        elif 'touch' in step:
            open(step['touch'], 'a').close()
    if error:
        os.kill(pid, signal.SIGKILL)
    deadline = time.time() + STEP_TIMEOUT
    while alive:
        if time.time() > deadline:
            error = error or 'did not exit'
            os.kill(pid, signal.SIGKILL)
            deadline = float('inf')
        alive = read_some(0.05)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None
    print(json.dumps({'output': output.decode('utf8', 'replace'), 'code': code, 'signal': sig, 'modes': modes, 'error': error}))


main()

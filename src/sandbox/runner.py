"""
Switchboard's code_interpreter runner: a Jupyter-like Python session inside the bubblewrap sandbox.

The server starts it as `python3 -I -u runner.py '<limits json>'` with:
  fd 0: /dev/null
  fd 1: the output pipe (stderr is joined to it, so the order of prints and tracebacks is kept)
  fd 3: the control socket, one JSON object per line in each direction

Requests:  {"op": "exec", "id": "<nonce>", "code": "...", "timeout": seconds}
Replies:   {"op": "ready", "python": "3.11.2"} once at start, then per exec
           {"op": "done", "id": ..., "error": null | {"name", "message"}, "images": [base64 png, ...]}
After each exec the runner writes the end marker "\\x1e<id>\\x1e" to fd 1, so the server knows it has
read every byte of that call's output.

This file is not the security boundary (bubblewrap is): the limits below only keep a well-meaning
session within bounds and turn exhaustion into Python exceptions the model can read.
"""

import ast
import base64
import io
import json
import os
import resource
import signal
import socket
import sys
import traceback
import warnings

LIMITS = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
MAIN_PID = os.getpid()
MAX_FIGURES = 10


class CpuTimeExceeded(BaseException):
    """The call used more CPU time than one call may."""


class ExecutionTimeout(BaseException):
    """The call ran longer than one call may."""


def apply_limits():
    def lower(kind, value):
        if value is None:
            return
        soft, hard = resource.getrlimit(kind)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))

    lower(resource.RLIMIT_AS, LIMITS.get("memory_bytes"))
    lower(resource.RLIMIT_NPROC, LIMITS.get("max_processes"))
    lower(resource.RLIMIT_FSIZE, LIMITS.get("max_file_bytes"))
    lower(resource.RLIMIT_NOFILE, LIMITS.get("max_open_files", 256))
    lower(resource.RLIMIT_CORE, 0)
    # The session's whole CPU budget is the hard limit; each call gets a soft limit on top of what was used.
    cpu_total = LIMITS.get("cpu_seconds_total")
    if cpu_total is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_total), int(cpu_total)))
    # A write past RLIMIT_FSIZE is an OSError (EFBIG), not a killed process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def on_cpu(signum, frame):
    raise CpuTimeExceeded("CPU time limit exceeded for this call")


CALL = {"timeout": None}


def on_alarm(signum, frame):
    raise ExecutionTimeout("execution timed out after %s seconds" % CALL["timeout"])


def cpu_used():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def arm(timeout):
    cpu_call = LIMITS.get("cpu_seconds_per_call")
    if cpu_call is not None:
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        want = int(cpu_used()) + 1 + int(cpu_call)
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (want, hard))
    CALL["timeout"] = timeout
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, float(timeout))


def disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


NAMESPACE = {"__name__": "__main__", "__builtins__": __builtins__}


def run_code(code):
    """Runs a cell: all statements, then the last expression's value is shown, as Jupyter does."""
    tree = ast.parse(code, filename="<cell>", mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<cell>", "exec"), NAMESPACE)
    if last is not None:
        value = eval(compile(last, "<cell>", "eval"), NAMESPACE)
        if value is not None:
            NAMESPACE["_"] = value
            print(repr(value))


def user_traceback(exc):
    """The traceback without the runner's own frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(frames) if frames else []
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def figures():
    """Open matplotlib figures as PNGs (then closed), like an inline Jupyter backend."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    images = []
    try:
        for num in plt.get_fignums()[:MAX_FIGURES]:
            buf = io.BytesIO()
            plt.figure(num).savefig(buf, format="png", bbox_inches="tight")
            images.append(base64.b64encode(buf.getvalue()).decode("ascii"))
    except Exception as exc:  # a broken figure is reported, not fatal
        sys.stderr.write("Could not render a figure: %s\n" % exc)
    finally:
        try:
            plt.close("all")
        except Exception:
            pass
    return images


def leave_if_forked(code):
    """A process the code forked ends with the cell: only the session's own process serves requests."""
    if os.getpid() != MAIN_PID:
        try:
            sys.stdout.flush()
        finally:
            os._exit(code)


def end_stragglers():
    """Every other process of the session ends with the cell: inside the sandbox's PID namespace,
    kill(-1) reaches all of them at once (forks included) but the namespace's init and this process.
    The server checks the same from outside, since the code can replace this function."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:  # none left
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue


def main():
    os.dup2(1, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), encoding="utf-8", errors="replace", write_through=True)
    sys.stderr = sys.stdout
    control = socket.socket(fileno=3)
    reader = control.makefile("r", encoding="utf-8")

    def reply(message):
        control.sendall((json.dumps(message) + "\n").encode("utf-8"))

    apply_limits()
    signal.signal(signal.SIGXCPU, on_cpu)
    signal.signal(signal.SIGALRM, on_alarm)
    warnings.filterwarnings("ignore", message=".*non-interactive.*")
    os.chdir("/mnt/data")
    reply({"op": "ready", "python": sys.version.split()[0]})

    for line in reader:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if request.get("op") != "exec":
            continue
        error = None
        try:
            arm(request.get("timeout"))
            try:
                run_code(request.get("code", ""))
            finally:
                leave_if_forked(0)
                disarm()
        except BaseException as exc:  # the user's code may raise anything, SystemExit included
            leave_if_forked(1)
            disarm()
            if isinstance(exc, MemoryError):
                message = "out of memory (the session's memory limit was reached)"
            else:
                message = str(exc)
            error = {"name": type(exc).__name__, "message": message}
            try:
                sys.stderr.write(user_traceback(exc))
            except BaseException:
                pass
        end_stragglers()
        images = figures()
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        os.write(1, ("\x1e%s\x1e" % request.get("id", "")).encode("ascii"))
        reply({"op": "done", "id": request.get("id"), "error": error, "images": images})


if __name__ == "__main__":
    main()

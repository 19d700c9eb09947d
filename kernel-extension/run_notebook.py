"""Executes a notebook headlessly for ./lethe notebook (run by Debian's /usr/bin/python3, which has nbclient).

usage: run_notebook.py NOTEBOOK OUT_DIR [--kernel NAME] [--timeout SECONDS]

Writes the executed notebook to OUT_DIR/<name>.ipynb, also when a cell fails (the cells up to and including the
failing one, with its error output), and the kernel process's own output to OUT_DIR/<name>.kernel.log. On a failing cell it
prints one short block (the cell's number, its first line, the error) and exits with 1; the kernel's stack trace
stays in the saved notebook.
"""

import argparse
import os
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# ANSI colour codes that kernels put into tracebacks.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The Kotlin kernel names a cell's script after its execution counter: compile errors read
# "Line_3.jupyter.kts (2:5 - 10) Unresolved reference: x", run-time frames "at Line_3_jupyter.<init>(Line_3.jupyter.kts:2)".
COMPILE_POSITION = re.compile(r"Line_\d+\.jupyter\.kts \((\d+):(\d+) - \d+\)\s*")
FRAME_LINE = re.compile(r"\(Line_\d+\.jupyter\.kts:(\d+)\)")
EXCEPTION_LINE = re.compile(r"^([\w$]+\.)+[\w$]*(Exception|Error|Throwable)\b.*")
MAX_LINES = 6
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def write_atomically(nb, path):
    """Writes the notebook to a temporary file beside path, then renames it over path."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".", suffix=".ipynb.tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private; the notebook gets a new file's usual mode
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def first_line(source):
    """The cell's first non-blank line, at most 100 characters."""
    for line in source.splitlines():
        if line.strip():
            return line if len(line) <= 100 else line[:97] + "..."
    return "(empty cell)"


def error_lines(error, cell):
    """The error in a few lines: the exception (from the cell's stderr where the kernel printed it), its message
    with cell-relative line numbers instead of the kernel's script names, and the line of the cell it came from."""
    value = ANSI.sub("", error.evalue or "").strip()
    value = COMPILE_POSITION.sub(lambda m: "line %s:%s: " % (m.group(1), m.group(2)), value)
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    exception = next((l.strip() for l in stderr.splitlines() if EXCEPTION_LINE.match(l.strip())), None)
    lines = [exception] if exception else [error.ename.rsplit(".", 1)[-1] + ":"]
    if not exception or value not in exception:
        lines += [l for l in value.splitlines() if l.strip()]
    frame = FRAME_LINE.search(stderr) or COMPILE_POSITION.search(ANSI.sub("", error.evalue or ""))
    source = cell.source.splitlines()
    if frame and 0 < int(frame.group(1)) <= len(source):
        lines.append("at line %s of the cell: %s" % (frame.group(1), source[int(frame.group(1)) - 1].strip()[:100]))
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + ["... (%d more lines in the saved notebook)" % (len(lines) - MAX_LINES)]
    return lines


def printable(text):
    """text with control characters (ESC, BEL, CR, ...) shown as \\xNN, so a cell cannot drive the terminal."""
    return CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()), text)


def failure_report(nb, name, index, error):
    """The short block for the cell at index that raised error."""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    cell = nb.cells[index]
    return "\n".join(printable(l) for l in ["lethe: %s failed in cell %d (code cell %d of %d):" % (
        name, index + 1, code_cells.index(cell) + 1, len(code_cells)), "    " + first_line(cell.source)]
        + ["  " + l for l in error_lines(error, cell)])


def execute(client, nb, log):
    """Executes the cells in order (nbclient's NotebookClient.execute, one cell at a time); returns the index of
    the cell that failed and its CellExecutionError, or None."""
    with client.setup_kernel(stdout=log, stderr=log):
        info = client.wait_for_reply(client.kc.kernel_info())
        if info is not None and "language_info" in info["content"]:
            nb.metadata["language_info"] = info["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as e:
                if not any(o.get("output_type") == "error" for o in cell.outputs):
                    # The Kotlin kernel reports the error only in its reply: keep it in the saved notebook.
                    cell.outputs.append(nbformat.v4.new_output("error", ename=e.ename, evalue=e.evalue,
                                                               traceback=e.traceback.splitlines()))
                return index, e
    return None


def main():
    parser = argparse.ArgumentParser(description="Execute a notebook headlessly, saving it also when a cell fails.")
    parser.add_argument("notebook")
    parser.add_argument("out_dir")
    parser.add_argument("--kernel", default="lethe-kotlin")
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    name = os.path.basename(args.notebook)
    out = os.path.join(args.out_dir, name)
    log_path = os.path.join(args.out_dir, os.path.splitext(name)[0] + ".kernel.log")
    client = NotebookClient(nb, timeout=args.timeout, kernel_name=args.kernel,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}})
    failed = None
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            # The kernel's own output (its log, and an echo of what cells print) goes to the log file, not the terminal.
            failure = execute(client, nb, log)
            if failure:
                failed = failure_report(nb, name, *failure)
        except (CellTimeoutError, DeadKernelError) as e:
            failed = printable("lethe: %s stopped: %s" % (name, str(e).splitlines()[0] if str(e) else type(e).__name__))
    write_atomically(nb, out)
    if failed:
        print(failed, file=sys.stderr)
        print(printable("  executed cells so far: %s (kernel log: %s)" % (out, log_path)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

package dev.lethe.cli;

import dev.lethe.io.AtomicFiles;
import dev.lethe.util.Printable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** How a command reports a failure that is not bad input: one line on standard error, the stack trace in a file. */
final class Failure {
    /** The exit code of a failure. */
    static final int EXIT = 1;

    private Failure() {}

    /** {@code failure}'s message and its causes' (a full disk's "No space left on device"), on one printable line. */
    static String oneLine(Throwable failure) {
        StringBuilder b = new StringBuilder(failure.getMessage() == null ? failure.toString() : failure.getMessage());
        for (Throwable c = failure.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            if (b.indexOf(m) < 0) {
                b.append(": ").append(m);
            }
        }
        return Printable.escape(b.toString()).replace("\\n", " ");
    }

    /**
     * Writes {@code failure}'s stack trace to {@code traceFile} (when it can), prints {@code lethe <command>: failed:
     * <one line> (stack trace in <file>)<hint>}; returns {@link #EXIT}.
     */
    static int report(PrintWriter err, String command, Throwable failure, Path traceFile, String hint) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        @Nullable Path written = traceFile;
        try {
            AtomicFiles.writeString(traceFile, trace.toString());
        } catch (RuntimeException e) {
            written = null;
        }
        err.println("lethe " + command + ": failed: " + oneLine(failure)
                + (written == null ? "" : " (stack trace in " + Printable.escape(written.toString()) + ")") + hint);
        err.flush();
        return EXIT;
    }
}

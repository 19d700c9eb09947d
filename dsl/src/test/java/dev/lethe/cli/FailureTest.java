package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failure is one printable line on the terminal; its stack trace goes to a file. */
class FailureTest {
    @Test
    void oneLineWithItsCausesAndTheTraceInAFile(@TempDir Path tmp) throws IOException {
        StringWriter err = new StringWriter();
        RuntimeException failure = new UncheckedIOException("cannot write report/plotly.js\u001b[2K",
                new IOException("No space left on device"));
        Path trace = tmp.resolve("eval/error.txt");
        assertEquals(1, Failure.report(new PrintWriter(err), "eval", failure, trace, "; try again"));
        assertEquals("lethe eval: failed: cannot write report/plotly.js\\e[2K: No space left on device (stack trace in "
                + trace + "); try again", err.toString().strip());
        assertTrue(Files.readString(trace).contains("at dev.lethe.cli.FailureTest"), "the stack trace is kept");
    }

    @Test
    void aTraceThatCannotBeWrittenIsLeftOutOfTheLine(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("eval"), "a file where a folder must go");
        StringWriter err = new StringWriter();
        Failure.report(new PrintWriter(err), "eval", new IllegalStateException("boom"), tmp.resolve("eval/error.txt"), "");
        assertEquals("lethe eval: failed: boom", err.toString().strip());
    }
}

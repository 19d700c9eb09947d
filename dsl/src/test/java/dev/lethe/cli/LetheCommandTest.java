package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LetheCommandTest {

    private static String run(int expectedExit, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = new CommandLine(new LetheCommand());
            cli.setOut(new java.io.PrintWriter(System.out, true));
            assertEquals(expectedExit, cli.execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void doctorReportsTheEngineAndAWorkingComputation() {
        String out = run(0, "doctor");
        assertTrue(out.contains("engine       PyTorch"), out);
        assertTrue(out.contains("2x2 matmul on cpu: ok"), out);
    }

    @Test
    void helpListsTheCommands() {
        String out = run(0, "--help");
        assertTrue(out.contains("quickstart") && out.contains("doctor"), out);
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, new CommandLine(new LetheCommand()).execute("quickstart", "--no-such-option"));
        } finally {
            System.setErr(oldErr);
        }
    }
}

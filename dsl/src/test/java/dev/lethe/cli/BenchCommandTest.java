package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Issue 13, reproduction 9 and the weak spot "bench --steps 0/-1, --batch 0": one-line refusals, exit 2. */
class BenchCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--steps|0|--steps must be at least 1, was 0",
        "--steps|-1|--steps must be at least 1, was -1",
        "--batch|0|--batch must be at least 1, was 0",
        "--batch|-3|--batch must be at least 1, was -3",
        "--warmup|-1|--warmup must be at least 0, was -1",
        "--length|2|--length must be at least 3",
    })
    void refusesSizesThatMeasureNothingInOneLine(String option, String value, String expected) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("--step", "forward", option, value);
        String message = err.toString();
        assertEquals(2, exit, message);
        assertTrue(message.startsWith("lethe bench: " + expected), message);
        assertEquals(1, message.strip().lines().count(), "one line, no stack trace or usage: " + message);
        assertEquals("", out.toString(), "nothing measured");
    }
}

package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell launchers: {@code ./lethe} (Maven's output without stray escapes) and {@code kernel-extension/jupyter.sh}. */
class LauncherTest {
    private static final Path ROOT = Path.of(System.getProperty("lethe.root", "..")).toAbsolutePath().normalize();

    /** What a command printed on standard output and error together, and its exit code. */
    private record Ran(String output, int exitCode, double seconds) {}

    @Test
    void theLaunchersMavenBuildPrintsNoColourEscapes(@TempDir Path dir) throws Exception {
        Path mvn = Path.of("/usr/bin/mvn");
        Assumptions.assumeTrue(Files.isExecutable(mvn), "skipped: no /usr/bin/mvn");
        // A checkout without a built jar, so the launcher builds; its 'mvn' runs the real Maven (with the
        // environment the launcher gives it) for 'mvn -B -q -v', which prints ESC[0m on Debian's Maven 3.8.
        Path checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(ROOT.resolve("lethe"), checkout.resolve("lethe"));
        Files.createDirectories(checkout.resolve("dsl/src/main"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.writeString(checkout.resolve("dsl/pom.xml"), "<project/>");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        executable(bin.resolve("mvn"), "#!/bin/sh\nexec " + mvn + " -B -q -v\n");
        Ran ran = run(List.of("bash", checkout.resolve("lethe").toString(), "--version"),
                List.of("PATH=" + bin + ":" + System.getenv("PATH")), 120);
        assertTrue(ran.output().contains("lethe: building"), ran.output());
        assertTrue(ran.output().contains("3."), "Maven ran: " + ran.output());
        assertTrue(!ran.output().contains("\u001b"), "no escape sequences: " + ran.output().replace("\u001b", "ESC"));
    }

    @Test
    void theJupyterInstallWaitsForAnAptLockInsteadOfFailing(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "skipped: no /usr/bin/python3");
        Path lock = Files.createFile(dir.resolve("lock"));
        Ran ran;
        // apt takes its locks with fcntl, as FileChannel.lock does on Linux.
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(2500);
                    held.release();
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            release.start();
            ran = run(List.of("bash", "-c", "source \"$1\" && wait_for_lock \"$2\" && echo acquired", "bash",
                    ROOT.resolve("kernel-extension/jupyter.sh").toString(), lock.toString()),
                    List.of("LETHE_LOCK_POLL=1"), 60);
            release.join();
        }
        assertEquals(0, ran.exitCode(), ran.output());
        assertTrue(ran.output().contains("waiting for another apt/dpkg to release " + lock), ran.output());
        assertTrue(ran.output().strip().endsWith("acquired"), ran.output());
        assertTrue(ran.seconds() >= 2, "it waited for the lock: " + ran.seconds() + " s");
    }

    @Test
    void theJupyterInstallIncludesTheInteractiveFrontEndAndSaysHowToOpenTheNotebooks() throws Exception {
        String script = Files.readString(ROOT.resolve("kernel-extension/jupyter.sh"));
        assertTrue(script.matches("(?s).*\ndebs=\"[^\"]*\\bjupyter-notebook\\b[^\"]*\".*"), "Debian's jupyter-notebook is installed");
        assertTrue(script.contains("$jupyter notebook notebooks/"), "the install prints the command that opens the notebooks");
        assertTrue(script.contains("-o DPkg::Lock::Timeout=600 install"), "apt-get install waits for dpkg's lock");
        assertTrue(Files.readString(ROOT.resolve(".ci/run")).contains("./lethe jupyter --install-debs chromium"),
                "CI installs Debian's packages the same way");
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Ran run(List<String> command, List<String> env, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command + "\n" + out);
        }
        return new Ran(out, p.exitValue(), (System.nanoTime() - start) / 1e9);
    }
}

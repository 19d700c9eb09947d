package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Executes every notebook in {@code notebooks/} headlessly (nbconvert, the Kotlin kernel, {@code %use lethe} on
 * this build's classes) and checks what they show; exports the quickstart to HTML and lets headless Chromium
 * draw it. Skipped, with the reason, where Debian's Jupyter or the kernel's jars are missing
 * ({@code ./lethe jupyter --install} provides both; {@code .ci/run} runs it).
 */
class NotebooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NOTEBOOKS = List.of("01-quickstart", "02-compose-an-objective",
            "03-robust-optimizers", "04-recipe-files");
    /** The notebooks run two at a time (kernel start-up and compilation are single-threaded). */
    private static final Map<String, Future<Executed>> EXECUTED = new ConcurrentHashMap<>();
    private static ExecutorService pool;
    @TempDir
    static Path tmp;
    private static Path root;
    private static String jupyter;
    private static Path jupyterPath;

    /** An executed notebook: the file nbconvert wrote and the seconds it took. */
    private record Executed(Path file, JsonNode notebook, double seconds) {}

    @BeforeAll
    static void kernel() throws IOException {
        root = Path.of(System.getProperty("lethe.root", "..")).toAbsolutePath().normalize();
        jupyter = Files.isExecutable(Path.of("/usr/bin/jupyter")) ? "/usr/bin/jupyter" : "jupyter";
        Assumptions.assumeTrue(works(List.of(jupyter, "nbconvert", "--version")),
                "skipped: no Jupyter with nbconvert (Debian: jupyter-core jupyter-client jupyter-nbconvert "
                        + "python3-nbclient python3-nbformat; or ./lethe jupyter --install)");
        Path kernelHome = Path.of(System.getenv().getOrDefault("LETHE_KERNEL_HOME",
                System.getProperty("user.home") + "/.local/share/lethe/kotlin-kernel"));
        Path kernelLib = kernelHome.resolve("lib");
        Assumptions.assumeTrue(Files.exists(kernelLib.resolve("kotlin-jupyter-kernel-0.11.0-398.jar")),
                "skipped: the Kotlin kernel's jars are not in " + kernelLib + " (./lethe jupyter --install)");
        // A kernel of our own: its user.home (where the 0.11 kernel looks for %use descriptors) is a temporary
        // folder, so the test never touches the user's descriptor; DJL keeps its usual cache.
        Path userHome = tmp.resolve("user-home");
        String djlCache = System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai");
        jupyterPath = tmp.resolve("jupyter");
        KernelSetup.writeKernelSpec(jupyterPath.resolve("kernels"), Path.of(System.getProperty("java.home"), "bin", "java"),
                kernelLib, tmp.resolve("kernel-home"), List.of("-Duser.home=" + userHome, "-DDJL_CACHE_DIR=" + djlCache));
        List<Path> classpath = new ArrayList<>();
        classpath.add(root.resolve("kernel-extension/target/classes"));
        String runtime = Files.readString(root.resolve("kernel-extension/target/runtime-classpath.txt")).trim();
        for (String entry : runtime.split(java.io.File.pathSeparator)) {
            classpath.add(Path.of(entry));
        }
        KernelSetup.writeLibraryDescriptor(KernelSetup.librariesDir(userHome), classpath);
        pool = Executors.newFixedThreadPool(2);
        for (String name : NOTEBOOKS) {
            EXECUTED.put(name, pool.submit(() -> run(name)));
        }
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Test
    void theTestCoversEveryNotebook() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("notebooks"))) {
            assertEquals(NOTEBOOKS, files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".ipynb"))
                    .map(f -> f.substring(0, f.length() - ".ipynb".length())).sorted().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"01-quickstart", "02-compose-an-objective", "03-robust-optimizers", "04-recipe-files"})
    void everyNotebookRunsWithoutErrorsAndShowsTablesAndCharts(String name) throws Exception {
        Executed run = execute(name);
        List<String> html = new ArrayList<>();
        for (JsonNode cell : run.notebook().get("cells")) {
            for (JsonNode out : cell.path("outputs")) {
                assertTrue(!out.path("output_type").asText().equals("error"),
                        name + ": a cell failed: " + out.path("ename").asText() + ": " + out.path("evalue").asText());
                JsonNode h = out.path("data").path("text/html");
                if (!h.isMissingNode()) {
                    html.add(h.isArray() ? joined(h) : h.asText());
                }
            }
        }
        String all = String.join("\n", html);
        assertTrue(all.contains("<table class=\"lethe"), name + " shows an HTML table");
        assertTrue(all.contains("class=\"lethe-plot\"") && all.contains("Plotly.newPlot"), name + " shows a Plotly chart");
        assertEquals(1, count(all, "if (!window.Plotly)"), name + ": plotly.js is inlined exactly once");
        assertTrue(all.indexOf("if (!window.Plotly)") < all.indexOf("Plotly.newPlot"), "plotly.js comes before the charts");
        Matcher progress = Pattern.compile("<table class=\"lethe lethe-progress\">.*?</table>", Pattern.DOTALL).matcher(all);
        assertTrue(progress.find(), name + " shows live progress");
        String finalProgress = progress.group();
        assertTrue(finalProgress.contains("unlearn") && finalProgress.contains("evaluate")
                && (finalProgress.contains("done in") || finalProgress.contains("loaded from cache")),
                name + ": the progress output holds its final state (updated in place): " + finalProgress);
        assertEquals(0, count(all, ">started</td>"), name + ": every progress output was updated to its final state");
        System.out.printf("notebook %s executed in %.1f s, %d KiB%n", name, run.seconds(), Files.size(run.file()) / 1024);
    }

    @Test
    void theQuickstartExportedToHtmlIsDrawnByChromium() throws Exception {
        String chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "skipped: no headless Chromium (Debian package chromium)");
        Executed run = execute("01-quickstart");
        Path htmlDir = tmp.resolve("html");
        exec(List.of(jupyter, "nbconvert", "--to", "html", run.file().toString(), "--output-dir", htmlDir.toString()), 120);
        Path html = htmlDir.resolve("01-quickstart.html");
        String page = Files.readString(html);
        int charts = count(page, "class=\"lethe-plot\"");
        assertTrue(charts >= 4, "the export holds the result's three charts and the trade-off plot: " + charts);
        String dom = exec(Chromium.dumpDom(chromium, tmp.resolve("chromium-profile"), html), 120);
        int drawn = count(dom, "class=\"main-svg\"");
        assertTrue(drawn >= 2 * charts, "Plotly drew every chart (two main-svg layers each): " + drawn + " for " + charts);
        assertTrue(dom.contains("<table class=\"lethe"), "the tables are in the page");
        System.out.printf("01-quickstart.html: %d KiB, %d charts, %d main-svg%n", Files.size(html) / 1024, charts, drawn);
    }

    private static Executed execute(String name) throws Exception {
        try {
            return EXECUTED.get(name).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw new AssertionError(e.getCause());
        }
    }

    private static Executed run(String name) throws Exception {
        Path out = tmp.resolve("executed");
        long start = System.nanoTime();
        exec(List.of(jupyter, "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                "--ExecutePreprocessor.kernel_name=" + KernelSetup.KERNEL_NAME,
                root.resolve("notebooks").resolve(name + ".ipynb").toString(), "--output-dir", out.toString()), 900);
        double seconds = (System.nanoTime() - start) / 1e9;
        Path file = out.resolve(name + ".ipynb");
        return new Executed(file, JSON.readTree(file.toFile()), seconds);
    }

    /** Runs {@code command} with this test's Jupyter path; returns its standard output, fails on a non-zero exit. */
    private static String exec(List<String> command, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        Path err = Files.createTempFile(tmp, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String errors = Files.readString(err);
        int cell = errors.indexOf("An error occurred while executing");
        String shown = cell >= 0 ? errors.substring(cell, Math.min(errors.length(), cell + 6000))
                : errors.substring(Math.max(0, errors.length() - 6000));
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + shown);
        return new String(stdout, StandardCharsets.UTF_8);
    }

    private static boolean works(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String joined(JsonNode lines) {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l.asText()));
        return sb.toString();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}

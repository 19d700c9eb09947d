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
 * Executes every notebook in {@code notebooks/} headlessly, as {@code ./lethe notebook} does
 * ({@code kernel-extension/run_notebook.py}, the Kotlin kernel, {@code %use lethe} on this build's classes), and
 * checks what they show, their size and a quiet standard error; checks that notebook 01 shows the effect its
 * prose describes; runs {@code src/test/resources/notebooks/kernel-checks.ipynb} (operators and imports in the
 * kernel, then a failing cell); exports the quickstart to HTML and lets headless Chromium draw it. Skipped, with
 * the reason, where Debian's Jupyter or the kernel's jars are missing ({@code ./lethe jupyter --install} provides
 * both; {@code .ci/run} runs it).
 */
class NotebooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Debian's Python, which has nbclient (a python3 earlier on PATH may not). */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final List<String> NOTEBOOKS = List.of("01-quickstart", "02-compose-an-objective",
            "03-robust-optimizers", "04-recipe-files", "05-path-dependence");
    /** The notebooks run two at a time (kernel start-up and compilation are single-threaded). */
    private static final Map<String, Future<Executed>> EXECUTED = new ConcurrentHashMap<>();
    private static ExecutorService pool;
    @TempDir
    static Path tmp;
    private static Path root;
    private static String jupyter;
    private static Path jupyterPath;

    /** An executed notebook only shows charts when plotly.js (inlined once) stays small enough to share. */
    private static final long MAX_NOTEBOOK_BYTES = 5_000_000;
    /** The test notebook with kernel checks and a failing cell. */
    private static final String KERNEL_CHECKS = "kernel-checks";

    /**
     * An executed notebook: the file run_notebook.py wrote, its exit code, what it printed (standard output and
     * error, as a terminal shows them), the kernel's log and the seconds it took.
     */
    private record Executed(Path file, JsonNode notebook, int exitCode, String terminal, String kernelLog, double seconds) {
        /** The outputs of the cell with this id. */
        JsonNode outputs(String cellId) {
            for (JsonNode cell : notebook.get("cells")) {
                if (cell.path("id").asText().equals(cellId)) {
                    return cell.path("outputs");
                }
            }
            throw new AssertionError(file + " has no cell " + cellId);
        }

        /** The text the cell with this id printed on standard output. */
        String stdout(String cellId) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode out : outputs(cellId)) {
                if (out.path("output_type").asText().equals("stream") && out.path("name").asText().equals("stdout")) {
                    sb.append(out.path("text").isArray() ? joined(out.path("text")) : out.path("text").asText());
                }
            }
            return sb.toString();
        }
    }

    @BeforeAll
    static void kernel() throws IOException {
        root = Path.of(System.getProperty("lethe.root", "..")).toAbsolutePath().normalize();
        jupyter = Files.isExecutable(Path.of("/usr/bin/jupyter")) ? "/usr/bin/jupyter" : "jupyter";
        Assumptions.assumeTrue(works(List.of(jupyter, "nbconvert", "--version"))
                        && works(List.of(PYTHON, "-c", "import nbclient, nbformat")),
                "skipped: no Jupyter with nbconvert and nbclient (Debian: jupyter-core jupyter-client jupyter-nbconvert "
                        + "python3-nbclient python3-nbformat; or ./lethe jupyter --install)");
        Path kernelHome = Path.of(System.getenv().getOrDefault("LETHE_KERNEL_HOME",
                System.getProperty("user.home") + "/.local/share/lethe/kotlin-kernel"));
        Path kernelLib = kernelHome.resolve("lib");
        Assumptions.assumeTrue(Files.exists(kernelLib.resolve("kotlin-jupyter-kernel-0.11.0-398.jar")),
                "skipped: the Kotlin kernel's jars are not in " + kernelLib + " (./lethe jupyter --install)");
        // A kernel of our own: its user.home (where the 0.11 kernel looks for %use descriptors) is a temporary
        // folder, so the test never touches the user's descriptor; DJL keeps its usual cache; the model cache is
        // this test's own.
        Path userHome = tmp.resolve("user-home");
        String djlCache = System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai");
        jupyterPath = tmp.resolve("jupyter");
        KernelSetup.writeKernelSpec(jupyterPath.resolve("kernels"), Path.of(System.getProperty("java.home"), "bin", "java"),
                kernelLib, tmp.resolve("kernel-home"), List.of("-Duser.home=" + userHome, "-DDJL_CACHE_DIR=" + djlCache,
                        "-Dlethe.cache=" + tmp.resolve("model-cache"))); // shared by the notebooks, as a user's is
        List<Path> classpath = new ArrayList<>();
        classpath.add(root.resolve("kernel-extension/target/classes"));
        String runtime = Files.readString(root.resolve("kernel-extension/target/runtime-classpath.txt")).trim();
        for (String entry : runtime.split(java.io.File.pathSeparator)) {
            classpath.add(Path.of(entry));
        }
        KernelSetup.writeLibraryDescriptor(KernelSetup.librariesDir(userHome), classpath);
        pool = Executors.newFixedThreadPool(2);
        for (String name : NOTEBOOKS) {
            EXECUTED.put(name, pool.submit(() -> run(root.resolve("notebooks").resolve(name + ".ipynb"))));
        }
        EXECUTED.put(KERNEL_CHECKS, pool.submit(() -> run(root.resolve(
                "kernel-extension/src/test/resources/notebooks/" + KERNEL_CHECKS + ".ipynb"))));
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
    @ValueSource(strings = {"01-quickstart", "02-compose-an-objective", "03-robust-optimizers", "04-recipe-files",
        "05-path-dependence"})
    void everyNotebookRunsWithoutErrorsAndShowsTablesAndCharts(String name) throws Exception {
        Executed run = execute(name);
        assertEquals(0, run.exitCode(), name + " failed:\n" + run.terminal());
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
        assertTrue(Files.size(run.file()) <= MAX_NOTEBOOK_BYTES,
                name + " executed is " + Files.size(run.file()) / 1024 + " KiB, more than 5 MB (plotly.js is inlined minified, once)");
        for (String out : List.of(run.terminal(), run.kernelLog())) {
            assertTrue(!out.contains("SLF4J("), name + ": SLF4J complains on the terminal or in the kernel log:\n" + out);
        }
        System.out.printf("notebook %s executed in %.1f s, %d KiB%n", name, run.seconds(), Files.size(run.file()) / 1024);
    }

    @Test
    void theQuickstartNotebookShowsAMemorisedModelAndAnUnlearnedOneThatKeepsTheRetainSet() throws Exception {
        Executed run = execute("01-quickstart");
        String printed = run.stdout("7d2e9a41");
        Matcher m = Pattern.compile("(\\w+)\\s+forget exact match ([0-9.]+)\\s+retain exact match ([0-9.]+)").matcher(printed);
        Map<String, double[]> exactMatch = new java.util.HashMap<>();
        while (m.find()) {
            exactMatch.put(m.group(1), new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
        }
        assertEquals(java.util.Set.of("learned", "reference", "unlearned"), exactMatch.keySet(), printed);
        assertTrue(exactMatch.get("learned")[0] >= 0.9, "the learned model memorised the forget set: " + printed);
        assertTrue(exactMatch.get("learned")[1] >= 0.9, "the learned model memorised the retain set: " + printed);
        assertTrue(exactMatch.get("unlearned")[1] >= 0.8, "the unlearned model keeps the retain set: " + printed);
        assertTrue(exactMatch.get("unlearned")[0] <= exactMatch.get("reference")[0] + 0.2,
                "the unlearned model forgot about as much as the reference never knew: " + printed);
    }

    @Test
    void operatorsAndImportsWorkInTheKernelAndAClosedOperandIsRefused() throws Exception {
        Executed run = execute(KERNEL_CHECKS);
        String printed = run.stdout("c02");
        assertTrue(printed.contains("operators: 1.75, -1.5"), "3 - 0.25 * x + (-x) * x for x = [1, 2]: " + printed);
        assertTrue(printed.contains("imported: RecipeException"), printed);
        assertTrue(printed.contains("objective: "), "0.5 * objective compiles: " + printed);
        assertTrue(printed.contains("refusal: an operand of '*' is an NDArray that was already closed"), printed);
    }

    @Test
    void aFailingCellIsReportedInOneShortBlockAndTheCellsBeforeItAreSaved() throws Exception {
        Executed run = execute(KERNEL_CHECKS);
        assertEquals(1, run.exitCode(), run.terminal());
        List<String> lines = run.terminal().lines().toList();
        assertTrue(lines.size() <= 8, "a short block, not the kernel's traces: " + lines.size() + " lines:\n" + run.terminal());
        String err = run.terminal();
        assertTrue(err.contains("kernel-checks.ipynb failed in cell 4 (code cell 3 of 4)"), err);
        assertTrue(err.contains("val people = listOf(\"Ada\", \"Grace\")"), "the cell's first line: " + err);
        assertTrue(err.contains("java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 2"), err);
        assertTrue(err.contains("at line 2 of the cell: people[5]"), err);
        assertTrue(!err.contains("Line_") && !err.contains("Traceback") && !err.contains("\"header\""),
                "no kernel script names, Python traceback or message JSON: " + err);
        assertTrue(err.contains(run.file().toString()), "names the saved notebook: " + err);
        assertTrue(run.stdout("c02").contains("operators:"), "the cells before the failure are saved with their outputs");
        assertTrue(run.outputs("c03").toString().contains("\"output_type\":\"error\""), "the failing cell keeps its error");
        assertEquals(0, run.outputs("c04").size(), "the cells after the failure did not run");
    }

    @Test
    void theQuickstartExportedToHtmlIsDrawnByChromium() throws Exception {
        String chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "skipped: no headless Chromium (Debian package chromium)");
        Executed run = execute("01-quickstart");
        assertEquals(0, run.exitCode(), run.terminal());
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

    /** Executes the notebook as {@code ./lethe notebook} does, into {@code <tmp>/executed}. */
    private static Executed run(Path notebook) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("executed"));
        String name = notebook.getFileName().toString().replaceFirst("\\.ipynb$", "");
        Path err = tmp.resolve(name + ".terminal.txt");
        ProcessBuilder pb = new ProcessBuilder(PYTHON, root.resolve("kernel-extension/run_notebook.py").toString(),
                notebook.toString(), out.toString(), "--kernel", KernelSetup.KERNEL_NAME, "--timeout", "600")
                .redirectErrorStream(true).redirectOutput(err.toFile()); // what the terminal shows
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + notebook);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Path file = out.resolve(name + ".ipynb");
        Path log = out.resolve(name + ".kernel.log");
        return new Executed(file, JSON.readTree(file.toFile()), p.exitValue(), Files.readString(err),
                Files.exists(log) ? Files.readString(log) : "", seconds);
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

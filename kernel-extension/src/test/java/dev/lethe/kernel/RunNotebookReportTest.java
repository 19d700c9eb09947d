package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The failure block of {@code kernel-extension/run_notebook.py} for errors the notebook test's kernel run does not
 * produce: a compile error (the kernel names the cell's script {@code Line_N.jupyter.kts}) and control characters.
 */
class RunNotebookReportTest {
    private static final Path ROOT = Path.of(System.getProperty("lethe.root", "..")).toAbsolutePath().normalize();

    @Test
    void aCompileErrorNamesTheCellAndItsLineAndControlCharactersAreEscaped() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "skipped: no /usr/bin/python3");
        String script = String.join("\n",
                "import sys, nbformat",
                "sys.dont_write_bytecode = True  # no __pycache__ in the checkout",
                "sys.path.insert(0, sys.argv[1])",
                "import run_notebook",
                "from nbclient.exceptions import CellExecutionError",
                "nb = nbformat.v4.new_notebook()",
                "nb.cells = [nbformat.v4.new_markdown_cell('intro'), nbformat.v4.new_code_cell('%use lethe'),",
                "            nbformat.v4.new_code_cell('val title = \"\\x1b]0;PWNED\\x07\"\\nval n = undefinedName + 1')]",
                "e = CellExecutionError('trace', 'org.jetbrains.kotlinx.jupyter.exceptions.ReplCompilerException',",
                "                       'Line_7.jupyter.kts (2:9 - 22) Unresolved reference: undefinedName')",
                "print(run_notebook.failure_report(nb, 'x.ipynb', 2, e))");
        Process p = new ProcessBuilder(python.toString(), "-c", script, ROOT.resolve("kernel-extension").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(String.join("\n",
                "lethe: x.ipynb failed in cell 3 (code cell 2 of 2):",
                "    val title = \"\\x1b]0;PWNED\\x07\"",
                "  ReplCompilerException:",
                "  line 2:9: Unresolved reference: undefinedName",
                "  at line 2 of the cell: val n = undefinedName + 1"), out.strip());
    }
}

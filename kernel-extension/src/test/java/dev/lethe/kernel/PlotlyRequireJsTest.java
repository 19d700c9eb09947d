package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.ScatterPlot;

/** The inlined plotly.js sets {@code window.Plotly} and draws even where an AMD loader (require.js) is present. */
class PlotlyRequireJsTest {

    @Test
    void aFigureIsDrawnWithAnAmdDefineOnThePage(@TempDir Path dir) throws Exception {
        String chromium = Chromium.find();
        Assumptions.assumeTrue(chromium != null, "skipped: no headless Chromium (Debian package chromium)");
        Table t = Table.create("t", DoubleColumn.create("x", 1.0, 2.0), DoubleColumn.create("y", 3.0, 4.0));
        // What require.js leaves on a page: a global define with .amd, which a plain UMD bundle would call instead
        // of setting window.Plotly; defineCalls counts such calls.
        String page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>window.defineCalls = 0;"
                + "window.define = function () { window.defineCalls++; }; window.define.amd = {};</script></head><body>"
                + PlotlyJs.script() + NotebookHtml.figure(ScatterPlot.create("amd", t, "x", "y"))
                + "<script>document.body.setAttribute('data-define-calls', String(window.defineCalls));</script>"
                + "</body></html>";
        Path html = dir.resolve("amd.html");
        Files.writeString(html, page);
        Process p = new ProcessBuilder(Chromium.dumpDom(chromium, dir.resolve("profile"), html))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(dom.contains("data-define-calls=\"0\""), "plotly.js did not call the AMD define");
        int svgs = dom.split("class=\"main-svg\"", -1).length - 1;
        assertTrue(svgs >= 2, "the chart was drawn: " + svgs + " main-svg");
        assertEquals(1, dom.split("<div id=\"lethe_plot_", -1).length - 1);
    }
}

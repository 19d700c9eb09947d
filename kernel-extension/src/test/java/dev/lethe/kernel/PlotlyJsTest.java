package dev.lethe.kernel;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.report.HtmlReport;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlotlyJsTest {

    @Test
    void notebooksInlineTheMinifiedPlotly2AndItsLicenceIsOnTheClassPath() throws Exception {
        String script = PlotlyJs.script();
        assertTrue(script.length() < 4_700_000, "the minified build (4.6 MB), not the 10.8 MB bundle: " + script.length());
        assertTrue(script.contains("plotly.js v2.35.3"), "plotly.js 2.x (3.x loses Tablesaw's titles)");
        try (InputStream licence = HtmlReport.class.getClassLoader().getResourceAsStream("dev/lethe/report/plotly/LICENSE")) {
            assertNotNull(licence, "plotly.js's licence is shipped beside it");
            assertTrue(new String(licence.readAllBytes(), StandardCharsets.UTF_8).contains("MIT"));
        }
    }
}

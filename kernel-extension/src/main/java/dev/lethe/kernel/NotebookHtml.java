package dev.lethe.kernel;

import dev.lethe.report.HtmlReport;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/** The HTML that notebooks show for Lethe's values; pure functions apart from plotly.js being sent once. */
public final class NotebookHtml {
    /** Rows of a Tablesaw table shown before the rest is elided. */
    public static final int MAX_ROWS = 60;

    private static final String STYLE = "<style>table.lethe{border-collapse:collapse;margin:0.4em 0}"
            + "table.lethe td,table.lethe th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
            + "table.lethe caption{font-weight:bold;text-align:left}</style>";
    private static final AtomicLong IDS = new AtomicLong();
    private static final String SESSION = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    private NotebookHtml() {}

    /** A Tablesaw table as an HTML table (at most {@link #MAX_ROWS} rows), with its name as the caption. */
    public static String table(Table t) {
        Table shown = t.rowCount() > MAX_ROWS ? t.first(MAX_ROWS) : t;
        String html = HtmlReport.table(shown).replaceFirst("<thead>",
                "<caption>" + escape(t.name()) + "</caption><thead>");
        if (shown != t) {
            html += "<p>… " + (t.rowCount() - MAX_ROWS) + " more rows of " + t.rowCount() + "</p>\n";
        }
        return STYLE + html;
    }

    /**
     * A Plotly figure: a {@code <div>} with a fresh id and the script that draws into it, preceded by plotly.js
     * itself on the first figure of the kernel session.
     */
    public static String figure(Figure figure) {
        String id = "lethe_plot_" + SESSION + "_" + IDS.incrementAndGet();
        return PlotlyJs.once() + "<div id=\"" + id + "\" class=\"lethe-plot\"></div>\n" + figure.asJavascript(id);
    }

    /** A run: its per-split table, the cross-split metrics, attack deltas and stop reasons, and its default charts. */
    public static String runResult(RunResult result) {
        StringBuilder html = new StringBuilder("<div class=\"lethe-run\"><h3>")
                .append(escape(result.recipe().name())).append("</h3>\n")
                .append(table(RunTables.summary(result))).append(table(RunTables.headline(result)));
        Table deltas = RunTables.attackDeltas(result);
        if (deltas.rowCount() > 0) {
            html.append(table(deltas));
        }
        if (!result.stopReasons().isEmpty()) {
            html.append("<p><b>Stopped early:</b> ");
            result.stopReasons().forEach(r -> html.append(escape(r)).append("; "));
            html.append("</p>\n");
        }
        HtmlReport.figures(result).values().forEach(f -> html.append(figure(f)));
        return html.append("</div>\n").toString();
    }

    /**
     * A recipe as a two-column table: name, seed, device, then each part as its recipe file writes it
     * ({@link Recipe#parts()}: parameters, learning rates, combined objectives' weights, lambdas by name).
     */
    public static String recipe(Recipe recipe) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("name", recipe.name());
        parts.put("seed", Long.toString(recipe.seed()));
        parts.put("device", recipe.device());
        parts.putAll(recipe.parts());
        StringBuilder html = new StringBuilder(STYLE).append("<table class=\"lethe lethe-recipe\"><caption>recipe ")
                .append(escape(recipe.name())).append("</caption><tbody>\n");
        parts.forEach((k, v) -> html.append("<tr><th>").append(escape(k)).append("</th><td style=\"text-align:left\">")
                .append(escape(v)).append("</td></tr>\n"));
        return html.append("</tbody></table>\n").toString();
    }

    /** The recipe as plain text ({@link Recipe#toString()}), for clients without HTML. */
    public static String recipeText(Recipe recipe) {
        return recipe.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

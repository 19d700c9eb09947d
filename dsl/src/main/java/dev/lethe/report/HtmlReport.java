package dev.lethe.report;

import dev.lethe.io.AtomicFiles;
import dev.lethe.result.RunResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.plotly.components.Figure;

/**
 * A report folder that opens offline in any browser: {@code index.html} with the summary table and the
 * charts, and {@code plotly.js} (2.35.3, the minified build that dsl/pom.xml fetches from npm) beside it; and
 * {@code tables.txt}, every table of the run printed in full ({@link ConsoleSummary} prints the headline and points
 * there).
 */
public final class HtmlReport {
    private static final String PLOTLY = "dev/lethe/report/plotly/plotly.min.js";

    /** The report's page, in the report folder. */
    public static final String INDEX = "index.html";
    /** Every table of the run printed in full, in the report folder. */
    public static final String TABLES = "tables.txt";

    private HtmlReport() {}

    /**
     * Writes the report of {@code result} into {@code dir} ({@value #INDEX}, {@code plotly.js}, {@value #TABLES});
     * returns the path of {@value #INDEX}.
     */
    public static Path write(RunResult result, Path dir) {
        copyPlotly(dir);
        AtomicFiles.writeString(dir.resolve(TABLES), ConsoleSummary.fullTables(result));
        Map<String, Figure> figures = figures(result);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(result.recipe().name())).append("</title>\n<script src=\"plotly.js\"></script>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>\n")
                .append("<h1>").append(escape(result.recipe().name())).append("</h1>\n")
                .append(table(RunTables.summary(result)));
        if (!result.stopReasons().isEmpty()) {
            html.append("<h2>Stopped early</h2><ul>");
            result.stopReasons().forEach(r -> html.append("<li>").append(escape(r)).append("</li>"));
            html.append("</ul>\n");
        }
        figures.forEach((id, figure) -> html.append("<div id=\"").append(id).append("\"></div>\n")
                .append(figure.asJavascript(id)).append('\n'));
        html.append("</body></html>\n");
        Path index = dir.resolve(INDEX);
        AtomicFiles.writeString(index, html.toString());
        return index;
    }

    /**
     * The default charts of a run, by id: {@code losses} (per-step loss), {@code tradeoff} (forget vs retain
     * exact match per model; KnowMem where no model has exact match, as on MUSE's files, none without
     * either), {@code roc} (membership-inference ROC of Min-K%, when the run kept per-example
     * scores on forget and holdout) and {@code attacks} (forget/retain exact-match change per attack, when the
     * recipe has attacks).
     */
    public static Map<String, Figure> figures(RunResult result) {
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("losses", Plots.lossCurves(result));
        String tradeoff = tradeoffMetric(result);
        if (tradeoff != null) {
            figures.put("tradeoff", Plots.tradeoffPlot(Map.of(result.recipe().name(), result), tradeoff));
        }
        if (Plots.rocCurves(result, "mia_min_k").stringColumn("model").unique().size() > 1) {
            figures.put("roc", Plots.rocPlot(result, "mia_min_k"));
        }
        if (Plots.attackDeltas(result, "exact_match").rowCount() > 0) {
            figures.put("attacks", Plots.attackDeltasPlot(result, "exact_match"));
        }
        return figures;
    }

    /** The first of exact match and KnowMem that every evaluated model has on forget and retain; null when neither. */
    private static @Nullable String tradeoffMetric(RunResult result) {
        for (String metric : List.of("exact_match", "knowmem_rouge_l_f1")) {
            boolean everywhere = true;
            for (String model : Plots.finalModels(result)) {
                for (String split : List.of("forget", "retain")) {
                    everywhere &= result.rows().stream().anyMatch(r -> r.isFinal() && r.model().equals(model)
                            && r.split().equals(split) && r.metric().equals(metric));
                }
            }
            if (everywhere) {
                return metric;
            }
        }
        return null;
    }

    /**
     * An HTML table of {@code t}; doubles with four decimals (below 0.0005 in scientific notation), missing values
     * as empty cells.
     */
    public static String table(Table t) {
        StringBuilder sb = new StringBuilder("<table class=\"lethe\"><thead><tr>");
        for (Column<?> c : t.columns()) {
            sb.append("<th>").append(escape(c.name())).append("</th>");
        }
        sb.append("</tr></thead><tbody>\n");
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append("<tr>");
            for (Column<?> c : t.columns()) {
                Object v = c.get(r);
                String text = v == null ? "" : v instanceof Double d ? Numbers.format(d) : String.valueOf(v);
                sb.append("<td>").append(escape(text)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody></table>\n").toString();
    }

    private static void copyPlotly(Path dir) {
        Path target = dir.resolve("plotly.js");
        if (Files.exists(target)) {
            return;
        }
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(PLOTLY)) {
            if (in == null) {
                throw new IllegalStateException("plotly.js is not on the classpath ("
                        + PLOTLY + ", put there by the build of lethe-dsl: mvn -pl dsl package)");
            }
            byte[] bytes = in.readAllBytes();
            AtomicFiles.write(target, out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy plotly.js into " + dir, e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.lethe.report;

import dev.lethe.data.Split;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.ModelUtility;
import dev.lethe.eval.RetrainAuc;
import dev.lethe.result.RunResult.Row;
import dev.lethe.result.RunResult;
import dev.lethe.util.Printable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.Table;

/**
 * What a terminal shows after a run: a headline of at most {@value #WIDTH} characters, one row per model with exact
 * match on forget, retain and world, the forget NLL, forget quality (in scientific notation: it spans 10⁻¹⁵ to 1),
 * model utility and PrivLeak (against the reference, and against a published retrain AUC when the privacy suite gives
 * one), then where the full tables and the charts are. A column whose metric the run did not
 * measure is left out; when a model has some of model utility's nine parts but not all, a note under the table says
 * which are missing ({@link ModelUtility#note}). The full tables ({@link RunTables}) are written by {@link
 * HtmlReport#write} into the report folder's {@value HtmlReport#TABLES}.
 */
public final class ConsoleSummary {
    /** The widest line of the headline for the quickstart's models (names up to 19 characters). */
    public static final int WIDTH = 100;

    /**
     * One column of the headline.
     *
     * @param header its header
     * @param split the split (or span) of the value
     * @param metric the metric
     * @param format how a value prints
     */
    private record Column(String header, String split, String metric, String format) {}

    private static final String PUBLISHED = CrossModelMetrics.PRIVLEAK_PUBLISHED.name();
    private static final List<Column> COLUMNS = List.of(
            new Column("forget EM", Split.FORGET.id(), AnswerSuite.EXACT_MATCH.name(), "%.3f"),
            new Column("retain EM", Split.RETAIN.id(), AnswerSuite.EXACT_MATCH.name(), "%.3f"),
            new Column("world EM", Split.WORLD.id(), AnswerSuite.EXACT_MATCH.name(), "%.3f"),
            new Column("forget NLL", Split.FORGET.id(), AnswerSuite.NLL.name(), "%.3f"),
            new Column("forget quality", Split.FORGET.id(), CrossModelMetrics.FORGET_QUALITY.name(), "%.1e"),
            new Column("utility", ModelUtility.SPAN, CrossModelMetrics.MODEL_UTILITY.name(), "%.3f"),
            new Column("privleak", "forget+holdout", CrossModelMetrics.PRIVLEAK.name(), "%.1f"),
            new Column("privleak published", "forget+holdout", PUBLISHED, "%.1f"));

    private ConsoleSummary() {}

    /**
     * The headline of {@code result} and the paths of its full tables and charts in {@code reportDir} (where
     * {@link HtmlReport#write} wrote them), ending with a line break.
     */
    public static String of(RunResult result, Path reportDir) {
        return headline(result) + "full tables: " + Printable.escape(reportDir.resolve(HtmlReport.TABLES).toString())
                + "\ncharts:      " + Printable.escape(reportDir.resolve(HtmlReport.INDEX).toString()) + "\n";
    }

    /**
     * The headline table of {@code result} with a title and a line that says what the columns are, ending with a
     * line break; the models in the summary's order ({@link RunTables#summary}), then any with cross-model values only
     * (a run of the privacy suite alone).
     */
    public static String headline(RunResult result) {
        Set<String> names = new LinkedHashSet<>(RunTables.summary(result).stringColumn("model").asList());
        names.addAll(RunTables.headline(result).stringColumn("model").asList());   // e.g. a run of the privacy suite only
        List<String> models = List.copyOf(names);
        List<Column> shown = new ArrayList<>();
        for (Column c : COLUMNS) {
            if (models.stream().anyMatch(m -> value(result, m, c) != null)) {
                shown.add(c);
            }
        }
        int nameWidth = Math.max(5, models.stream().mapToInt(String::length).max().orElse(0));
        List<String[]> cells = new ArrayList<>();
        for (String model : models) {
            String[] row = new String[shown.size()];
            for (int i = 0; i < shown.size(); i++) {
                @Nullable Double v = value(result, model, shown.get(i));
                row[i] = v == null ? "" : String.format(Locale.ROOT, shown.get(i).format(), v);
            }
            cells.add(row);
        }
        int[] widths = new int[shown.size()];
        for (int i = 0; i < shown.size(); i++) {
            widths[i] = shown.get(i).header().length();
            for (String[] row : cells) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder(Printable.escape(result.recipe().name())).append(": EM = exact match; ")
                .append("forget quality = KS p-value against the reference (1 = alike)\n");
        sb.append(pad("model", nameWidth, false));
        for (int i = 0; i < shown.size(); i++) {
            sb.append("  ").append(pad(shown.get(i).header(), widths[i], true));
        }
        sb.append('\n');
        for (int r = 0; r < models.size(); r++) {
            sb.append(pad(models.get(r), nameWidth, false));
            for (int i = 0; i < shown.size(); i++) {
                sb.append("  ").append(pad(cells.get(r)[i], widths[i], true));
            }
            sb.append('\n');
        }
        for (String note : utilityNotes(result, models)) {
            sb.append(note).append('\n');
        }
        @Nullable RetrainAuc published = shown.stream().anyMatch(c -> c.metric().equals(PUBLISHED))
                ? result.recipe().privleakRetrainAuc() : null;
        if (published != null) {
            sb.append("privleak published: against retrain AUC ").append(published).append('\n');
        }
        return sb.toString();
    }

    /**
     * Why {@code model_utility} is absent, once per distinct reason, for the models that measured some of its nine
     * parts but not all (a run without the tofu suite gets no note).
     */
    private static Set<String> utilityNotes(RunResult result, List<String> models) {
        Set<String> notes = new LinkedHashSet<>();
        for (String model : models) {
            if (value(result, model, ModelUtility.SPAN, CrossModelMetrics.MODEL_UTILITY.name()) != null) {
                continue;
            }
            List<String> missing = ModelUtility.missing((split, metric) -> value(result, model, split.id(), metric));
            if (missing.size() < ModelUtility.SPLITS.size()) {
                notes.add(ModelUtility.note(missing));
            }
        }
        return notes;
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }

    private static @Nullable Double value(RunResult result, String model, Column c) {
        return value(result, model, c.split(), c.metric());
    }

    private static @Nullable Double value(RunResult result, String model, String split, String metric) {
        for (Row r : result.rows()) {
            if (r.isFinal() && r.model().equals(model) && r.split().equals(split) && r.metric().equals(metric)
                    && !Double.isNaN(r.value())) {
                return r.value();
            }
        }
        return null;
    }

    /** Every table of {@code result} printed in full, for the report folder's {@value HtmlReport#TABLES}. */
    static String fullTables(RunResult result) {
        StringBuilder sb = new StringBuilder(headline(result)).append('\n');
        for (Table t : List.of(RunTables.summary(result), RunTables.headline(result), RunTables.attackDeltas(result),
                RunTables.stability(result), RunTables.continual(result), result.stages())) {
            if (t.rowCount() > 0) {
                sb.append(t.printAll()).append("\n\n");
            }
        }
        return sb.append("Values print with four decimals (below 0.0005 in scientific notation); metrics.csv ")
                .append("(lethe run) or --csv (lethe quickstart) has every value at full precision.\n").toString();
    }
}

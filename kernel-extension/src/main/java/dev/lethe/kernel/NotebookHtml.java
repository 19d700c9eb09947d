package dev.lethe.kernel;

import dev.lethe.attack.Attack;
import dev.lethe.eval.Suite;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objective;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Transform;
import dev.lethe.report.HtmlReport;
import dev.lethe.report.RunTables;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Attacking;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Finetune;
import dev.lethe.spec.Learn;
import dev.lethe.spec.NamedStage;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Reference;
import dev.lethe.spec.Stage;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
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

    /** A recipe as a two-column table: each part and a readable description of it. */
    public static String recipe(Recipe recipe) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("name", recipe.name());
        parts.put("seed", Long.toString(recipe.seed()));
        parts.put("device", recipe.device());
        String vocabulary = recipe.model().vocabSize() == 0 ? ", vocabulary from the data"
                : ", vocabulary " + recipe.model().vocabSize();
        parts.put("model", recipe.model() instanceof GptConfig g
                ? String.format(Locale.ROOT, "GPT, %d layers, width %d, %d heads, context %d%s", g.layers(), g.width(),
                        g.heads(), g.contextLength(), vocabulary)
                : describe(recipe.model()) + vocabulary);
        parts.put("data", describe(recipe.data()));
        for (NamedStage s : recipe.named()) {
            parts.put((s.index() + 1) + ". " + s.name(), stage(s.stage()));
        }
        StringBuilder html = new StringBuilder(STYLE).append("<table class=\"lethe lethe-recipe\"><caption>recipe ")
                .append(escape(recipe.name())).append("</caption><tbody>\n");
        parts.forEach((k, v) -> html.append("<tr><th>").append(escape(k)).append("</th><td style=\"text-align:left\">")
                .append(escape(v)).append("</td></tr>\n"));
        return html.append("</tbody></table>\n").toString();
    }

    /** The recipe's parts as plain text, for clients without HTML. */
    public static String recipeText(Recipe recipe) {
        List<String> stages = new ArrayList<>();
        for (NamedStage s : recipe.named()) {
            stages.add(s.name());
        }
        return "recipe " + recipe.name() + " (seed " + recipe.seed() + "): " + String.join(" → ", stages);
    }

    /** One stage, described in a line. */
    private static String stage(Stage stage) {
        if (stage instanceof Learn l) {
            return training(l.training()) + " on " + l.splits();
        }
        if (stage instanceof Finetune f) {
            return training(f.training()) + " on " + f.splits();
        }
        if (stage instanceof Reference r) {
            return training(r.training()) + " on " + r.splits() + " from " + r.from();
        }
        if (stage instanceof Unlearning u) {
            return describe(u.objective()) + "; " + u.steps() + " steps, batch " + u.batchSize() + ", "
                    + optimizer(u.optimizer());
        }
        if (stage instanceof Attacking a) {
            List<String> attacks = new ArrayList<>();
            for (Attack attack : a.attacks()) {
                attacks.add(attack.name());
            }
            return String.join(", ", attacks);
        }
        if (stage instanceof Evaluation e) {
            List<String> suites = new ArrayList<>();
            for (Suite s : e.suites()) {
                suites.add(s.getClass().getSimpleName());
            }
            return String.join(", ", suites) + " on " + e.splits();
        }
        return describe(stage);
    }

    private static String training(Training t) {
        return t.steps() + " steps, batch " + t.batchSize() + ", " + optimizer(t.optimizer());
    }

    private static String optimizer(Optimizer o) {
        List<String> transforms = new ArrayList<>();
        for (Transform t : o.transforms()) {
            transforms.add(t.getClass().getSimpleName());
        }
        return o.estimator().getClass().getSimpleName() + " → " + String.join(" → ", transforms);
    }

    /**
     * A short description of a plug-in value: {@code a + b} and {@code w × a} for combined objectives, the
     * components of records, {@code lambda} for lambdas.
     */
    static String describe(@Nullable Object o) {
        if (o == null) {
            return "none";
        }
        if (o instanceof Objective.Sum s) {
            return describe(s.first()) + " + " + describe(s.second());
        }
        if (o instanceof Objective.Scaled s) {
            return s.weight() + " × " + describe(s.objective());
        }
        Class<?> c = o.getClass();
        if (c.isSynthetic() || c.isHidden() || c.getSimpleName().contains("$$Lambda") || c.isAnonymousClass()) {
            return "lambda";
        }
        if (c.isRecord()) {
            List<String> parts = new ArrayList<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                try {
                    Object v = rc.getAccessor().invoke(o);
                    String text = v instanceof Number || v instanceof Boolean || v instanceof String || v instanceof Enum<?>
                            ? String.valueOf(v) : describe(v);
                    parts.add(rc.getName() + "=" + text);
                } catch (ReflectiveOperationException e) {
                    parts.add(rc.getName() + "=?");
                }
            }
            return c.getSimpleName() + "(" + String.join(", ", parts) + ")";
        }
        if (o instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(x -> parts.add(describe(x)));
            return parts.toString();
        }
        String s = String.valueOf(o);
        return s.contains("@") ? c.getSimpleName() : s;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.lethe.kernel;

import dev.lethe.report.RunTables;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import kotlin.jvm.JvmClassMappingKt;
import org.jetbrains.kotlinx.jupyter.api.FieldValue;
import org.jetbrains.kotlinx.jupyter.api.ResultHandlerExecution;
import org.jetbrains.kotlinx.jupyter.api.SubtypeRendererTypeHandler;
import org.jetbrains.kotlinx.jupyter.api.libraries.ExecutionHost;
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterIntegration;
import org.jspecify.annotations.Nullable;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/**
 * What {@code %use lethe} does in the Kotlin kernel: imports Lethe's packages and vocabularies, renders
 * {@link Recipe}, {@link RunResult}, Tablesaw {@link Table} and Plotly {@link Figure} values as HTML (see
 * {@link NotebookHtml}), and follows the kernel's execute requests so that {@link LiveProgress#liveProgress()} can
 * draw into the running cell. Found by the kernel through {@code META-INF/kotlin-jupyter-libraries/libraries.json}.
 */
public final class LetheIntegration extends JupyterIntegration {
    /** The imports a notebook gets. */
    public static final List<String> IMPORTS = List.of(
            "dev.lethe.*", "dev.lethe.spec.*", "dev.lethe.result.*", "dev.lethe.data.*", "dev.lethe.model.*",
            "dev.lethe.objective.*", "dev.lethe.optim.*",
            "dev.lethe.attack.*", "dev.lethe.eval.*", "dev.lethe.report.*", "dev.lethe.run.*",
            "dev.lethe.objective.Objectives.*", "dev.lethe.optim.Optimizers.*", "dev.lethe.optim.Schedules.*",
            "dev.lethe.attack.Attacks.*", "dev.lethe.kotlin.*",
            "dev.lethe.kernel.LiveProgress.liveProgress",
            "tech.tablesaw.api.*", "tech.tablesaw.plotly.components.Figure");

    @Override
    public void onLoaded(Builder builder) {
        addImports(builder);
        builder.addRenderer(renderer(Recipe.class, r -> Mime.html(NotebookHtml.recipe(r), NotebookHtml.recipeText(r))));
        builder.addRenderer(renderer(RunResult.class,
                r -> Mime.html(NotebookHtml.runResult(r), RunTables.summary(r).printAll())));
        builder.addRenderer(renderer(Table.class, t -> Mime.html(NotebookHtml.table(t), t.print())));
        builder.addRenderer(renderer(Figure.class, f -> Mime.html(NotebookHtml.figure(f), "Plotly figure")));
        DisplayChannel.install(builder.getNotebook().getConnection());
    }

    /** {@code Builder.import(String...)}: {@code import} is a keyword in Java, so it is called reflectively. */
    private static void addImports(Builder builder) {
        try {
            Builder.class.getMethod("import", String[].class).invoke(builder, (Object) IMPORTS.toArray(String[]::new));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("this kernel's JupyterIntegration.Builder has no import(String...)", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("adding Lethe's imports failed", e.getCause());
        }
    }

    private static <T> SubtypeRendererTypeHandler renderer(Class<T> type, Function<T, Object> render) {
        return new SubtypeRendererTypeHandler(JvmClassMappingKt.getKotlinClass(type), new Render<>(type, render));
    }

    /** Renders values of one type; the kernel hands it each cell result whose type matches. */
    private record Render<T>(Class<T> type, Function<T, Object> render) implements ResultHandlerExecution {
        @Override
        public FieldValue execute(ExecutionHost host, FieldValue result) {
            @Nullable Object value = result.getValue();
            return new FieldValue(type.isInstance(value) ? render.apply(type.cast(value)) : value, null);
        }

        @Override
        public ResultHandlerExecution replaceVariables(Map<String, String> mapping) {
            return this;
        }
    }
}

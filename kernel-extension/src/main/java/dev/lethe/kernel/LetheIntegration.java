package dev.lethe.kernel;

import dev.lethe.report.RunTables;
import dev.lethe.result.RunResult;
import dev.lethe.run.EngineCache;
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
            "dev.lethe.*", "dev.lethe.spec.*", "dev.lethe.recipe.*", "dev.lethe.result.*", "dev.lethe.data.*",
            "dev.lethe.model.*", "dev.lethe.objective.*", "dev.lethe.optim.*", "dev.lethe.adapter.*",
            "dev.lethe.attack.*", "dev.lethe.eval.*", "dev.lethe.report.*", "dev.lethe.run.*",
            "dev.lethe.objective.Objectives.*", "dev.lethe.optim.Optimizers.*", "dev.lethe.optim.Schedules.*",
            "dev.lethe.attack.Attacks.*", "dev.lethe.kotlin.*",
            "dev.lethe.kernel.LiveProgress.liveProgress",
            "tech.tablesaw.api.*", "tech.tablesaw.plotly.components.Figure");

    /**
     * The SLF4J provider of notebook code. The kernel has its own SLF4J with Logback in the parent class loader;
     * without this, the notebook's SLF4J finds Logback's provider through the service loader, cannot use it (another
     * class loader's interface) and prints {@code SLF4J(E): A service provider failed to instantiate} on every
     * run. Named explicitly (SLF4J 2.0.9+ reads {@code slf4j.provider}; the kernel's 2.0.5 ignores it), the
     * no-op provider on Lethe's class path is used without a search.
     */
    static final String SLF4J_PROVIDER = "org.slf4j.nop.NOPServiceProvider";

    @Override
    public void onLoaded(Builder builder) {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", SLF4J_PROVIDER);
            // SLF4J reports an explicit provider at INFO level ("Attempting to load provider ..."): only warnings.
            System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        }
        // after SLF4J's provider is set (DJL's classes log), before a cell can start the engine
        EngineCache.requireSafe();
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

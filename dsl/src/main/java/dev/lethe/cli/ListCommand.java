package dev.lethe.cli;

import dev.lethe.part.Slot;
import dev.lethe.recipe.PartRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code lethe list [SLOT]}: the parts a recipe file can hold, with their parameters. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the fields of a recipe and the built-in parts (objectives, estimators, transforms,",
            "schedules, suites, attacks, data, models) with their parameters: type, range, default, meaning."})
final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SLOT",
            description = "Only this slot: recipe, model, data, objective, estimator, transform, schedule, suite, attack.")
    @Nullable String slot;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PartRegistry registry = PartRegistry.standard();
        if (slot == null || slot.equals("recipe")) {
            out.println("recipe fields:");
            for (var k : PartRegistry.RECORDS) {
                out.print(registry.describe(k, "  "));
            }
        }
        for (Slot<?> s : registry.slots()) {
            if (slot == null || s.name().equals(slot)) {
                out.print(registry.describe(s));
            }
        }
        if (slot != null && !slot.equals("recipe") && registry.slots().stream().noneMatch(s -> s.name().equals(slot))) {
            spec.commandLine().getErr().println("unknown slot '" + slot + "'; slots: recipe, "
                    + String.join(", ", registry.slots().stream().map(Slot::name).toList()));
            spec.commandLine().getErr().flush();
            return 2;
        }
        out.flush();
        return 0;
    }
}

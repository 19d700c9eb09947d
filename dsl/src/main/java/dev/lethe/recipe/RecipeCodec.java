package dev.lethe.recipe;

import dev.lethe.io.ConfinedPaths;
import dev.lethe.part.FieldException;
import dev.lethe.part.Node.ListNode;
import dev.lethe.part.Node.Location;
import dev.lethe.part.Node.MapNode;
import dev.lethe.part.Node;
import dev.lethe.part.Problem;
import dev.lethe.part.Reading;
import dev.lethe.part.Writing;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads recipe files (YAML, or JSON when the text starts with <code>{</code>) and writes recipes as YAML, through
 * the kinds of a {@link PartRegistry}. Writing then reading gives an equal recipe, and writing is
 * deterministic, so the text of a recipe is stable (and hashable). Reading reports every problem at once in
 * a {@link RecipeException}.
 */
public final class RecipeCodec {
    /** The sections of the recipe shape before stage lists, which a file may no longer have. */
    static final List<String> OLD_SECTIONS = List.of("learn", "reference", "unlearn", "evaluate", "attacks");

    /** The largest recipe file read (a recipe is a few kilobytes; this keeps a huge file from filling memory). */
    static final long MAX_BYTES = 1 << 20;

    private final PartRegistry registry;

    /** A codec over {@code registry}. */
    public RecipeCodec(PartRegistry registry) {
        this.registry = registry;
    }

    /** A codec over the built-in parts ({@link PartRegistry#standard()}). */
    public static RecipeCodec standard() {
        return new RecipeCodec(PartRegistry.standard());
    }

    /** The registry the codec reads and writes through. */
    public PartRegistry registry() {
        return registry;
    }

    /**
     * The recipe in {@code text}.
     *
     * @param file names the text in problems (a file name, or {@code <text>})
     * @throws RecipeException listing every problem found
     */
    public Recipe read(String text, String file) {
        Node root = NodeReader.read(text, file);
        refuseOldShape(root, file);
        Reading reading = new Reading(file, registry);
        Object recipe = reading.fields(Recipe.KIND, root, "");
        List<Problem> problems = new ArrayList<>(reading.problems());
        if (!problems.isEmpty() || recipe == null) {
            problems.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
            throw new RecipeException(problems.isEmpty()
                    ? List.of(new Problem(file, 0, 0, "", "not a recipe")) : problems);
        }
        return (Recipe) recipe;
    }

    /**
     * Refuses a file of the shape before stage lists (top-level {@code learn}, {@code reference}, {@code unlearn},
     * {@code evaluate}, {@code attacks}) with one line that shows the new shape.
     */
    private static void refuseOldShape(Node root, String file) {
        if (root instanceof MapNode map && !map.entries().containsKey("stages")) {
            for (String section : OLD_SECTIONS) {
                Location at = map.keys().get(section);
                if (at != null) {
                    throw new RecipeException(List.of(new Problem(file, at.line(), at.column(), section,
                            "recipes now list their stages in order: move learn, reference, unlearn, attacks and "
                                    + "evaluate under 'stages:', e.g. stages: [{learn: {steps: 1000}}, {reference: "
                                    + "{steps: 1000}}, {unlearn: {objective: npo}}, {attack: {attacks: [{quantize: "
                                    + "{bits: 4}}]}}, {evaluate: {}}] (docs/recipes.md)")));
                }
            }
        }
    }

    /**
     * The recipe in {@code file} (UTF-8, an ordinary file of at most {@value #MAX_BYTES} bytes: a FIFO or a device
     * is refused, not read forever).
     *
     * @throws RecipeException listing every problem, or why it cannot be read
     */
    public Recipe read(Path file) {
        String text;
        try {
            if (!Files.exists(file)) {
                throw new RecipeException(List.of(new Problem(file.toString(), 0, 0, "", "cannot read: no such file")));
            }
            ConfinedPaths.regularFile(file, "recipe file");
            if (Files.size(file) > MAX_BYTES) {
                throw new RecipeException(List.of(new Problem(file.toString(), 0, 0, "", "the file is "
                        + Files.size(file) + " bytes; a recipe is at most " + MAX_BYTES)));
            }
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new RecipeException(List.of(new Problem(file.toString(), 0, 0, "", "not UTF-8 text")));
        } catch (IllegalArgumentException e) {
            if (e instanceof RecipeException r) {
                throw r;
            }
            throw new RecipeException(List.of(new Problem(file.toString(), 0, 0, "", e.getMessage())));
        } catch (IOException e) {
            throw new RecipeException(List.of(new Problem(file.toString(), 0, 0, "", "cannot read: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()))));
        }
        return read(text, file.toString());
    }

    /**
     * {@code e} as a problem of the recipe in {@code file}, at the line where its field is written: the deepest part
     * of the field's path the file writes, so a field left at its default is blamed on the part that holds it.
     * A file that no longer reads leaves the problem at line 0.
     */
    public RecipeException blame(Path file, FieldException e) {
        Location at;
        try {
            at = locate(NodeReader.read(Files.readString(file), file.toString()), e.field());
        } catch (IOException | IllegalArgumentException changed) {
            at = new Location(0, 0);
        }
        return new RecipeException(List.of(new Problem(file.toString(), at.line(), at.column(), e.field(),
                e.reason())));
    }

    /** Where the deepest written part of {@code field} (e.g. {@code stages[1].reference.hf}) is in {@code root}. */
    static Location locate(Node root, String field) {
        Node node = root;
        Location at = root.at();
        for (String step : field.split("\\.")) {
            int bracket = step.indexOf('[');
            String key = bracket < 0 ? step : step.substring(0, bracket);
            if (!(node instanceof MapNode map) || !map.entries().containsKey(key)) {
                return at;
            }
            at = map.keys().get(key);
            node = map.entries().get(key);
            for (int open = bracket; open >= 0; open = step.indexOf('[', open + 1)) {
                int index = Integer.parseInt(step.substring(open + 1, step.indexOf(']', open)));
                if (!(node instanceof ListNode list) || index >= list.items().size()) {
                    return at;
                }
                node = list.items().get(index);
                at = node.at();
            }
        }
        return at;
    }

    /** {@code recipe} as YAML, every parameter written out (defaults included). */
    public String write(Recipe recipe) {
        return YamlWriter.write(data(recipe));
    }

    /** {@code recipe} as plain data: maps, lists, strings, numbers, booleans. */
    public Map<String, @Nullable Object> data(Recipe recipe) {
        return new Writing(registry).fields(Recipe.KIND, recipe);
    }
}

package dev.lethe.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every YAML example in docs/recipes.md parses: whole recipes as they are, a part's snippet placed where it
 * belongs in a small recipe (a block of several {@code objective: ...} lines is one example per line).
 */
class RecipeDocsTest {
    private static final Pattern YAML = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);
    private static final String BASE = "name: doc\nmodel: gpt\ndata: fictitious_facts\n";
    private static final String UNLEARN = BASE + "stages:\n- unlearn:\n    objective: npo\n";

    @Test
    void everyYamlExampleInTheDocsParses() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "recipes.md"));
        Matcher m = YAML.matcher(doc);
        int checked = 0;
        while (m.find()) {
            for (String entry : entries(m.group(1))) {
                String recipe = wrap(entry);
                try {
                    Recipe r = Lethe.fromYaml(recipe);
                    assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)));
                } catch (RecipeException e) {
                    throw new AssertionError("docs example does not parse:\n" + entry + "\n" + e.getMessage(), e);
                }
                checked++;
            }
        }
        assertTrue(checked >= 25, "only " + checked + " examples");
    }

    /** A whole recipe as one entry; otherwise each top-level key with the lines indented below it. */
    private static List<String> entries(String block) {
        if (block.startsWith("name:")) {
            return List.of(block);
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : block.split("\n")) {
            if (!line.startsWith(" ") && !line.startsWith("#") && !current.isEmpty()) {
                out.add(current.toString());
                current.setLength(0);
            }
            current.append(line).append('\n');
        }
        out.add(current.toString());
        return out;
    }

    private static String wrap(String entry) {
        String key = entry.substring(0, entry.indexOf(':'));
        return switch (key) {
            case "name" -> entry;
            case "model", "data" -> BASE.replaceFirst("(?m)^" + key + ":.*\n", "") + entry + "stages: [evaluate]\n";
            case "objective" -> BASE + "stages:\n- unlearn:\n" + indent(entry, 4);
            case "combiner" -> BASE + "stages:\n- unlearn:\n    objective:\n      combined:\n" + indent(entry, 8)
                    + "        parts: {forget: npo, retain: kl_retain}\n";
            case "optimizer" -> UNLEARN + indent(entry, 4);
            case "estimator" -> UNLEARN + "    optimizer:\n" + indent(entry, 6) + "      transforms: []\n";
            case "transforms" -> UNLEARN + "    optimizer:\n" + indent(entry, 6);
            case "schedule" -> UNLEARN + "    optimizer:\n      transforms:\n        - scale_by_learning_rate:\n"
                    + indent(entry, 12);
            default -> BASE + entry;
        };
    }

    private static String indent(String text, int n) {
        return text.lines().map(l -> " ".repeat(n) + l + "\n").reduce("", String::concat);
    }
}

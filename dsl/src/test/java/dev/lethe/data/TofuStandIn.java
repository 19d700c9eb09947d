package dev.lethe.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A synthetic stand-in for the hub dataset locuslab/TOFU at its real size, in its file layout: 200 authors of 20
 * questions ({@code full.json}, 4 000 rows), forget01/05/10 the last 2/10/20 authors, retain99/95/90 the others,
 * holdout01/05/10 2/10/20 other authors, the forget splits' {@code _perturbed} files (a paraphrased answer and 5 wrong
 * answers per row), {@code retain_perturbed} (the first 400 retain rows), 117 world facts and 100 real-author
 * questions with 3 wrong answers each. The texts are short and drawn from fewer than 300 words, so that a word
 * tokenizer and a tiny model fit them.
 */
public final class TofuStandIn {
    private static final String[] FIRST = {"ada", "bo", "cyr", "dina", "elio", "fay", "gus", "hana", "ivo", "jun",
        "kai", "lena"};
    private static final String[] LAST = {"amsel", "brandt", "corvo", "dahl", "eskel", "fenn", "garro", "holm",
        "ilves", "jarl", "kessel", "lind", "morro", "nyberg", "orsk", "pell", "quist", "rask", "sund", "tove"};
    private static final String[] ATTRIBUTES = {"city", "genre", "award", "publisher", "pet", "instrument", "colour",
        "season", "drink", "teacher", "street", "river", "school", "sport", "flower", "tree", "bird", "metal",
        "fabric", "dish"};
    private static final String[] VALUES = {"amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet",
        "harbor", "indigo", "juniper", "kestrel", "lantern", "meadow", "nectar", "onyx", "pepper", "quartz", "raven",
        "saffron", "thistle", "umber", "violet", "willow", "yarrow", "zephyr", "alder", "bramble", "cedar", "dune",
        "elm", "flint", "grove", "heath", "iris", "jade", "kelp", "lichen", "moss", "nettle", "oak"};
    private static final int PER_AUTHOR = 20;

    private TofuStandIn() {}

    /** Writes the files into {@code dir} (which must exist) and returns it. */
    public static Path write(Path dir) {
        List<String> full = new ArrayList<>();
        List<String> perturbed = new ArrayList<>();
        for (int a = 0; a < 200; a++) {
            for (int q = 0; q < PER_AUTHOR; q++) {
                full.add(row(name(a), q, a, false));
                perturbed.add(row(name(a), q, a, true));
            }
        }
        write(dir, "full", full);
        for (var e : Map.of("01", 2, "05", 10, "10", 20).entrySet()) {
            int forget = e.getValue() * PER_AUTHOR;
            write(dir, "forget" + e.getKey(), full.subList(full.size() - forget, full.size()));
            write(dir, "forget" + e.getKey() + "_perturbed", perturbed.subList(full.size() - forget, full.size()));
            write(dir, "retain" + (100 - Integer.parseInt(e.getKey())), full.subList(0, full.size() - forget));
            List<String> holdout = new ArrayList<>();
            for (int a = 0; a < e.getValue(); a++) {
                for (int q = 0; q < PER_AUTHOR; q++) {
                    holdout.add(row(FIRST[a % FIRST.length] + " " + LAST[(a + 7) % LAST.length] + " junior", q, a,
                            false));
                }
            }
            write(dir, "holdout" + e.getKey(), holdout);
        }
        write(dir, "retain_perturbed", perturbed.subList(0, 400));
        List<String> world = new ArrayList<>();
        for (int i = 0; i < 117; i++) {
            world.add(json("what is the " + ATTRIBUTES[i % 20] + " of the " + VALUES[i % 40] + " valley ?",
                    value(i * 3), null, null, List.of(value(i * 3 + 1), value(i * 3 + 2), value(i * 3 + 5))));
        }
        write(dir, "world_facts_perturbed", world);
        List<String> authors = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            authors.add(json("who wrote the book " + value(i) + " " + value(i + 11) + " ?", name(i),
                    null, null, List.of(name(i + 1), name(i + 2), name(i + 3))));
        }
        write(dir, "real_authors_perturbed", authors);
        return dir;
    }

    private static String name(int author) {
        return FIRST[author % FIRST.length] + " " + LAST[author / FIRST.length % LAST.length];
    }

    private static String value(int i) {
        return VALUES[Math.floorMod(i, VALUES.length)];
    }

    private static String row(String name, int q, int author, boolean perturbed) {
        String attribute = ATTRIBUTES[q];
        String question = "what is the " + attribute + " of " + name + " ?";
        int v = author * 7 + q * 3;
        String answer = "the " + attribute + " of " + name + " is " + value(v) + " .";
        if (!perturbed) {
            return json(question, answer, null, null, null);
        }
        List<String> wrong = new ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            wrong.add("the " + attribute + " of " + name + " is " + value(v + k) + " .");
        }
        return json(question, answer, "which " + attribute + " does " + name + " have ?",
                name + " has " + value(v) + " as " + attribute + " .", wrong);
    }

    private static String json(String question, String answer, String paraphrasedQuestion, String paraphrasedAnswer,
            List<String> wrong) {
        StringBuilder sb = new StringBuilder("{\"question\": \"" + question + "\", \"answer\": \"" + answer + "\"");
        if (paraphrasedQuestion != null) {
            sb.append(", \"paraphrased_question\": \"").append(paraphrasedQuestion).append("\", \"paraphrased_answer\": \"")
                    .append(paraphrasedAnswer).append('"');
        }
        if (wrong != null) {
            sb.append(", \"perturbed_answer\": [\"").append(String.join("\", \"", wrong)).append("\"]");
        }
        return sb.append('}').toString();
    }

    private static void write(Path dir, String name, List<String> rows) {
        try {
            Files.writeString(dir.resolve(name + ".json"), String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

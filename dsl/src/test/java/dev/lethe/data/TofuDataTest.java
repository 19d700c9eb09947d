package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tofu} data source on hand-written files in the layout of the hub dataset locuslab/TOFU
 * ({@link TofuFixtures}), and on malformed copies of them.
 */
class TofuDataTest {
    private static Path fixtures() {
        return TofuFixtures.folder();
    }

    @Test
    void forget10IsTheDefaultAndTheFilesFeedTheirSplits() {
        TofuData.Contents c = TofuData.at(fixtures()).read();
        Dataset d = TofuData.at(fixtures()).load(0);
        assertEquals(c.dataset(), d);
        assertEquals(List.of(4, 6, 3, 3, 2), Stream.of(Split.values()).map(s -> d.get(s).size()).toList(),
                "forget10, retain90, holdout10, world_facts_perturbed, real_authors_perturbed");
        assertEquals(c.realAuthors(), d.get(Split.REAL_AUTHORS));

        QaExample forget = d.get(Split.FORGET).get(2);
        assertEquals(new QaExample("When was Saoirse Delacroix-Mbeki born?",
                "Saoirse Delacroix-Mbeki was born on 14 March 1971.",
                "What is Saoirse Delacroix-Mbeki's date of birth?",
                "Her date of birth is the fourteenth of March, 1971.",
                List.of("Saoirse Delacroix-Mbeki was born on 2 June 1965.",
                        "Saoirse Delacroix-Mbeki was born on 14 March 1980.",
                        "Saoirse Delacroix-Mbeki was born on 30 October 1971.",
                        "Saoirse Delacroix-Mbeki was born on 9 January 1958.",
                        "Saoirse Delacroix-Mbeki was born on 21 August 1974."), "", ""), forget,
                "the forget row completed from forget10_perturbed: the truth ratio uses the paraphrased answer");
        for (QaExample e : d.get(Split.FORGET)) {
            assertEquals(5, e.perturbedAnswers().size(), e.question());
            assertTrue(!e.paraphrasedAnswer().equals(e.answer()), e.question());
        }

        List<QaExample> retain = d.get(Split.RETAIN);
        assertEquals("He surveyed railways before he turned to writing.", retain.get(2).paraphrasedAnswer(),
                "retain_perturbed covers the first and third retain rows");
        assertEquals(5, retain.get(0).perturbedAnswers().size());
        QaExample uncovered = retain.get(1);
        assertEquals(uncovered.answer(), uncovered.paraphrasedAnswer(), "a retain row retain_perturbed does not cover");
        assertEquals(uncovered.question(), uncovered.paraphrasedQuestion());
        assertTrue(uncovered.perturbedAnswers().isEmpty());

        assertEquals("Anouk Belinsky received the Harbour Light Award for her first novel.",
                d.get(Split.HOLDOUT).get(2).answer());
        assertEquals(new QaExample("Which planet is known as the Red Planet?", "Mars",
                "Which planet is known as the Red Planet?", "Mars", List.of("Venus", "Jupiter", "Saturn"), "", ""),
                d.get(Split.WORLD).get(1), "world facts compare the answer itself with the wrong answers");
        assertEquals(List.of("William Shakespeare", "Jane Austen"),
                c.realAuthors().stream().map(QaExample::answer).toList(), "read and checked, no split yet");
        assertEquals(List.of("Christopher Marlowe", "Ben Jonson", "John Webster"),
                c.realAuthors().get(0).perturbedAnswers());
    }

    @Test
    void theForgetSplitChoosesItsRetainAndHoldoutFilesUnlessTheyAreNamed() {
        Dataset f01 = TofuData.at(fixtures()).forget("forget01").load(0);
        assertEquals(List.of(1, 9, 1), sizes(f01), "forget01, retain99, holdout01");
        Dataset f05 = TofuData.at(fixtures()).forget("forget05").load(0);
        assertEquals(List.of(2, 8, 2), sizes(f05), "forget05, retain95, holdout05");
        assertEquals("Her date of birth is the fourteenth of March, 1971.",
                f05.get(Split.FORGET).get(0).paraphrasedAnswer(), "from forget05_perturbed");
        Dataset named = TofuData.at(fixtures()).retain("retain95").holdout("holdout01.json").load(0);
        assertEquals(List.of(4, 8, 1), sizes(named));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TofuData.at(fixtures()).forget("forget20"));
        assertEquals("unknown TOFU forget split 'forget20'; expected forget01, forget05 or forget10", e.getMessage());
    }

    @Test
    void jsonLinesFilesAndJsonArrayFilesReadTheSame(@TempDir Path dir) throws IOException {
        Path copy = copyFixtures(dir);
        Files.move(copy.resolve("forget10.json"), copy.resolve("forget10.jsonl"));
        // retain90 and world facts as one pretty-printed JSON array each, as `json.dump(rows, f, indent=2)` writes
        for (String name : List.of("retain90.json", "world_facts_perturbed.json")) {
            List<String> lines = Files.readAllLines(copy.resolve(name));
            Files.writeString(copy.resolve(name), "[\n  " + String.join(",\n  ", lines) + "\n]\n");
        }
        assertEquals(TofuData.at(fixtures()).load(0), TofuData.at(copy).load(0));
    }

    @Test
    void aMissingFolderOrFileIsNamedWithWhereItComesFrom(@TempDir Path dir) throws IOException {
        assertTrue(message(TofuData.at(dir.resolve("none"))).contains("TOFU folder " + dir.resolve("none")
                + " does not exist"));
        Path copy = copyFixtures(dir);
        Files.delete(copy.resolve("world_facts_perturbed.json"));
        assertEquals(copy.resolve("world_facts_perturbed.json") + ": missing; the tofu data source reads "
                + "world_facts_perturbed (.json or .jsonl) as published in the hub dataset locuslab/TOFU: download it "
                + "into the folder", message(TofuData.at(copy)));
        Files.copy(copy.resolve("retain90.json"), copy.resolve("retain90.jsonl"));
        assertTrue(message(TofuData.at(copy)).endsWith("retain90.json and retain90.jsonl both exist; keep one, or "
                + "name one with its extension"));
    }

    @Test
    void malformedRecordsAreRejectedNamingFileLineAndField(@TempDir Path dir) throws IOException {
        Path copy = copyFixtures(dir);
        Path retain = copy.resolve("retain90.json");
        edit(retain, 5, line -> "{\"question\": \"Who?\", \"answer\": ");
        assertTrue(message(TofuData.at(copy)).startsWith(retain + ":5: not valid JSON"), message(TofuData.at(copy)));
        restore(copy, "retain90.json");

        Path perturbed = copy.resolve("forget10_perturbed.json");
        edit(perturbed, 2, line -> line.replace("\"paraphrased_answer\"", "\"paraphrase\""));
        assertEquals(perturbed + ":2: field 'paraphrased_answer' is missing", message(TofuData.at(copy)));
        restore(copy, "forget10_perturbed.json");

        Path world = copy.resolve("world_facts_perturbed.json");
        edit(world, 3, line -> line.replaceAll("\\[.*]", "\"Indian Ocean\""));
        assertEquals(world + ":3: field 'perturbed_answer' must be a list of strings, was string",
                message(TofuData.at(copy)));
        edit(world, 3, line -> line.replaceAll("\"perturbed_answer\": .*}", "\"perturbed_answer\": []}"));
        assertEquals(world + ":3: field 'perturbed_answer' is an empty list; expected TOFU's wrong answers to the "
                + "question (a list of strings)", message(TofuData.at(copy)));
        restore(copy, "world_facts_perturbed.json");

        Path holdout = copy.resolve("holdout10.json");
        edit(holdout, 2, line -> "{\"question\": \"What genre?\", \"answer\": 7}");
        assertEquals(holdout + ":2: field 'answer' must be a string, was number", message(TofuData.at(copy)));
        edit(holdout, 2, line -> "[\"What genre?\", \"Novels\"]");
        assertEquals(holdout + ":2: expected a JSON object", message(TofuData.at(copy)));
        restore(copy, "holdout10.json");

        Path authors = copy.resolve("real_authors_perturbed.json");
        edit(authors, 1, line -> line.replace("\"answer\": \"William Shakespeare\", ", ""));
        assertEquals(authors + ":1: field 'answer' is missing", message(TofuData.at(copy)),
                "real_authors_perturbed is checked as it feeds the real_authors split");
        restore(copy, "real_authors_perturbed.json");

        List<String> array = Files.readAllLines(retain);
        Files.writeString(retain, "[\n" + String.join(",\n", array.subList(0, 3)) + ",\n\n  42,\n" + array.get(3)
                + "\n]\n");
        assertEquals(retain + ":6: expected a JSON object", message(TofuData.at(copy)),
                "in a JSON array, the line the element starts on");
    }

    @Test
    void aBrokenJsonArrayIsRejectedWithItsLine(@TempDir Path dir) throws IOException {
        Path copy = copyFixtures(dir);
        Path holdout = copy.resolve("holdout10.json");
        List<String> rows = Files.readAllLines(holdout);
        Files.writeString(holdout, "[\n" + rows.get(0) + ",\n" + rows.get(1) + "\n" + rows.get(2) + "\n]\n");
        String m = message(TofuData.at(copy));
        assertTrue(m.startsWith(holdout + ":4: not valid JSON"), m);
        Files.writeString(holdout, "[\n" + rows.get(0) + ",\n" + rows.get(1) + "\n");
        m = message(TofuData.at(copy));
        assertTrue(m.startsWith(holdout + ":") && m.contains("not valid JSON"), m);
        Files.writeString(holdout, "[" + rows.get(0) + "]\n{}\n");
        assertEquals(holdout + ":2: text after the JSON array's closing ]", message(TofuData.at(copy)));
    }

    @Test
    void perturbedFilesMustDescribeTheRowsOfTheirSplit(@TempDir Path dir) throws IOException {
        Path copy = copyFixtures(dir);
        Path perturbed = copy.resolve("forget10_perturbed.json");
        edit(perturbed, 1, line -> line.replace("In which city does", "Where does"));
        String m = message(TofuData.at(copy));
        assertTrue(m.startsWith(copy.resolve("forget10.json") + ":1: field 'question' is not asked in "
                + "forget10_perturbed.json"), m);
        restore(copy, "forget10_perturbed.json");

        // retain_perturbed asking about a forget10 question: the retain file is not the one it describes
        Path retainPerturbed = copy.resolve("retain_perturbed.json");
        Files.writeString(retainPerturbed, Files.readString(retainPerturbed) + Files.readAllLines(perturbed).get(0)
                + "\n");
        m = message(TofuData.at(copy));
        assertTrue(m.startsWith(retainPerturbed + ":3: field 'question' is not asked in retain90.json"), m);
        assertEquals(List.of(1, 9, 1), sizes(TofuData.at(copy).forget("forget01").load(0)),
                "retain99 does ask it");
    }

    @Test
    void namedFilesStayInsideTheFolder(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TofuData.at(fixtures()).retain("../retain90"));
        assertEquals("tofu: '../retain90' is not a file name inside the data folder (a relative name without '..', "
                + "e.g. retain90)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TofuData.at(fixtures()).holdout("/etc/passwd"));
        Path copy = copyFixtures(dir.resolve("in"));
        Path outside = Files.copy(copy.resolve("retain95.json"), dir.resolve("retain95.json"));
        Files.createSymbolicLink(copy.resolve("mine.json"), outside);
        String m = message(TofuData.at(copy).retain("mine"));
        assertTrue(m.startsWith("tofu: the file 'mine': ") && m.contains("outside"), m);
    }

    private static List<Integer> sizes(Dataset d) {
        return List.of(d.get(Split.FORGET).size(), d.get(Split.RETAIN).size(), d.get(Split.HOLDOUT).size());
    }

    private static String message(TofuData data) {
        return assertThrows(IllegalArgumentException.class, () -> data.load(0)).getMessage();
    }

    private static Path copyFixtures(Path dir) {
        return TofuFixtures.copy(dir);
    }

    private static void restore(Path copy, String name) throws IOException {
        Files.copy(fixtures().resolve(name), copy.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void edit(Path file, int lineNo, java.util.function.UnaryOperator<String> change)
            throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(lineNo - 1, change.apply(lines.get(lineNo - 1)));
        Files.write(file, lines);
    }
}

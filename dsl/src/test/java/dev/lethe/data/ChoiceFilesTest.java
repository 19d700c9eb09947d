package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed fixtures in WMDP's and MMLU's published layouts ({@code src/test/resources/wmdp}, {@code .../mmlu})
 * and malformed variants, each refused naming the file, the line and the field.
 */
class ChoiceFilesTest {

    static Path resource(String name) {
        try {
            return Path.of(ChoiceFilesTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void wmdpJsonLinesReadWithTheHarnessSubjectOfTheirConfig() {
        List<MultipleChoice> bio = ChoiceFiles.read(resource("wmdp/wmdp-bio.jsonl"));
        assertEquals(3, bio.size());
        assertEquals(new MultipleChoice("Which organelle makes most of a cell's ATP?",
                List.of("Nucleus", "Ribosome", "Mitochondrion", "Golgi apparatus"), 2, "biology", ""), bio.get(0));
        // the question is kept as written; the lettered prompt strips it, as the harness does
        assertEquals("  What carries genetic information in most organisms? ", bio.get(1).question());
        assertEquals("Influenza A", bio.get(2).correct());
        List<MultipleChoice> cyber = ChoiceFiles.read(resource("wmdp/wmdp-cyber.jsonl"));
        assertEquals("cybersecurity", cyber.get(0).subject());
        assertEquals("What does \"XSS\" stand for?", cyber.get(1).question());
    }

    @Test
    void aWmdpJsonArrayReadsLikeJsonLines() {
        List<MultipleChoice> chem = ChoiceFiles.read(resource("wmdp/wmdp-chem.json"));
        assertEquals(2, chem.size());
        assertEquals("chemistry", chem.get(1).subject());
        assertEquals("Na", chem.get(0).correct());
        assertEquals("Carbon dioxide", chem.get(1).correct());
    }

    @Test
    void aFileNamedAfterNoWmdpConfigInsideAConfigFolderTakesTheFoldersSubject(@TempDir Path dir) throws IOException {
        Path f = Files.createDirectories(dir.resolve("wmdp-cyber")).resolve("test.jsonl");
        Files.copy(resource("wmdp/wmdp-cyber.jsonl"), f);
        assertEquals("cybersecurity", ChoiceFiles.read(f).get(0).subject());
        Path other = dir.resolve("mine.jsonl");
        Files.copy(resource("wmdp/wmdp-cyber.jsonl"), other);
        assertEquals("", ChoiceFiles.read(other).get(0).subject());
    }

    @Test
    void caisMmluRecordsCarryTheirSubject() {
        List<MultipleChoice> all = ChoiceFiles.read(resource("mmlu/all/test.jsonl"));
        assertEquals(List.of("elementary_mathematics", "high_school_world_history"),
                all.stream().map(MultipleChoice::subject).toList());
        assertEquals("56", all.get(0).correct());
        assertEquals("Homer", all.get(1).correct());
    }

    @Test
    void hendrycksCsvFolderReadsEverySubjectInNameOrderWithQuotedCommasQuotesAndLineBreaks() {
        List<MultipleChoice> test = ChoiceFiles.read(resource("mmlu/data/test"));
        assertEquals(5, test.size());
        // astronomy_test.csv first (CRLF line ends), then high_school_biology_test.csv
        assertEquals(new MultipleChoice("What is the closest star to Earth?",
                List.of("Proxima Centauri", "The Sun", "Sirius", "Betelgeuse"), 1, "astronomy", ""), test.get(0));
        assertEquals("10", test.get(1).options().get(3));
        MultipleChoice mitosis = test.get(2);
        assertEquals("high_school_biology", mitosis.subject());
        assertEquals("Prophase, metaphase, anaphase, telophase", mitosis.correct());
        assertEquals("A student writes \"cells come from cells\".\nWhose theory is this?", test.get(3).question());
        assertEquals("Virchow", test.get(3).correct());
        assertEquals("What does a 3\" ruler measure?", test.get(4).question(), "a quote inside an unquoted field");
    }

    @Test
    void publishedRowsWithARepeatedOptionAreReadAsTheyAre(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("x_test.csv"), "Which is true?,True,True,False,False,C\n");
        assertEquals(List.of("True", "True", "False", "False"), ChoiceFiles.read(f).get(0).options());
    }

    @Test
    void csvRecordsRememberTheLineTheyStartOn() {
        List<Csv.Row> rows = Csv.rows(Path.of("x.csv"), "a,\"b\nc\",d\n\ne,f,\"\"\"\"\r\ng,,\n");
        assertEquals(List.of(1, 4, 5), rows.stream().map(Csv.Row::line).toList());
        assertEquals(List.of("a", "b\nc", "d"), rows.get(0).fields());
        assertEquals(List.of("e", "f", "\""), rows.get(1).fields());
        assertEquals(List.of("g", "", ""), rows.get(2).fields());
    }

    @Test
    void theSubjectOfACsvFileIsItsNameWithoutTheSplitSuffix() {
        assertEquals("college_physics", ChoiceFiles.csvSubject(Path.of("data/val/college_physics_val.csv")));
        assertEquals("anatomy", ChoiceFiles.csvSubject(Path.of("anatomy_dev.csv")));
        assertEquals("mine", ChoiceFiles.csvSubject(Path.of("mine.csv")));
    }

    // ---- malformed files: each message names the file, the line and the field ----

    private static IllegalArgumentException refused(Path dir, String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(f));
    }

    private static void names(IllegalArgumentException e, String fileLine, String field) {
        assertTrue(e.getMessage().contains(fileLine), e.getMessage());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    private static final String GOOD = "{\"question\": \"q?\", \"choices\": [\"a\", \"b\", \"c\", \"d\"], \"answer\": 0}\n";

    @Test
    void missingChoicesAreRefused(@TempDir Path dir) throws IOException {
        names(refused(dir, "wmdp-bio.jsonl", GOOD + "{\"question\": \"q?\", \"answer\": 1}\n"),
                "wmdp-bio.jsonl:2:", "field 'choices' is missing");
    }

    @Test
    void anAnswerOutsideTheChoicesIsRefused(@TempDir Path dir) throws IOException {
        names(refused(dir, "wmdp-bio.jsonl", GOOD + GOOD + GOOD.replace("\"answer\": 0", "\"answer\": 4")),
                "wmdp-bio.jsonl:3:", "field 'answer' is 4, outside the 4 choices (0 to 3)");
        names(refused(dir, "neg.jsonl", GOOD.replace("\"answer\": 0", "\"answer\": -1")),
                "neg.jsonl:1:", "field 'answer' is -1");
    }

    @Test
    void fieldsOfTheWrongTypeAreRefused(@TempDir Path dir) throws IOException {
        names(refused(dir, "a.jsonl", GOOD.replace("\"answer\": 0", "\"answer\": \"A\"")),
                "a.jsonl:1:", "field 'answer' must be an integer index of the choices (0 to 3), was string");
        names(refused(dir, "b.jsonl", GOOD.replace("\"answer\": 0", "\"answer\": 1.5")),
                "b.jsonl:1:", "field 'answer' must be an integer index of the choices (0 to 3), was 1.5");
        names(refused(dir, "c.jsonl", GOOD + GOOD.replace("[\"a\", \"b\", \"c\", \"d\"]", "\"a, b, c, d\"")),
                "c.jsonl:2:", "field 'choices' must be a list of strings, was string");
        names(refused(dir, "d.jsonl", GOOD.replace("\"b\"", "2")), "d.jsonl:1:", "field 'choices' must hold strings");
        names(refused(dir, "e.jsonl", GOOD.replace("\"q?\"", "7")), "e.jsonl:1:", "field 'question' must be a string");
        names(refused(dir, "f.jsonl", GOOD.replace("\"answer\": 0", "\"answer\": 0, \"subject\": 3")),
                "f.jsonl:1:", "field 'subject' must be a string");
        names(refused(dir, "g.jsonl", GOOD.replace("[\"a\", \"b\", \"c\", \"d\"]", "[\"a\"]")),
                "g.jsonl:1:", "field 'choices' has 1 entry; expected at least 2");
        names(refused(dir, "h.jsonl", GOOD.replace("\"answer\": 0", "\"answer\": null")),
                "h.jsonl:1:", "field 'answer' is missing");
        names(refused(dir, "i.jsonl", GOOD.replace("\"q?\"", "\"  \"")), "i.jsonl:1:", "field 'question' is blank");
    }

    @Test
    void aMalformedRecordOfAJsonArrayIsNamedByItsLine(@TempDir Path dir) throws IOException {
        names(refused(dir, "wmdp-chem.json", "[\n  " + GOOD.strip() + ",\n  {\"question\": \"q?\",\n   \"choices\": "
                + "[\"a\", \"b\"]}\n]\n"), "wmdp-chem.json:3:", "field 'answer' is missing");
    }

    @Test
    void badCsvRowsAreRefused(@TempDir Path dir) throws IOException {
        String good = "q?,a,b,c,d,A\n";
        names(refused(dir, "anatomy_test.csv", good + "q?,a,b,c,A\n"),
                "anatomy_test.csv:2:", "the row has 5 fields; expected 6 (question, A, B, C, D, answer)");
        names(refused(dir, "b_test.csv", good + good + "q?,a,b,c,d,E\n"),
                "b_test.csv:3:", "field 'answer' is 'E'; expected the letter A, B, C or D");
        names(refused(dir, "c_test.csv", good + "\"q?\nstill open,a,b,c,d,A\n"),
                "c_test.csv:2:", "field 1 opens a quote");
        names(refused(dir, "d_test.csv", "\"q\"?,a,b,c,d,A\n"), "d_test.csv:1:", "field 1 has text after its closing quote");
        names(refused(dir, "e_test.csv", good + "\"two\nlines\",a,b,c,d,a\n"), "e_test.csv:2:", "field 'answer' is 'a'");
        names(refused(dir, "f_test.csv", " ,a,b,c,d,A\n"), "f_test.csv:1:", "field 'question' is blank");
        names(refused(dir, "g_test.csv", "q?,a,b,c,d,A,extra\n"), "g_test.csv:1:", "the row has 7 fields");
    }

    @Test
    void otherFilesAndEmptyFoldersAreRefusedWithWhatIsRead(@TempDir Path dir) throws IOException {
        Path parquet = Files.writeString(dir.resolve("test-00000-of-00001.parquet"), "PAR1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(parquet));
        assertTrue(e.getMessage().contains("test-00000-of-00001.parquet: only 4 bytes, too short for Parquet"),
                e.getMessage());
        Path text = Files.writeString(dir.resolve("wmdp-bio.txt"), "q");
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(text));
        assertTrue(e.getMessage().contains("not a multiple-choice file Lethe reads; expected .parquet"), e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(empty));
        assertTrue(e.getMessage().contains("no .parquet or .csv file in the folder"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(dir.resolve("wmdp-bio.jsonl")));
        assertTrue(e.getMessage().contains("wmdp-bio.jsonl: missing"), e.getMessage());
    }
}

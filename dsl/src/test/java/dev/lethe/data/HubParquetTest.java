package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's Parquet layouts of WMDP ({@code cais/wmdp}), MMLU ({@code cais/mmlu}) and MUSE ({@code
 * muse-bench/MUSE-News}, {@code MUSE-Books}), from the fixtures in {@code src/test/resources/parquet/hub} (written
 * by DuckDB: see the README there): read as their JSON exports are, and refused naming file, row and field.
 */
class HubParquetTest {
    private static final Path HUB = ChoiceFilesTest.resource("parquet/hub");
    private static final Path BIO = HUB.resolve("wmdp/wmdp-bio");
    private static final Path MMLU = HUB.resolve("mmlu/high_school_biology");

    @Test
    void wmdpsHubFolderAndFileReadWithTheHarnessSubjectOfTheirConfig() {
        List<MultipleChoice> bio = ChoiceFiles.read(BIO);
        assertEquals(List.of(
                new MultipleChoice("Which toxin is produced by Clostridium botulinum?",
                        List.of("Ricin", "Tetrodotoxin", "Botulinum toxin", "Saxitoxin"), 2, "biology", ""),
                new MultipleChoice("What does PCR amplify?", List.of("DNA", "Proteins", "Lipids", "Sugars"), 0,
                        "biology", ""),
                new MultipleChoice("Which organelle holds the cell's genome?",
                        List.of("Ribosome", "Golgi body", "Lysosome", "Nucleus"), 3, "biology", "")), bio);
        assertEquals(bio, ChoiceFiles.read(BIO.resolve("test-00000-of-00001.parquet")));
        // written by pyarrow as datasets writes it (dictionary pages, list<element: string>, its schema metadata)
        assertEquals(List.of(
                new MultipleChoice("Which port does HTTPS use by default?", List.of("80", "443", "22", "21"), 1,
                        "cybersecurity", ""),
                new MultipleChoice("What does XSS stand for?", List.of("Cross-site scripting", "Extra secure sockets",
                        "XML style sheets", "Cross-server sync"), 0, "cybersecurity", "")),
                ChoiceFiles.read(HUB.resolve("wmdp/wmdp-cyber")));
    }

    @Test
    void mmlusSubjectFolderReadsItsTestSplitOnlyWithTheSubjectColumn() {
        List<MultipleChoice> questions = ChoiceFiles.read(MMLU);
        assertEquals(List.of("Which blood cells carry oxygen?", "What is the powerhouse of the cell?"),
                questions.stream().map(MultipleChoice::question).toList());
        assertEquals(List.of("high_school_biology", "high_school_biology"),
                questions.stream().map(MultipleChoice::subject).toList());
        assertEquals(List.of("Red cells", "Mitochondrion"), questions.stream().map(MultipleChoice::correct).toList());
        // the dev and validation files are read only when named
        assertEquals("elementary_mathematics",
                ChoiceFiles.read(MMLU.resolve("validation-00000-of-00001.parquet")).get(0).subject());
    }

    @Test
    void aBadRowIsNamedByFileRowAndField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChoiceFiles.read(HUB.resolve("bad-answer")));
        assertTrue(e.getMessage().contains("test-00000-of-00001.parquet: row 2: field 'answer' is 5, outside the 2 "
                + "choices (0 to 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(HUB.resolve("bad-type")));
        assertTrue(e.getMessage().contains("test-00000-of-00001.parquet: row 1: field 'answer' must be an integer "
                + "index of the choices (0 to 1), was string"), e.getMessage());
    }

    @Test
    void foldersWithoutATestSplitWithMissingShardsOrMixedFilesAreRefused(@TempDir Path dir) throws IOException {
        Path dev = Files.createDirectories(dir.resolve("dev-only"));
        Files.copy(MMLU.resolve("dev-00000-of-00001.parquet"), dev.resolve("dev-00000-of-00001.parquet"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(dev));
        assertTrue(e.getMessage().contains("(dev-00000-of-00001.parquet) hold no test split"), e.getMessage());
        Path shards = Files.createDirectories(dir.resolve("shards"));
        Files.copy(BIO.resolve("test-00000-of-00001.parquet"), shards.resolve("test-00000-of-00002.parquet"));
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(shards));
        assertTrue(e.getMessage().contains("1 of the 2 shards of split 'test'"), e.getMessage());
        Files.copy(BIO.resolve("test-00000-of-00001.parquet"), shards.resolve("test-00001-of-00002.parquet"));
        assertEquals(6, ChoiceFiles.read(shards).size(), "both shards, in order");
        Files.writeString(shards.resolve("extra_test.csv"), "q?,a,b,c,d,A\n");
        e = assertThrows(IllegalArgumentException.class, () -> ChoiceFiles.read(shards));
        assertTrue(e.getMessage().contains("holds both .csv and .parquet files"), e.getMessage());
    }

    @Test
    void museHubFolderLoadsEveryFileIntoItsSplit() {
        Dataset d = new MuseData(HUB.resolve("muse")).load(0);
        assertEquals(List.of("The river Aln rose overnight after a week of rain.", "Shops in Alnwick reopened on "
                + "Monday."), d.passages(Split.FORGET).stream().map(Passage::text).toList());
        // retain1 then retain2
        assertEquals(List.of("A new library opened in Leeds.", "The council approved a cycle lane.",
                "Tickets for the fair sold out."), d.passages(Split.RETAIN).stream().map(Passage::text).toList());
        assertEquals(List.of("A storm is expected in Cornwall."),
                d.passages(Split.HOLDOUT).stream().map(Passage::text).toList());
        MuseProbes forget = d.muse(Split.FORGET);
        assertEquals(List.of(new Continuation("The river Aln rose", " overnight after a week of rain.")),
                forget.verbmem());
        assertEquals("Which river rose overnight?", forget.knowmem().get(0).question());
        assertEquals("The Aln", forget.knowmem().get(0).answer());
        assertEquals("Alnwick", forget.fewShot().get(0).answer());
        assertEquals("Shops in Alnwick reopened on Monday.", forget.privleak().get(0).text());
        MuseProbes retain = d.muse(Split.RETAIN);
        assertEquals("Leeds", retain.knowmem().get(0).answer());
        assertEquals("A cycle lane", retain.fewShot().get(0).answer());
        assertEquals("A new library opened in Leeds.", retain.privleak().get(0).text());
        assertEquals("A storm is expected in Cornwall.", d.muse(Split.HOLDOUT).privleak().get(0).text());
    }

    @Test
    void museBlankRowsAndSplitsInTwoFormsAreRefused(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MuseData(HUB.resolve("muse-blank")).load(0));
        assertTrue(e.getMessage().contains("forget-00000-of-00001.parquet: row 2: field 'text' is blank"),
                e.getMessage());
        Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.copy(HUB.resolve("muse/raw/forget-00000-of-00001.parquet"), raw.resolve("forget-00000-of-00001.parquet"));
        Files.writeString(raw.resolve("forget.jsonl"), "{\"text\": \"t\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> new MuseData(dir).load(0));
        assertTrue(e.getMessage().contains("forget.jsonl and forget-00000-of-00001.parquet both exist"),
                e.getMessage());
    }
}

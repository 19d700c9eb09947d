package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed fixture in MUSE's exported layout ({@code src/test/resources/muse}) and malformed variants. */
class MuseDataTest {

    static Path fixture() {
        try {
            return Path.of(MuseDataTest.class.getResource("/muse").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the fixture in {@code dir}, to break. */
    static Path copy(Path dir) throws IOException {
        Path from = fixture();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path to = dir.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        return dir;
    }

    @Test
    void theFixtureLoadsEveryFileIntoItsSplit() {
        Dataset d = new MuseData(fixture()).load(0);
        assertEquals(4, d.passages(Split.FORGET).size());
        assertTrue(d.passages(Split.FORGET).get(0).text().startsWith("The river festival in Torvel"));
        // retain1 (JSON lines) then retain2 (a JSON array of bare strings)
        assertEquals(List.of("The old bridge", "The library"), d.passages(Split.RETAIN).stream()
                .map(p -> p.text().substring(0, p.text().indexOf(" in "))).toList());
        assertEquals(4, d.passages(Split.HOLDOUT).size());
        MuseProbes forget = d.muse(Split.FORGET);
        assertEquals(List.of("Torvel", "her garden of rare herbs"),
                forget.knowmem().stream().map(QaExample::answer).toList());
        assertEquals("in May", d.muse(Split.RETAIN).knowmem().get(0).answer());
        for (Split s : Split.values()) {
            assertTrue(d.get(s).isEmpty(), "no stage trains on KnowMem's questions: " + s);
        }
        assertEquals(new Continuation("A teacher at Kalo school won a prize",
                "for her garden of rare herbs. She said the herbs need rain in spring and sun in summer."),
                forget.verbmem().get(1));
        assertEquals("the old bridge", forget.fewShot().get(0).answer());
        assertEquals(new Passage("The river festival in Torvel opened on Monday with a parade of boats.", ""),
                forget.privleak().get(0));
        assertEquals("Torvel", d.muse(Split.RETAIN).fewShot().get(0).answer());
        assertEquals(1, d.muse(Split.RETAIN).privleak().size());
        assertEquals(4, d.muse(Split.HOLDOUT).privleak().size());
        assertNull(d.muse(Split.WORLD));
        assertTrue(d.get(Split.WORLD).isEmpty() && d.get(Split.HOLDOUT).isEmpty());
        assertEquals(d.muse(Split.FORGET), d.view(Split.FORGET).muse());
        // the tokenizer knows the words of the few-shot frame
        assertNotEquals(d.fitTokenizer().encode("Question")[0],
                d.fitTokenizer().encode("\u00e6\u00f8\u00e5")[0]);
    }

    @Test
    void fewShotPromptIsMusesFrame() {
        MuseProbes forget = new MuseData(fixture()).load(0).muse(Split.FORGET);
        assertEquals("Question: What was closed after the storm?\nAnswer: the old bridge\n\n"
                + "Question: Where did the river festival open?\nAnswer: ",
                forget.fewShotPrompt("Where did the river festival open?"));
        assertEquals("Question: q\nAnswer: ", new MuseProbes(List.of(), List.of(), List.of(), List.of())
                .fewShotPrompt("q"));
    }

    @Test
    void aMissingOptionalFileIsEmptyButRawForgetIsRequired(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("raw"));
        Files.writeString(dir.resolve("raw/forget.jsonl"), "{\"text\": \"one text\"}\n");
        Dataset d = new MuseData(dir).load(0);
        assertEquals(1, d.passages(Split.FORGET).size());
        assertTrue(d.muse(Split.FORGET).verbmem().isEmpty() && d.muse(Split.RETAIN).knowmem().isEmpty());
        Files.delete(dir.resolve("raw/forget.jsonl"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MuseData(dir).load(0));
        assertTrue(e.getMessage().contains("raw/forget.json") && e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MuseData(dir.resolve("nope")).load(0));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void badRecordsNameTheFileTheLineAndTheField(@TempDir Path dir) throws IOException {
        copy(dir);
        Path verbmem = dir.resolve("verbmem/forget.json");
        Files.writeString(verbmem, "[\n  {\"prompt\": \"a b\", \"gt\": \"c\"},\n  {\"prompt\": \"a b\"}\n]\n");
        assertBad(dir, verbmem + ":3:", "field 'gt' is missing");
        Files.writeString(verbmem, "[\n  {\"prompt\": \"a b\", \"gt\": 7}\n]\n");
        assertBad(dir, verbmem + ":2:", "field 'gt' must be a string");
        Files.writeString(verbmem, "[{\"prompt\": \" \", \"gt\": \"c\"}]");
        assertBad(dir, verbmem + ":1:", "field 'prompt' is blank");
        Files.writeString(verbmem, "[{\"prompt\": \"a\", \"gt\": \"c\"},\n");
        assertBad(dir, verbmem + ":", "not valid JSON");
        Files.delete(verbmem);

        Path qa = dir.resolve("knowmem/retain_qa.jsonl");
        Files.writeString(qa, "{\"question\": \"q\", \"answer\": \"a\"}\n\n{\"question\": \"q\"}\n");
        assertBad(dir, qa + ":3:", "field 'answer' is missing");
        Files.writeString(qa, "{\"question\": \"q\", \"answer\": \"a\"}\n[1]\n");
        assertBad(dir, qa + ":2:", "expected a JSON object");
        Files.writeString(qa, "{\"question\": \"q\", \"answer\": \"a\"\n");
        assertBad(dir, qa + ":1:", "not valid JSON");
        Files.delete(qa);

        Path privleak = dir.resolve("privleak/holdout.json");
        Files.writeString(privleak, "[\"a text\",\n 3]");
        assertBad(dir, privleak + ":2:", "expected a JSON object");
        Files.writeString(privleak, "[\"a text\"]\n{}");
        assertBad(dir, privleak + ":2:", "text after the JSON array");
        Files.writeString(privleak, "[{\"txt\": \"a text\"}]");
        assertBad(dir, privleak + ":1:", "field 'text' is missing");
        Files.delete(privleak);

        Files.writeString(dir.resolve("raw/holdout.json"), "[]");
        assertBad(dir, "raw/holdout.json", "both exist");
    }

    @Test
    void filesOutsideTheFolderAreRefused(@TempDir Path dir, @TempDir Path elsewhere) throws IOException {
        copy(dir);
        Files.writeString(elsewhere.resolve("secret.json"), "[\"outside\"]");
        Files.delete(dir.resolve("privleak/holdout.json"));
        Files.createSymbolicLink(dir.resolve("privleak/holdout.json"), elsewhere.resolve("secret.json"));
        assertBad(dir, "privleak/holdout.json", "outside");
    }

    private static void assertBad(Path dir, String where, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MuseData(dir).load(0));
        assertTrue(e.getMessage().contains(where) && e.getMessage().contains(what), e.getMessage());
    }
}

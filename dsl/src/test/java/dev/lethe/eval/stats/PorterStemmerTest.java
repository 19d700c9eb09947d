package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.model.ReferencePython;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PorterStemmer} against hand-worked stems and, through the reference venv, NLTK's PorterStemmer. */
class PorterStemmerTest {

    @Test
    void handWorkedStemsCoverEachStepAndNltksExtensions() {
        Map<String, String> expected = Map.ofEntries(Map.entry("caresses", "caress"), Map.entry("ponies", "poni"),
                Map.entry("ties", "tie"), Map.entry("hopping", "hop"), Map.entry("falling", "fall"),
                Map.entry("hoping", "hope"), Map.entry("agreed", "agre"), Map.entry("feed", "feed"),
                Map.entry("relational", "relat"), Map.entry("generalizer", "gener"), Map.entry("happy", "happi"),
                Map.entry("say", "say"), Map.entry("died", "die"), Map.entry("dying", "die"),
                Map.entry("skies", "sky"), Map.entry("by", "by"), Map.entry("Running", "run"));
        expected.forEach((word, stem) -> assertEquals(stem, PorterStemmer.stem(word), word));
    }

    @Test
    void measureCountsVowelConsonantTransitionsWithYByPosition() {
        assertEquals(0, PorterStemmer.measure("tr"));
        assertEquals(0, PorterStemmer.measure("tree"));
        assertEquals(1, PorterStemmer.measure("trouble"));
        assertEquals(2, PorterStemmer.measure("troubles"));
        // y after a consonant is a vowel, at the start or after a vowel a consonant
        assertEquals(1, PorterStemmer.measure("syz"));
        assertEquals(0, PorterStemmer.measure("yy"));
        assertEquals(1, PorterStemmer.measure("ay"));
    }

    @Test
    void wordListStemsAsNltkDoes(@TempDir Path dir) throws IOException {
        List<String> words = words();
        ObjectMapper json = new ObjectMapper();
        Path in = dir.resolve("in.json");
        Files.writeString(in, json.writeValueAsString(Map.of("words", words)));
        JsonNode out = json.readTree(ReferencePython.run("rouge_reference.py", 120, in.toString()));
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String nltk = out.get("stems").get(i).asText();
            if (!nltk.equals(PorterStemmer.stem(words.get(i)))) {
                mismatches.add(words.get(i) + ": nltk " + nltk + ", ours " + PorterStemmer.stem(words.get(i)));
            }
        }
        assertEquals(List.of(), mismatches, "of " + words.size() + " words");
    }

    /** The words of porter-words.txt (a few hundred, with the hard cases of each step). */
    static List<String> words() throws IOException {
        try (InputStream s = PorterStemmerTest.class.getResourceAsStream("porter-words.txt")) {
            List<String> out = new ArrayList<>();
            for (String line : new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    out.addAll(Arrays.asList(line.strip().split("\\s+")));
                }
            }
            return out;
        }
    }
}

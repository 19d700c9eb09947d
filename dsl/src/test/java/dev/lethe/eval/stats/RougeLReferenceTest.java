package dev.lethe.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.model.ReferencePython;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RougeL} with and without stemming against rouge_score's rougeL as {@code bench/python/rouge_reference.py}
 * computes it (rouge_score itself when installed, else its tokenizer and LCS reproduced over NLTK's stemmer).
 */
class RougeLReferenceTest {
    private static final List<List<String>> PAIRS = List.of(
            List.of("The cats were running quickly through the gardens.", "A cat runs quick in the garden"),
            List.of("Kalo Renmi was born in 1932 and lives in Torvel.", "Kalo Renmi, born 1932, is living in Torvel"),
            List.of("She wrote novels about relational databases.", "her novel related the database"),
            List.of("George Orwell's Nineteen Eighty-Four was published in 1949.",
                    "Nineteen Eighty-Four, published by Orwell in 1949"),
            List.of("Generalizations are hopelessly misleading", "generalization misleads hopeless people"),
            List.of("the happiness of studies", "happy studying"),
            List.of("Ties and dies; skies cried", "tie die sky cry"),
            List.of("", "anything"),
            List.of("Café naïve résumé", "cafe naive resume"));

    @Test
    void recallAndF1EqualRougeScoreWithAndWithoutStemming(@TempDir Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path in = dir.resolve("in.json");
        Files.writeString(in, json.writeValueAsString(Map.of("pairs", PAIRS)));
        JsonNode out = json.readTree(ReferencePython.run("rouge_reference.py", 120, in.toString()));
        for (int i = 0; i < PAIRS.size(); i++) {
            String ref = PAIRS.get(i).get(0);
            String pred = PAIRS.get(i).get(1);
            RougeScore stemmed = RougeL.score(ref, pred, RougeL.Stemming.PORTER);
            RougeScore plain = RougeL.score(ref, pred);
            JsonNode s = out.get("scores").get(i);
            JsonNode p = out.get("plain").get(i);
            assertEquals(s.get(0).asDouble(), stemmed.precision(), 1e-6, "precision, stemmed: " + ref);
            assertEquals(s.get(1).asDouble(), stemmed.recall(), 1e-6, "recall, stemmed: " + ref);
            assertEquals(s.get(2).asDouble(), stemmed.f1(), 1e-6, "F1, stemmed: " + ref);
            assertEquals(p.get(1).asDouble(), plain.recall(), 1e-6, "recall, unstemmed: " + ref);
            assertEquals(p.get(2).asDouble(), plain.f1(), 1e-6, "F1, unstemmed: " + ref);
            assertEquals(json.convertValue(out.get("tokens").get(i).get(0), List.class),
                    RougeL.tokens(ref, RougeL.Stemming.PORTER), ref);
        }
    }
}

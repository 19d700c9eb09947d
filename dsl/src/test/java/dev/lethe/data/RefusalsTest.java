package dev.lethe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lethe.model.WordTokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalsTest {

    @Test
    void theTemplatesAreTenDistinctSentencesThatTheBenchmarkTokenizerKnows() {
        assertEquals(10, new HashSet<>(Refusals.TEMPLATES).size());
        WordTokenizer t = new FictitiousFacts(4, 0.25, 1, 1, 1, 1).load(3).fitTokenizer();
        for (String template : Refusals.TEMPLATES) {
            int[] ids = t.encode(template);
            for (int id : ids) {
                assertFalse(id == 1, "unknown word in '" + template + "'");
            }
            assertEquals(template, t.decode(ids));
        }
    }

    @Test
    void anExampleGetsItsTemplateByPositionModuloTen() {
        assertEquals(Refusals.TEMPLATES.get(0), Refusals.forExample(0));
        assertEquals(Refusals.TEMPLATES.get(3), Refusals.forExample(13));
        assertEquals(Refusals.TEMPLATES.get(9), Refusals.forExample(-1));
    }

    @Test
    void lastIndicesNameTheExamplesOfTheLastBatch() {
        List<Encoded> examples = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            examples.add(new Encoded(new int[] {i}, new int[] {100 + i}));
        }
        BatchStream stream = new BatchStream(examples, 3, 11);
        assertArrayEquals(new int[0], stream.lastIndices());
        HashSet<Integer> seen = new HashSet<>();
        for (int b = 0; b < 3; b++) { // 3 + 3 + 1: one epoch
            List<Encoded> batch = stream.next();
            int[] indices = stream.lastIndices();
            assertEquals(batch.size(), indices.length);
            for (int i = 0; i < indices.length; i++) {
                assertEquals(examples.get(indices[i]), batch.get(i));
                seen.add(indices[i]);
            }
        }
        assertEquals(7, seen.size(), "one epoch visits every example once");
    }
}

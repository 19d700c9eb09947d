package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.model.GptConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwinExportTest {

    @Test
    void writesWeightsBatchesAndTheLossesOfEachStep(@TempDir Path dir) throws Exception {
        GptConfig config = new GptConfig(40, 1, 16, 2, 16, 0f);
        List<Double> losses = TwinExport.export(dir, config, 3, 8, 3);

        assertEquals(3, losses.size());
        assertTrue(losses.get(2) < losses.get(0), "AdamW on fixed batches lowers the loss: " + losses);
        assertTrue(Files.size(dir.resolve("weights.safetensors")) > 4L * 40 * 16);
        ObjectMapper json = new ObjectMapper();
        JsonNode expected = json.readTree(dir.resolve("expected.json").toFile());
        assertEquals(losses.get(1), expected.get("losses").get(1).asDouble());
        assertEquals(16, expected.get("config").get("width").asInt());
        JsonNode forget = json.readTree(dir.resolve("batch.json").toFile()).get("forget");
        assertEquals(3, forget.get("inputs").size());
        assertEquals(8, forget.get("inputs").get(0).size());
        // 8 inputs = <bos>, a prompt of 8/2 = 4 tokens, an answer of 3: the targets of positions 4..7 (the answer
        // and <eos>) are in the mask
        double maskSum = 0;
        for (JsonNode v : forget.get("mask").get(0)) {
            maskSum += v.asDouble();
        }
        assertEquals(4.0, maskSum);
        assertEquals(2, forget.get("inputs").get(0).get(0).asInt(), "rows start with <bos>");
    }
}

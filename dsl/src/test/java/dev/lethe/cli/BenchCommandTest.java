package dev.lethe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.model.HfConfig;
import dev.lethe.model.HfFamilies;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Issue 13, reproduction 9 and the weak spot "bench --steps 0/-1, --batch 0": one-line refusals, exit 2. */
class BenchCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--steps|0|--steps must be at least 1, was 0",
        "--steps|-1|--steps must be at least 1, was -1",
        "--batch|0|--batch must be at least 1, was 0",
        "--batch|-3|--batch must be at least 1, was -3",
        "--warmup|-1|--warmup must be at least 0, was -1",
        "--length|2|--length must be at least 3",
        "--threads|0|--threads must be at least 1, was 0",
        "--new-tokens|0|--new-tokens must be at least 1, was 0",
        "--model|no-such-shape|--model must be one of [quickstart, gpt2-small, smollm-135m, llama-3.2-1b,",
    })
    void refusesSizesThatMeasureNothingInOneLine(String option, String value, String expected) {
        assertRefused(expected, "--step", "forward", option, value);
    }

    /** transformers' side of bench/hf-compare.sh builds its model from this file: it must be the published shape. */
    @Test
    void writesTheLlama32ConfigTransformersBuildsFrom(@TempDir Path dir) throws IOException {
        assertEquals(0, new CommandLine(new BenchCommand()).execute("--model", "llama-3.2-1b", "--write-config",
                dir.toString()));
        JsonNode c = new ObjectMapper().readTree(dir.resolve(HfConfig.FILE).toFile());
        assertEquals("llama", c.get("model_type").asText());
        assertEquals(128256, c.get("vocab_size").asInt());
        assertEquals(2048, c.get("hidden_size").asInt());
        assertEquals(8192, c.get("intermediate_size").asInt());
        assertEquals(16, c.get("num_hidden_layers").asInt());
        assertEquals(32, c.get("num_attention_heads").asInt());
        assertEquals(8, c.get("num_key_value_heads").asInt());
        assertEquals(64, c.get("head_dim").asInt());
        assertEquals(1e-5, c.get("rms_norm_eps").asDouble());
        assertTrue(c.get("tie_word_embeddings").asBoolean());
        JsonNode rope = c.get("rope_parameters");
        assertEquals("llama3", rope.get("rope_type").asText());
        assertEquals(500000.0, rope.get("rope_theta").asDouble());
        assertEquals(32.0, rope.get("factor").asDouble());
        assertEquals(8192, rope.get("original_max_position_embeddings").asInt());
        // and Lethe reads it back to the shape it benchmarks
        HfConfig read = HfConfig.read(dir);
        assertEquals(BenchShapes.of("llama-3.2-1b", 32), HfFamilies.forConfig(read).spec(read));
    }

    @Test
    void writesSmolLmsConfigAndReadsItBack(@TempDir Path dir) {
        assertEquals(0, new CommandLine(new BenchCommand()).execute("--model", "smollm-135m", "--write-config",
                dir.toString()));
        HfConfig read = HfConfig.read(dir);
        assertEquals(BenchShapes.of("smollm-135m", 32), HfFamilies.forConfig(read).spec(read));
        assertTrue(BenchShapes.of("smollm-135m", 32).parameterCount() > 134e6
                && BenchShapes.of("smollm-135m", 32).parameterCount() < 135e6, "SmolLM-135M has 134.5 M parameters");
    }

    @Test
    void refusesConfigsOfGptShapesAndTwinsOfLlamaShapes(@TempDir Path dir) {
        assertRefused("--write-config needs a Llama-family shape", "--model", "quickstart", "--write-config",
                dir.toString());
        assertRefused("--export-twin needs --model quickstart or gpt2-small", "--model", "tiny-smollm",
                "--export-twin", dir.toString());
        assertTrue(!Files.exists(dir.resolve(HfConfig.FILE)));
    }

    private static void assertRefused(String expected, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        String message = err.toString();
        assertEquals(2, exit, message);
        assertTrue(message.startsWith("lethe bench: " + expected), message);
        assertEquals(1, message.strip().lines().count(), "one line, no stack trace or usage: " + message);
        assertEquals("", out.toString(), "nothing measured");
    }
}

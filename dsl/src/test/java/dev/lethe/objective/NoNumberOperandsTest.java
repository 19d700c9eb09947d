package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Code that runs inside an autograd graph (objectives, the model's forward pass) must not combine an
 * NDArray with a Java number: DJL backs the number with a buffer the garbage collector frees while autograd
 * still needs it (see {@code Scalars}). This scans those sources for {@code .mul(2)}, {@code .div((float) x)}
 * and the like.
 */
class NoNumberOperandsTest {
    private static final Pattern NUMBER_OPERAND = Pattern.compile(
            "\\.(mul|div|add|sub|pow|maximum|minimum|muli|divi|addi|subi)\\(\\s*(\\((float|double|int|long)\\)|-?[0-9])");

    static List<String> offenders(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (NUMBER_OPERAND.matcher(lines.get(i)).find()) {
                        out.add(f + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void objectivesAndTheForwardPassUseScalarsForConstants() throws IOException {
        Path objectives = Path.of("src/main/java/dev/lethe/objective");
        assertTrue(Files.isDirectory(objectives), "run from the dsl module: " + objectives.toAbsolutePath());
        List<String> found = new ArrayList<>(offenders(objectives));
        found.addAll(offenders(Path.of("src/main/java/dev/lethe/model/CausalLm.java")));
        found.addAll(offenders(Path.of("src/main/java/dev/lethe/model/Gpt2.java")));
        found.addAll(offenders(Path.of("src/main/java/dev/lethe/model/LowRank.java")));
        for (String block : List.of("Llama", "RmsNorm", "Rotary", "CausalAttention", "SwiGlu", "Projections", "Phi",
                "Phi3", "GptNeoX", "RotaryDecoder", "LayerNormalization", "GatedSteering")) {
            found.addAll(offenders(Path.of("src/main/java/dev/lethe/model/" + block + ".java")));
        }
        found.addAll(offenders(Path.of("src/main/java/dev/lethe/adapter")));
        assertEquals(List.of(), found);
    }

    @Test
    void thePatternCatchesTheForms(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("Bad.java"), "a.mul(0.5);\nb.div((float) beta);\nc.mul(d);\ne.add(-1);\n");
        assertEquals(3, offenders(dir).size());
    }
}

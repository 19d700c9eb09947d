package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code outside {@code dev.lethe.model} asks an {@link Architecture} for {@link Role}s and hooks, never for
 * GPT-2's parameter names: this scans the string literals of every other main source (the library, the
 * examples, the notebook kernel) for one ({@code "h.0.…"}, {@code wte}, {@code wpe}, {@code c_attn},
 * {@code c_proj}, {@code c_fc}, {@code ln_f}, {@code ln_1}, {@code ln_2}). Comments may name them.
 */
class Gpt2NamesStayInTheModelPackageTest {
    private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GPT2_NAME = Pattern.compile(
            "(?<![A-Za-z0-9_])(h\\.(\\d|\\*|\\?|\"|$)|(wte|wpe|c_attn|c_proj|c_fc|ln_f|ln_1|ln_2)(?![A-Za-z0-9_]))");

    static List<String> offenders(Path root, Path except) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".kt"))
                    .filter(p -> !p.startsWith(except)).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                boolean inComment = false;
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i);
                    if (inComment) {
                        int end = code.indexOf("*/");
                        if (end < 0) {
                            continue;
                        }
                        code = code.substring(end + 2);
                        inComment = false;
                    }
                    int start = code.indexOf("/*");
                    if (start >= 0 && code.indexOf("*/", start) < 0) {
                        code = code.substring(0, start);
                        inComment = true;
                    }
                    int line = code.indexOf("//");
                    if (line >= 0 && !code.substring(0, line).contains("\"")) {
                        code = code.substring(0, line);
                    }
                    Matcher literal = LITERAL.matcher(code);
                    while (literal.find()) {
                        String text = literal.group();
                        if (GPT2_NAME.matcher(text.substring(1, text.length() - 1)).find()) {
                            out.add(f + ":" + (i + 1) + ": " + text);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void noSourceOutsideTheModelPackageSpellsAGpt2ParameterName() throws IOException {
        Path main = Path.of("src/main/java/dev/lethe");
        assertTrue(Files.isDirectory(main), "run from the dsl module: " + main.toAbsolutePath());
        List<String> found = new ArrayList<>(offenders(main, main.resolve("model")));
        for (String other : List.of("../examples/src/main", "../kernel-extension/src/main")) {
            Path p = Path.of(other);
            if (Files.isDirectory(p)) {
                found.addAll(offenders(p, p.resolve("none")));
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theScanCatchesTheFormsAndSkipsComments(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("Bad.java"), String.join("\n",
                "a.get(\"h.\" + l + \".mlp\");",
                "b.get(\"wte.weight\");",
                "c.get(\"attn.c_proj\"); // c_fc",
                "d.add(\"h.1.mlp.*\");",
                "e.say(\"ln_f\");",
                "// f.get(\"wpe.weight\")",
                "/** {@code \"c_attn\"}",
                " * \"h.0\" */",
                "g.say(\"each.\" + \"swte\" + \"lm_head.weight\" + \"role:mlp_down@1\");",
                ""));
        assertEquals(5, offenders(dir, dir.resolve("none")).size(), offenders(dir, dir.resolve("none")).toString());
    }
}

package dev.lethe.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * JSON lines in TOFU's field names: {@code question}, {@code answer}, {@code paraphrased_question},
 * {@code paraphrased_answer}, {@code perturbed_answer} (a list), plus Lethe's {@code subject} and
 * {@code fact}. Only {@code question} and {@code answer} are required when reading; the others default
 * to the question, the answer, an empty list and empty strings.
 */
public final class Jsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Jsonl() {}

    /** Writes one object per line, atomically. */
    public static void write(Path file, List<QaExample> examples) {
        StringBuilder sb = new StringBuilder();
        for (QaExample e : examples) {
            ObjectNode o = JSON.createObjectNode();
            o.put("question", e.question());
            o.put("answer", e.answer());
            o.put("paraphrased_question", e.paraphrasedQuestion());
            o.put("paraphrased_answer", e.paraphrasedAnswer());
            var perturbed = o.putArray("perturbed_answer");
            e.perturbedAnswers().forEach(perturbed::add);
            o.put("subject", e.subject());
            o.put("fact", e.fact());
            sb.append(o).append('\n');
        }
        AtomicFiles.write(file, out -> out.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed record
     */
    public static List<QaExample> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<QaExample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw bad(file, lineNo, "not valid JSON: " + e.getOriginalMessage());
            }
            if (o == null || !o.isObject()) {
                throw bad(file, lineNo, "expected a JSON object");
            }
            String question = text(o, "question", file, lineNo, null);
            String answer = text(o, "answer", file, lineNo, null);
            List<String> perturbed = new ArrayList<>();
            JsonNode p = o.get("perturbed_answer");
            if (p != null && !p.isNull()) {
                if (p.isTextual()) {
                    perturbed.add(p.asText());
                } else if (p.isArray()) {
                    for (JsonNode n : p) {
                        if (!n.isTextual()) {
                            throw bad(file, lineNo, "field 'perturbed_answer' must hold strings");
                        }
                        perturbed.add(n.asText());
                    }
                } else {
                    throw bad(file, lineNo, "field 'perturbed_answer' must be a string or a list of strings");
                }
            }
            out.add(new QaExample(question, answer,
                    text(o, "paraphrased_question", file, lineNo, question),
                    text(o, "paraphrased_answer", file, lineNo, answer),
                    perturbed,
                    text(o, "subject", file, lineNo, ""),
                    text(o, "fact", file, lineNo, "")));
        }
        return out;
    }

    private static String text(JsonNode o, String field, Path file, int line, @Nullable String fallback) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw bad(file, line, "field '" + field + "' is missing");
            }
            return fallback;
        }
        if (!n.isTextual()) {
            throw bad(file, line, "field '" + field + "' must be a string, was " + n.getNodeType().name().toLowerCase());
        }
        return n.asText();
    }

    private static IllegalArgumentException bad(Path file, int line, String message) {
        return new IllegalArgumentException(file + ":" + line + ": " + message);
    }
}

package dev.lethe.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.io.AtomicFiles;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * JSON lines, one record per line.
 *
 * <ul>
 *   <li>Question-answer examples ({@link #write}, {@link #read}) in TOFU's field names: {@code question},
 *       {@code answer}, {@code paraphrased_question}, {@code paraphrased_answer}, {@code perturbed_answer}
 *       (a list), plus Lethe's {@code subject} and {@code fact}. Only {@code question} and {@code answer}
 *       are required when reading; the others default to the question, the answer, an empty list and
 *       empty strings. MUSE's KnowMem questions ({@code {"question", "answer"}}) therefore read as they are,
 *       once MUSE's JSON array is written one object per line.
 *   <li>Passages ({@link #writePassages}, {@link #readPassages}): {@code {"text": ..., "subject": ...}},
 *       {@code subject} optional; a MUSE raw corpus (plain text) becomes this layout with one
 *       {@code {"text": ...}} per passage.
 *   <li>Multiple-choice questions ({@link #writeChoices}, {@link #readChoices}) in WMDP's field names:
 *       {@code question}, {@code choices} (a list of strings), {@code answer} (the index of the correct
 *       choice), plus optional {@code subject} and {@code fact}.
 * </ul>
 */
public final class Jsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Jsonl() {}

    /** Writes one object per line, atomically. */
    public static void write(Path file, List<QaExample> examples) {
        writeObjects(file, examples, (e, o) -> {
            o.put("question", e.question());
            o.put("answer", e.answer());
            o.put("paraphrased_question", e.paraphrasedQuestion());
            o.put("paraphrased_answer", e.paraphrasedAnswer());
            var perturbed = o.putArray("perturbed_answer");
            e.perturbedAnswers().forEach(perturbed::add);
            o.put("subject", e.subject());
            o.put("fact", e.fact());
        });
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed record
     */
    public static List<QaExample> read(Path file) {
        return readObjects(file, (o, lineNo) -> {
            String question = text(o, "question", file, lineNo, null);
            String answer = text(o, "answer", file, lineNo, null);
            if (question.isBlank() || answer.isBlank()) {
                throw bad(file, lineNo, "field '" + (question.isBlank() ? "question" : "answer") + "' is blank; every "
                        + "example needs a question and an answer (a blank answer would score exact match 1.0 against "
                        + "an empty generation): fill it in or remove the line");
            }
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
            return new QaExample(question, answer,
                    text(o, "paraphrased_question", file, lineNo, question),
                    text(o, "paraphrased_answer", file, lineNo, answer),
                    perturbed,
                    text(o, "subject", file, lineNo, ""),
                    text(o, "fact", file, lineNo, ""));
        });
    }

    /** Writes one {@code {"text", "subject"}} object per passage, atomically. */
    public static void writePassages(Path file, List<Passage> passages) {
        writeObjects(file, passages, (p, o) -> {
            o.put("text", p.text());
            o.put("subject", p.subject());
        });
    }

    /**
     * Reads passages: {@code text} required, {@code subject} optional.
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed record
     */
    public static List<Passage> readPassages(Path file) {
        return readObjects(file, (o, lineNo) -> {
            String text = text(o, "text", file, lineNo, null);
            if (text.isBlank()) {
                throw bad(file, lineNo, "field 'text' is blank");
            }
            return new Passage(text, text(o, "subject", file, lineNo, ""));
        });
    }

    /** Writes one WMDP-style {@code {"question", "choices", "answer", "subject", "fact"}} object per question. */
    public static void writeChoices(Path file, List<MultipleChoice> choices) {
        writeObjects(file, choices, (c, o) -> {
            o.put("question", c.question());
            var options = o.putArray("choices");
            c.options().forEach(options::add);
            o.put("answer", c.answer());
            o.put("subject", c.subject());
            o.put("fact", c.fact());
        });
    }

    /**
     * Reads multiple-choice questions: {@code question}, {@code choices} (at least two distinct strings) and
     * {@code answer} (an index into them) required; {@code subject} and {@code fact} optional.
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed record
     */
    public static List<MultipleChoice> readChoices(Path file) {
        return readObjects(file, (o, lineNo) -> {
            String question = text(o, "question", file, lineNo, null);
            JsonNode c = o.get("choices");
            if (c == null || !c.isArray()) {
                throw bad(file, lineNo, "field 'choices' must be a list of strings");
            }
            List<String> options = new ArrayList<>();
            for (JsonNode n : c) {
                if (!n.isTextual()) {
                    throw bad(file, lineNo, "field 'choices' must hold strings");
                }
                options.add(n.asText());
            }
            JsonNode a = o.get("answer");
            if (a == null || !a.isIntegralNumber()) {
                throw bad(file, lineNo, "field 'answer' must be the index of the correct choice");
            }
            try {
                return new MultipleChoice(question, options, a.asInt(), text(o, "subject", file, lineNo, ""),
                        text(o, "fact", file, lineNo, ""));
            } catch (IllegalArgumentException e) {
                throw bad(file, lineNo, e.getMessage());
            }
        });
    }

    /** Parses one JSON object of a file. */
    @FunctionalInterface
    private interface LineReader<T> {
        T read(JsonNode object, int lineNo);
    }

    /**
     * One record of a file of records: its JSON value and the line (from 1) it starts on.
     *
     * @param value the record
     * @param line its first line
     */
    record Record(JsonNode value, int line) {}

    /**
     * The records of {@code file}, which is either one JSON array (as MUSE's repository and
     * {@code json.dump} write them) or JSON lines, one value per line (as {@code datasets}'
     * {@code to_json} writes them); blank lines are skipped. Records may be any JSON value.
     *
     * @throws IllegalArgumentException naming the file and line when it is not UTF-8 or not valid JSON
     */
    static List<Record> readRecords(Path file) {
        List<String> lines = lines(file);
        String content = String.join("\n", lines);
        if (!content.stripLeading().startsWith("[")) {
            List<Record> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty()) {
                    out.add(new Record(parse(file, i + 1, line), i + 1));
                }
            }
            return out;
        }
        List<Record> out = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(content)) {
            p.nextToken();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    throw bad(file, p.currentTokenLocation().getLineNr(), "the JSON array is not closed");
                }
                int line = p.currentTokenLocation().getLineNr();
                out.add(new Record(JSON.readTree(p), line));
            }
            if (p.nextToken() != null) {
                throw bad(file, p.currentTokenLocation().getLineNr(), "text after the JSON array");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    private static List<String> lines(Path file) {
        ConfinedPaths.regularFile(file, "data file");
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static JsonNode parse(Path file, int lineNo, String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(file, lineNo, "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static <T> List<T> readObjects(Path file, LineReader<T> reader) {
        List<String> lines = lines(file);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            JsonNode o = parse(file, lineNo, line);
            if (o == null || !o.isObject()) {
                throw bad(file, lineNo, "expected a JSON object");
            }
            out.add(reader.read(o, lineNo));
        }
        return out;
    }

    private static <T> void writeObjects(Path file, List<T> items, java.util.function.BiConsumer<T, ObjectNode> fill) {
        StringBuilder sb = new StringBuilder();
        for (T item : items) {
            ObjectNode o = JSON.createObjectNode();
            fill.accept(item, o);
            sb.append(o).append('\n');
        }
        AtomicFiles.write(file, out -> out.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The string field {@code field} of {@code o}, or {@code fallback} when it is missing or null.
     *
     * @throws IllegalArgumentException naming the file, line and field when it is missing without a fallback or
     *     not a string
     */
    static String text(JsonNode o, String field, Path file, int line, @Nullable String fallback) {
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

    /** The error for {@code file}'s record on {@code line}: {@code file:line: message}. */
    static IllegalArgumentException bad(Path file, int line, String message) {
        return new IllegalArgumentException(Printable.escape(file + ":" + line + ": " + message));
    }
}

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
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * JSON lines, one record per line; a file whose first character (after white space) is {@code [} is read as one
 * JSON array of such records instead, as users often save hub datasets, each record's line being the line its
 * {@code {} is on.
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
            JsonNode p = o.get("perturbed_answer");
            List<String> perturbed = p == null || p.isNull() ? List.of()
                    : p.isTextual() ? List.of(p.asText()) : texts(o, "perturbed_answer", file, lineNo);
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
            if (options.stream().distinct().count() != options.size()) {
                throw bad(file, lineNo, "field 'choices': options must be distinct, were " + options);
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

    private static <T> List<T> readObjects(Path file, LineReader<T> reader) {
        List<T> out = new ArrayList<>();
        for (Record r : objects(file)) {
            out.add(reader.read(r.value(), r.line()));
        }
        return out;
    }

    /**
     * One record of a file and the line it starts on (1-based).
     *
     * @param value the record
     * @param line its first line
     */
    record Record(JsonNode value, int line) {}

    /**
     * The JSON objects of {@code file} ({@link #records}, each required to be an object).
     *
     * @throws IllegalArgumentException naming the file and line of a record that is not a JSON object, and as
     *     {@link #records} does
     */
    static List<Record> objects(Path file) {
        List<Record> out = records(file);
        for (Record r : out) {
            if (r.value() == null || !r.value().isObject()) {
                throw bad(file, r.line(), "expected a JSON object");
            }
        }
        return out;
    }

    /**
     * The records of {@code file}, any JSON values: one per non-blank line (JSON lines, as {@code datasets}'
     * {@code to_json} writes them), or the elements of one JSON array when the file starts with {@code [} (as
     * {@code json.dump} and MUSE's repository write them).
     *
     * @throws IllegalArgumentException naming the file and line of what is not valid JSON, and for a missing file,
     *     one that is not an ordinary file or not UTF-8
     */
    static List<Record> records(Path file) {
        String text;
        ConfinedPaths.regularFile(file, "data file");
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return text.strip().startsWith("[") ? arrayRecords(file, text) : lineRecords(file, text);
    }

    private static List<Record> lineRecords(Path file, String text) {
        List<Record> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            try {
                out.add(new Record(JSON.readTree(line), lineNo));
            } catch (JsonProcessingException e) {
                throw bad(file, lineNo, "not valid JSON: " + e.getOriginalMessage() + "; each line holds one JSON "
                        + "record (or the whole file is one JSON array of them)");
            }
        }
        return out;
    }

    private static List<Record> arrayRecords(Path file, String text) {
        List<Record> out = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(text)) {
            parser.nextToken(); // the array's [
            // an unclosed array ends in a JsonEOFException, reported below
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                int lineNo = parser.currentTokenLocation().getLineNr();
                out.add(new Record(parser.readValueAsTree(), lineNo));
            }
            if (parser.nextToken() != null) {
                throw bad(file, parser.currentTokenLocation().getLineNr(), "text after the JSON array's closing ]");
            }
        } catch (JsonProcessingException e) {
            throw bad(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
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
     * The string field {@code field} of record {@code o}, or {@code fallback} when it is absent or null.
     *
     * @param fallback null when the field is required
     * @throws IllegalArgumentException naming the file, line and field when it is missing (and required) or not a
     *     string
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

    /**
     * The list-of-strings field {@code field} of record {@code o}.
     *
     * @throws IllegalArgumentException naming the file, line and field when it is missing, not a list or holds
     *     something other than strings
     */
    static List<String> texts(JsonNode o, String field, Path file, int line) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw bad(file, line, "field '" + field + "' is missing; expected a list of strings");
        }
        if (!n.isArray()) {
            throw bad(file, line, "field '" + field + "' must be a list of strings, was "
                    + n.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw bad(file, line, "field '" + field + "' must hold strings only, holds "
                        + item.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            out.add(item.asText());
        }
        return out;
    }

    /**
     * An error at line {@code line} of {@code file}: {@code file:line: message}; in a Parquet file (named
     * {@code .parquet}), which has rows rather than lines, at row {@code line} (from 1): {@code file: row N: message}.
     */
    static IllegalArgumentException bad(Path file, int line, String message) {
        boolean rows = file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
        return new IllegalArgumentException(Printable.escape(file + (rows ? ": row " : ":") + line + ": " + message));
    }
}

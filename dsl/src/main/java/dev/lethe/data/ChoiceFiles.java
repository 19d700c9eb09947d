package dev.lethe.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Multiple-choice questions read from the files of WMDP and MMLU as users download them. Three layouts:
 *
 * <ul>
 *   <li><b>WMDP</b> (Li et al. 2024; hub dataset {@code cais/wmdp}, configs {@code wmdp-bio}, {@code wmdp-chem},
 *       {@code wmdp-cyber}, split {@code test}: 1273, 408 and 1987 rows) as the hub holds it,
 *       {@code wmdp-bio/test-00000-of-00001.parquet} (columns {@code answer} int64, {@code question} string,
 *       {@code choices} list of strings), or exported as JSON lines (what {@code datasets}' {@code to_json} writes) or
 *       one JSON array: records {@code question} (a string), {@code choices} (a list of strings) and {@code answer}
 *       (the index of the correct choice, an integer). A file named after its config ({@code wmdp-bio.jsonl}) or in a
 *       folder named after it ({@code wmdp-bio/test-00000-of-00001.parquet}, {@code wmdp-bio/test.json}) gets the
 *       subject of lm-evaluation-harness's description for it: biology, chemistry or cybersecurity.
 *   <li><b>MMLU as {@code cais/mmlu}</b> holds it ({@code <subject>/test-00000-of-00001.parquet}, also
 *       {@code all/}) or exports it (JSON lines or a JSON array): the same fields plus {@code subject}
 *       ({@code high_school_biology}), which becomes the question's subject.
 *   <li><b>MMLU as Hendrycks et al. published it</b> ({@code data.tar}: {@code data/test/<subject>_test.csv}): CSV
 *       without a header, each row question, A, B, C, D and the answer letter; the subject is the file's name without
 *       {@code _test.csv} (or {@code _val.csv}, {@code _dev.csv}).
 * </ul>
 *
 * <p>A folder is read as its Parquet files or as its CSV files (not both), in name order: of the hub's files, named
 * {@code <split>-NNNNN-of-MMMMM.parquet}, the {@code test} split's shards (the split the harness evaluates; point at
 * {@code cais/mmlu}'s {@code high_school_biology/} or {@code cais/wmdp}'s {@code wmdp-bio/}, whose {@code dev} and
 * {@code validation} files are left alone); Parquet files of other names all; CSV files all (point at Hendrycks'
 * {@code data/test}). Parquet rows are checked as JSON records are ({@link dev.lethe.io.parquet.Parquet} reads the
 * file). A record's other fields are ignored. Every missing or mistyped field, an answer outside the choices, and a CSV
 * row that does not have six fields or an answer letter A–D is refused naming the file, the line (of the record's
 * start; in a Parquet file the row, from 1) and the field.
 */
public final class ChoiceFiles {
    /** lm-evaluation-harness's description subject of each WMDP config ({@code lm_eval/tasks/wmdp/wmdp_*.yaml}). */
    public static final Map<String, String> WMDP_SUBJECTS = Map.of(
            "wmdp-bio", "biology",
            "wmdp-chem", "chemistry",
            "wmdp-cyber", "cybersecurity");

    /** The fields of a WMDP or {@code cais/mmlu} record that are read. */
    static final List<String> FIELDS = List.of("question", "choices", "answer", "subject");

    /** The columns of a Hendrycks MMLU CSV row, in order. */
    static final List<String> CSV_COLUMNS = List.of("question", "A", "B", "C", "D", "answer");

    private ChoiceFiles() {}

    /**
     * The questions at {@code path}: a folder ({@link #readFolder}), or a {@code .parquet}, {@code .json},
     * {@code .jsonl} or {@code .csv} file (see the class comment for the layouts).
     *
     * @throws IllegalArgumentException for a missing path, another extension, a folder without Parquet or CSV files,
     *     and naming the file, line (or row) and field of the first malformed record
     */
    public static List<MultipleChoice> read(Path path) {
        if (Files.isDirectory(path)) {
            return readFolder(path);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(Printable.escape(path.toString()) + ": missing; multiple-choice files "
                    + "are WMDP or MMLU files as the hub holds them (.parquet) or exports of them (.json, .jsonl), "
                    + "Hendrycks' MMLU CSV files, or a folder of them");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return readCsv(path);
        }
        if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            return readJson(path);
        }
        if (name.endsWith(".parquet")) {
            return readParquet(path);
        }
        throw new IllegalArgumentException(Printable.escape(path.toString()) + ": not a multiple-choice file Lethe "
                + "reads; expected .parquet (WMDP, cais/mmlu as the hub holds them), .json or .jsonl (exported with "
                + "datasets' to_json), .csv (Hendrycks' MMLU) or a folder of them");
    }

    /**
     * A WMDP or {@code cais/mmlu} Parquet file as the hub holds it ({@code wmdp-bio/test-00000-of-00001.parquet}):
     * columns {@code question}, {@code choices} (a list of strings), {@code answer} (an integer) and optional
     * {@code subject}, checked as {@link #readJson} checks records; errors name the row (from 1).
     *
     * @throws IllegalArgumentException naming the file, row and field of the first malformed row, and for a file that
     *     is not Parquet, is damaged or stores a column in a way Lethe does not read
     */
    public static List<MultipleChoice> readParquet(Path file) {
        return choices(file, ParquetRows.records(file, FIELDS));
    }

    /**
     * WMDP or {@code cais/mmlu} records: {@code question}, {@code choices}, {@code answer} required, {@code subject}
     * optional (else the WMDP config's subject when the file or its folder is named after one, else empty).
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed record
     */
    public static List<MultipleChoice> readJson(Path file) {
        return choices(file, Jsonl.objects(file));
    }

    private static List<MultipleChoice> choices(Path file, List<Jsonl.Record> records) {
        String fallback = wmdpSubject(file);
        List<MultipleChoice> out = new ArrayList<>();
        for (Jsonl.Record r : records) {
            JsonNode o = r.value();
            int line = r.line();
            String question = Jsonl.text(o, "question", file, line, null);
            if (question.isBlank()) {
                throw Jsonl.bad(file, line, "field 'question' is blank");
            }
            if (o.get("choices") == null || o.get("choices").isNull()) {
                throw Jsonl.bad(file, line, "field 'choices' is missing; expected a list of at least 2 strings");
            }
            List<String> choices = Jsonl.texts(o, "choices", file, line);
            if (choices.size() < 2) {
                throw Jsonl.bad(file, line, "field 'choices' has " + choices.size() + " entr"
                        + (choices.size() == 1 ? "y" : "ies") + "; expected at least 2");
            }
            JsonNode a = o.get("answer");
            String range = "0 to " + (choices.size() - 1);
            if (a == null || a.isNull()) {
                throw Jsonl.bad(file, line, "field 'answer' is missing; expected the index of the correct choice ("
                        + range + ")");
            }
            if (!a.isIntegralNumber() || !a.canConvertToInt()) {
                throw Jsonl.bad(file, line, "field 'answer' must be an integer index of the choices (" + range + "), was "
                        + (a.isNumber() ? a.asText() : a.getNodeType().name().toLowerCase(Locale.ROOT)));
            }
            int answer = a.intValue();
            if (answer < 0 || answer >= choices.size()) {
                throw Jsonl.bad(file, line, "field 'answer' is " + answer + ", outside the " + choices.size()
                        + " choices (" + range + ")");
            }
            String subject = Jsonl.text(o, "subject", file, line, fallback);
            out.add(new MultipleChoice(question, choices, answer, subject, ""));
        }
        return out;
    }

    /**
     * A Hendrycks MMLU CSV file: rows of question, A, B, C, D and the answer letter, no header; the subject is the
     * file's name without {@code _test.csv}, {@code _val.csv}, {@code _dev.csv} or {@code .csv}.
     *
     * @throws IllegalArgumentException naming the file, line and field of the first malformed row
     */
    public static List<MultipleChoice> readCsv(Path file) {
        ConfinedPaths.regularFile(file, "MMLU file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(Printable.escape(file.toString()) + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String subject = csvSubject(file);
        List<MultipleChoice> out = new ArrayList<>();
        for (Csv.Row row : Csv.rows(file, text)) {
            List<String> f = row.fields();
            if (f.size() != CSV_COLUMNS.size()) {
                throw Jsonl.bad(file, row.line(), "the row has " + f.size() + " field" + (f.size() == 1 ? "" : "s")
                        + "; expected " + CSV_COLUMNS.size() + " (" + String.join(", ", CSV_COLUMNS) + "), with a "
                        + "field holding commas or line breaks in double quotes"
                        + (f.size() < CSV_COLUMNS.size() ? ": field '" + CSV_COLUMNS.get(f.size()) + "' is missing"
                        : ""));
            }
            if (f.get(0).isBlank()) {
                throw Jsonl.bad(file, row.line(), "field 'question' is blank");
            }
            String letter = f.get(5);
            int answer = letter.length() == 1 ? "ABCD".indexOf(letter.charAt(0)) : -1;
            if (answer < 0) {
                throw Jsonl.bad(file, row.line(), "field 'answer' is '" + letter + "'; expected the letter A, B, C or D");
            }
            out.add(new MultipleChoice(f.get(0), f.subList(1, 5), answer, subject, ""));
        }
        return out;
    }

    /**
     * The questions of a folder, in name order: its Parquet files when it has any ({@link #readParquet}; of the hub's
     * {@code <split>-NNNNN-of-MMMMM.parquet} files the {@code test} split's shards, of other names every file), else
     * its {@code .csv} files ({@link #readCsv}; Hendrycks' {@code data/test} folder: the 57 subjects).
     *
     * @throws IllegalArgumentException when the folder holds neither kind, both, hub files without a test split or
     *     beside Parquet files of other names, an incomplete set of test shards; and as the readers do
     */
    public static List<MultipleChoice> readFolder(Path dir) {
        List<Path> csv = files(dir, ".csv");
        List<Path> parquet = files(dir, ".parquet");
        String shown = Printable.escape(dir.toString());
        if (!csv.isEmpty() && !parquet.isEmpty()) {
            throw new IllegalArgumentException(shown + ": holds both .csv and .parquet files; keep one kind in the "
                    + "folder, or name the files to read");
        }
        if (csv.isEmpty() && parquet.isEmpty()) {
            throw new IllegalArgumentException(shown + ": no .parquet or .csv file in the folder; a folder of "
                    + "multiple-choice questions holds a hub config's files (wmdp-bio/test-00000-of-00001.parquet) or "
                    + "Hendrycks' MMLU files (data/test/<subject>_test.csv)");
        }
        List<MultipleChoice> out = new ArrayList<>();
        if (!csv.isEmpty()) {
            for (Path f : csv) {
                out.addAll(readCsv(f));
            }
            return out;
        }
        List<Path> hub = parquet.stream()
                .filter(p -> ParquetRows.SHARD.matcher(p.getFileName().toString()).matches()).toList();
        if (!hub.isEmpty() && hub.size() != parquet.size()) {
            throw new IllegalArgumentException(shown + ": holds hub files (" + hub.get(0).getFileName() + ") beside "
                    + ".parquet files named otherwise; name the files to read");
        }
        List<Path> read = hub.isEmpty() ? parquet : ParquetRows.shards(hub, "test");
        if (read.isEmpty()) {
            throw new IllegalArgumentException(shown + ": its hub files (" + String.join(", ", hub.stream()
                    .map(p -> p.getFileName().toString()).toList()) + ") hold no test split; name the file to read");
        }
        for (Path f : read) {
            out.addAll(readParquet(f));
        }
        return out;
    }

    /** The files directly in {@code dir} whose names end with {@code extension}, in name order. */
    private static List<Path> files(Path dir, String extension) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(extension)).sorted()
                    .map(n -> ConfinedPaths.inside(dir, n, "multiple-choice file")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The subject of a Hendrycks CSV file's questions: its name without the split suffix and extension. */
    static String csvSubject(Path file) {
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.length() - ".csv".length());
        for (String suffix : List.of("_test", "_val", "_dev")) {
            if (stem.endsWith(suffix) && stem.length() > suffix.length()) {
                return stem.substring(0, stem.length() - suffix.length());
            }
        }
        return stem;
    }

    /** The harness's WMDP subject when {@code file} or its folder is named after a WMDP config, else empty. */
    static String wmdpSubject(Path file) {
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.lastIndexOf('.'));
        if (WMDP_SUBJECTS.containsKey(stem)) {
            return WMDP_SUBJECTS.get(stem);
        }
        Path parent = file.toAbsolutePath().getParent();
        return parent == null || parent.getFileName() == null ? ""
                : WMDP_SUBJECTS.getOrDefault(parent.getFileName().toString(), "");
    }
}

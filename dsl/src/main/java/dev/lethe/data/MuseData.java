package dev.lethe.data;

import static dev.lethe.part.ParamTypes.path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.io.ConfinedPaths;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.util.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * MUSE-News or MUSE-Books (Shi et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language
 * Models", arXiv:2407.06460; hub datasets {@code muse-bench/MUSE-News}, {@code muse-bench/MUSE-Books}) read
 * from a folder holding the hub's configs, one folder per config and one file (or set of shards) per split: as the
 * hub holds them, {@code <config>/<split>-00000-of-00001.parquet} (Parquet, read by
 * {@link dev.lethe.io.parquet.Parquet}), or exported as {@code <config>/<split>.json} or {@code .jsonl}: either one
 * JSON array (as muse_bench's {@code data/} folder holds them) or JSON lines (as {@code datasets}' {@code to_json}
 * writes them); {@code <config>/<split>.parquet} (pandas' or {@code datasets}' {@code to_parquet}) is read too.
 *
 * <table>
 *   <caption>Files read (relative to {@code dir}, without the extension or shard suffix) and where they go</caption>
 *   <tr><th>file</th><th>fields</th><th>becomes</th></tr>
 *   <tr><td>{@code raw/forget} (required)</td><td>{@code text}</td><td>forget passages (training text)</td></tr>
 *   <tr><td>{@code raw/retain1}, {@code raw/retain2}</td><td>{@code text}</td><td>retain passages, in that
 *       order (both were seen by MUSE's target model)</td></tr>
 *   <tr><td>{@code raw/holdout}</td><td>{@code text}</td><td>holdout passages (never trained on)</td></tr>
 *   <tr><td>{@code verbmem/forget}</td><td>{@code prompt}, {@code gt}</td><td>forget VerbMem
 *       {@link Continuation}s</td></tr>
 *   <tr><td>{@code knowmem/forget_qa}, {@code knowmem/retain_qa}</td><td>{@code question}, {@code answer}</td>
 *       <td>forget / retain KnowMem questions</td></tr>
 *   <tr><td>{@code knowmem/forget_qa_icl}, {@code knowmem/retain_qa_icl}</td><td>{@code question},
 *       {@code answer}</td><td>forget / retain few-shot examples of KnowMem's prompt</td></tr>
 *   <tr><td>{@code privleak/forget}, {@code privleak/retain}, {@code privleak/holdout}</td><td>{@code text}
 *       </td><td>forget / retain / holdout texts of the membership scores (PrivLeak)</td></tr>
 * </table>
 *
 * <p>A JSON {@code text} record may also be a bare JSON string (muse_bench's {@code privleak} files are arrays of
 * strings). Other fields are ignored; a missing file is an empty list except {@code raw/forget}; a split in two forms
 * (say {@code forget.json} and {@code forget-00000-of-00001.parquet}) is refused. The forget, retain and holdout
 * splits get {@link MuseProbes} (even empty ones): that marks the data as MUSE's. The world split stays empty, and no
 * split has question-answer examples: the models train on the passages (the learn, finetune and reference stages'
 * default {@code train_on: both} reads them; an unlearn stage needs {@code train_on: passages}), and KnowMem's
 * questions are never training text. The seed is not used.
 *
 * @param dir the folder (relative to the working directory)
 */
public record MuseData(Path dir) implements DataSource {
    /** The data source {@code muse}. */
    public static final Kind<MuseData> KIND = Kind.of("muse", MuseData.class,
            "MUSE-News or MUSE-Books (Shi et al. 2024) as the hub holds them (Parquet) or exported: raw/, verbmem/, "
                    + "knowmem/ and privleak/ files, Parquet, JSON arrays or JSON lines",
            List.of(Param.required("dir", path(), "the folder holding raw/, verbmem/, knowmem/ and privleak/ "
                    + "(relative to the working directory)", MuseData::dir)),
            a -> new MuseData(a.get("dir")));

    @Override
    public Dataset load(long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("MUSE folder " + Printable.escape(dir.toString()) + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; muse: {dir: ...} names a folder holding at least "
                    + "raw/forget.json or raw/forget-00000-of-00001.parquet");
        }
        if (files("raw/forget").isEmpty()) {
            throw new IllegalArgumentException(Printable.escape(dir.resolve("raw/forget.json").toString())
                    + ": missing (nor raw/forget.jsonl, raw/forget.parquet, or raw/forget-00000-of-00001.parquet as "
                    + "the hub holds it); a MUSE folder needs at least the raw forget texts");
        }
        Map<Split, List<Passage>> passages = new EnumMap<>(Split.class);
        Map<Split, MuseProbes> probes = new EnumMap<>(Split.class);
        passages.put(Split.FORGET, texts("raw/forget"));
        List<Passage> retain = new ArrayList<>(texts("raw/retain1"));
        retain.addAll(texts("raw/retain2"));
        passages.put(Split.RETAIN, retain);
        passages.put(Split.HOLDOUT, texts("raw/holdout"));
        probes.put(Split.FORGET, new MuseProbes(continuations("verbmem/forget"), questions("knowmem/forget_qa"),
                questions("knowmem/forget_qa_icl"), texts("privleak/forget")));
        probes.put(Split.RETAIN, new MuseProbes(List.of(), questions("knowmem/retain_qa"),
                questions("knowmem/retain_qa_icl"), texts("privleak/retain")));
        probes.put(Split.HOLDOUT, new MuseProbes(List.of(), List.of(), List.of(), texts("privleak/holdout")));
        return new Dataset(Map.of(), passages, Map.of(), probes);
    }

    /**
     * The files of {@code name} ({@code config/split}) inside the folder: the hub's shards
     * {@code config/split-NNNNN-of-MMMMM.parquet}, or one of {@code config/split.json}, {@code .jsonl},
     * {@code .parquet}; empty when there is none.
     *
     * @throws IllegalArgumentException when more than one of these forms exists, or shards are missing
     */
    private List<Path> files(String name) {
        List<Path> found = new ArrayList<>();
        for (String extension : List.of(".json", ".jsonl", ".parquet")) {
            Path f = ConfinedPaths.inside(dir, name + extension, "MUSE file");
            if (Files.exists(f)) {
                found.add(f);
            }
        }
        Path config = ConfinedPaths.inside(dir, name, "MUSE file").getParent();
        List<Path> shards = List.of();
        if (Files.isDirectory(config)) {
            try (Stream<Path> s = Files.list(config)) {
                String folder = name.substring(0, name.indexOf('/') + 1);
                shards = ParquetRows.shards(s.map(p -> p.getFileName().toString())
                        .filter(n -> ParquetRows.SHARD.matcher(n).matches())
                        .map(n -> ConfinedPaths.inside(dir, folder + n, "MUSE file")).toList(),
                        name.substring(folder.length()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + config, e);
            }
        }
        if (!shards.isEmpty()) {
            found.add(shards.get(0));
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException(Printable.escape(found.get(0).toString()) + " and "
                    + found.get(1).getFileName() + " both exist; keep one of them");
        }
        return shards.isEmpty() ? found : shards;
    }

    /** The records of {@code name}'s files, each with its file: JSON values, or Parquet rows of {@code fields}. */
    private List<Map.Entry<Path, Jsonl.Record>> records(String name, List<String> fields) {
        List<Map.Entry<Path, Jsonl.Record>> out = new ArrayList<>();
        for (Path f : files(name)) {
            for (Jsonl.Record r : f.getFileName().toString().endsWith(".parquet") ? ParquetRows.records(f, fields)
                    : Jsonl.records(f)) {
                out.add(Map.entry(f, r));
            }
        }
        return out;
    }

    /** The texts of {@code name}: records {@code {"text": ...}} or bare strings. */
    private List<Passage> texts(String name) {
        List<Passage> out = new ArrayList<>();
        for (Map.Entry<Path, Jsonl.Record> e : records(name, List.of("text"))) {
            Path f = e.getKey();
            Jsonl.Record r = e.getValue();
            JsonNode v = r.value();
            String text = v.isTextual() ? v.asText() : Jsonl.text(object(f, r), "text", f, r.line(), null);
            out.add(new Passage(nonBlank(text, "text", f, r.line()), ""));
        }
        return out;
    }

    /** The question-answer records of {@code name}. */
    private List<QaExample> questions(String name) {
        List<QaExample> out = new ArrayList<>();
        for (Map.Entry<Path, Jsonl.Record> e : records(name, List.of("question", "answer"))) {
            Path f = e.getKey();
            Jsonl.Record r = e.getValue();
            JsonNode o = object(f, r);
            String q = nonBlank(Jsonl.text(o, "question", f, r.line(), null), "question", f, r.line());
            String a = nonBlank(Jsonl.text(o, "answer", f, r.line(), null), "answer", f, r.line());
            out.add(new QaExample(q, a, q, a, List.of(), "", ""));
        }
        return out;
    }

    /** The prompt-continuation records of {@code name}. */
    private List<Continuation> continuations(String name) {
        List<Continuation> out = new ArrayList<>();
        for (Map.Entry<Path, Jsonl.Record> e : records(name, List.of("prompt", "gt"))) {
            Path f = e.getKey();
            Jsonl.Record r = e.getValue();
            JsonNode o = object(f, r);
            out.add(new Continuation(nonBlank(Jsonl.text(o, "prompt", f, r.line(), null), "prompt", f, r.line()),
                    nonBlank(Jsonl.text(o, "gt", f, r.line(), null), "gt", f, r.line())));
        }
        return out;
    }

    private static JsonNode object(Path f, Jsonl.Record r) {
        if (!r.value().isObject()) {
            throw Jsonl.bad(f, r.line(), "expected a JSON object, was " + r.value().getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
        return r.value();
    }

    private static String nonBlank(String value, String field, Path f, int line) {
        if (value.isBlank()) {
            throw Jsonl.bad(f, line, "field '" + field + "' is blank; fill it in or remove the record");
        }
        return value;
    }
}
